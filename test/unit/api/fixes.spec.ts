/**
 * Idempotency and validation fixes in every framework's idiom (Fastify, Koa, NestJS, FastAPI, Flask,
 * Django/DRF, gin, echo), and the Flask RFC 9457 helper: each fix is applied to a copy of its fixture,
 * every edited file is re-parsed (no syntax error) and the folder re-scanned (the finding is gone,
 * the route is still discovered, validation is reported where the fix added it).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApiScanResult, Finding, TextEditWire } from '../../../src/protocol';
import { scanApi } from '../../../src/engine/api/scan';
import { applyEdits } from '../../../src/engine/sql/edits';
import { grammarForPath, parse } from '../../../src/engine/syntax/treeSitter';

const FIXES = path.resolve(__dirname, '../../fixtures/api/fixes');

interface Applied {
  before: Finding;
  after: ApiScanResult;
  /** Edited files' new text by path. */
  texts: Record<string, string>;
}

async function applyFix(dir: string, pick: (f: Finding) => boolean, kind: string): Promise<Applied> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-api-fix-'));
  fs.cpSync(path.join(FIXES, dir), tmp, { recursive: true });
  const r = await scanApi({ paths: ['.'], cwd: tmp });
  const before = r.findings.find(pick);
  assert.ok(before, `a finding to fix in ${dir}: ${r.findings.map((f) => `${f.path}:${f.line}:${f.code}`).join(' ')}`);
  const fix = before.fixes.find((x) => x.kind === kind);
  assert.ok(fix, `a ${kind} fix for ${before.code} in ${dir}`);
  const byFile = new Map<string, TextEditWire[]>();
  for (const e of fix.edits) byFile.set(e.path, [...(byFile.get(e.path) ?? []), e]);
  const texts: Record<string, string> = {};
  for (const [file, edits] of byFile) {
    const text = applyEdits(fs.readFileSync(path.join(tmp, file), 'utf8'), edits);
    const lang = grammarForPath(file);
    assert.ok(lang, file);
    const tree = await parse(lang, text);
    try {
      assert.equal(tree.rootNode.hasError, false, `${dir}/${file} no longer parses:\n${text}`);
    } finally {
      tree.delete();
    }
    fs.writeFileSync(path.join(tmp, file), text);
    texts[file] = text;
  }
  return { before, after: await scanApi({ paths: ['.'], cwd: tmp }), texts };
}

const has = (r: ApiScanResult, code: string, file: string, line?: number): boolean => r.findings.some((f) => f.code === code && f.path === file && (line === undefined || f.line === line));
const route = (r: ApiScanResult, method: string, p: string): { validation: string | null } | undefined => r.routes.find((x) => x.method === method && x.path === p);

