/**
 * Agent-ready API review: route discovery with prefixes per framework, each KEEL-API-* rule on its
 * own fixtures (positives and tricky true negatives), every fix applied and re-analysed, and the
 * generated OpenAPI document checked by a real OpenAPI validator.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { ApiScanResult, Finding } from '../../../src/protocol';
import { apiCommand } from '../../../src/cli/commands/api';
import { apiSarifRules } from '../../../src/engine/api/sarif';
import { openApiFromCode, scanApi } from '../../../src/engine/api/scan';
import { toSarif } from '../../../src/engine/sql/sarif';
import { applyEdits } from '../../../src/engine/sql/edits';

const REPO = path.resolve(__dirname, '../../..');
const FIX = path.join(REPO, 'test/fixtures/api');
const DEMO = path.join(REPO, 'test/fixtures/demo-backend');

const routesOf = (r: ApiScanResult): string[] => r.routes.map((x) => `${x.method} ${x.path}`);
const codesAt = (r: ApiScanResult, file: string): string[] => r.findings.filter((f) => f.path.endsWith(file)).map((f) => `${f.line}:${f.code}`);

describe('api: route discovery and rules', function () {
  this.timeout(60_000);

  it('resolves router prefixes in every framework', async () => {
    const scan = async (d: string): Promise<string[]> => routesOf(await scanApi({ paths: ['.'], cwd: path.join(FIX, d) }));
    assert.deepEqual(await scan('fastify'), ['POST /v1/users', 'POST /v1/users/:id/notes']);
    assert.deepEqual(await scan('koa'), ['GET /api/busy', 'POST /api/orders']);
    assert.deepEqual(await scan('nest'), ['POST /api/users', 'GET /api/users/:id', 'POST /api/users/bulk']);
    assert.deepEqual(await scan('flask'), ['POST /v2/orders', 'GET /v2/orders/<int:order_id>']);
    const django = await scan('django');
    for (const r of ['POST /api/checkout/', 'GET /api/carts/{pk}/', 'DELETE /api/carts/{pk}/', 'POST /api/products/', 'PATCH /api/products/{pk}/']) assert.ok(django.includes(r), r);
    assert.ok(!django.some((r) => r.startsWith('GET /products')), 'router.urls only under its include prefix');
    assert.deepEqual(await scan('gin'), ['POST /v1/items', 'PUT /v1/items/:id']);
    assert.deepEqual(await scan('echo'), ['GET /api/health']);
    assert.deepEqual(await scan('nethttp'), ['POST /accounts/{id}/emails', 'GET /status']);
  });

  it('reports validation per route (zod, class-validator, struct tags, DRF serializers, none)', async () => {
    const nest = await scanApi({ paths: ['.'], cwd: path.join(FIX, 'nest') });
    assert.equal(nest.routes.find((r) => r.path === '/api/users' && r.method === 'POST')?.validation, 'class-validator');
    const gin = await scanApi({ paths: ['.'], cwd: path.join(FIX, 'gin') });
    assert.equal(gin.routes.find((r) => r.method === 'POST')?.validation, 'struct-tags');
    const demo = await scanApi({ paths: ['.'], cwd: DEMO });
    assert.equal(demo.routes.find((r) => r.method === 'POST' && r.path === '/orders')?.validation, 'zod');
    assert.deepEqual(Object.keys(demo.routes[0]).sort(), ['file', 'framework', 'line', 'method', 'path', 'validation']);
  });

  it('finds the demo backend mistakes and leaves its true negatives alone', async () => {
    const r = await scanApi({ paths: ['.'], cwd: DEMO });
    const pay = codesAt(r, 'src/routes/payments.ts');
    for (const c of ['13:KEEL-API-IDEMPOTENCY', '15:KEEL-API-RETRY-AFTER', '15:KEEL-API-ERROR-CODE', '19:KEEL-API-UNVALIDATED-BODY', '22:KEEL-API-LEAKED-ERROR', '36:KEEL-API-IDEMPOTENCY']) assert.ok(pay.includes(c), `${c} in ${pay.join(' ')}`);
    assert.equal(r.findings.find((f) => f.path === 'src/routes/payments.ts' && f.line === 13)?.severity, 'error', 'a payment without idempotency is an error');
    // refunds pass the caller's key on; customers rely on the unique constraint; the custom error class carries a code
    for (const line of [27, 41, 58, 59, 60]) assert.ok(!pay.some((c) => c.startsWith(`${line}:`)), `no finding at payments.ts:${line}: ${pay.join(' ')}`);
    const sub = codesAt(r, 'analytics/app/routers/subscriptions.py');
    for (const c of ['12:KEEL-API-ANY-BODY', '12:KEEL-API-IDEMPOTENCY', '18:KEEL-API-LEAKED-ERROR', '25:KEEL-API-ERROR-CODE']) assert.ok(sub.includes(c), `${c} in ${sub.join(' ')}`);
    assert.ok(!codesAt(r, 'analytics/app/routers/sales.py').includes('47:KEEL-API-IDEMPOTENCY'), 'session.add of loaded rows is an update');
    const oas = codesAt(r, 'openapi.yaml');
    for (const c of ['15:KEEL-API-OAS-OPEN-OBJECT', '18:KEEL-API-OAS-OPERATION-ID', '18:KEEL-API-OAS-ERROR-RESPONSE', '25:KEEL-API-OAS-SCHEMA', '28:KEEL-API-OAS-DRIFT', '43:KEEL-API-OAS-OPEN-OBJECT']) assert.ok(oas.includes(c), `${c} in ${oas.join(' ')}`);
    assert.ok(codesAt(r, 'src/routes/orders.ts').includes('29:KEEL-API-OAS-DRIFT'), 'a route missing from the document');
    assert.ok(r.readiness.worst.length > 0 && r.readiness.byRule['KEEL-API-IDEMPOTENCY'] >= 2);
  });

  it('framework fixtures: positives and the unique-constraint / coded-error true negatives', async () => {
    const codes = async (d: string): Promise<string[]> => (await scanApi({ paths: ['.'], cwd: path.join(FIX, d) })).findings.map((f) => `${path.basename(f.path)}:${f.line}:${f.code}`);
    const fastify = await codes('fastify');
    assert.ok(!fastify.some((c) => c.includes('IDEMPOTENCY')), 'duplicate-key handling is an idempotency mechanism');
    assert.ok(fastify.includes('users.js:12:KEEL-API-ERROR-CODE'));
    const flask = await codes('flask');
    assert.ok(flask.includes('app.py:12:KEEL-API-IDEMPOTENCY') && flask.includes('app.py:24:KEEL-API-ERROR-CODE'));
    assert.ok(!flask.some((c) => c.startsWith('app.py:30:')), 'the custom error class carries a code and a request id');
    const gin = await codes('gin');
    for (const c of ['main.go:24:KEEL-API-ERROR-CODE', 'main.go:28:KEEL-API-LEAKED-ERROR', 'main.go:35:KEEL-API-ANY-BODY', 'main.go:36:KEEL-API-RETRY-AFTER']) assert.ok(gin.includes(c), `${c} in ${gin.join(' ')}`);
    assert.ok(!gin.includes('main.go:24:KEEL-API-LEAKED-ERROR'), 'a 400 with the binding error is meant for the client');
    const koa = await codes('koa');
    assert.ok(!koa.some((c) => c.includes('RETRY-AFTER')), 'Retry-After is set');
    const django = await codes('django');
    assert.ok(django.some((c) => c.endsWith('KEEL-API-IDEMPOTENCY')));
    const net = await codes('nethttp');
    assert.ok(net.includes('main.go:10:KEEL-API-IDEMPOTENCY') && net.includes('main.go:17:KEEL-API-ANY-BODY'));
  });
});

describe('api: fixes are applied and re-analysed', function () {
  this.timeout(60_000);

  const applyAndRescan = async (srcDir: string, file: string, pick: (f: Finding) => boolean): Promise<{ before: Finding; after: ApiScanResult; text: string }> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-api-fix-'));
    fs.cpSync(srcDir, dir, { recursive: true });
    const r = await scanApi({ paths: ['.'], cwd: dir });
    const before = r.findings.find((f) => f.path === file && pick(f));
    assert.ok(before, `finding to fix in ${file}`);
    const fix = before.fixes.find((x) => x.kind !== 'suppress');
    assert.ok(fix, `a fix for ${before.code}`);
    const text = applyEdits(fs.readFileSync(path.join(dir, file), 'utf8'), fix.edits);
    fs.writeFileSync(path.join(dir, file), text);
    return { before, after: await scanApi({ paths: ['.'], cwd: dir }), text };
  };

  it('Express: problem-details helper replaces the 429 and the 500 responses', async () => {
    const { after, text } = await applyAndRescan(DEMO, 'src/routes/payments.ts', (f) => f.code === 'KEEL-API-ERROR-CODE' && f.line === 15);
    assert.match(text, /sendProblem\(req, res, 429, 'RATE_LIMIT_EXCEEDED', 'Too many requests, slow down'\)/);
    const left = codesAt(after, 'src/routes/payments.ts');
    assert.ok(!left.some((c) => /^15:KEEL-API-(ERROR-CODE|RETRY-AFTER)$/.test(c)), left.join(' '));
    assert.ok(after.routes.some((r) => r.path === '/payments/charge'), 'still parses and discovers the route');
  });

  it('Express: idempotency middleware wired to the route', async () => {
    const { after, text } = await applyAndRescan(DEMO, 'src/routes/payments.ts', (f) => f.code === 'KEEL-API-IDEMPOTENCY' && f.line === 13);
    assert.match(text, /paymentsRouter\.post\('\/payments\/charge', idempotency\(\), async/);
    assert.match(text, /function idempotency\(ttlMs/);
    assert.ok(!codesAt(after, 'src/routes/payments.ts').includes('13:KEEL-API-IDEMPOTENCY'));
  });

  it('Express: strict zod schema from the fields the handler reads', async () => {
    const { after, text } = await applyAndRescan(DEMO, 'src/routes/payments.ts', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY');
    assert.match(text, /amount: z\.number\(\),\n {2}currency: z\.string\(\),\n {2}customerId: z\.number\(\),\n\}\)\.strict\(\)/);
    assert.equal(after.routes.find((r) => r.path === '/payments/charge')?.validation, 'zod');
    assert.ok(!after.findings.some((f) => f.code === 'KEEL-API-UNVALIDATED-BODY' && f.path === 'src/routes/payments.ts'));
  });

  it('FastAPI and gin: problem-details helpers', async () => {
    const py = await applyAndRescan(DEMO, 'analytics/app/routers/subscriptions.py', (f) => f.code === 'KEEL-API-ERROR-CODE');
    assert.match(py.text, /raise Problem\(404, "NOT_FOUND", "Subscription not found"\)/);
    assert.ok(!codesAt(py.after, 'subscriptions.py').includes('25:KEEL-API-ERROR-CODE'));
    const go = await applyAndRescan(path.join(FIX, 'gin'), 'main.go', (f) => f.code === 'KEEL-API-ERROR-CODE' && f.line === 24);
    assert.match(go.text, /writeProblem\(c, 400, "BAD_REQUEST", err\.Error\(\)\)/);
    assert.ok(!codesAt(go.after, 'main.go').includes('24:KEEL-API-ERROR-CODE'));
    assert.ok(go.after.routes.length === 2);
  });
});

describe('api: OpenAPI from the code', function () {
  this.timeout(60_000);
  it('builds a 3.1 document that the OpenAPI schema validator accepts', async () => {
    for (const cwd of [DEMO, path.join(FIX, 'django'), path.join(FIX, 'gin')]) {
      const { document, validation } = await openApiFromCode({ paths: ['.'], cwd });
      const independent = await new Validator().validate(structuredClone(document));
      assert.equal(independent.valid, true, JSON.stringify(independent.errors));
      assert.equal(validation?.valid, true);
      const ops = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p));
      assert.ok(ops.length > 0 && ops.every((o) => typeof o.operationId === 'string'));
    }
  });
});

describe('api: CLI and SARIF', function () {
  this.timeout(60_000);
  it('keel api --json prints exactly the route contract; text has the readiness summary; SARIF carries the api rules', async () => {
    let out = '';
    const io = {
      cwd: DEMO, env: {}, out: (t: string) => void (out += t), err: () => undefined, readStdin: async () => Buffer.alloc(0), signal: new AbortController().signal,
      call: (async (method: string, params: never) => (method === 'api/scan' ? scanApi(params) : openApiFromCode(params))) as never,
    };
    assert.equal(await apiCommand.run({ positionals: [], values: { json: true } }, io), 0);
    const routes = JSON.parse(out) as Array<Record<string, unknown>>;
    assert.ok(routes.length > 20);
    for (const r of routes) assert.deepEqual(Object.keys(r), ['method', 'path', 'file', 'line', 'framework', 'validation']);
    assert.ok(routes.some((r) => r.method === 'POST' && r.path === '/payments/charge' && r.file === 'src/routes/payments.ts' && r.line === 13 && r.framework === 'express' && r.validation === null));
    out = '';
    await apiCommand.run({ positionals: [], values: {} }, io);
    assert.match(out, /Agent readiness: \d+\/100/);
    assert.match(out, /Worst endpoints:\n {2}POST \/payments\/charge/);
    const result = await scanApi({ paths: ['.'], cwd: DEMO });
    const log = apiSarifRules(toSarif(result.findings, '0.0.0')) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number }> }> };
    const rules = log.runs[0].tool.driver.rules;
    for (const r of log.runs[0].results) assert.equal(rules[r.ruleIndex].id, r.ruleId);
    assert.ok(rules.some((r) => r.id === 'KEEL-API-IDEMPOTENCY'));
  });
});

describe('api: false-positive classes found on real code', function () {
  this.timeout(60_000);
  it('updates via .save(), statuses from the exception, allOf mixins, type tests, empty 404s, button tests, external $refs and GET twins of POST views stay quiet', async () => {
    // includeTests: even when test suites are scanned as route code, type tests (never run) are not.
    const r = await scanApi({ paths: ['.'], cwd: path.join(FIX, 'precision') }, undefined, true);
    const got = r.findings.map((f) => `${f.path}:${f.line}:${f.code}`);
    assert.deepEqual(got, ['app.py:16:KEEL-API-IDEMPOTENCY', 'lists/views.py:6:KEEL-API-UNVALIDATED-BODY', 'lists/views.py:11:KEEL-API-UNVALIDATED-BODY', 'openapi.yaml:26:KEEL-API-OAS-DRIFT', 'openapi.yaml:42:KEEL-API-OAS-OPEN-OBJECT']);
    assert.ok(!got.some((g) => g.includes('OAS-SCHEMA')), 'a response in another file is not judged');
    assert.ok(r.routes.some((x) => x.method === 'POST' && x.path === '/persona/login/'), 'a Django view that reads request.POST and states no method is a POST');
    assert.match(r.findings[1].message, /^POST \/lists\//, 'the body finding names the method that carries a body');
    assert.ok(!r.routes.some((x) => x.path === '/typed'), 'tsd type tests are not scanned');
  });
});
