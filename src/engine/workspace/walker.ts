/**
 * Lists the files of one or more workspace folders that Keel should index. Never throws for a bad
 * file or folder: symlink loops, broken links, unreadable directories and oversized files become
 * `skipped` entries with a human reason (shown by `keel status` and Keel: Show Index Status).
 */
import * as fs from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import type { SkippedFile } from '../../protocol';
import { throwIfCancelled } from '../../common/errors';
import { DEFAULT_EXCLUDES, isIgnored, isSecretFile, ruleSet, type RuleSet } from './ignoreRules';

export interface WalkedFile {
  /** Index into the roots array. */
  root: number;
  /** Posix path relative to its root. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

export interface WalkOptions {
  maxFileSizeBytes: number;
  /** Extra patterns (.gitignore syntax) applied at every root, after the defaults. */
  exclude?: readonly string[];
  /** Absolute folders never to enter (the index store, if someone put it inside a workspace). */
  ignoreDirs?: readonly string[];
  signal?: AbortSignal;
}

export interface WalkResult {
  files: WalkedFile[];
  skipped: SkippedFile[];
}

const IGNORE_FILES = ['.gitignore', '.keelignore'] as const;

/** How a skipped path is shown: relative for one root, prefixed by the folder name for several. */
export function displayPath(roots: readonly string[], root: number, rel: string): string {
  return roots.length > 1 ? `${path.basename(roots[root])}/${rel}` : rel;
}

export async function walkWorkspace(roots: readonly string[], options: WalkOptions): Promise<WalkResult> {
  const result: WalkResult = { files: [], skipped: [] };
  const visitedDirs = new Set<string>();
  for (const dir of options.ignoreDirs ?? []) visitedDirs.add(await fs.realpath(dir).catch(() => dir));
  for (let r = 0; r < roots.length; r++) {
    const base = [ruleSet('', [...DEFAULT_EXCLUDES, ...(options.exclude ?? [])])];
    const skip = (rel: string, reason: string): void => {
      result.skipped.push({ path: displayPath(roots, r, rel), reason });
    };
    await walkDir(roots[r], '', base);

    async function walkDir(abs: string, rel: string, stack: RuleSet[]): Promise<void> {
      throwIfCancelled(options.signal);
      let real: string;
      let entries: Dirent[];
      try {
        real = await fs.realpath(abs);
        if (visitedDirs.has(real)) {
          if (rel && !options.ignoreDirs?.some((d) => real === d || abs === d)) {
            skip(rel, 'symlink loop or folder already indexed through another path');
          }
          return;
        }
        visitedDirs.add(real);
        entries = await fs.readdir(abs, { withFileTypes: true });
      } catch (error) {
        skip(rel || '.', describeFsError(error));
        return;
      }
      const rules = [...stack];
      for (const name of IGNORE_FILES) {
        if (!entries.some((e) => e.name === name)) continue;
        try {
          rules.push(ruleSet(rel, await fs.readFile(path.join(abs, name), 'utf8')));
        } catch (error) {
          skip(rel ? `${rel}/${name}` : name, `ignore file unreadable: ${describeFsError(error)}`);
        }
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: Array<[string, string]> = [];
      const files: Array<{ childAbs: string; childRel: string }> = [];
      for (const entry of entries) {
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        const childAbs = path.join(abs, entry.name);
        let isDir = entry.isDirectory();
        if (entry.isSymbolicLink()) {
          try {
            isDir = (await fs.stat(childAbs)).isDirectory();
          } catch (error) {
            skip(childRel, describeFsError(error));
            continue;
          }
        } else if (!isDir && !entry.isFile()) {
          continue; // sockets, fifos, devices: not source
        }
        if (isIgnored(rules, childRel, isDir)) continue;
        if (isDir) subdirs.push([childAbs, childRel]);
        else if (isSecretFile(entry.name)) skip(childRel, 'secret-bearing file (never indexed)');
        else files.push({ childAbs, childRel });
      }
      // stat files of one directory together: the syscalls overlap, a 10k-file folder stays fast
      const stats = await Promise.all(
        files.map((f) => fs.stat(f.childAbs).then((st): Stats | { error: unknown } => st, (error: unknown) => ({ error }))),
      );
      files.forEach((f, i) => {
        const st = stats[i];
        if ('error' in st) {
          skip(f.childRel, describeFsError(st.error));
        } else if (st.size > options.maxFileSizeBytes) {
          skip(f.childRel, `too large (${Math.ceil(st.size / 1024)} KB > ${Math.floor(options.maxFileSizeBytes / 1024)} KB)`);
        } else {
          result.files.push({ root: r, rel: f.childRel, abs: f.childAbs, size: st.size, mtimeMs: st.mtimeMs });
        }
      });
      for (const [childAbs, childRel] of subdirs) await walkDir(childAbs, childRel, rules);
    }
  }
  return result;
}

/** A short reason for a failed file-system call, suitable for users. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ELOOP': return 'symlink loop';
    case 'ENOENT': return 'deleted or broken link';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENAMETOOLONG': return 'path too long';
    case 'EISDIR': return 'is a directory';
    default: return `unreadable (${code ?? (error as Error | undefined)?.message ?? 'unknown error'})`;
  }
}

export type PathVerdict =
  | { kind: 'file'; size: number; mtimeMs: number }
  | { kind: 'ignored' }
  | { kind: 'directory' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'gone' };

/**
 * The walker's decision for one path (a file event), without walking: applies the same defaults and
 * the .gitignore / .keelignore files of every folder from the root down to the path.
 */
export async function checkPath(root: string, rel: string, options: WalkOptions): Promise<PathVerdict> {
  const parts = rel.split('/');
  const stack = [ruleSet('', [...DEFAULT_EXCLUDES, ...(options.exclude ?? [])])];
  for (let depth = 0; depth < parts.length; depth++) {
    const dirRel = parts.slice(0, depth).join('/');
    for (const name of IGNORE_FILES) {
      const text = await fs.readFile(path.join(root, dirRel, name), 'utf8').catch(() => undefined);
      if (text !== undefined) stack.push(ruleSet(dirRel, text));
    }
    const prefix = parts.slice(0, depth + 1).join('/');
    if (depth < parts.length - 1 && isIgnored(stack, prefix, true)) return { kind: 'ignored' };
  }
  let st: Stats;
  try {
    st = await fs.stat(path.join(root, rel));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { kind: 'gone' } : { kind: 'skipped', reason: describeFsError(error) };
  }
  if (isIgnored(stack, rel, st.isDirectory())) return { kind: 'ignored' };
  if (st.isDirectory()) return { kind: 'directory' };
  if (!st.isFile()) return { kind: 'ignored' };
  if (isSecretFile(parts[parts.length - 1])) return { kind: 'skipped', reason: 'secret-bearing file (never indexed)' };
  if (st.size > options.maxFileSizeBytes) {
    return { kind: 'skipped', reason: `too large (${Math.ceil(st.size / 1024)} KB > ${Math.floor(options.maxFileSizeBytes / 1024)} KB)` };
  }
  return { kind: 'file', size: st.size, mtimeMs: st.mtimeMs };
}
