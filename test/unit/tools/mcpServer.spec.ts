/**
 * `keel mcp` as an MCP client sees it: the official SDK's Client + StdioClientTransport spawning the
 * built dist/cli.js (what `claude mcp add keel -- keel mcp` runs), over a copy of the demo backend.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { REPO_ROOT } from '../../helpers/cli';

const DEMO = path.resolve(__dirname, '../../fixtures/demo-backend');
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

interface ToolResult {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  _meta?: { keelError?: { code: string; message: string } };
}

describe('keel mcp (MCP SDK client over stdio, built CLI)', function () {
  this.timeout(120_000);
  let tmp: string;
  let ws: string;
  let client: Client;
  let stderr = '';

  const connect = async (dir: string, store: string): Promise<Client> => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--dir', dir, '--store', store],
      env: { ...process.env, KEEL_STATE_DIR: path.join(tmp, 'state'), KEEL_LOG: 'info' } as Record<string, string>,
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const c = new Client({ name: 'keel-test', version: '1.0.0' });
    await c.connect(transport);
    return c;
  };
  const callTool = async (name: string, args: Record<string, unknown>, c = client): Promise<ToolResult> => (await c.callTool({ name, arguments: args })) as ToolResult;

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js missing: npm run build');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mcp-'));
    ws = path.join(tmp, 'ws');
    fs.cpSync(DEMO, ws, { recursive: true });
    fs.writeFileSync(path.join(ws, '.env'), 'DATABASE_URL=postgres://admin:hunter2@db/prod\n');
    client = await connect(ws, path.join(tmp, 'index'));
  });
  after(async () => {
    await client?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('initializes as "keel" with tools and resources, and lists the six read-only tools', async () => {
    assert.equal(client.getServerVersion()?.name, 'keel');
    assert.ok(client.getServerCapabilities()?.tools);
    assert.match(client.getInstructions() ?? '', /search_code/);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['cost_summary', 'find_symbol', 'index_status', 'read_code', 'search_code', 'sql_findings']);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.outputSchema?.type, 'object');
      assert.equal(t.annotations?.readOnlyHint, true);
    }
  });

  it('calls every tool; structured results pass the SDK client’s outputSchema validation', async () => {
    const search = await callTool('search_code', { query: 'load order items for each order', top: 5 });
    assert.ok(!search.isError, JSON.stringify(search));
    const passages = search.structuredContent!.passages as Array<{ path: string; startLine: number }>;
    assert.ok(passages.some((p) => p.path === 'src/routes/orders.ts'), JSON.stringify(passages));
    assert.match(search.content[0].text!, /src\/routes\/orders\.ts:\d+-\d+/);

    const read = await callTool('read_code', { path: 'src/routes/orders.ts', startLine: 20, endLine: 24 });
    assert.ok(!read.isError);
    assert.equal(read.structuredContent!.text, fs.readFileSync(path.join(ws, 'src/routes/orders.ts'), 'utf8').split('\n').slice(19, 24).join('\n'));

    const symbol = await callTool('find_symbol', { name: 'ordersRouter' });
    assert.ok((symbol.structuredContent!.definitions as Array<{ path: string }>).some((d) => d.path === 'src/routes/orders.ts'));
    assert.ok((symbol.structuredContent!.references as Array<{ path: string }>).some((r) => r.path === 'src/server.ts'));

    const sql = await callTool('sql_findings', { paths: ['src/routes/orders.ts'] });
    assert.ok((sql.structuredContent!.findings as Array<{ code: string; line: number }>).some((f) => f.code === 'KEEL-SQL-N-PLUS-ONE' && f.line === 22));

    const status = await callTool('index_status', {});
    assert.equal(status.structuredContent!.indexed, true);
    assert.ok((status.structuredContent!.files as number) > 5);

    const cost = await callTool('cost_summary', {});
    assert.ok(!cost.isError);
    assert.equal(cost.structuredContent!.currency, 'USD');

    const resource = await client.readResource({ uri: 'keel://index/status' });
    const first = resource.contents[0] as { text?: string };
    assert.equal(JSON.parse(first.text ?? '{}').files, status.structuredContent!.files);
  });

  it('bad arguments and refused paths come back as structured tool errors (isError), not protocol failures', async () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['search_code', { top: 'ten' }, 'INVALID_PARAMS', /query: Required; top: Expected number/],
      ['read_code', { path: 'src/db.ts', startLine: 0 }, 'INVALID_PARAMS', /startLine/],
      ['read_code', { path: '.env' }, 'ACCESS_DENIED', /secrets/],
      ['read_code', { path: '../../etc/passwd' }, 'ACCESS_DENIED', /outside the workspace/],
      ['find_symbol', { name: '$(rm -rf /)' }, 'INVALID_PARAMS', /name/],
      ['no_such_tool', {}, 'INVALID_PARAMS', /Unknown tool/],
    ];
    for (const [name, args, code, message] of cases) {
      const r = await callTool(name, args);
      assert.equal(r.isError, true, `${name} ${JSON.stringify(args)}`);
      assert.equal(r._meta?.keelError?.code, code, JSON.stringify(r));
      assert.match(r.content[0].text!, message);
      assert.doesNotMatch(JSON.stringify(r), /hunter2/);
    }
    // the server is still serving after all that
    assert.equal((await callTool('index_status', {})).isError, undefined);
  });

  it('a cancelled call rejects at the client, the server stops the work and keeps serving', async () => {
    // A workspace big enough that the first search's index build is still running when we cancel.
    const big = path.join(tmp, 'big');
    fs.cpSync(path.join(REPO_ROOT, 'src'), path.join(big, 'src'), { recursive: true });
    fs.cpSync(path.join(REPO_ROOT, 'test', 'unit'), path.join(big, 'test'), { recursive: true });
    const second = await connect(big, path.join(tmp, 'big-index'));
    try {
      const controller = new AbortController();
      const pending = second.callTool({ name: 'search_code', arguments: { query: 'cancellation of a request' } }, undefined, { signal: controller.signal });
      setTimeout(() => controller.abort('user pressed stop'), 300);
      await assert.rejects(pending, /abort|cancel|stop/i);
      // the engine saw the MCP cancellation: the index build the search was waiting on stopped
      const deadline = Date.now() + 30_000;
      while (!/index refresh failed: The request was cancelled/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(stderr, /index refresh failed: The request was cancelled/);
      const after = await callTool('search_code', { query: 'cancellation of a request', top: 3 }, second);
      assert.ok(!after.isError, JSON.stringify(after));
      assert.ok((after.structuredContent!.passages as unknown[]).length > 0);
    } finally {
      await second.close();
    }
  });
});
