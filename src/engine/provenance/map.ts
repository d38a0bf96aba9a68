/**
 * Which lines at HEAD still carry AI-written text. A line matches a ledger entry by the hash of its
 * (whitespace-normalised) text, wherever it now lives: a rename or a move into another file keeps it.
 * A hash match alone could be a line that already existed before the AI wrote an identical one, so each
 * candidate is confirmed through history: `git blame -M -C` (which follows moves and copies across
 * files) must trace the line to a commit made no earlier than the entry was recorded.
 */
import { spawn } from 'node:child_process';
import type { ProvenanceEntry, ProvenanceLine } from '../../protocol';
import { KeelError } from '../../common/errors';
import { git, gitHead } from '../review/git';
import { lineHash } from './ledger';

/** Commit times have second resolution and clocks differ a little between a laptop and its git host. */
const CLOCK_SLACK_S = 120;
const MAX_BLOB_BYTES = 2 * 1024 * 1024;

export type HashIndex = Map<string, ProvenanceEntry[]>;

export function indexByLineHash(entries: readonly ProvenanceEntry[]): HashIndex {
  const index: HashIndex = new Map();
  for (const e of entries) {
    if (e.kind !== 'ai-write') continue;
    for (const h of e.lineHashes) index.set(h, [...(index.get(h) ?? []), e]);
  }
  return index;
}

export async function mapToHead(top: string, entries: readonly ProvenanceEntry[], signal?: AbortSignal): Promise<{ head: string; lines: ProvenanceLine[] }> {
  const head = await gitHead(top, signal);
  const index = indexByLineHash(entries);
  if (!head || index.size === 0) return { head: head ?? '', lines: [] };
  const tree = await git(top, ['ls-tree', '-r', '-l', '-z', head], { signal });
  const blobs: Array<{ sha: string; path: string }> = [];
  for (const rec of tree.stdout.split('\0')) {
    const m = /^\d+ blob ([0-9a-f]+)\s+(\d+)\t(.*)$/s.exec(rec);
    if (m && +m[2] <= MAX_BLOB_BYTES) blobs.push({ sha: m[1], path: m[3] });
  }
  const texts = await catBlobs(top, blobs.map((b) => b.sha), signal);
  const lines: ProvenanceLine[] = [];
  for (const blob of blobs) {
    const text = texts.get(blob.sha);
    if (text === undefined || text.includes('\0')) continue;
    const candidates: Array<{ line: number; entries: ProvenanceEntry[] }> = [];
    text.split('\n').forEach((l, i) => {
      const h = lineHash(l);
      const hit = h ? index.get(h) : undefined;
      if (hit) candidates.push({ line: i + 1, entries: hit });
    });
    if (candidates.length === 0) continue;
    const times = await blameTimes(top, head, blob.path, signal);
    for (const c of candidates) {
      const committed = times.get(c.line);
      if (committed === undefined) continue;
      // The most recent entry recorded before the line's commit is the write that produced it.
      const fitting = c.entries.filter((e) => Date.parse(e.time) / 1000 - CLOCK_SLACK_S <= committed).sort((a, b) => b.time.localeCompare(a.time));
      if (fitting.length > 0) lines.push({ path: blob.path, line: c.line, entry: fitting[0].id });
    }
  }
  return { head, lines };
}

/** Line number at HEAD → committer time (s) of the commit that introduced the line, moves and copies followed. */
async function blameTimes(top: string, head: string, path: string, signal?: AbortSignal): Promise<Map<number, number>> {
  const out = await git(top, ['blame', '-w', '-M', '-C', '-C', '--porcelain', head, '--', path], { signal });
  const commitTime = new Map<string, number>();
  const result = new Map<number, number>();
  let sha = '';
  let finalLine = 0;
  for (const l of out.stdout.split('\n')) {
    const h = /^([0-9a-f]{40}) \d+ (\d+)/.exec(l);
    if (h) {
      sha = h[1];
      finalLine = +h[2];
      continue;
    }
    if (l.startsWith('committer-time ')) commitTime.set(sha, +l.slice(15));
    else if (l.startsWith('\t')) {
      const t = commitTime.get(sha);
      if (t !== undefined) result.set(finalLine, t);
    }
  }
  return result;
}

/** Many blobs through one `git cat-file --batch`. */
function catBlobs(top: string, shas: readonly string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const unique = [...new Set(shas)];
  if (unique.length === 0) return Promise.resolve(new Map());
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: top, signal, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (e) => reject(e.name === 'AbortError' ? new KeelError('CANCELLED', 'The request was cancelled.') : new KeelError('GIT_FAILED', `git cat-file failed: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new KeelError('GIT_FAILED', `git cat-file failed: ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      const map = new Map<string, string>();
      let off = 0;
      while (off < buf.length) {
        const nl = buf.indexOf(10, off);
        if (nl < 0) break;
        const header = buf.subarray(off, nl).toString();
        const m = /^([0-9a-f]+) \w+ (\d+)$/.exec(header);
        if (!m) {
          off = nl + 1;
          continue;
        }
        const size = +m[2];
        map.set(m[1], buf.subarray(nl + 1, nl + 1 + size).toString('utf8'));
        off = nl + 1 + size + 1;
      }
      resolve(map);
    });
    child.stdin.end(`${unique.join('\n')}\n`);
  });
}
