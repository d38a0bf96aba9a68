/**
 * The workspace index (src/engine/index/workspaceIndex.ts) seen as a SearchSource. Its chunk
 * locations already have the SearchSource shape; what this adds is metadata filtering for the vector
 * leg (the store has none, so it over-fetches and filters) and path display for multi-root indexes.
 */
import * as path from 'node:path';
import type { ChunkLocation } from '../index/catalog';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { StoreSource } from '../store/types';
import type { ScoredChunk, ScoredFile, SourceChunk } from './source';

/** The local store behind the store seam (src/engine/store/types.ts). */
export class IndexSource implements StoreSource {
  /** `unsaved`: the editor's buffers (by absolute path), read before the disk. */
  constructor(
    readonly index: WorkspaceIndex,
    private readonly unsaved?: { get(abs: string): string | undefined },
  ) {}

  get label(): string {
    return this.index.store;
  }

  get chunkCount(): number {
    return this.index.catalog.chunkCount;
  }

  get hasVectors(): boolean {
    return this.index.embedder !== undefined && this.index.vectors !== undefined;
  }

  keywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredChunk[] {
    return this.index.keywordSearch(query, k, filter);
  }

  fileKeywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredFile[] {
    return this.index.fileKeywordSearch(query, k, filter);
  }

  async vectorSearch(query: string, k: number, signal?: AbortSignal, filter?: (chunk: SourceChunk) => boolean): Promise<ScoredChunk[]> {
    return this.index.vectorSearch(query, k, signal, filter);
  }

  readChunkText(chunk: SourceChunk): Promise<string | undefined> {
    const text = this.unsaved?.get(this.index.absolutePath(asLocation(chunk)));
    if (text !== undefined) return Promise.resolve(text.replace(/\r\n?/g, '\n').split('\n').slice(chunk.startLine - 1, chunk.endLine).join('\n'));
    return this.index.readChunkText(asLocation(chunk));
  }

  /** Lines [startLine, endLine] of a file in the index (passages span several chunks). */
  readLines(root: number, rel: string, startLine: number, endLine: number): Promise<string | undefined> {
    return this.readChunkText({ id: '', root, path: rel, startLine, endLine, symbol: '', language: '' });
  }

  /** How a path is shown: relative to its root; prefixed by the root's folder name when there are several. */
  displayPath(root: number, rel: string): string {
    return this.index.roots.length > 1 ? `${path.basename(this.index.roots[root])}/${rel}` : rel;
  }
}

function asLocation(chunk: SourceChunk): ChunkLocation {
  return { hash: '', ...chunk, root: chunk.root ?? 0 };
}
