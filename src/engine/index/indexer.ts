/**
 * Brings an open index up to date with the workspace. Two phases, so that keyword search is ready as
 * soon as possible and a slow (remote) embedder never holds it back:
 *   1. walk → diff against the catalog → read + chunk changed files → catalog + keyword index → commit;
 *   2. embed the chunks that lack vectors (reusing vectors by chunk hash) → commit, periodically.
 * Freshness is decided cheaply: a file whose size and mtime match the catalog is not read; one whose
 * content hash matches is not re-chunked. Everything is cancellable between files and batches.
 */
import type { IndexProgress, IndexSummary, SkippedFile } from '../../protocol';
import { throwIfCancelled } from '../../common/errors';
import { countSkipKinds } from '../workspace/fileGuard';
import { displayPath, walkWorkspace, type WalkedFile } from '../workspace/walker';
import { createFilePreparer } from './chunkPool';
import type { PreparedFile } from './prepareFile';
import type { PendingEmbedding, WorkspaceIndex } from './workspaceIndex';

export interface SyncOptions {
  maxFileSizeBytes: number;
  exclude?: readonly string[];
  /** Follow symlinks out of the workspace roots (`keel.index.followSymlinksOutside`). */
  followSymlinksOutside?: boolean;
  /** Index vendored, minified and generated files too (`keel.index.includeGenerated`). */
  includeGenerated?: boolean;
  /** Unsaved editor text by absolute path, read instead of the disk by live updates. */
  overlay?: { get(abs: string): string | undefined };
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  /** Commit the keyword phase every this many changed files, so a crash or cancel keeps progress. */
  commitEveryFiles?: number;
  /** Commit the embedding phase at least this often. */
  commitEveryMs?: number;
  embedBatch?: number;
}

export interface SyncResult extends IndexSummary {
  changed: number;
  removed: number;
  embedded: number;
  reused: number;
  /** Milliseconds per phase, for benchmarks and logs. */
  phases: Record<'walk' | 'chunk' | 'commitKeywords' | 'embed', number>;
  chunksProcessed: number;
}

export async function syncIndex(index: WorkspaceIndex, options: SyncOptions): Promise<SyncResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const phases = { walk: 0, chunk: 0, commitKeywords: 0, embed: 0 };
  let t = performance.now();
  if (index.vectors) {
    await index.vectors.load();
    for (const problem of index.vectors.problems.splice(0)) {
      index.log.warn(problem);
      index.notices.push(problem);
    }
  }
  progress({ phase: 'walk', done: 0, total: 0 });
  const walked = await walkWorkspace(index.roots, {
    maxFileSizeBytes: options.maxFileSizeBytes,
    exclude: options.exclude,
    followSymlinksOutside: options.followSymlinksOutside,
    includeGenerated: options.includeGenerated,
    signal: options.signal,
    ignoreDirs: [index.store],
  });
  phases.walk = performance.now() - t;

  t = performance.now();
  const seen = index.roots.map(() => new Set<string>());
  for (const f of walked.files) seen[f.root].add(f.rel);
  let removed = 0;
  for (const { root, path } of [...index.catalog.entries()]) {
    if (!seen[root].has(path) && index.removeFile(root, path)) removed++;
  }
  const todo = walked.files.filter((f) => {
    const record = index.catalog.get(f.root, f.rel);
    return !record || record.size !== f.size || record.mtimeMs !== f.mtimeMs || !index.fullyEmbedded(f.root, f.rel);
  });
  const skipped: SkippedFile[] = [...walked.skipped];
  const pending: PendingEmbedding[] = [];
  const { changed, chunks } = await processFiles(index, todo, options, skipped, pending, (done) =>
    progress({ phase: 'chunk', done, total: todo.length }),
  );
  phases.chunk = performance.now() - t;

  t = performance.now();
  index.setSkipped(skipped);
  progress({ phase: 'write', done: 0, total: 1 });
  await index.persist();
  phases.commitKeywords = performance.now() - t;

  t = performance.now();
  const { embedded, reused } = await embedPending(index, pending, options, progress);
  phases.embed = performance.now() - t;
  index.keywords.prepareForUpdates(); // the session's first live update then stays fast
  progress({ phase: 'done', done: walked.files.length, total: walked.files.length });
  return {
    files: index.catalog.fileCount,
    chunks: index.catalog.chunkCount,
    skipped: skipped.length,
    skippedReasons: countSkipKinds(skipped),
    ms: Math.round(performance.now() - started),
    changed, removed, embedded, reused, phases, chunksProcessed: chunks,
  };
}

