/**
 * A git change as files and hunks. Diffs are taken with no context (-U0) so a hunk's range is exactly
 * the lines that changed, and with rename detection so a moved file is one change, not a delete and
 * an add. `resolveChange` turns what the user typed into the two sides git should compare.
 */
import { KeelError } from '../../common/errors';
import { git } from './git';

export interface DiffLine {
  /** 1-based line in the new file (added) or the old file (removed). */
  line: number;
  text: string;
}

export interface DiffHunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  added: DiffLine[];
  removed: DiffLine[];
}

export interface FileDiff {
  oldPath: string | undefined;
  newPath: string | undefined;
  binary: boolean;
  hunks: DiffHunk[];
}

/** The two sides of a change: `base` is a revision, `head` a revision or ':' (the index). */
export interface Change {
  label: string;
  base: string;
  head: string;
  diffArgs: string[];
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/**
 * `A..B` and `A...B` as git means them; one revision means that commit. No range: the staged change,
 * else the last commit. Anything that looks like an option is refused (git would take it as one).
 */
export async function resolveChange(top: string, range: string | undefined, signal?: AbortSignal): Promise<Change> {
  if (range === undefined || range === '') {
    const staged = await git(top, ['diff', '--cached', '--quiet'], { signal, okCodes: [1] });
    if (staged.code === 1) return { label: 'staged', base: 'HEAD', head: ':', diffArgs: ['--cached'] };
    return commitChange(top, 'HEAD', signal);
  }
  if (range.startsWith('-') || /\s/.test(range)) throw new KeelError('BAD_INPUT', `Not a git range: ${range}`);
  const three = range.indexOf('...');
  if (three >= 0) {
    const a = range.slice(0, three) || 'HEAD';
    const b = range.slice(three + 3) || 'HEAD';
    const base = (await git(top, ['merge-base', await verify(top, a, signal), await verify(top, b, signal)], { signal })).stdout.trim();
    const head = await verify(top, b, signal);
    return { label: range, base, head, diffArgs: [base, head] };
  }
  const two = range.indexOf('..');
  if (two >= 0) {
    const base = await verify(top, range.slice(0, two) || 'HEAD', signal);
    const head = await verify(top, range.slice(two + 2) || 'HEAD', signal);
    return { label: range, base, head, diffArgs: [base, head] };
  }
  return commitChange(top, range, signal);
}

async function commitChange(top: string, rev: string, signal?: AbortSignal): Promise<Change> {
  const head = await verify(top, rev, signal);
  const parent = await git(top, ['rev-parse', '--verify', '-q', `${head}^`], { signal, okCodes: [1] });
  const base = parent.code === 0 ? parent.stdout.trim() : EMPTY_TREE;
  return { label: rev, base, head, diffArgs: [base, head] };
}

async function verify(top: string, rev: string, signal?: AbortSignal): Promise<string> {
  const r = await git(top, ['rev-parse', '--verify', '-q', `${rev}^{commit}`], { signal, okCodes: [1] });
  if (r.code !== 0) throw new KeelError('BAD_INPUT', `Unknown revision: ${rev}`);
  return r.stdout.trim();
}

export async function diffChange(top: string, change: Change, signal?: AbortSignal): Promise<FileDiff[]> {
  const out = await git(top, ['diff', '-U0', '--no-ext-diff', '--no-textconv', '-M', '--src-prefix=a/', '--dst-prefix=b/', ...change.diffArgs], { signal });
  return parseDiff(out.stdout);
}

/** Parse `git diff -U0` output. */
export function parseDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | undefined;
  let hunk: DiffHunk | undefined;
  let oldLine = 0;
  let newLine = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const m = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
      file = { oldPath: m?.[1], newPath: m?.[2], binary: false, hunks: [] };
      files.push(file);
      hunk = undefined;
      continue;
    }
    if (!file) continue;
    if (!hunk) {
      if (line.startsWith('--- ')) file.oldPath = line === '--- /dev/null' ? undefined : unquote(line.slice(4)).replace(/^a\//, '');
      else if (line.startsWith('+++ ')) file.newPath = line === '+++ /dev/null' ? undefined : unquote(line.slice(4)).replace(/^b\//, '');
      else if (line.startsWith('rename from ')) file.oldPath = unquote(line.slice(12));
      else if (line.startsWith('rename to ')) file.newPath = unquote(line.slice(10));
      else if (line.startsWith('new file mode')) file.oldPath = undefined;
      else if (line.startsWith('deleted file mode')) file.newPath = undefined;
      else if (line.startsWith('Binary files ')) file.binary = true;
    }
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (h) {
      hunk = { oldStart: +h[1], oldCount: h[2] === undefined ? 1 : +h[2], newStart: +h[3], newCount: h[4] === undefined ? 1 : +h[4], added: [], removed: [] };
      file.hunks.push(hunk);
      oldLine = hunk.oldStart;
      newLine = hunk.newStart;
      continue;
    }
    if (!hunk) continue;
    if (line.startsWith('+')) hunk.added.push({ line: newLine++, text: line.slice(1) });
    else if (line.startsWith('-')) hunk.removed.push({ line: oldLine++, text: line.slice(1) });
  }
  return files;
}

/** git quotes names with unusual bytes even with quotePath off ("a\tb"): undo the common escapes. */
function unquote(name: string): string {
  if (!name.startsWith('"') || !name.endsWith('"')) return name;
  return name.slice(1, -1).replace(/\\([\\"tn])/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c));
}
