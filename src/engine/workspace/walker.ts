/**
 * Lists the files of one or more workspace folders that Keel should index. Never throws for a bad
 * file or folder: symlink loops, broken links, unreadable directories, oversized files, devices,
 * FIFOs, sockets and links out of the workspace become `skipped` entries with a kind and a human
 * reason (shown by `keel status` and Keel: Show Index Status). Nothing here opens a file.
 */
import * as fs from 'node:fs/promises';
import { constants as fsConstants, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { SkipKind, SkippedFile } from '../../protocol';
import { throwIfCancelled } from '../../common/errors';
import { containment, fsSkip, resolveEntry, specialFile, tooLarge, type Skip } from './fileGuard';
import { defaultSkipDir, defaultSkipFile, type DefaultSkip } from '../index/fileKind';
import { DEFAULT_EXCLUDES, isIgnored, ruleSet, type RuleSet } from './ignoreRules';
import { isSecretFileName } from './secretFiles';

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
  /** Follow symlinks whose target is outside every root (default: skip them). */
  followSymlinksOutside?: boolean;
  /** Index vendored folders and minified / generated files too (`keel.index.includeGenerated`); default: skip them. */
  includeGenerated?: boolean;
  signal?: AbortSignal;
}

const SECRET_REASON = 'secret-bearing file (never indexed)';

const DEFAULT_SKIP_REASON: Record<DefaultSkip, string> = {
  vendored: 'vendored third-party folder (not entered)',
  minified: 'minified file (by name)',
  generated: 'generated code (by name)',
};

/** The skip for a path Keel leaves out by default (vendored / minified / generated), unless re-included. */
export function defaultSkip(rel: string, isDirectory: boolean, options: Pick<WalkOptions, 'includeGenerated'>): Skip | undefined {
  if (options.includeGenerated) return undefined;
  const why = isDirectory ? defaultSkipDir(rel.slice(rel.lastIndexOf('/') + 1)) : defaultSkipFile(rel);
  if (!why) return undefined;
  return { kind: why === 'vendored' ? 'vendored' : 'generated', reason: DEFAULT_SKIP_REASON[why] };
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
  const policy = await containment(roots, options.followSymlinksOutside);
  for (const dir of options.ignoreDirs ?? []) visitedDirs.add(await fs.realpath(dir).catch(() => dir));
  for (let r = 0; r < roots.length; r++) {
    const base = [ruleSet('', [...DEFAULT_EXCLUDES, ...(options.exclude ?? [])])];
    const skip = (rel: string, { kind, reason }: Skip): void => {
      result.skipped.push({ path: displayPath(roots, r, rel), reason, kind });
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
            skip(rel, { kind: 'loop', reason: 'symlink loop or folder already indexed through another path' });
          }
          return;
        }
        visitedDirs.add(real);
        entries = await fs.readdir(abs, { withFileTypes: true });
      } catch (error) {
        skip(rel || '.', fsSkip(error));
        return;
      }
      const rules = [...stack];
      for (const name of IGNORE_FILES) {
        const entry = entries.find((e) => e.name === name);
        if (!entry) continue;
        if (!entry.isFile()) {
          skip(rel ? `${rel}/${name}` : name, { kind: 'special', reason: 'ignore file is not a regular file (not read)' });
          continue;
        }
        try {
          rules.push(ruleSet(rel, await readSmallText(path.join(abs, name))));
        } catch (error) {
          const s = fsSkip(error);
          skip(rel ? `${rel}/${name}` : name, { kind: s.kind, reason: `ignore file unreadable: ${s.reason}` });
        }
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: Array<[string, string]> = [];
      const files: Array<{ childAbs: string; childRel: string; stat?: Stats }> = [];
      for (const entry of entries) {
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        const childAbs = path.join(abs, entry.name);
        if (entry.isSymbolicLink()) {
          // decided on what the link points at: its real path must be inside, its type regular/dir
          const target = await resolveEntry(childAbs, policy);
          if (target.kind === 'skip') {
            if (!isIgnored(rules, childRel, false)) skip(childRel, target.skip);
            continue;
          }
          const isDir = target.kind === 'directory';
          if (isIgnored(rules, childRel, isDir)) continue;
          const byName = defaultSkip(childRel, isDir, options);
          if (byName) skip(childRel, byName);
          else if (isDir) subdirs.push([childAbs, childRel]);
          else if (isSecretFileName(entry.name) || isSecretFileName(path.basename(target.real))) skip(childRel, { kind: 'secret', reason: SECRET_REASON });
          else files.push({ childAbs, childRel, stat: target.stat });
          continue;
        }
        const isDir = entry.isDirectory();
        if (isIgnored(rules, childRel, isDir)) continue;
        const byName = entry.isFile() || isDir ? defaultSkip(childRel, isDir, options) : undefined;
        if (byName) skip(childRel, byName);
        else if (isDir) subdirs.push([childAbs, childRel]);
        else if (!entry.isFile()) skip(childRel, { kind: 'special', reason: 'not a regular file (device, FIFO or socket)' });
        else if (isSecretFileName(entry.name)) skip(childRel, { kind: 'secret', reason: SECRET_REASON });
        else files.push({ childAbs, childRel });
      }
      // lstat files of one directory together: the syscalls overlap, a 10k-file folder stays fast
      const stats = await Promise.all(
        files.map((f) => f.stat ?? fs.lstat(f.childAbs).then((st): Stats | { error: unknown } => st, (error: unknown) => ({ error }))),
      );
      files.forEach((f, i) => {
        const st = stats[i];
        if ('error' in st) skip(f.childRel, fsSkip(st.error));
        else if (!st.isFile()) skip(f.childRel, specialFile(st)); // replaced since readdir
        else if (st.size > options.maxFileSizeBytes) skip(f.childRel, tooLarge(st.size, options.maxFileSizeBytes));
        else result.files.push({ root: r, rel: f.childRel, abs: f.childAbs, size: st.size, mtimeMs: st.mtimeMs });
      });
      for (const [childAbs, childRel] of subdirs) await walkDir(childAbs, childRel, rules);
    }
  }
  return result;
}

