/**
 * Keel's default re-ranker: a linear model over cheap query–candidate features (features.ts) with
 * weights fitted offline on the project's own training pairs (localWeights.ts). No download, no
 * network, well under a millisecond per candidate — so it is on by default.
 */
import { extractFeatures, FEATURE_NAMES } from './features';
import { LOCAL_RERANKER_WEIGHTS } from './localWeights';
import { defaultSoftMatcher, type SoftMatcher } from './softMatch';
import type { RerankCandidate, RerankContext, Reranker } from './types';

export class LocalReranker implements Reranker {
  readonly id = 'local';
  private readonly weights: Float64Array;

  /** `soft`: the word-vector matcher (default: over the embedded model, loaded on first re-rank). */
  constructor(
    weights: Readonly<Record<string, number>> = LOCAL_RERANKER_WEIGHTS,
    private soft?: SoftMatcher | null,
  ) {
    this.weights = Float64Array.from(FEATURE_NAMES, (name) => weights[name] ?? 0);
  }

  async rerank(query: string, candidates: readonly RerankCandidate[], context?: RerankContext): Promise<number[]> {
    if (this.soft === undefined) this.soft = defaultSoftMatcher();
    return extractFeatures(query, candidates, context, this.soft).map((f) => {
      let s = 0;
      for (let i = 0; i < f.length; i++) s += this.weights[i] * f[i];
      return s;
    });
  }
}
