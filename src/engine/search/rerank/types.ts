/**
 * The re-ranker seam: hybrid search hands the fused top 20–50 candidates (with their texts) to a
 * Reranker, which returns one relevance score per candidate; higher is better. Implementations: the
 * local feature-based default (no download, no network), API re-rankers (Cohere, Voyage, Jina) and
 * an LLM re-ranker on the fast tier — the remote ones only through the egress gate's fetch.
 */
import type { SourceChunk } from '../source';

export interface RerankCandidate {
  chunk: SourceChunk;
  text: string;
  /** 1-based position in the fused list, and the fused (RRF) score. */
  fusedRank: number;
  fusedScore: number;
  /** 1-based ranks in the keyword and vector lists (undefined where the chunk was absent). */
  bm25Rank?: number;
  vectorRank?: number;
  /**
   * The retrievers' own scores (BM25, cosine), undefined where the chunk was absent from that list.
   * RRF keeps only ranks; a re-ranker can use how FAR ahead a candidate is (a near-tie at rank 1 and
   * a clear winner look the same to RRF).
   */
  bm25Score?: number;
  vectorScore?: number;
  /** The highest and lowest score in each retriever's list, to put the scores on a per-query scale. */
  bm25Range?: ScoreRange;
  vectorRange?: ScoreRange;
}

export interface ScoreRange {
  max: number;
  min: number;
}

export interface RerankContext {
  /** Workspace-relative paths of files open in the editor, and recently edited ones (most recent first). */
  openFiles?: readonly string[];
  recentFiles?: readonly string[];
  signal?: AbortSignal;
}

export interface Reranker {
  /** 'local', 'cohere:rerank-v3.5', 'llm:fast' … */
  readonly id: string;
  /** One score per candidate, same order as given. */
  rerank(query: string, candidates: readonly RerankCandidate[], context?: RerankContext): Promise<number[]>;
}
