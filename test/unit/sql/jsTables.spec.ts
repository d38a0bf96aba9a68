import * as assert from 'node:assert/strict';
import { JS_SINK_EXAMPLES, JS_SOURCES } from '../../../src/engine/sql/js/tables';
import { describeSinksAndSources, findingLines } from '../../helpers/sqlTables';

const injections = (text: string, path = 'app.ts'): Promise<number[]> => findingLines('KEEL-SQL-INJECTION', text, path);

describeSinksAndSources(
  'sql: JS/TS sources and sinks table (every entry, with a tricky true negative)',
  JS_SINK_EXAMPLES,
  JS_SOURCES,
  'request data reaching the SQL text is reported, bound as a value it is not',
  (text) => injections(text),
);

describe('sql: JS injection cases from issue 15 (each failed before its fix)', () => {
  it('req.query.ID is request data, not an UPPER_CASE constant', async () => {
    const text = "import { Pool } from 'pg';\nconst pool = new Pool();\napp.get('/u', (req, res) => {\n  return pool.query(`SELECT name FROM users WHERE id = ${req.query.ID}`);\n});\n";
    assert.deepEqual(await injections(text), [4]);
    assert.deepEqual(await injections(text.replace('req.query.ID', 'Config.ID')), []);
  });

  it("string building with .concat and parts.join('')", async () => {
    const concat = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport function f(id: string) {\n  return pool.query('SELECT name FROM users WHERE id = '.concat(id));\n}\n";
    assert.deepEqual(await injections(concat), [4]);
    const join = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport function f(id: string) {\n  const parts = ['SELECT name FROM users WHERE id = '];\n  parts.push(id);\n  return pool.query(parts.join(''));\n}\n";
    assert.deepEqual(await injections(join), [6]);
    assert.deepEqual(await injections(join.replace('parts.push(id)', "parts.push('1')")), []);
  });

  it('a whole query from a parameter is reported only when it is request input', async () => {
    assert.deepEqual(await injections("import { Pool } from 'pg';\nconst pool = new Pool();\nexport const run = (sql: string) => pool.query(sql);\n"), []);
    assert.deepEqual(await injections("const mysql = require('mysql');\nconst c = mysql.createConnection({});\nc.query(process.argv[2]);\n", 'cli.js'), [3]);
  });

  it('identifiers passed through the project\'s own quoting helpers (escapePath, quoteIdentifier) are not injections', async () => {
    const text = "import { DataSource } from 'typeorm';\nexport class Runner {\n  constructor(private dataSource: DataSource) {}\n  clear(table: string) {\n    return this.dataSource.query(`TRUNCATE TABLE ${this.escapePath(table)}`);\n  }\n  bad(table: string) {\n    return this.dataSource.query(`TRUNCATE TABLE ${this.pathOf(table)}`);\n  }\n}\n";
    assert.deepEqual(await injections(text), [8]);
  });
});
