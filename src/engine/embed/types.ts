/**
 * The one interface every embedder implements — the embedded default (self-trained, offline), OpenAI
 * and OpenAI-compatible servers. The index stores `id`; a different id means the stored vectors are
 * from another space and must be recomputed.
 */
export interface Embedder {
  /** Stable id including the model version, e.g. "keel-code-v1" or "openai:text-embedding-3-small@512". */
  readonly id: string;
  readonly dimensions: number;
  /** True if this embedder never leaves the machine (no egress). */
  readonly local: boolean;
  /**
   * First dimension of a sparse lexical channel, if the vectors end with one (dense dims first). Vector
   * search then scores that channel exactly alongside its nearest-neighbour graph: a graph navigates the
   * dense geometry and misses rows close to a query only through rare shared identifiers.
   */
  readonly sparseFrom?: number;
  /** L2-normalised vectors, one per text, same order. Honours the signal (CANCELLED). */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}