/** Ignore files are read bounded: a 2 GB `.gitignore` must not be read whole. */
async function readSmallText(abs: string, maxBytes = 1 << 20): Promise<string> {
  const handle = await fs.open(abs, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  try {
    const st = await handle.stat();
    if (!st.isFile()) return '';
    const buffer = Buffer.alloc(Math.min(st.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** A short reason for a failed file-system call, suitable for users. */
export function describeFsError(error: unknown): string {
  return fsSkip(error).reason;
}

export type PathVerdict =
  | { kind: 'file'; size: number; mtimeMs: number }
  | { kind: 'ignored' }
  | { kind: 'directory' }
  | { kind: 'skipped'; reason: string; skipKind: SkipKind }
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
    // inside a vendored / generated folder: the walk lists the folder once, so a file event adds nothing
    if (depth < parts.length - 1 && defaultSkip(prefix, true, options)) return { kind: 'ignored' };
  }
  const abs = path.join(root, rel);
  let link: Stats;
  try {
    link = await fs.lstat(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
    const s = fsSkip(error);
    return { kind: 'skipped', reason: s.reason, skipKind: s.kind };
  }
  const policy = await containment([root], options.followSymlinksOutside);
  // a parent folder may be a link out of the workspace too: judge the real path, not the spelling
  const target = await resolveEntry(abs, policy);
  if (target.kind === 'skip') {
    if (isIgnored(stack, rel, false)) return { kind: 'ignored' };
    return { kind: 'skipped', reason: target.skip.reason, skipKind: target.skip.kind };
  }
  const isDir = target.kind === 'directory';
  if (isIgnored(stack, rel, isDir)) return { kind: 'ignored' };
  if (isDir) return defaultSkip(rel, true, options) ? { kind: 'ignored' } : { kind: 'directory' };
  const byName = defaultSkip(rel, false, options);
  if (byName) return { kind: 'skipped', reason: byName.reason, skipKind: byName.kind };
  if (isSecretFileName(parts[parts.length - 1]) || (link.isSymbolicLink() && isSecretFileName(path.basename(target.real)))) {
    return { kind: 'skipped', reason: SECRET_REASON, skipKind: 'secret' };
  }
  const st = target.stat;
  if (st.size > options.maxFileSizeBytes) {
    const s = tooLarge(st.size, options.maxFileSizeBytes);
    return { kind: 'skipped', reason: s.reason, skipKind: s.kind };
  }
  return { kind: 'file', size: st.size, mtimeMs: st.mtimeMs };
}
