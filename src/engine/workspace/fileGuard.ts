/**
 * What makes a path safe to read, decided before any byte is read: a regular file (a FIFO blocks a
 * reader forever, /dev/zero never ends, a socket is not content), whose real location is inside the
 * workspace roots (a link to /etc must not put /etc/shadow into an index) unless the user allowed
 * links out. Every "no" carries a kind, so counts per reason can be shown.
 */
import * as fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import type { SkipKind } from '../../protocol';

export interface Skip {
  kind: SkipKind;
  reason: string;
}

export interface Containment {
  /** Real paths (symlinks resolved) of the workspace roots. */
  realRoots: readonly string[];
  /** Follow links whose target lies outside every root (`keel.index.followSymlinksOutside`). */
  followSymlinksOutside: boolean;
}

export type EntryVerdict =
  | { kind: 'file'; real: string; stat: Stats }
  | { kind: 'directory'; real: string }
  | { kind: 'skip'; skip: Skip };

export async function containment(roots: readonly string[], followSymlinksOutside = false): Promise<Containment> {
  const realRoots = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => path.resolve(r))));
  return { realRoots, followSymlinksOutside };
}

export function isInside(real: string, realRoots: readonly string[]): boolean {
  return realRoots.some((root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
}

export function tooLarge(size: number, maxBytes: number): Skip {
  return { kind: 'tooLarge', reason: `too large (${Math.ceil(size / 1024)} KB > ${Math.floor(maxBytes / 1024)} KB)` };
}

export function specialFile(st: Stats): Skip {
  const what = st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
  return { kind: 'special', reason: `${what} (only regular files are indexed)` };
}

export const OUTSIDE: Skip = { kind: 'outsideWorkspace', reason: 'link to a location outside the workspace (not followed)' };

/**
 * Resolves a path (typically a symlink) to what it really is. `stat` is only called on the real path
 * after the containment check, so nothing outside the roots is even stat'ed.
 */
export async function resolveEntry(abs: string, policy: Containment): Promise<EntryVerdict> {
  let real: string;
  try {
    real = await fs.realpath(abs);
  } catch (error) {
    return { kind: 'skip', skip: fsSkip(error) };
  }
  if (!policy.followSymlinksOutside && !isInside(real, policy.realRoots)) return { kind: 'skip', skip: OUTSIDE };
  let st: Stats;
  try {
    st = await fs.stat(real);
  } catch (error) {
    return { kind: 'skip', skip: fsSkip(error) };
  }
  if (st.isDirectory()) return { kind: 'directory', real };
  if (!st.isFile()) return { kind: 'skip', skip: specialFile(st) };
  return { kind: 'file', real, stat: st };
}

/** A skip for a failed file-system call, with a short reason suitable for users. */
export function fsSkip(error: unknown): Skip {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ELOOP': return { kind: 'loop', reason: 'symlink loop' };
    case 'ENOENT': return { kind: 'unreadable', reason: 'deleted or broken link' };
    case 'EACCES':
    case 'EPERM': return { kind: 'unreadable', reason: 'permission denied' };
    case 'ENAMETOOLONG': return { kind: 'unreadable', reason: 'path too long' };
    case 'EISDIR': return { kind: 'unreadable', reason: 'is a directory' };
    default: return { kind: 'unreadable', reason: `unreadable (${code ?? (error as Error | undefined)?.message ?? 'unknown error'})` };
  }
}

/** Counts per kind, for `keel index --json`'s `skippedReasons`. */
export function countSkipKinds(skipped: ReadonlyArray<{ kind?: SkipKind }>): Partial<Record<SkipKind, number>> {
  const counts: Partial<Record<SkipKind, number>> = {};
  for (const s of skipped) {
    const kind = s.kind ?? 'other';
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
