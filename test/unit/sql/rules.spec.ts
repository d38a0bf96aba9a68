import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeelError } from '../../../src/common/errors';
import { buildAiFixRequest } from '../../../src/engine/sql/aiFix';
import { analyzeSource, MAX_ANALYZE_CHARS } from '../../../src/engine/sql/analyze';
import { RULES } from '../../../src/engine/sql/rules';
import { DEMO } from './helpers';

const INJECT = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport function f(id: string) {\n  return pool.query(`SELECT name FROM users WHERE id = ${id}`);\n}\n";

describe('sql rules, settings and suppression', () => {
  it('every finding carries the public shape, with related locations for injection and loops', async () => {
    const [f] = await analyzeSource({ path: 'a.ts', text: INJECT });
    assert.equal(f.code, 'KEEL-SQL-INJECTION');
    assert.equal(f.category, 'sql-injection');
    assert.equal(f.severity, 'error');
    assert.deepEqual([f.line, f.column, f.endLine], [4, 21, 4]);
    assert.ok(f.related?.some((r) => r.message.includes('comes from')), 'origin of the tainted value');
    assert.match(f.message, /bound parameter/);
  });

  it('keel.sql.rules changes severities and turns rules off', async () => {
    const [warn] = await analyzeSource({ path: 'a.ts', text: INJECT, rules: { 'KEEL-SQL-INJECTION': 'warning' } });
    assert.equal(warn.severity, 'warning');
    assert.deepEqual(await analyzeSource({ path: 'a.ts', text: INJECT, rules: { 'KEEL-SQL-INJECTION': 'off' } }), []);
  });

  it('keel-ignore comments suppress by code, on the line above; a marker inside a string does not', async () => {
    const above = INJECT.replace('  return pool', '  // keel-ignore KEEL-SQL-INJECTION\n  return pool');
    assert.deepEqual(await analyzeSource({ path: 'a.ts', text: above }), []);
    const other = INJECT.replace('  return pool', '  // keel-ignore KEEL-SQL-N-PLUS-ONE\n  return pool');
    assert.equal((await analyzeSource({ path: 'a.ts', text: other })).length, 1);
    const inString = INJECT.replace('SELECT name', 'SELECT name /* keel-ignore */');
    assert.equal((await analyzeSource({ path: 'a.ts', text: inString })).length, 1);
    const py = 'def f(cur, x):\n    # keel-ignore\n    cur.execute(f"SELECT a FROM t WHERE b = {x}")\n';
    assert.deepEqual(await analyzeSource({ path: 'a.py', text: py }), []);
  });

  it('uses the VS Code language id over the extension and ignores unsupported languages', async () => {
    assert.equal((await analyzeSource({ path: 'untitled-1', text: INJECT, languageId: 'typescript' })).length, 1);
    assert.deepEqual(await analyzeSource({ path: 'README.md', text: INJECT }), []);
  });

  it('bad input gets coded errors', async () => {
    await assert.rejects(analyzeSource({ path: 'a.ts', text: 42 as unknown as string }), (e: KeelError) => e.code === 'INVALID_PARAMS');
    await assert.rejects(analyzeSource({ path: 'a.ts', text: 'x'.repeat(MAX_ANALYZE_CHARS + 1) }), (e: KeelError) => e.code === 'FILE_TOO_LARGE');
    assert.deepEqual(await analyzeSource({ path: 'broken.ts', text: 'pool.query(`SELECT ${' }), []);
  });

  it('long method chains are analysed in linear time (a 60-link chain would never finish if exponential)', async () => {
    const chain = Array.from({ length: 60 }, (_, i) => `.replace("${i}", "")`).join('');
    const py = `def f(cur, s):\n    t = s${chain}\n    cur.execute("SELECT a FROM t WHERE b = " + t)\n`;
    const ts = `export function f(db: any, s: string) {\n  const t = s${chain};\n  return db.query("SELECT a FROM t WHERE b = " + t);\n}\n`;
    assert.equal((await analyzeSource({ path: 'chain.py', text: py })).length, 1);
    assert.equal((await analyzeSource({ path: 'chain.ts', text: ts })).length, 1);
  });

  it('rule codes are unique and cover every category', () => {
    assert.equal(new Set(RULES.map((r) => r.code)).size, RULES.length);
    assert.equal(new Set(RULES.map((r) => r.category)).size, 5);
  });

  it('builds the structured-output request for "Explain & fix with AI"', async () => {
    const text = fs.readFileSync(path.join(DEMO, 'src/routes/reports.ts'), 'utf8');
    const finding = (await analyzeSource({ path: 'src/routes/reports.ts', text })).find((f) => f.code === 'KEEL-SQL-INJECTION')!;
    const req = buildAiFixRequest(finding, text);
    assert.equal(req.tier, 'reasoning');
    assert.deepEqual((req.schema as { required: string[] }).required, ['explanation', 'risk', 'patchedCode', 'testSuggestion']);
    assert.match(req.prompt, /KEEL-SQL-INJECTION/);
    assert.match(req.prompt, /WHERE u\.email/);
    assert.ok(req.range.startLine <= finding.line && req.range.endLine >= finding.endLine);
    assert.throws(() => buildAiFixRequest({ ...finding, line: 10_000 }, text), (e: KeelError) => e.code === 'BAD_INPUT');
  });
});