/** Below this many files, starting worker threads costs more than it saves. */
const POOL_THRESHOLD = 200;

/** Reads and chunks `files`, updating the index; collects skips and chunks that need vectors. */
async function processFiles(
  index: WorkspaceIndex, files: readonly WalkedFile[], options: SyncOptions, skipped: SkippedFile[],
  pending: PendingEmbedding[], onDone: (done: number) => void,
): Promise<{ changed: number; chunks: number }> {
  const every = options.commitEveryFiles ?? 2000;
  let changed = 0;
  let chunks = 0;
  // Preparation (read + chunk) runs ahead on worker threads while this thread updates the index, in
  // file order, so results and commits are deterministic.
  const preparer = files.length >= POOL_THRESHOLD ? createFilePreparer() : createFilePreparer(1);
  const prepared = new Map<number, Promise<PreparedFile>>();
  const ahead = (i: number): void => {
    if (i >= files.length || prepared.has(i)) return;
    const f = files[i];
    const record = index.catalog.get(f.root, f.rel);
    prepared.set(i, preparer.prepare({
      abs: f.abs, rel: f.rel, maxBytes: options.maxFileSizeBytes,
      roots: [...index.roots], followSymlinksOutside: options.followSymlinksOutside, includeGenerated: options.includeGenerated,
      knownHash: record?.hash, needChunks: record ? !index.fullyEmbedded(f.root, f.rel) : true,
    }));
  };
  try {
    for (let i = 0; i < Math.min(preparer.parallelism, files.length); i++) ahead(i);
    for (let i = 0; i < files.length; i++) {
      throwIfCancelled(options.signal);
      const f = files[i];
      const record = index.catalog.get(f.root, f.rel);
      ahead(i + preparer.parallelism);
      const read = await prepared.get(i)!;
      prepared.delete(i);
      if (!read.ok) {
        skipped.push({ path: displayPath(index.roots, f.root, f.rel), reason: read.reason, kind: read.kind });
        if (index.removeFile(f.root, f.rel)) changed++;
      } else if (record && record.hash === read.hash) {
        index.touchFile(f.root, f.rel, f.size, f.mtimeMs);
        if (read.chunks && !index.fullyEmbedded(f.root, f.rel)) pending.push(...index.missingVectors(f.root, f.rel, read.chunks));
      } else {
        const fileChunks = read.chunks ?? [];
        pending.push(...index.putFile(f.root, f.rel, { size: f.size, mtimeMs: f.mtimeMs, hash: read.hash }, fileChunks));
        chunks += fileChunks.length;
        changed++;
      }
      if ((i + 1) % 100 === 0 || i + 1 === files.length) onDone(i + 1);
      if ((i + 1) % every === 0) await index.persist();
    }
  } finally {
    // Cancelled mid-way: the files still being prepared are rejected when the pool closes. Handle them
    // before closing — a rejection with no handler yet takes the whole process down (`keel mcp`).
    const stragglers = Promise.allSettled(prepared.values());
    await preparer.close();
    await stragglers;
  }
  return { changed, chunks };
}

async function embedPending(
  index: WorkspaceIndex, pending: readonly PendingEmbedding[], options: SyncOptions,
  progress: (p: IndexProgress) => void,
): Promise<{ embedded: number; reused: number }> {
  if (!index.embedder || pending.length === 0) return { embedded: 0, reused: 0 };
  const batch = options.embedBatch ?? 256;
  const every = options.commitEveryMs ?? 15_000;
  let lastCommit = performance.now();
  let embedded = 0;
  let reused = 0;
  for (let i = 0; i < pending.length; i += batch) {
    throwIfCancelled(options.signal);
    const r = await index.embed(pending.slice(i, i + batch), options.signal);
    embedded += r.embedded;
    reused += r.reused;
    progress({ phase: 'embed', done: Math.min(i + batch, pending.length), total: pending.length });
    if (performance.now() - lastCommit > every) {
      await index.persist();
      lastCommit = performance.now();
    }
  }
  progress({ phase: 'write', done: 0, total: 1 });
  await index.persist();
  return { embedded, reused };
}
