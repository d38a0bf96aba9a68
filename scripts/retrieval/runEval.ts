/** Runs one evaluation configuration over a corpus: hybridSearch with the product defaults, file-level ranks. */
import { hybridSearch, type HybridOptions } from '../../src/engine/search/hybrid';
import type { Reranker } from '../../src/engine/search/rerank/types';
import type { SearchMode } from '../../src/protocol';
import type { EvalCorpus } from './corpora';
import { rankOf, summarize, type Metrics } from './metrics';

export interface EvalConfig {
  name: string;
  mode: SearchMode;
  reranker?: Reranker;
  options?: Partial<HybridOptions>;
}

export interface EvalRun extends Metrics {
  config: string;
  msPerQuery: number;
  ranks: Array<number | undefined>;
}

export async function evaluate(corpus: EvalCorpus, config: EvalConfig, limit?: number): Promise<EvalRun> {
  const queries = limit ? corpus.queries.slice(0, limit) : corpus.queries;
  const ranks: Array<number | undefined> = [];
  const t0 = performance.now();
  for (const q of queries) {
    const result = await hybridSearch(corpus.source, q.query, { mode: config.mode, top: 10, reranker: config.reranker, ...config.options });
    ranks.push(rankOf(result.passages.map((p) => p.path), q.relevant));
  }
  const ms = (performance.now() - t0) / Math.max(1, queries.length);
  return { config: config.name, ...summarize(ranks), msPerQuery: Math.round(ms * 100) / 100, ranks };
}
