/**
 * Text to SQL with the plan as the gate: the real OpenAI SDK against the local wire server writes the
 * statement (a structured output), and the safety rules and the embedded rehearsal (real PostgreSQL,
 * PGlite) decide the verdict. Also the `keel sql` CLI contract.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeelError } from '../../../src/common/errors';
import { createEngine } from '../../../src/engine/createEngine';
import { closeRehearsals } from '../../../src/engine/db/explainQuery';
import { fitSchema } from '../../../src/engine/db/textToSql';
import { call, type Engine } from '../../../src/engine/engine';
import { silentLogger } from '../../../src/engine/log';
import { runKeelAsync } from '../../helpers/cli';
import { tempDir, useOpenAIServer } from '../../helpers/setup';
import { chatCommandOf, runChatCommand, sqlAnswerMarkdown } from '../../../src/vscode/chatCommands';
import type { EngineClient } from '../../../src/vscode/engineClient';

const MIGRATION = `CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, country char(2) NOT NULL);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), status text NOT NULL, total numeric(12,2) NOT NULL, placed_at timestamptz NOT NULL);
`;

describe('db/sql: text to SQL, gated by the safety rules and the plan', function () {
  this.timeout(240_000);
  const server = useOpenAIServer();
  let engine: Engine;
  let root: string;
  let state: string;

  before(async () => {
    root = tempDir('keel-t2s-');
    state = tempDir('keel-t2s-state-');
    fs.mkdirSync(path.join(root, 'migrations'));
    fs.writeFileSync(path.join(root, 'migrations/001_init.sql'), MIGRATION);
    engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: state });
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL, 'keel.db.rehearsalRows': 50_000 },
      secrets: { openai: 'sk-test-t2s-0123456789' },
    });
  });
  after(async () => {
    await engine.shutdown();
    await closeRehearsals();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('sends the schema as untrusted data with a strict schema, then warns with the proven index the query needs', async () => {
    server.replies.push({
      json: {
        sql: 'SELECT id, total, placed_at FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC LIMIT 20;',
        explanation: "A customer's 20 most recent orders.",
        assumptions: ['"recent" means by placed_at'],
      },
    });
    const r = await call(engine, 'db/sql', { question: 'the 20 most recent orders of a customer', root });
    assert.equal(r.sql, 'SELECT id, total, placed_at FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC LIMIT 20');
    assert.equal(r.verdict, 'warn');
    const index = r.checks.find((c) => c.code === 'KEEL-PLAN-INDEX');
    assert.ok(index, JSON.stringify(r.checks));
    assert.match(index.message, /CREATE INDEX CONCURRENTLY ON "public"\."orders" \("customer_id", "placed_at"\)/);
    assert.deepEqual(r.explain?.indexes.map((i) => i.columns), [['customer_id', 'placed_at']]);
    assert.equal(r.explain?.database, 'embedded');
    assert.ok(r.costUsd > 0);
    // What the chat panel and @keel /sql show: the SQL, its verdict and the proven index together.
    const md = sqlAnswerMarkdown(r);
    assert.match(md, /^```sql\nSELECT id, total, placed_at FROM orders/);
    assert.match(md, /⚠️ \*\*WARN\*\*.*embedded rehearsal, 50,000 rows/);
    assert.match(md, /```sql\nCREATE INDEX CONCURRENTLY ON "public"\."orders"/);
    assert.deepEqual(chatCommandOf('/sql the 20 most recent orders'), { kind: 'sql', question: 'the 20 most recent orders' });
    assert.deepEqual(chatCommandOf('is this API agent-ready?'), { kind: 'api' });
    assert.equal(chatCommandOf('where do we load orders?'), undefined);

    const body = server.requests.at(-1)!.json as { messages: Array<{ role: string; content: unknown }>; response_format: { type: string; json_schema: { strict: boolean; schema: { required: string[] } } } };
    assert.equal(body.response_format.json_schema.strict, true);
    assert.deepEqual([...body.response_format.json_schema.schema.required].sort(), ['assumptions', 'explanation', 'sql']);
    const sent = JSON.stringify(body.messages);
    assert.match(sent, /UNTRUSTED-DATA/);
    assert.match(sent, /CREATE TABLE orders/);
    // The schema rides in user-role content, never the system prompt.
    assert.doesNotMatch(JSON.stringify(body.messages.filter((m) => m.role === 'system')), /CREATE TABLE/);
    const cost = await call(engine, 'cost/summary', {});
    assert.ok(cost.perFeature.some((b) => b.key === 'sql-generate' && b.calls === 1));
  });

  it('passes a statement the plan has no concern about', async () => {
    server.replies.push({ json: { sql: 'SELECT id, email FROM customers WHERE email = $1', explanation: 'One customer by email.', assumptions: [] } });
    const r = await call(engine, 'db/sql', { question: 'find a customer by email', root });
    assert.equal(r.verdict, 'pass', JSON.stringify(r.checks));
    assert.deepEqual(r.explain?.indexes, []);
  });

  it("the chat's re-ask with the reasoning model writes the SQL on the reasoning tier; /api answers are an offline analysis", async () => {
    const client = { request: (method: string, params: unknown, options?: { signal?: AbortSignal }) => call(engine, method as 'db/sql', params as never, options) } as unknown as EngineClient;
    server.replies.push({ json: { sql: 'SELECT id, email FROM customers WHERE email = $1', explanation: 'One customer by email.', assumptions: [] } });
    const first = await runChatCommand(client, { kind: 'sql', question: 'find a customer by email' }, root);
    const fastModel = (server.requests.at(-1)!.json as { model: string }).model;
    server.replies.push({ json: { sql: 'SELECT id, email FROM customers WHERE email = $1', explanation: 'One customer by email.', assumptions: [] } });
    const again = await runChatCommand(client, { kind: 'sql', question: 'find a customer by email' }, root, undefined, 'reasoning');
    assert.equal(again.tier, 'reasoning');
    assert.notEqual(first.tier, 'reasoning', 'a short question routes to the fast tier');
    assert.notEqual((server.requests.at(-1)!.json as { model: string }).model, fastModel);
    assert.equal(again.model, (server.requests.at(-1)!.json as { model: string }).model);
    const api = await runChatCommand(client, { kind: 'api' }, root);
    assert.equal(api.offline, true);
    assert.equal(api.analysis, true, 'the panel shows "offline analysis", not "configure a provider"');
  });

  it('fails a DELETE without WHERE before planning it', async () => {
    server.replies.push({ json: { sql: 'DELETE FROM orders', explanation: 'Removes the orders.', assumptions: [] } });
    const r = await call(engine, 'db/sql', { question: 'remove cancelled orders', root });
    assert.equal(r.verdict, 'fail');
    assert.deepEqual(r.checks.filter((c) => c.severity === 'fail').map((c) => c.code), ['KEEL-SQL-UNBOUNDED-WRITE']);
    assert.equal(r.explain, undefined);
  });

  it('fails a statement PostgreSQL rejects (a column the schema does not have) as a check, not an error', async () => {
    server.replies.push({ json: { sql: 'SELECT id FROM orders WHERE shipped_at IS NULL', explanation: 'Unshipped orders.', assumptions: [] } });
    const r = await call(engine, 'db/sql', { question: 'orders not shipped yet', root });
    assert.equal(r.verdict, 'fail');
    const rejected = r.checks.find((c) => c.severity === 'fail');
    assert.ok(rejected && /^KEEL-PLAN-(REJECTED|UNKNOWN-TABLE)$/.test(rejected.code), JSON.stringify(r.checks));
    assert.match(rejected.message, /shipped_at/);
  });

  it('without a provider: PROVIDER_NOT_CONFIGURED, and nothing is planned', async () => {
    const offline = createEngine({ host: 'in-process', log: silentLogger, storageDir: state });
    try {
      await call(offline, 'engine/configure', { settings: { 'keel.provider': 'none' } });
      await assert.rejects(call(offline, 'db/sql', { question: 'all customers', root }), (e: KeelError) => e.code === 'PROVIDER_NOT_CONFIGURED');
    } finally {
      await offline.shutdown();
    }
  });

  it('a large schema is cut to the tables the question names', () => {
    const ddl = Array.from({ length: 400 }, (_, i) => `CREATE TABLE t${i} (id int PRIMARY KEY, ${'c int, '.repeat(10)}x text)`);
    ddl.push('CREATE TABLE invoices (id int PRIMARY KEY, total numeric)');
    const fitted = fitSchema(ddl, 'total of all invoices this year');
    assert.ok(fitted.length <= 24_100);
    assert.match(fitted, /^CREATE TABLE invoices/);
  });

  it('keel sql --json: the verdict beside the SQL; exit 1 when it fails', async () => {
    const env = { OPENAI_API_KEY: 'sk-test-t2s-0123456789', OPENAI_BASE_URL: server.baseURL, ANTHROPIC_API_KEY: '', KEEL_DATABASE_URL: '', KEEL_STATE_DIR: state, XDG_CACHE_HOME: state };
    server.replies.push({ json: { sql: 'SELECT id, email FROM customers WHERE country = $1 ORDER BY id LIMIT 50', explanation: 'Customers of a country.', assumptions: [] } });
    const ok = await runKeelAsync(['sql', 'customers in a country', '--rows', '20000', '--json'], { cwd: root, env });
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout);
    for (const key of ['question', 'sql', 'explanation', 'assumptions', 'verdict', 'checks', 'explain', 'model', 'tier', 'costUsd']) assert.ok(key in out, key);
    assert.ok(['pass', 'warn'].includes(out.verdict));

    server.replies.push({ json: { sql: 'UPDATE orders SET status = $1', explanation: 'Marks orders.', assumptions: [] } });
    const bad = await runKeelAsync(['sql', 'mark orders shipped'], { cwd: root, env });
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /Verdict: FAIL/);
    assert.match(bad.stdout, /KEEL-SQL-UNBOUNDED-WRITE/);
  });

  it('db/explain at an ORM call Keel cannot translate asks the fast tier for its SQL and says it was derived by the model', async () => {
    const demo = path.resolve(__dirname, '../../fixtures/demo-backend');
    server.replies.push({ json: { derivable: true, sql: 'SELECT * FROM "Product" ORDER BY name ASC LIMIT $1 OFFSET $2' } });
    const r = await call(engine, 'db/explain', { file: 'src/routes/products.ts', line: 22, root: demo, rows: 20_000 });
    assert.equal(r.derived, 'model');
    assert.equal(r.statement, 'SELECT * FROM "Product" ORDER BY name ASC LIMIT $1 OFFSET $2');
    assert.deepEqual([r.location?.startLine, r.location?.endLine], [21, 27], 'the findMany call, not the $transaction or the route around it');
    const body = server.requests.at(-1)!.json as { model: string; messages: unknown };
    assert.equal(body.model, 'gpt-4.1-mini', 'the fast tier');
    assert.match(JSON.stringify(body.messages), /prisma\.product\.findMany/);
    const cost = await call(engine, 'cost/summary', {});
    assert.ok(cost.perFeature.some((b) => b.key === 'sql-derive'));
    // The model saying it cannot tell is an answer too: a coded error, no guess.
    server.replies.push({ json: { derivable: false, sql: '' } });
    await assert.rejects(call(engine, 'db/explain', { file: 'src/routes/products.ts', line: 22, root: demo, rows: 20_000 }), (e: KeelError) => e.code === 'BAD_INPUT' && /could not tell/.test(e.message));
  });
});
