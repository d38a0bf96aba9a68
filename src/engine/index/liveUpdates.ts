/**
 * Applies file events (create / change / delete / rename = delete + create) to an open index. Small
 * batches are applied path by path; a batch that touches ignore files, folders, or more paths than a
 * re-walk costs (a branch switch) is handled as one full sync, which is incremental anyway: unchanged
 * files are recognised by size + mtime and never read.
 */
import * as path from 'node:path';
import { judgeText, readSourceFile } from '../workspace/sourceFile';
import { maskSecrets } from './secretMask';
import { checkPath, displayPath } from '../workspace/walker';
import { chunkFile } from './chunker';
import { syncIndex, type SyncOptions } from './indexer';
import type { PendingEmbedding, WorkspaceIndex } from './workspaceIndex';

export interface FileChanges {
  changed: readonly string[];
  deleted: readonly string[];
}

export interface ChangesResult {
  /** Files added, changed or removed in the index. */
  applied: number;
  /** True if the batch was handled by a full (incremental) sync. */
  fullSync: boolean;
}

/** Above this many paths a walk is cheaper than per-path ignore checks. */
const FULL_SYNC_THRESHOLD = 300;

export async function applyFileChanges(index: WorkspaceIndex, changes: FileChanges, options: SyncOptions): Promise<ChangesResult> {
  const located = (abs: string): { root: number; rel: string } | undefined => {
    const full = path.resolve(abs);
    for (let root = 0; root < index.roots.length; root++) {
      const rel = path.relative(index.roots[root], full);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { root, rel: rel.split(path.sep).join('/') };
    }
    return undefined;
  };
  const deleted = changes.deleted.map(located).filter((x) => x !== undefined);
  const changed = changes.changed.map(located).filter((x) => x !== undefined);
  const touchesRules = [...deleted, ...changed].some(({ rel }) => /(^|\/)\.(git|keel)ignore$/.test(rel));
  if (touchesRules || deleted.length + changed.length > FULL_SYNC_THRESHOLD) {
    const r = await syncIndex(index, options);
    return { applied: r.changed + r.removed, fullSync: true };
  }
  if (index.vectors) await index.vectors.load();
  let applied = 0;
  for (const { root, rel } of deleted) {
    if (index.removeFile(root, rel)) applied++;
    // a deleted folder: drop everything under it
    for (const e of [...index.catalog.entries()]) {
      if (e.root === root && e.path.startsWith(`${rel}/`) && index.removeFile(root, e.path)) applied++;
    }
  }
  const pending: PendingEmbedding[] = [];
  const skipped = index.skipped.filter((s) => !changed.some((c) => displayPath(index.roots, c.root, c.rel) === s.path));
  for (const { root, rel } of changed) {
    const verdict = await checkPath(index.roots[root], rel, options);
    if (verdict.kind === 'directory') {
      const r = await syncIndex(index, options); // a folder appeared (or was renamed in): walk it
      return { applied: applied + r.changed + r.removed, fullSync: true };
    }
    if (verdict.kind !== 'file') {
      if (index.removeFile(root, rel)) applied++;
      if (verdict.kind === 'skipped') skipped.push({ path: displayPath(index.roots, root, rel), reason: verdict.reason, kind: verdict.skipKind });
      continue;
    }
    const abs = path.join(index.roots[root], rel);
    const unsaved = options.overlay?.get(abs);
    const read = unsaved !== undefined
      ? judgeText(unsaved.replace(/\r\n?/g, '\n'), unsaved, { includeGenerated: options.includeGenerated })
      : await readSourceFile(abs, options.maxFileSizeBytes, {
        roots: index.roots, followSymlinksOutside: options.followSymlinksOutside, includeGenerated: options.includeGenerated,
      });
    if (!read.ok) {
      if (index.removeFile(root, rel)) applied++;
      skipped.push({ path: displayPath(index.roots, root, rel), reason: read.reason, kind: read.kind });
      continue;
    }
    const record = index.catalog.get(root, rel);
    if (record && record.hash === read.hash) {
      index.touchFile(root, rel, verdict.size, verdict.mtimeMs);
      continue;
    }
    // Unsaved text is recorded with mtime 0, so the next walk re-reads the disk (the buffer may never be saved).
    const mtimeMs = unsaved !== undefined ? 0 : verdict.mtimeMs;
    pending.push(...index.putFile(root, rel, { size: verdict.size, mtimeMs, hash: read.hash }, await chunkFile(rel, maskSecrets(read.text))));
    applied++;
  }
  index.setSkipped(skipped);
  await index.embed(pending, options.signal); // vectors are visible to queries at once; persist() writes them
  return { applied, fullSync: false };
}
