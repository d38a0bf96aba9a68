import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../../src/engine/sql/analyze';

async function nPlusOne(text: string, path = 'svc.ts'): Promise<number[]> {
  return (await analyzeSource({ path, text })).filter((f) => f.code === 'KEEL-SQL-N-PLUS-ONE').map((f) => f.line);
}

describe('sql: N+1 cases from issue 15 (each failed before its fix)', () => {
  it('User.findById(id) / Model.findByPk(id) with the loop item as the only argument', async () => {
    const text = "import { User } from './models';\nexport async function names(ids: string[]) {\n  const out = [];\n  for (const id of ids) {\n    const u = await User.findById(id);\n    out.push(u.name);\n  }\n  return out;\n}\n";
    assert.deepEqual(await nPlusOne(text), [5]);
    assert.deepEqual(await nPlusOne(text.replace('User.findById(id)', 'User.findByPk(id)')), [5]);
    // Running a list of SQL statements one by one is not a query per item.
    const statements = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function migrate(statements: string[]) {\n  for (const sql of statements) await pool.query(sql);\n}\n";
    assert.deepEqual(await nPlusOne(statements), []);
  });

  it('service and repository calls of layered backends, per item', async () => {
    const text = 'export class S {\n  async lines(items) {\n    for (const item of items) {\n      const line = await this.lineItemService_.retrieve(item.item_id);\n    }\n  }\n}\n';
    assert.deepEqual(await nPlusOne(text), [4]);
    const hoisted = 'export class S {\n  async lines(items) {\n    const lines = await this.lineItemService_.list({ id: items.map((i) => i.item_id) });\n    for (const item of items) lines.find((l) => l.id === item.item_id);\n  }\n}\n';
    assert.deepEqual(await nPlusOne(hoisted), []);
  });

  it('async iteration forms: for await and Promise.all(items.map(async …))', async () => {
    const forAwait = "import { User } from './models';\nexport async function f(stream) {\n  for await (const row of stream) {\n    await User.findByPk(row.userId);\n  }\n}\n";
    assert.deepEqual(await nPlusOne(forAwait), [4]);
    const all = "import { User } from './models';\nexport const f = (rows) => Promise.all(rows.map(async (row) => User.findByPk(row.userId)));\n";
    assert.deepEqual(await nPlusOne(all), [2]);
  });
});
