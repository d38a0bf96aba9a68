/**
 * The CPU-heavy part of indexing one file — read, decode, checks, tree-sitter chunking — as a pure
 * function of the file, so it can run on a worker thread (chunkPool.ts) or in-process alike.
 */
import type { SkipKind } from '../../protocol';
import { readSourceFile } from '../workspace/sourceFile';
import type { Chunk } from './chunk';
import { chunkFile } from './chunker';
import { maskSecrets } from './secretMask';

export interface PrepareRequest {
  abs: string;
  rel: string;
  maxBytes: number;
  /** If the content hash equals this, chunking is skipped (content unchanged, only mtime moved). */
  knownHash?: string;
  /** …unless chunks are needed anyway (vectors missing). */
  needChunks?: boolean;
  /** Workspace roots: the file's real path must be inside one of them. */
  roots?: string[];
  followSymlinksOutside?: boolean;
  includeGenerated?: boolean;
}

export type PreparedFile =
  | { ok: true; hash: string; size: number; chunks: Chunk[] | undefined }
  | { ok: false; reason: string; kind: SkipKind };

export async function prepareFile(req: PrepareRequest): Promise<PreparedFile> {
  const read = await readSourceFile(req.abs, req.maxBytes, { roots: req.roots, followSymlinksOutside: req.followSymlinksOutside, includeGenerated: req.includeGenerated });
  if (!read.ok) return read;
  const unchanged = req.knownHash !== undefined && req.knownHash === read.hash;
  const chunks = unchanged && !req.needChunks ? undefined : await chunkFile(req.rel, maskSecrets(read.text));
  return { ok: true, hash: read.hash, size: read.size, chunks };
}
