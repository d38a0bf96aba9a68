/**
 * The agent tools (src/engine/tools/) through `tools/list` / `tools/call` on a real in-process engine
 * over a copy of the demo backend: real index, real search, real SQL analysis. Hostile paths are what
 * a model steered by a file it read would try.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { call, type Engine } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { KeelError } from '../../../src/common/errors';
import { silentLogger } from '../../../src/engine/log';
import { LIMITS } from '../../../src/engine/tools/limits';
import { availableTools, describeTool, runTool, TOOLS } from '../../../src/engine/tools/registry';
import { defineTool } from '../../../src/engine/tools/types';
import { copyDemoBackend, tempDir } from '../../helpers/setup';

describe('agent tools (engine)', function () {
  this.timeout(120_000);
  let tmp: string;
  let ws: string;
  let outside: string;
  let engine: Engine;

  const tool = (name: string, args: unknown, roots = [ws]) => call(engine, 'tools/call', { name, arguments: args, roots, store: path.join(tmp, 'index') });
  const rejects = async (name: string, args: unknown, code: string, roots?: string[]): Promise<KeelError> => {
    try {
      await tool(name, args, roots);
    } catch (error) {
      assert.ok(error instanceof KeelError, String(error));
      assert.equal(error.code, code, `${JSON.stringify(args)} → ${error.message}`);
      return error;
    }
    assert.fail(`${name} ${JSON.stringify(args)} should fail with ${code}`);
  };

  before(async () => {
    tmp = tempDir('keel-tools-');
    ws = path.join(tmp, 'ws');
    outside = path.join(tmp, 'outside');
    copyDemoBackend(ws);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.ts'), 'export const token = "outside-the-workspace";\n');
    fs.writeFileSync(path.join(ws, '.env'), 'DATABASE_URL=postgres://admin:hunter2@db/prod\n');
    fs.mkdirSync(path.join(ws, 'config'));
    fs.writeFileSync(path.join(ws, 'config', '.env.local'), 'API_KEY=sk-live-123\n');
    fs.writeFileSync(path.join(ws, 'config', 'server.key'), '-----BEGIN PRIVATE KEY-----\n');
    fs.writeFileSync(path.join(ws, '.gitignore'), 'generated/\n*.log\n');
    fs.mkdirSync(path.join(ws, 'generated'));
    fs.writeFileSync(path.join(ws, 'generated', 'client.ts'), 'export const generated = 1;\n');
    fs.writeFileSync(path.join(ws, 'debug.log'), 'ignored log\n');
    fs.mkdirSync(path.join(ws, 'src', 'legacy'));
    fs.writeFileSync(path.join(ws, 'src', 'legacy', '.keelignore'), 'old.ts\n');
    fs.writeFileSync(path.join(ws, 'src', 'legacy', 'old.ts'), 'export const old = 1;\n');
    fs.mkdirSync(path.join(ws, '.git'));
    fs.writeFileSync(path.join(ws, '.git', 'config'), '[remote "origin"]\n');
    fs.mkdirSync(path.join(ws, 'node_modules', 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'node_modules', 'pkg', 'index.js'), 'module.exports = 1;\n');
    fs.symlinkSync(path.join(outside, 'secret.ts'), path.join(ws, 'src', 'linked.ts'));
    fs.symlinkSync(outside, path.join(ws, 'src', 'linkdir'));
    fs.symlinkSync(path.join(ws, '.env'), path.join(ws, 'src', 'notes.txt'));
    fs.writeFileSync(path.join(ws, 'src', 'big.ts'), Array.from({ length: 1000 }, (_, i) => `export const v${i} = ${i}; // ${'x'.repeat(60)}`).join('\n'));
    engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: path.join(tmp, 'state'), globalStorageDir: path.join(tmp, 'user') });
  });
  after(async () => {
    await engine.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists every tool with JSON schemas derived from its zod schemas, all read-only', async () => {
    const { tools } = await call(engine, 'tools/list', {});
    assert.deepEqual(tools.map((t) => t.name), ['search_code', 'read_code', 'find_symbol', 'sql_findings', 'index_status', 'cost_summary']);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.equal(t.outputSchema.type, 'object', t.name);
      assert.equal(t.inputSchema.$schema, undefined);
      assert.equal(t.readOnly, true);
      assert.ok(t.description.length > 40, t.name);
    }
    const search = tools.find((t) => t.name === 'search_code')!;
    assert.deepEqual(search.inputSchema.required, ['query']);
    assert.equal(search.inputSchema.additionalProperties, false);
  });

  it('hides and refuses a tool whose capability is absent (how explain_query will appear)', async () => {
    const gated = defineTool({
      name: 'explain_query',
      title: 'Explain query',
      description: 'Query plan of a SQL statement, when a database connection is configured.',
      input: z.object({ sql: z.string() }),
      output: z.object({ plan: z.string() }),
      available: (e) => e.has('sql/explain'),
      run: async () => ({ structured: { plan: 'never' }, text: 'never' }),
    });
    assert.deepEqual(availableTools(engine, [...TOOLS, gated]).map((t) => t.name).includes('explain_query'), false);
    await assert.rejects(runTool(engine, { name: 'explain_query', arguments: { sql: 'select 1' }, roots: [ws] }, new AbortController().signal, [...TOOLS, gated]), (e: KeelError) => e.code === 'NOT_AVAILABLE');
    const present = defineTool({ ...gated, available: () => true });
    assert.ok(availableTools(engine, [...TOOLS, present]).some((t) => t.name === 'explain_query'));
  });

  it('search_code: passages with workspace-relative path:line and bounded snippets', async () => {
    const r = await tool('search_code', { query: 'load order items for each order', top: 5 });
    const s = r.structured as { passages: Array<{ path: string; startLine: number; endLine: number; snippet: string }>; indexedFirst: boolean; ms: number };
    assert.ok(s.passages.length > 0 && s.passages.length <= 5);
    assert.ok(s.passages.some((p) => p.path === 'src/routes/orders.ts'), JSON.stringify(s.passages.map((p) => p.path)));
    for (const p of s.passages) {
      assert.ok(!path.isAbsolute(p.path) && !p.path.startsWith('..'), p.path);
      assert.ok(p.snippet.length <= LIMITS.searchSnippetChars);
      assert.ok(p.snippet.split('\n').length <= LIMITS.searchSnippetLines);
      assert.ok(fs.existsSync(path.join(ws, p.path)));
      assert.doesNotMatch(p.path, /\.env|generated\/|node_modules|debug\.log|legacy\/old/);
    }
    assert.match(r.text, /src\/routes\/orders\.ts:\d+-\d+/);
    assert.equal(typeof s.ms, 'number');
    // what the tools must not show never leaves them, even where the index followed a symlink to it
    const secrets = await tool('search_code', { query: 'hunter2 DATABASE_URL sk-live API_KEY outside-the-workspace', top: 20, mode: 'bm25' });
    assert.doesNotMatch(JSON.stringify(secrets.structured), /hunter2|sk-live|outside-the-workspace/);
  });

  it('search_code: bad arguments are INVALID_PARAMS with the offending field named', async () => {
    assert.match((await rejects('search_code', { query: '' }, 'INVALID_PARAMS')).message, /query/);
    assert.match((await rejects('search_code', { query: 'x', top: 500 }, 'INVALID_PARAMS')).message, /top/);
    assert.match((await rejects('search_code', { query: 'x', extra: true }, 'INVALID_PARAMS')).message, /extra|Unrecognized/);
    await rejects('search_code', 'not an object', 'INVALID_PARAMS');
    await rejects('no_such_tool', {}, 'INVALID_PARAMS');
    await rejects('search_code', { query: 'x' }, 'INVALID_PARAMS', ['relative/root']);
  });

  it('read_code: a bounded line range with numbers; defaults and clamping', async () => {
    const r = await tool('read_code', { path: 'src/routes/orders.ts', startLine: 1, endLine: 10 });
    const s = r.structured as { path: string; startLine: number; endLine: number; totalLines: number; text: string; truncated: boolean };
    assert.equal(s.path, 'src/routes/orders.ts');
    assert.deepEqual([s.startLine, s.endLine], [1, 10]);
    assert.equal(s.text, fs.readFileSync(path.join(ws, 'src/routes/orders.ts'), 'utf8').split('\n').slice(0, 10).join('\n'));
    assert.match(r.text, /^src\/routes\/orders\.ts:1-10 of \d+/);
    const big = (await tool('read_code', { path: './src//big.ts', startLine: 1, endLine: 5000 })).structured as typeof s;
    assert.equal(big.path, 'src/big.ts');
    assert.ok(big.endLine - big.startLine + 1 <= LIMITS.readLines);
    assert.ok(big.text.length <= LIMITS.readChars);
    assert.equal(big.truncated, true);
    assert.equal(big.totalLines, 1000);
    const abs = (await tool('read_code', { path: path.join(ws, 'src', 'db.ts') })).structured as typeof s;
    assert.equal(abs.path, 'src/db.ts', 'an absolute path inside the workspace is shown relative');
    await rejects('read_code', { path: 'src/routes/orders.ts', startLine: 10, endLine: 2 }, 'INVALID_PARAMS');
    await rejects('read_code', { path: 'src/routes' }, 'INVALID_PARAMS');
    await rejects('read_code', { path: 'src/nope.ts' }, 'FILE_NOT_FOUND');
  });

  it('read_code refuses hostile paths: secrets, outside the workspace, ignored files, escaping symlinks', async () => {
    const hostile: Array<[string, string]> = [
      ['.env', 'ACCESS_DENIED'],
      ['./.env', 'ACCESS_DENIED'],
      ['src/../.env', 'ACCESS_DENIED'],
      ['config/.env.local', 'ACCESS_DENIED'],
      ['config/server.key', 'ACCESS_DENIED'],
      [path.join(ws, '.env'), 'ACCESS_DENIED'],
      ['src/notes.txt', 'ACCESS_DENIED'], // an innocent name linking to .env
      ['../outside/secret.ts', 'ACCESS_DENIED'],
      ['src/../../outside/secret.ts', 'ACCESS_DENIED'],
      ['..\\outside\\secret.ts', 'ACCESS_DENIED'],
      [path.join(outside, 'secret.ts'), 'ACCESS_DENIED'],
      ['/etc/passwd', 'ACCESS_DENIED'],
      ['src/linked.ts', 'ACCESS_DENIED'],
      ['src/linkdir/secret.ts', 'ACCESS_DENIED'],
      ['generated/client.ts', 'ACCESS_DENIED'],
      ['debug.log', 'ACCESS_DENIED'],
      ['src/legacy/old.ts', 'ACCESS_DENIED'],
      ['node_modules/pkg/index.js', 'ACCESS_DENIED'],
      ['.git/config', 'ACCESS_DENIED'],
      ['src/db.ts\u0000.png', 'INVALID_PARAMS'],
      ['', 'INVALID_PARAMS'],
    ];
    for (const [p, code] of hostile) {
      const error = await rejects('read_code', { path: p }, code);
      assert.doesNotMatch(error.message, /hunter2|sk-live|outside-the-workspace|BEGIN PRIVATE/, 'no content leaks into the message');
    }
  });

  it('read_code honours keel.index.exclude', async () => {
    await call(engine, 'engine/configure', { settings: { 'keel.index.exclude': ['src/middleware/**'] } });
    try {
      await rejects('read_code', { path: 'src/middleware/auth.ts' }, 'ACCESS_DENIED');
    } finally {
      await call(engine, 'engine/configure', { settings: { 'keel.index.exclude': [] } });
    }
    assert.ok((await tool('read_code', { path: 'src/middleware/auth.ts' })).text.length > 0);
  });

  it('an ignore file edited between calls takes effect on the next call (compiled rules are cached by text)', async () => {
    const ignoreFile = path.join(ws, 'src', 'legacy', '.keelignore');
    fs.writeFileSync(path.join(ws, 'src', 'legacy', 'kept.ts'), 'export const kept = 1;\n');
    assert.ok((await tool('read_code', { path: 'src/legacy/kept.ts' })).text.includes('kept'));
    fs.writeFileSync(ignoreFile, 'old.ts\nkept.ts\n');
    try {
      await rejects('read_code', { path: 'src/legacy/kept.ts' }, 'ACCESS_DENIED');
    } finally {
      fs.writeFileSync(ignoreFile, 'old.ts\n');
    }
    assert.ok((await tool('read_code', { path: 'src/legacy/kept.ts' })).text.includes('kept'));
  });

  it('find_symbol: definitions and references from the index', async () => {
    const orders = fs.readFileSync(path.join(ws, 'src/routes/orders.ts'), 'utf8');
    const name = /export const (\w+)/.exec(orders)![1];
    const r = await tool('find_symbol', { name });
    const s = r.structured as { definitions: Array<{ path: string; line: number }>; references: Array<{ path: string; line: number; preview: string }> };
    const defLine = orders.split('\n').findIndex((l) => l.includes(`export const ${name}`)) + 1;
    assert.ok(s.definitions.some((d) => d.path === 'src/routes/orders.ts' && d.line === defLine), JSON.stringify(s.definitions));
    assert.ok(s.references.length > 0, 'the router is mounted somewhere');
    for (const ref of s.references) {
      const line = fs.readFileSync(path.join(ws, ref.path), 'utf8').split('\n')[ref.line - 1];
      assert.ok(line.includes(name), `${ref.path}:${ref.line} mentions ${name}`);
    }
    assert.ok(s.references.every((x) => !(x.path === 'src/routes/orders.ts' && x.line === defLine)), 'the definition is not also a reference');
    const none = await tool('find_symbol', { name: 'doesNotExistAnywhere' });
    assert.deepEqual([(none.structured as typeof s).definitions.length, (none.structured as typeof s).references.length], [0, 0]);
    await rejects('find_symbol', { name: 'not a name; rm -rf' }, 'INVALID_PARAMS');
    const linked = await tool('find_symbol', { name: 'token' });
    assert.doesNotMatch(JSON.stringify(linked.structured), /linked\.ts|linkdir|outside-the-workspace/, 'symlinks out of the workspace are not followed');
    const env = await tool('find_symbol', { name: 'DATABASE_URL' });
    assert.doesNotMatch(JSON.stringify(env.structured), /notes\.txt|hunter2/, 'a link to .env is not read');
  });

  it('sql_findings: findings with fixes, relative paths, and the path policy on its inputs', async () => {
    const r = await tool('sql_findings', { paths: ['src/routes'] });
    const s = r.structured as { findings: Array<{ path: string; line: number; code: string; fixes: unknown[] }>; total: number; files: number };
    assert.ok(s.files > 0);
    assert.ok(s.findings.some((f) => f.path === 'src/routes/orders.ts' && f.line === 22 && f.code === 'KEEL-SQL-N-PLUS-ONE'), JSON.stringify(s.findings.map((f) => `${f.path}:${f.line} ${f.code}`)));
    assert.ok(s.findings.some((f) => f.fixes.length > 0), 'fixes ride along');
    for (const f of s.findings) assert.ok(f.path.startsWith('src/routes/'), f.path);
    const whole = (await tool('sql_findings', {})).structured as typeof s;
    assert.ok(whole.total >= s.total);
    assert.ok(whole.findings.length <= LIMITS.sqlFindings);
    await rejects('sql_findings', { paths: ['../outside'] }, 'ACCESS_DENIED');
    await rejects('sql_findings', { paths: ['src/linkdir'] }, 'ACCESS_DENIED');
    await rejects('sql_findings', { paths: ['.env'] }, 'ACCESS_DENIED');
    await rejects('sql_findings', { paths: Array.from({ length: 50 }, () => 'src') }, 'INVALID_PARAMS');
  });

  it('index_status and cost_summary: bounded summaries without absolute paths', async () => {
    const status = (await tool('index_status', {})).structured as { indexed: boolean; files: number; chunks: number };
    assert.equal(status.indexed, true);
    assert.ok(status.files > 5 && status.chunks >= status.files);
    const fresh = (await runTool(engine, { name: 'index_status', arguments: {}, roots: [outside], store: path.join(tmp, 'other-index') }, new AbortController().signal)).structured as { indexed: boolean };
    assert.equal(fresh.indexed, false, 'a folder without an index says so instead of failing');
    await call(engine, 'cost/record', { call: { feature: 'chat', taskKind: 'chat', provider: 'openai', model: 'gpt-4.1-mini', tier: 'fast', usage: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0 }, latencyMs: 5 } });
    const cost = await tool('cost_summary', {});
    const c = cost.structured as { calls: { total: number }; total: number; topModels: Array<{ key: string }> };
    assert.equal(c.calls.total, 1);
    assert.ok(c.total > 0);
    assert.equal(c.topModels[0].key, 'gpt-4.1-mini');
    for (const r of [status, c]) assert.doesNotMatch(JSON.stringify(r), new RegExp(tmp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('a cancelled call stops with CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(runTool(engine, { name: 'search_code', arguments: { query: 'orders' }, roots: [ws] }, controller.signal), (e: KeelError) => e.code === 'CANCELLED');
  });

  it('every descriptor is what describeTool derives (one definition for all surfaces)', () => {
    for (const t of TOOLS) {
      const d = describeTool(t);
      assert.deepEqual(d.inputSchema, describeTool(t).inputSchema);
      assert.equal(typeof (d.inputSchema.properties ?? {}), 'object');
    }
  });
});
