// Bundle-time stand-in for `node-sql-parser`: the full build carries every dialect (≈4 MB). Keel parses
// PostgreSQL and MySQL (which covers SQLite's syntax for what the rules inspect), so the bundle carries
// those two dialect builds and routes on `opt.database`.
const { Parser: PostgresParser } = require('../../node_modules/node-sql-parser/build/postgresql.js');
const { Parser: MysqlParser } = require('../../node_modules/node-sql-parser/build/mysql.js');

class Parser {
  constructor() {
    this.postgres = new PostgresParser();
    this.mysql = new MysqlParser();
  }
  pick(opt) {
    const db = String((opt && opt.database) || 'mysql').toLowerCase();
    return db === 'postgresql' || db === 'postgres' ? this.postgres : this.mysql;
  }
  astify(sql, opt) { return this.pick(opt).astify(sql, opt); }
  parse(sql, opt) { return this.pick(opt).parse(sql, opt); }
  sqlify(ast, opt) { return this.pick(opt).sqlify(ast, opt); }
  tableList(sql, opt) { return this.pick(opt).tableList(sql, opt); }
  columnList(sql, opt) { return this.pick(opt).columnList(sql, opt); }
  whiteListCheck(sql, list, opt) { return this.pick(opt).whiteListCheck(sql, list, opt); }
}
module.exports = { Parser };
