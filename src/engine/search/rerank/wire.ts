/**
 * The three hosted rerank APIs speak nearly the same JSON; these are the differences. Each spec turns
 * (model, query, documents) into a request body and a response body into (index, score) pairs.
 *   Cohere  POST /v2/rerank  { model, query, documents, top_n }        → { results: [{ index, relevance_score }] }
 *   Voyage  POST /v1/rerank  { model, query, documents, top_k }        → { data:    [{ index, relevance_score }] }
 *   Jina    POST /v1/rerank  { model, query, documents, top_n, return_documents: false }
 *                                                                     → { results: [{ index, relevance_score }] }
 */

export type RerankProvider = 'cohere' | 'voyage' | 'jina';

export interface RerankWire {
  provider: RerankProvider;
  defaultBaseURL: string;
  path: string;
  defaultModel: string;
  /** Environment variable holding the key for the CLI (the editor passes secrets). */
  keyVariable: string;
  body(model: string, query: string, documents: string[]): Record<string, unknown>;
  /** The scored entries, or undefined if the body is not this API's response shape. */
  results(body: unknown): Array<{ index: number; score: number }> | undefined;
}

function scored(list: unknown): Array<{ index: number; score: number }> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Array<{ index: number; score: number }> = [];
  for (const r of list) {
    const index = (r as { index?: unknown })?.index;
    const score = (r as { relevance_score?: unknown })?.relevance_score;
    if (typeof index !== 'number' || !Number.isInteger(index) || typeof score !== 'number' || !Number.isFinite(score)) return undefined;
    out.push({ index, score });
  }
  return out;
}

export const RERANK_WIRES: Record<RerankProvider, RerankWire> = {
  cohere: {
    provider: 'cohere',
    defaultBaseURL: 'https://api.cohere.com',
    path: '/v2/rerank',
    defaultModel: 'rerank-v3.5',
    keyVariable: 'COHERE_API_KEY',
    body: (model, query, documents) => ({ model, query, documents, top_n: documents.length }),
    results: (body) => scored((body as { results?: unknown })?.results),
  },
  voyage: {
    provider: 'voyage',
    defaultBaseURL: 'https://api.voyageai.com',
    path: '/v1/rerank',
    defaultModel: 'rerank-2.5',
    keyVariable: 'VOYAGE_API_KEY',
    body: (model, query, documents) => ({ model, query, documents, top_k: documents.length, truncation: true }),
    results: (body) => scored((body as { data?: unknown })?.data),
  },
  jina: {
    provider: 'jina',
    defaultBaseURL: 'https://api.jina.ai',
    path: '/v1/rerank',
    defaultModel: 'jina-reranker-v2-base-multilingual',
    keyVariable: 'JINA_API_KEY',
    body: (model, query, documents) => ({ model, query, documents, top_n: documents.length, return_documents: false }),
    results: (body) => scored((body as { results?: unknown })?.results),
  },
};