describe('api: idempotency fixes per framework', function () {
  this.timeout(120_000);

  it('Fastify: preHandler/onSend options spread into the route (with and without options)', async () => {
    const a = await applyFix('fastify', (f) => f.code === 'KEEL-API-IDEMPOTENCY' && f.line === 3, 'idempotency');
    assert.match(a.texts['app.js'], /fastify\.post\('\/orders', idempotency\(\), async/);
    assert.match(a.texts['app.js'], /preHandler: async \(request, reply\)[\s\S]*onSend: async \(request, reply, payload\)/);
    assert.ok(!has(a.after, 'KEEL-API-IDEMPOTENCY', 'app.js', 3) && route(a.after, 'POST', '/orders'));
    const b = await applyFix('fastify', (f) => f.code === 'KEEL-API-IDEMPOTENCY' && f.line === 10, 'idempotency');
    assert.match(b.texts['app.js'], /\{ \.\.\.idempotency\(\), config: \{ rateLimit: false \} \}/);
    assert.ok(!has(b.after, 'KEEL-API-IDEMPOTENCY', 'app.js', 10) && route(b.after, 'POST', '/invites'));
  });

  it('Koa: async middleware before the handler', async () => {
    const a = await applyFix('koa', (f) => f.code === 'KEEL-API-IDEMPOTENCY', 'idempotency');
    assert.match(a.texts['server.js'], /router\.post\('\/orders', idempotency\(\), async \(ctx\)/);
    assert.match(a.texts['server.js'], /ctx\.get\('Idempotency-Key'\)[\s\S]*ctx\.status = 422[\s\S]*ctx\.status = 409[\s\S]*await next\(\)/);
    assert.ok(!has(a.after, 'KEEL-API-IDEMPOTENCY', 'server.js') && route(a.after, 'POST', '/api/orders'));
  });

  it('NestJS: an interceptor class, @UseInterceptors on the handler, imports merged', async () => {
    const a = await applyFix('nest', (f) => f.code === 'KEEL-API-IDEMPOTENCY', 'idempotency');
    const t = a.texts['orders.controller.ts'];
    assert.match(t, /import \{ Body, Controller, Post, CallHandler, ConflictException, ExecutionContext, Injectable, NestInterceptor, UnprocessableEntityException, UseInterceptors \} from '@nestjs\/common';/);
    assert.match(t, /import \{ Observable, of, tap \} from 'rxjs';/);
    assert.match(t, /export class IdempotencyInterceptor implements NestInterceptor \{[\s\S]*@Controller\('orders'\)/);
    assert.match(t, /\n {2}@UseInterceptors\(IdempotencyInterceptor\)\n {2}@Post\(\)\n {2}async create/);
    assert.ok(!has(a.after, 'KEEL-API-IDEMPOTENCY', 'orders.controller.ts') && route(a.after, 'POST', '/orders'));
  });

  it('FastAPI and Flask: a decorator under the route decorator', async () => {
    const api = await applyFix('fastapi', (f) => f.code === 'KEEL-API-IDEMPOTENCY', 'idempotency');
    assert.match(api.texts['main.py'], /@app\.post\("\/orders", status_code=201\)\n@idempotent\(\)\nasync def create_order/);
    assert.match(api.texts['main.py'], /def idempotent\(ttl_seconds: int = 24 \* 60 \* 60\):[\s\S]*Header\(None, alias="Idempotency-Key"\)/);
    assert.ok(!has(api.after, 'KEEL-API-IDEMPOTENCY', 'main.py') && route(api.after, 'POST', '/orders'));
    const flask = await applyFix('flask', (f) => f.code === 'KEEL-API-IDEMPOTENCY', 'idempotency');
    assert.match(flask.texts['app.py'], /@app\.route\("\/orders", methods=\["POST"\]\)\n@idempotent\(\)\ndef create_order/);
    assert.match(flask.texts['app.py'], /hashlib\.sha256\(request\.get_data\(\)\)[\s\S]*422[\s\S]*409/);
    assert.ok(!has(flask.after, 'KEEL-API-IDEMPOTENCY', 'app.py') && route(flask.after, 'POST', '/orders'));
  });

  it('Django/DRF: @idempotent above @api_view in views.py; method_decorator on a class view', async () => {
    const fn = await applyFix('drf', (f) => f.code === 'KEEL-API-IDEMPOTENCY' && f.line === 6, 'idempotency');
    assert.deepEqual(Object.keys(fn.texts), ['views.py'], 'the edit goes where the view is defined');
    assert.match(fn.texts['views.py'], /\n@idempotent\n@api_view\(\["POST"\]\)\ndef checkout/);
    assert.ok(!has(fn.after, 'KEEL-API-IDEMPOTENCY', 'urls.py', 6) && route(fn.after, 'POST', '/api/checkout/'));
    const cls = await applyFix('drf', (f) => f.code === 'KEEL-API-IDEMPOTENCY' && f.line === 7, 'idempotency');
    assert.match(cls.texts['views.py'], /@method_decorator\(idempotent, name="dispatch"\)\nclass InviteView\(APIView\)/);
    assert.match(cls.texts['views.py'], /from django\.utils\.decorators import method_decorator/);
    assert.ok(!has(cls.after, 'KEEL-API-IDEMPOTENCY', 'urls.py', 7) && route(cls.after, 'POST', '/api/invites/'));
  });

  it('gin and echo: a middleware in each router\'s argument order, imports added', async () => {
    const gin = await applyFix('gin', (f) => f.code === 'KEEL-API-IDEMPOTENCY', 'idempotency');
    assert.match(gin.texts['main.go'], /r\.POST\("\/orders", Idempotency\(24\*time\.Hour\), createOrder\)/);
    assert.match(gin.texts['main.go'], /import \(\n\t"bytes"\n\t"crypto\/sha256"\n\t"encoding\/hex"\n\t"io"\n\t"sync"\n\t"time"\n\t"net\/http"/);
    assert.ok(!has(gin.after, 'KEEL-API-IDEMPOTENCY', 'main.go') && route(gin.after, 'POST', '/orders'));
    const echo = await applyFix('echo', (f) => f.code === 'KEEL-API-IDEMPOTENCY', 'idempotency');
    assert.match(echo.texts['main.go'], /e\.POST\("\/orders", createOrder, Idempotency\(24\*time\.Hour\)\)/);
    assert.match(echo.texts['main.go'], /func Idempotency\(ttl time\.Duration\) echo\.MiddlewareFunc/);
    assert.ok(!has(echo.after, 'KEEL-API-IDEMPOTENCY', 'main.go') && route(echo.after, 'POST', '/orders'));
  });
});

describe('api: validation schemas from the fields a handler reads', function () {
  this.timeout(120_000);

  it('Fastify: a strict JSON schema in the route options', async () => {
    const a = await applyFix('fastify', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY' && f.line === 4, 'validation');
    assert.match(a.texts['app.js'], /\{ schema: \{ body: \{ type: 'object', required: \['sku', 'quantity', 'note'\], additionalProperties: false, properties: \{ sku: \{ type: 'string' \}, quantity: \{ type: 'number' \}, note: \{ type: 'string' \} \} \} \} \}, async/);
    assert.equal(route(a.after, 'POST', '/orders')?.validation, 'json-schema');
    const b = await applyFix('fastify', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY' && f.line === 11, 'validation');
    assert.match(b.texts['app.js'], /\{ schema: \{ body: \{[^\n]*email: \{ type: 'string', format: 'email' \}[^\n]*\}, config: \{ rateLimit: false \} \}/);
    assert.equal(route(b.after, 'POST', '/invites')?.validation, 'json-schema');
  });

  it('Koa: zod over ctx.request.body', async () => {
    const a = await applyFix('koa', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY', 'validation');
    const t = a.texts['server.js'];
    assert.match(t, /^const \{ z \} = require\('zod'\);/);
    assert.match(t, /const PostApiOrdersBody = z\.object\(\{\n {2}sku: z\.string\(\),\n {2}quantity: z\.number\(\),\n {2}isGift: z\.boolean\(\),\n\}\)\.strict\(\);/);
    assert.match(t, /const body = PostApiOrdersBody\.parse\(ctx\.request\.body\);\n {2}const \{ sku, quantity \} = body;/);
    assert.equal(route(a.after, 'POST', '/api/orders')?.validation, 'zod');
    assert.ok(!has(a.after, 'KEEL-API-UNVALIDATED-BODY', 'server.js'));
  });

  it('NestJS: a class-validator DTO with a whitelisting pipe replaces @Body() body: any', async () => {
    const a = await applyFix('nest', (f) => f.code === 'KEEL-API-ANY-BODY', 'validation');
    const t = a.texts['orders.controller.ts'];
    assert.match(t, /export class PostOrdersDto \{\n {2}@IsString\(\)\n {2}sku!: string;\n\n {2}@IsNumber\(\)\n {2}quantity!: number;\n\n {2}@IsEmail\(\)\n {2}email!: string;\n\}/);
    assert.match(t, /create\(@Body\(new ValidationPipe\(\{ whitelist: true, forbidNonWhitelisted: true \}\)\) body: PostOrdersDto\)/);
    assert.match(t, /import \{ IsEmail, IsNumber, IsString \} from 'class-validator';/);
    assert.equal(route(a.after, 'POST', '/orders')?.validation, 'class-validator');
    assert.ok(!a.after.findings.some((f) => /ANY-BODY|UNVALIDATED-BODY/.test(f.code)));
  });

  it('FastAPI: a Pydantic model parameter replaces await request.json()', async () => {
    const a = await applyFix('fastapi', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY', 'validation');
    const t = a.texts['main.py'];
    assert.match(t, /class PostOrdersBody\(BaseModel\):[\s\S]*model_config = ConfigDict\(extra="forbid"\)\n\n {4}sku: str\n {4}quantity: Optional\[int\] = None\n {4}email: str\n/);
    assert.match(t, /async def create_order\(body: PostOrdersBody, request: Request\):\n {4}data = body\.model_dump\(\)/);
    assert.match(t, /from fastapi import FastAPI, Request\nfrom pydantic import BaseModel, ConfigDict\nfrom typing import Optional\n/);
    assert.equal(route(a.after, 'POST', '/orders')?.validation, 'pydantic');
  });

  it('Flask: model_validate on the JSON body', async () => {
    const a = await applyFix('flask', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY', 'validation');
    assert.match(a.texts['app.py'], /data = PostOrdersBody\.model_validate\(request\.get_json\(silent=True\) or \{\}\)\.model_dump\(\)/);
    assert.match(a.texts['app.py'], /class PostOrdersBody\(BaseModel\):[\s\S]*sku: str\n {4}quantity: Optional\[int\] = None/);
    assert.equal(route(a.after, 'POST', '/orders')?.validation, 'pydantic');
    assert.ok(!has(a.after, 'KEEL-API-UNVALIDATED-BODY', 'app.py'));
  });

  it('DRF: a serializer that rejects unknown keys, in the function view and in the APIView method', async () => {
    const fn = await applyFix('drf', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY' && f.line === 10, 'validation');
    const t = fn.texts['views.py'];
    assert.match(t, /class CheckoutSerializer\(serializers\.Serializer\):[\s\S]*amount = serializers\.IntegerField\(\)\n {4}currency = serializers\.CharField\(required=False\)/);
    assert.match(t, /def checkout\(request\):\n {4}serializer = CheckoutSerializer\(data=request\.data\)\n {4}serializer\.is_valid\(raise_exception=True\)\n {4}charge = stripe\.PaymentIntent\.create\(amount=serializer\.validated_data\["amount"\]/);
    assert.equal(route(fn.after, 'POST', '/api/checkout/')?.validation, 'drf-serializer');
    const cls = await applyFix('drf', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY' && f.line === 16, 'validation');
    assert.match(cls.texts['views.py'], /class InviteSerializer\(serializers\.Serializer\):\n[\s\S]*email = serializers\.EmailField\(\)/);
    assert.equal(route(cls.after, 'POST', '/api/invites/')?.validation, 'drf-serializer');
  });

  it('gin: binding tags on the bound struct; echo: validate tags and a validator call', async () => {
    const gin = await applyFix('gin', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY', 'validation');
    assert.match(gin.texts['main.go'], /SKU {6}string `json:"sku" binding:"required"`\n\tQuantity int {4}`json:"quantity" binding:"required"`/);
    assert.equal(route(gin.after, 'POST', '/orders')?.validation, 'struct-tags');
    const echo = await applyFix('echo', (f) => f.code === 'KEEL-API-UNVALIDATED-BODY', 'validation');
    assert.match(echo.texts['main.go'], /`json:"sku" validate:"required"`/);
    assert.match(echo.texts['main.go'], /if err := validator\.New\(\)\.Struct\(&in\); err != nil \{\n\t\treturn echo\.NewHTTPError\(http\.StatusUnprocessableEntity, err\.Error\(\)\)\n\t\}/);
    assert.match(echo.texts['main.go'], /"github\.com\/go-playground\/validator\/v10"/);
    assert.equal(route(echo.after, 'POST', '/orders')?.validation, 'struct-tags');
  });
});

describe('api: Flask RFC 9457 helper', function () {
  this.timeout(60_000);
  it('rewrites the 404 to problem(...) and appends the helper once', async () => {
    const a = await applyFix('flask', (f) => f.code === 'KEEL-API-ERROR-CODE', 'error-helper');
    const t = a.texts['app.py'];
    assert.match(t, /return problem\(404, "NOT_FOUND", "Order not found"\)/);
    assert.match(t, /def problem\(status, code, detail, retry_after=None\):[\s\S]*request_id = request\.headers\.get\("X-Request-Id"\) or str\(uuid\.uuid4\(\)\)[\s\S]*application\/problem\+json/);
    assert.equal((t.match(/def problem\(/g) ?? []).length, 1);
    assert.ok(!has(a.after, 'KEEL-API-ERROR-CODE', 'app.py'), a.after.findings.map((f) => `${f.line}:${f.code}`).join(' '));
    assert.ok(route(a.after, 'GET', '/orders/<int:order_id>'));
  });
});
