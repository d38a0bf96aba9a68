/**
 * Which workspace paths a tool may touch. An agent's path argument is untrusted input (a model can be
 * steered by text it read), so every path is checked the same way, whatever the tool:
 * - it names something inside a workspace folder, also after symlinks are resolved;
 * - no component is a secret-bearing file (.env, keys, credentials) — by name, also the link target's;
 * - the index's ignore rules (defaults, keel.index.exclude, .gitignore / .keelignore at every level)
 *   do not exclude it: what Keel would not index, Keel does not hand to an agent either.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { KeelError } from '../../common/errors';
import { DEFAULT_EXCLUDES, isIgnored, isSecretFile, ruleSet, type RuleSet } from '../workspace/ignoreRules';

export interface ResolvedPath {
  abs: string;
  root: number;
  /** Posix, relative to its root ('' for the root itself). */
  rel: string;
  /** How tools show it: `rel`, prefixed by the folder name in a multi-root workspace. */
  display: string;
  isDirectory: boolean;
}

export interface PathPolicyOptions {
  /** Extra .gitignore patterns (keel.index.exclude). */
  exclude?: readonly string[];
  /** Folders are refused unless allowed (read_code reads files only). */
  allowDirectory?: boolean;
  ignoreFiles?: IgnoreFileCache;
}

const MAX_PATH_CHARS = 1024;
const IGNORE_FILES = ['.gitignore', '.keelignore'] as const;

export async function resolveWorkspacePath(roots: readonly string[], input: unknown, options: PathPolicyOptions = {}): Promise<ResolvedPath> {
  if (typeof input !== 'string' || input.trim() === '') throw new KeelError('INVALID_PARAMS', '`path` must be a non-empty workspace-relative path.');
  if (input.length > MAX_PATH_CHARS || /[\u0000-\u001f]/.test(input)) throw new KeelError('INVALID_PARAMS', '`path` contains control characters or is too long.');
  if (roots.length === 0) throw new KeelError('INVALID_PARAMS', 'No workspace folder is open.');
  const { root, rel } = locate(roots, input.trim().replace(/\\/g, '/'));
  const display = (r: string): string => (roots.length > 1 ? (r ? `${path.basename(roots[root])}/${r}` : path.basename(roots[root])) : r || '.');
  const shown = display(rel);

  checkSecret(rel, shown);
  const abs = rel ? path.join(roots[root], ...rel.split('/')) : roots[root];
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat) throw new KeelError('FILE_NOT_FOUND', `No such file or folder in the workspace: ${shown}`);
  // Symlinks: the target must live in the same folder, and must itself pass the checks.
  const realRoot = await fs.realpath(roots[root]);
  const real = await fs.realpath(abs);
  const realRel = path.relative(realRoot, real);
  if (realRel.startsWith('..') || path.isAbsolute(realRel)) throw denied(shown, 'it resolves (through a symlink) to a place outside the workspace');
  const realPosix = realRel.split(path.sep).join('/');
  checkSecret(realPosix, shown);
  if (stat.isDirectory() && !options.allowDirectory) throw new KeelError('INVALID_PARAMS', `${shown} is a folder; give a file path.`);
  if (!stat.isDirectory() && !stat.isFile()) throw denied(shown, 'it is not a regular file');
  for (const candidate of new Set([rel, realPosix])) {
    if (candidate && (await ignoredByRules(realRoot, candidate, stat.isDirectory(), options.exclude ?? [], options.ignoreFiles))) {
      throw denied(shown, 'the workspace ignore rules exclude it (.gitignore, .keelignore, keel.index.exclude or Keel’s defaults)');
    }
  }
  return { abs, root, rel, display: shown, isDirectory: stat.isDirectory() };
}

/** Maps an agent's path onto a root: relative to the (only) root, `folder/…` in a multi-root workspace, or absolute inside a root. */
function locate(roots: readonly string[], input: string): { root: number; rel: string } {
  let root = 0;
  let relative: string;
  if (path.isAbsolute(input) || /^[a-zA-Z]:\//.test(input)) {
    const abs = path.resolve(input);
    const found = roots.findIndex((r) => abs === r || abs.startsWith(`${r}${path.sep}`));
    if (found < 0) throw denied(input, 'it is outside the workspace');
    root = found;
    relative = path.relative(roots[found], abs).split(path.sep).join('/');
  } else {
    relative = input;
    if (roots.length > 1) {
      const first = input.split('/')[0];
      const found = roots.findIndex((r) => path.basename(r) === first);
      if (found >= 0) {
        root = found;
        relative = input.slice(first.length + 1);
      }
    }
  }
  const rel = path.posix.normalize(relative || '.').replace(/\/+$/, '');
  if (rel === '..' || rel.startsWith('../') || rel.startsWith('/')) throw denied(input, 'it is outside the workspace');
  return { root, rel: rel === '.' ? '' : rel };
}

function checkSecret(rel: string, shown: string): void {
  if (rel.split('/').some((part) => part && isSecretFile(part))) throw denied(shown, 'it may hold secrets (.env files, keys and credentials are never read)');
}

/** Reads of ignore files, shared by the checks of one tool call (passages often share folders). */
export type IgnoreFileCache = Map<string, Promise<string | undefined>>;

/**
 * Compiled rule sets by folder and text. Compiling is most of a check's cost, and the `ignore` rules
 * also remember the paths they tested; a tool call checks every passage it returns, so without this
 * each search recompiled the same .gitignore files for every hit. Keyed by the text itself, so an
 * edited ignore file is compiled afresh.
 */
const compiled = new Map<string, RuleSet>();
const COMPILED_MAX = 256;

function compiledRuleSet(base: string, text: string | readonly string[]): RuleSet {
  const key = `${base}\u0000${typeof text === 'string' ? text : text.join('\n')}`;
  let rules = compiled.get(key);
  if (rules) {
    compiled.delete(key);
  } else {
    rules = ruleSet(base, text);
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value as string);
  }
  compiled.set(key, rules);
  return rules;
}

async function ignoredByRules(root: string, rel: string, isDirectory: boolean, exclude: readonly string[], cache: IgnoreFileCache = new Map()): Promise<boolean> {
  const parts = rel.split('/');
  const stack: RuleSet[] = [compiledRuleSet('', [...DEFAULT_EXCLUDES, ...exclude])];
  for (let depth = 0; depth < parts.length; depth++) {
    const dirRel = parts.slice(0, depth).join('/');
    if (dirRel && isIgnored(stack, dirRel, true)) return true;
    for (const name of IGNORE_FILES) {
      const file = path.join(root, ...parts.slice(0, depth), name);
      let read = cache.get(file);
      if (!read) cache.set(file, (read = fs.readFile(file, 'utf8').catch(() => undefined)));
      const text = await read;
      if (text !== undefined) stack.push(compiledRuleSet(dirRel, text));
    }
  }
  return isIgnored(stack, rel, isDirectory);
}

function denied(shown: string, why: string): KeelError {
  return new KeelError('ACCESS_DENIED', `Keel will not read ${shown}: ${why}.`);
}
