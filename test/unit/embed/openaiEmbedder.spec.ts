import * as assert from 'node:assert/strict';
import { OpenAIEmbedder, type OpenAIEmbedderOptions } from '../../../src/engine/embed/openaiEmbedder';
import { createEmbedder } from '../../../src/engine/embed/registry';
import { EgressGate } from '../../../src/engine/egress/gate';
import { KeelError } from '../../../src/common/errors';
import { DEFAULT_DIMS, EmbeddingsServer, fakeVector } from '../../servers/openaiEmbeddings';

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<KeelError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof KeelError, `expected KeelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('embed/openaiEmbedder (real SDK against a local wire server)', function () {
  this.timeout(15000);
  let server: EmbeddingsServer;
  const make = (extra: Partial<OpenAIEmbedderOptions> = {}): OpenAIEmbedder =>
    new OpenAIEmbedder({ provider: 'openai', model: 'text-embedding-3-small', apiKey: 'sk-test', baseURL: server.baseURL, ...extra });

  beforeEach(async () => {
    server = await new EmbeddingsServer('sk-test').start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('embeds through the SDK: dimensions sent, order kept, vectors L2-normalised', async () => {
    const embedder = make({ dimensions: 32 });
    assert.equal(embedder.id, 'openai:text-embedding-3-small@32');
    assert.equal(embedder.dimensions, 32);
    assert.equal(embedder.local, true, '127.0.0.1 is loopback');
    const texts = ['find user by id', 'parse json', ''];
    const vectors = await embedder.embed(texts);
    assert.equal(vectors.length, 3);
    const sent = server.requests[0];
    assert.equal(sent.body.dimensions, 32);
    assert.equal(sent.body.model, 'text-embedding-3-small');
    assert.equal(sent.headers.authorization, 'Bearer sk-test');
    // OpenAI gets the SDK's compact base64 encoding; the empty text went out as a single space.
    assert.equal(sent.body.encoding_format, 'base64');
    assert.deepEqual(sent.body.input, ['find user by id', 'parse json', ' ']);
    for (const [i, v] of vectors.entries()) {
      assert.ok(v instanceof Float32Array);
      assert.equal(v.length, 32);
      assert.ok(Math.abs(norm(v) - 1) < 1e-5);
      const expected = fakeVector(texts[i] || ' ', 32);
      const n = norm(expected);
      assert.ok(Math.abs(v[0] - expected[0] / n) < 1e-5, 'vector i belongs to text i');
    }
  });

  it('batches large inputs and asks self-hosted servers for plain floats', async () => {
    const embedder = make({ provider: 'openai-compatible', model: 'nomic-embed-text', apiKey: 'sk-test', batchSize: 2 });
    assert.equal(embedder.id, 'openai-compatible:nomic-embed-text');
    assert.equal(embedder.dimensions, 0, 'unknown until the first answer');
    const texts = ['a', 'b', 'c', 'd', 'e'];
    const vectors = await embedder.embed(texts);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(server.requests.map((r) => r.body.input), [['a', 'b'], ['c', 'd'], ['e']]);
    assert.ok(server.requests.every((r) => r.body.encoding_format === 'float' && r.body.dimensions === undefined));
    assert.equal(vectors.length, 5);
    assert.equal(embedder.dimensions, DEFAULT_DIMS);
  });

  it('honours retry-after on 429 and then succeeds', async () => {
    server.faults.push({ kind: 'rate-limit', retryAfterS: 1 });
    const t0 = Date.now();
    const vectors = await make().embed(['hello']);
    assert.equal(vectors.length, 1);
    assert.equal(server.requests.length, 2);
    const gap = server.requests[1].at - server.requests[0].at;
    assert.ok(gap >= 900, `waited ${gap} ms, retry-after said 1 s`);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('fails fast with RATE_LIMITED and retryAfterS when retry-after is longer than it will wait', async () => {
    server.faults.push({ kind: 'rate-limit', retryAfterS: 120 });
    const error = await rejectsWith(make({ maxRetryAfterS: 30 }).embed(['hello']), 'RATE_LIMITED');
    assert.equal(error.retryAfterS, 120);
    assert.equal(error.retryable, true);
    assert.equal(server.requests.length, 1);
  });

  it('retries a 500 and gives PROVIDER_UNAVAILABLE once retries run out', async () => {
    server.faults.push({ kind: 'server-error' });
    assert.equal((await make().embed(['x'])).length, 1);
    assert.equal(server.requests.length, 2);
    server.requests.length = 0;
    server.faults.push({ kind: 'server-error' }, { kind: 'server-error' }, { kind: 'server-error' });
    await rejectsWith(make({ maxRetries: 2 }).embed(['x']), 'PROVIDER_UNAVAILABLE');
    assert.equal(server.requests.length, 3);
  });

  it('maps malformed JSON and a wrong vector count to BAD_RESPONSE', async () => {
    server.faults.push({ kind: 'malformed-json' });
    await rejectsWith(make({ maxRetries: 0 }).embed(['x']), 'BAD_RESPONSE');
    server.faults.push({ kind: 'wrong-count' });
    await rejectsWith(make({ maxRetries: 0 }).embed(['x', 'y']), 'BAD_RESPONSE');
  });

  it('cuts a hung connection with the timeout → TIMEOUT', async () => {
    server.faults.push({ kind: 'hang' });
    const t0 = Date.now();
    await rejectsWith(make({ timeoutMs: 300, maxRetries: 0 }).embed(['x']), 'TIMEOUT');
    assert.ok(Date.now() - t0 < 3000);
  });

  it('maps a rejected key to AUTH_FAILED without echoing the key', async () => {
    const error = await rejectsWith(make({ apiKey: 'sk-wrong-secret' }).embed(['x']), 'AUTH_FAILED');
    assert.ok(!error.message.includes('sk-wrong-secret'));
    assert.equal(server.requests.length, 1, 'auth failures are not retried');
  });

  it('honours cancellation → CANCELLED', async () => {
    server.faults.push({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await rejectsWith(make({ timeoutMs: 10_000 }).embed(['x'], controller.signal), 'CANCELLED');
  });

  it('sends every request through the egress gate it is given', async () => {
    const seen: string[] = [];
    const gate = new EgressGate({ onTransport: (url) => seen.push(url.toString()) });
    await make({ gate }).embed(['x']);
    assert.deepEqual(seen, [`${server.baseURL}/embeddings`]);
    assert.equal(gate.stats.requests, 1);
  });

  it('options passed as explicit undefined keep the defaults: retries stop, a long retry-after is not waited out', async () => {
    // As embedderOptionsFromConfig / createEmbedder pass them: every optional field present, undefined.
    const unfilled = { maxRetries: undefined, maxRetryAfterS: undefined, batchSize: undefined, timeoutMs: undefined };
    for (let i = 0; i < 50; i++) server.faults.push({ kind: 'server-error' });
    const started = Date.now();
    await rejectsWith(make(unfilled).embed(['x']), 'PROVIDER_UNAVAILABLE');
    assert.equal(server.requests.length, 4, 'the first attempt and 3 retries, then it gives up');
    assert.ok(Date.now() - started < 10_000);

    server.faults.length = 0;
    server.requests.length = 0;
    server.faults.push({ kind: 'rate-limit', retryAfterS: 3600 });
    const e = await rejectsWith(make(unfilled).embed(['x']), 'RATE_LIMITED');
    assert.equal(e.retryAfterS, 3600);
    assert.equal(server.requests.length, 1, 'an hour-long retry-after fails at once');

    server.requests.length = 0;
    await rejectsWith(createEmbedder('openai-compatible:m', { baseURL: 'http://127.0.0.1:9/v1', ...unfilled }).embed(['x']), 'PROVIDER_UNAVAILABLE');
  });

  it('local-only mode allows loopback and allow-listed hosts only (EGRESS_BLOCKED otherwise)', async () => {
    assert.throws(() => make({ localOnly: true, baseURL: 'https://api.openai.com/v1' }), (e: KeelError) => e.code === 'EGRESS_BLOCKED');
    assert.throws(
      () => createEmbedder('openai-compatible:llama', { localOnly: true, baseURL: 'http://gpu-box.internal:8000/v1' }),
      (e: KeelError) => e.code === 'EGRESS_BLOCKED',
    );
    const allowed = createEmbedder('openai-compatible:llama', { localOnly: true, allowHosts: ['gpu-box.internal'], baseURL: 'http://gpu-box.internal:8000/v1' });
    assert.equal(allowed.local, false);
    assert.equal((await make({ localOnly: true }).embed(['x'])).length, 1);
    assert.equal(createEmbedder('openai-compatible:x', { localOnly: true, baseURL: 'http://localhost:11434/v1' }).local, true);
    assert.equal(createEmbedder('openai-compatible:x', { localOnly: true, baseURL: 'http://[::1]:11434/v1' }).local, true);
  });
});
