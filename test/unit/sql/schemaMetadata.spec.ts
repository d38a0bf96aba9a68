import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../../src/engine/sql/analyze';

async function injections(text: string, path: string): Promise<number[]> {
  return (await analyzeSource({ path, text })).filter((f) => f.code === 'KEEL-SQL-INJECTION').map((f) => f.line);
}

describe('sql: schema-metadata identifiers inside ORM/driver classes are not injections', () => {
  it('JS: catalog and DDL queries built from table/schema names in a query runner', async () => {
    const runner = 'export class QueryRunner {\n  async loadViews(viewNames) {\n    const cond = viewNames.map((v) => {\n      const { schema, tableName } = this.driver.parseTableName(v);\n      return `("t"."schema" = \'${schema}\' AND "t"."name" = \'${tableName}\')`;\n    }).join(" OR ");\n    return this.query(`SELECT * FROM "views" "t" WHERE ${cond}`);\n  }\n}\n';
    assert.deepEqual(await injections(runner, 'runner.js'), []);
    // The same name taken from the request is still user input.
    const handler = 'export class Controller {\n  async list(req) {\n    const tableName = req.query.table;\n    return this.db.query(`SELECT * FROM ${tableName}`);\n  }\n}\n';
    assert.deepEqual(await injections(handler, 'controller.js'), [4]);
    const quoted = 'export class QueryGenerator {\n  order(alias) {\n    return this.sequelize.query(`SELECT * FROM t ORDER BY ${this.quote(alias)}`);\n  }\n}\n';
    assert.deepEqual(await injections(quoted, 'qg.js'), []);
    // A value that is not an identifier name keeps reporting inside a class.
    const value = 'export class Repo {\n  async find(email) {\n    return this.db.query(`SELECT * FROM users WHERE email = \'${email}\'`);\n  }\n}\n';
    assert.deepEqual(await injections(value, 'repo.js'), [3]);
  });

  it('Python: schema editors splicing db_table / column names; free functions still report', async () => {
    const editor = 'class SchemaEditor:\n    def remake(self, model, new_model, mapping):\n        table = model._meta.db_table\n        self.execute("INSERT INTO %s SELECT * FROM %s" % (new_model._meta.db_table, table))\n';
    assert.deepEqual(await injections(editor, 'schema.py'), []);
    const preparer = 'class DDLCompiler:\n    def visit_create_sequence(self, create, conn):\n        conn.execute("CREATE SEQUENCE %s" % self.preparer.format_sequence(create.element))\n';
    assert.deepEqual(await injections(preparer, 'compiler.py'), []);
    const free = 'import sqlite3\ncur = sqlite3.connect("x").cursor()\ndef insert(table_name):\n    cur.execute(f"INSERT INTO {table_name} VALUES (1)")\n';
    assert.deepEqual(await injections(free, 'db.py'), [4]);
  });
});

