/**
 * What hybrid search needs from an index, and nothing more: keyword top-k, vector top-k, chunk
 * locations and chunk texts. The workspace index (src/engine/index/) is adapted to it in the search
 * feature; evaluations, benchmarks and tests use MemorySource, which holds everything in memory.
 * Keeping the seam this narrow is what lets the same retrieval code be measured on CoSQA, on a
 * repository-level set and on a 50k-chunk benchmark without a store on disk.
 */
import type { Embedder } from '../embed/types';
import { Bm25Index } from './bm25';
import { FlatVectors } from './flatVectors';

export interface SourceChunk {
  id: string;
  /** Workspace-relative posix path. */
  path: string;
  language: string;
  symbol: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** Which workspace root (multi-root workspaces); 0 otherwise. */
  root?: number;
}

export interface ScoredChunk {
  chunk: SourceChunk;
  score: number;
}

export interface SearchSource {
  readonly chunkCount: number;
  /** False when the index has no embedder (keyword-only): vector and hybrid modes degrade to BM25. */
  readonly hasVectors: boolean;
  /** `query` as text, or as weighted analyzer terms (queryPlan.ts). */
  /** Synchronous for in-process stores; a database-backed store answers with a promise. */
  keywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredChunk[] | Promise<ScoredChunk[]>;
  vectorSearch(query: string, k: number, signal?: AbortSignal, filter?: (chunk: SourceChunk) => boolean): Promise<ScoredChunk[]>;
  /** The chunk's text as indexed (or as the file holds it now); undefined if it is gone. */
  readChunkText(chunk: SourceChunk): Promise<string | undefined>;
  /**
   * Optional: BM25 with each FILE scored as one document (its chunks' term counts summed), best
   * first, keyed by fileKey(). Sources without it rank files from their chunks alone.
   */
  fileKeywordSearch?(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredFile[] | Promise<ScoredFile[]>;
}

export interface ScoredFile {
  /** `${root ?? 0}:${path}`, as fileKey() in fileRank.ts. */
  key: string;
  score: number;
}

export interface MemoryChunk extends SourceChunk {
  text: string;
}

/** An in-memory SearchSource: BM25 with the product's analyzer and boosts, and exact flat vectors. */
export class MemorySource implements SearchSource {
  readonly keywords = new Bm25Index();
  private readonly chunks = new Map<string, MemoryChunk>();
  private vectors: FlatVectors | undefined;

  constructor(private readonly embedder?: Embedder) {}

  get chunkCount(): number {
    return this.chunks.size;
  }

  get hasVectors(): boolean {
    return this.embedder !== undefined;
  }

  /** Adds chunks; with an embedder, embeds them in batches (or takes precomputed vectors). */
  async add(chunks: readonly MemoryChunk[], vectors?: readonly Float32Array[], signal?: AbortSignal): Promise<void> {
    for (const c of chunks) {
      this.chunks.set(c.id, c);
      this.keywords.add(c.id, { text: c.text, symbol: c.symbol, path: c.path });
    }
    if (!this.embedder) return;
    const batch = 256;
    for (let i = 0; i < chunks.length; i += batch) {
      const slice = chunks.slice(i, i + batch);
      const vs = vectors ? vectors.slice(i, i + batch) : await this.embedder.embed(slice.map((c) => c.text), signal);
      this.vectors ??= new FlatVectors(vs[0].length, chunks.length);
      slice.forEach((c, j) => this.vectors!.set(c.id, vs[j]));
    }
  }

  remove(id: string): void {
    this.chunks.delete(id);
    this.keywords.remove(id);
    this.vectors?.delete(id);
  }

  get(id: string): MemoryChunk | undefined {
    return this.chunks.get(id);
  }

  keywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredChunk[] {
    const hits = this.keywords.search(query, k, filter && ((id) => filter(this.chunks.get(id)!)));
    return hits.map((h) => ({ chunk: this.chunks.get(h.docId)!, score: h.score }));
  }

  async vectorSearch(query: string, k: number, signal?: AbortSignal, filter?: (chunk: SourceChunk) => boolean): Promise<ScoredChunk[]> {
    if (!this.embedder || !this.vectors) return [];
    const [vector] = await this.embedder.embed([query], signal);
    return this.vectorSearchBy(vector, k, filter);
  }

  /** Vector top-k for an already embedded query (benchmarks time the scan apart from embedding). */
  vectorSearchBy(vector: Float32Array, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredChunk[] {
    if (!this.vectors) return [];
    const hits = this.vectors.search(vector, k, filter && ((id) => filter(this.chunks.get(id)!)));
    return hits.map((h) => ({ chunk: this.chunks.get(h.id)!, score: h.score }));
  }

  async readChunkText(chunk: SourceChunk): Promise<string | undefined> {
    return this.chunks.get(chunk.id)?.text;
  }

  fileKeywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredFile[] {
    const hits = this.keywords.searchGroups(query, k, this.fileOf, filter && ((id) => filter(this.chunks.get(id)!)));
    return hits.map((h) => ({ key: h.group, score: h.score }));
  }

  /** One function object for the index's cached grouping. */
  private readonly fileOf = (id: string): string | undefined => {
    const c = this.chunks.get(id);
    return c && `${c.root ?? 0}:${c.path}`;
  };
}
