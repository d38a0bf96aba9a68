/**
 * Local servers speaking the hosted rerank APIs as documented:
 *   Cohere  POST /v2/rerank  { model, query, documents, top_n }  → { id, results: [{ index, relevance_score }], meta }
 *   Voyage  POST /v1/rerank  { model, query, documents, top_k }  → { object: 'list', data: [{ relevance_score, index }], model, usage }
 *   Jina    POST /v1/rerank  { model, query, documents, top_n, return_documents } → { model, usage, results: [{ index, relevance_score, document? }] }
 * Each checks the bearer key and the body shape (400 with the provider's error body otherwise) and
 * scores documents for real — term overlap with the query, length-normalised — so a test can see a
 * re-ranker change an order, not just echo one. Faults come from the shared harness (queue or the
 * x-keel-fault header): rate-limit (429 + retry-after), server-error, overloaded, auth, hang, and
 * malformed-sse (here: a 200 whose body is not JSON).
 */
import { WireServer, fakeId, sendJson, type ExchangeContext, type WireServerOptions } from './harness';

export type RerankApi = 'cohere' | 'voyage' | 'jina';

const PATHS: Record<RerankApi, string> = { cohere: '/v2/rerank', voyage: '/v1/rerank', jina: '/v1/rerank' };

export class RerankServer extends WireServer {
  constructor(readonly api: RerankApi, readonly apiKey: string, options: WireServerOptions = {}) {
    super((ctx) => this.respond(ctx), options);
  }

  /** What the re-ranker's baseURL should be. */
  get baseURL(): string {
    return this.origin;
  }

  private async respond({ req, res, recorded, fault }: ExchangeContext): Promise<void> {
    const error = (status: number, message: string, headers: Record<string, string> = {}): void =>
      sendJson(res, status, this.api === 'cohere' ? { message } : { detail: message }, headers);
    if (req.method !== 'POST' || recorded.path !== PATHS[this.api]) return error(404, `no route for ${req.method} ${recorded.path}`);
    if (fault?.mode === 'rate-limit') return error(429, 'rate limit exceeded', { 'retry-after': String(fault.retryAfterS ?? 1) });
    if (fault?.mode === 'server-error') return error(500, 'internal server error');
    if (fault?.mode === 'overloaded') return error(503, 'service unavailable');
    if (fault?.mode === 'auth' || recorded.headers.authorization !== `Bearer ${this.apiKey}`) return error(401, 'invalid api token');
    if (fault?.mode === 'malformed-sse') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"results": [ {"index": 0, "relev');
      return;
    }
    const body = recorded.json as { model?: unknown; query?: unknown; documents?: unknown; top_n?: unknown; top_k?: unknown } | undefined;
    if (!body || typeof body.model !== 'string' || !body.model) return error(400, 'model is required');
    if (typeof body.query !== 'string' || !body.query) return error(400, 'query is required');
    if (!Array.isArray(body.documents) || body.documents.some((d) => typeof d !== 'string')) return error(400, 'documents must be a list of strings');
    const limit = Number((this.api === 'voyage' ? body.top_k : body.top_n) ?? body.documents.length);
    const ranked = (body.documents as string[])
      .map((doc, index) => ({ index, relevance_score: overlapScore(body.query as string, doc) }))
      .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
      .slice(0, limit);
    const tokens = (body.documents as string[]).reduce((n, d) => n + Math.ceil(d.length / 4), 0) + Math.ceil((body.query as string).length / 4);
    if (this.api === 'cohere') {
      sendJson(res, 200, { id: fakeId('rr-'), results: ranked, meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } } });
    } else if (this.api === 'voyage') {
      sendJson(res, 200, { object: 'list', data: ranked.map((r) => ({ relevance_score: r.relevance_score, index: r.index })), model: body.model, usage: { total_tokens: tokens } });
    } else {
      sendJson(res, 200, { model: body.model, usage: { total_tokens: tokens, prompt_tokens: tokens }, results: ranked });
    }
  }
}

/** Share of the query's distinct words found in the document, with a mild length penalty: in (0, 1). */
export function overlapScore(query: string, doc: string): number {
  const words = (s: string): string[] => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const q = new Set(words(query));
  const d = new Set(words(doc));
  let hit = 0;
  for (const w of q) if (d.has(w)) hit++;
  return Math.round((hit / Math.max(1, q.size)) * (1 / (1 + Math.log1p(d.size) / 20)) * 1e6) / 1e6;
}
