import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelError } from '../../../src/common/errors';
import { EgressGate } from '../../../src/engine/egress/gate';
import { ApiReranker } from '../../../src/engine/search/rerank/apiReranker';
import type { RerankCandidate } from '../../../src/engine/search/rerank/types';
import type { RerankProvider } from '../../../src/engine/search/rerank/wire';
import { RerankServer } from '../../servers/rerank';

const KEY = 'rr-test-key-0123456789abcdef';

function cand(path: string, text: string, fusedRank: number): RerankCandidate {
  return { chunk: { id: path, path, language: 'typescript', symbol: '', startLine: 1, endLine: 5 }, text, fusedRank, fusedScore: 1 / (60 + fusedRank) };
}

const CANDIDATES = [
  cand('src/cache.ts', 'export class LruCache { get(key) {} set(key, value) {} }', 1),
  cand('src/retry.ts', 'export async function retryWithBackoff(fn, attempts) { for (;;) { try { return await fn() } catch {} } }', 2),
  cand('src/http.ts', 'export function parseRetryAfter(header) { return Number(header) }', 3),
];

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterS: 2 };

for (const api of ['cohere', 'voyage', 'jina'] as RerankProvider[]) {
  describe(`ApiReranker: ${api} wire format against a local server`, () => {
    let server: RerankServer;
    let gate: EgressGate;
    let storageDir: string;

    beforeEach(async () => {
      server = await new RerankServer(api, KEY).start();
      storageDir = mkdtempSync(join(tmpdir(), 'keel-rerank-'));
      gate = new EgressGate({ storageDir });
    });
    afterEach(async () => {
      await server.close();
      rmSync(storageDir, { recursive: true, force: true });
    });

    const reranker = (o: Partial<ConstructorParameters<typeof ApiReranker>[0]> = {}): ApiReranker =>
      new ApiReranker({ provider: api, apiKey: KEY, baseURL: server.baseURL, fetch: gate.fetchFor('rerank', api), retry: FAST_RETRY, ...o });

    it('sends the documented request and maps scores back to candidates', async () => {
      const scores = await reranker().rerank('retry with backoff', CANDIDATES);
      assert.equal(scores.length, 3);
      assert.ok(scores[1] > scores[0] && scores[1] > scores[2], `retry.ts should win: ${scores}`);
      const req = server.requests[0];
      assert.equal(req.method, 'POST');
      assert.equal(req.path, api === 'cohere' ? '/v2/rerank' : '/v1/rerank');
      assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      const body = req.json as Record<string, unknown>;
      assert.equal(body.query, 'retry with backoff');
      assert.equal((body.documents as string[]).length, 3);
      assert.match((body.documents as string[])[1], /^src\/retry\.ts:1-5\n/);
      assert.equal(body.model, { cohere: 'rerank-v3.5', voyage: 'rerank-2.5', jina: 'jina-reranker-v2-base-multilingual' }[api]);
      if (api === 'voyage') assert.equal(body.top_k, 3);
      else assert.equal(body.top_n, 3);
      if (api === 'jina') assert.equal(body.return_documents, false);
    });

    it('retries a 429 after its retry-after, then succeeds', async () => {
      server.faults.push({ mode: 'rate-limit', retryAfterS: 0.05 });
      const scores = await reranker().rerank('retry', CANDIDATES);
      assert.equal(scores.length, 3);
      assert.equal(server.requests.length, 2);
    });

    it('maps failures to stable codes', async () => {
      const failure = async (r: ApiReranker): Promise<KeelError> => {
        try {
          await r.rerank('q', CANDIDATES);
        } catch (error) {
          return error as KeelError;
        }
        throw new Error('expected a failure');
      };
      assert.equal((await failure(reranker({ apiKey: 'wrong-key-0000' }))).code, 'AUTH_FAILED');
      server.faults.push({ mode: 'server-error' }, { mode: 'server-error' }, { mode: 'server-error' });
      assert.equal((await failure(reranker())).code, 'PROVIDER_UNAVAILABLE');
      server.faults.push({ mode: 'malformed-sse' });
      assert.equal((await failure(reranker())).code, 'BAD_RESPONSE');
      server.faults.push({ mode: 'rate-limit', retryAfterS: 60 });
      const limited = await failure(reranker());
      assert.equal(limited.code, 'RATE_LIMITED');
      assert.equal(limited.retryAfterS, 60);
      server.faults.push({ mode: 'hang' });
      assert.equal((await failure(reranker({ timeoutMs: 100, retry: { ...FAST_RETRY, maxAttempts: 1 } }))).code, 'TIMEOUT');
    });

    it('goes through the egress gate: local-only blocks remote hosts, secrets are redacted, calls are audited', async () => {
      const blocked = new EgressGate({ localOnly: true });
      const remote = new ApiReranker({ provider: api, apiKey: KEY, fetch: blocked.fetchFor('rerank', api), retry: FAST_RETRY });
      await assert.rejects(remote.rerank('q', CANDIDATES), (e: KeelError) => e.code === 'EGRESS_BLOCKED');

      const secret = 'AKIAIOSFODNN7EXAMPLE';
      await reranker().rerank('aws key', [cand('src/config.ts', `const awsKey = "${secret}";`, 1), ...CANDIDATES]);
      assert.ok(!server.allBodies().includes(secret), 'the secret never reached the server');
      const audit = readFileSync(join(storageDir, 'egress.jsonl'), 'utf8');
      assert.match(audit, /"purpose":"rerank"/);
      assert.ok(!audit.includes(KEY), 'the API key is never logged');
    });

    it('honours cancellation', async () => {
      server.faults.push({ mode: 'hang' });
      const controller = new AbortController();
      const pending = reranker().rerank('q', CANDIDATES, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(pending, (e: KeelError) => e.code === 'CANCELLED');
    });
  });
}
