/**
 * The repository-level bug-report set (../shared/data/retrieval-swe-dev/): real issues, each with the
 * repository at the commit it was filed against and the files its fix changed. Each task's workspace
 * is rebuilt by the set's own materialize.mjs into a cache OUTSIDE the repository (default
 * ~/.cache/keel-eval/ws, or $KEEL_EVAL_CACHE/ws), once; later runs reuse it.
 *
 * A workspace is indexed the way the product indexes a folder — the product's walker (default
 * excludes, .gitignore), its reader (binary / minified / generated checks), its chunker, its BM25 and
 * its embedder — into an in-memory MemorySource. Chunks are cached by file content and vectors by chunk
 * text within one run, because the 24 sympy workspaces share almost every file.
 *
 * Split: within each repository, tasks are ordered by sha1(id) and dealt alternately to A and B, so
 * both halves hold every repository and language in proportion. Variants are chosen on A; B reports.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Chunk } from '../../src/engine/index/chunk';
import { chunkFile } from '../../src/engine/index/chunker';
import type { Embedder } from '../../src/engine/embed/types';
import { MemorySource, type MemoryChunk } from '../../src/engine/search/source';
import { readSourceFile } from '../../src/engine/workspace/sourceFile';
import { walkWorkspace } from '../../src/engine/workspace/walker';

export interface SweTask {
  id: string;
  repo: string;
  language: string;
  query: string;
  gold: string[];
  split: 'A' | 'B';
}

/** ../shared/data/<name> next to the checkout (CI), or next to the main checkout (a git worktree). */
export function sharedDataDir(name: string, root: string = process.cwd()): string {
  const candidates = [process.env.KEEL_SHARED_DATA, path.resolve(root, '..', 'shared', 'data'), path.resolve(root, '..', '..', 'shared', 'data')].filter(
    (d): d is string => !!d,
  );
  for (const dir of candidates) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  throw new Error(`${name} not found in ${candidates.join(' or ')} (set KEEL_SHARED_DATA)`);
}

export function loadSweTasks(dir: string): SweTask[] {
  const rows = fs
    .readFileSync(path.join(dir, 'tasks.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Omit<SweTask, 'split'>);
  const byRepo = new Map<string, Array<Omit<SweTask, 'split'>>>();
  for (const r of rows) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), r]);
  const split = new Map<string, 'A' | 'B'>();
  for (const tasks of byRepo.values()) {
    tasks
      .map((t) => ({ t, h: createHash('sha1').update(t.id).digest('hex') }))
      .sort((a, b) => (a.h < b.h ? -1 : 1))
      .forEach(({ t }, i) => split.set(t.id, i % 2 === 0 ? 'A' : 'B'));
  }
  return rows.map((r) => ({ id: r.id, repo: r.repo, language: r.language, query: r.query, gold: r.gold, split: split.get(r.id)! }));
}

export function cacheDir(): string {
  return process.env.KEEL_EVAL_CACHE ?? path.join(os.homedir(), '.cache', 'keel-eval');
}

/**
 * The task's workspace, materialised on first use. A workspace being built is written to a temporary
 * sibling and renamed when materialize.mjs has verified it, so an interrupted run never leaves a
 * half-built folder that a later run would trust.
 */
export function workspaceFor(dataDir: string, taskId: string, log: (line: string) => void): string {
  const ws = path.join(cacheDir(), 'ws', taskId);
  if (fs.existsSync(ws) && fs.readdirSync(ws).length > 0) return ws;
  log(`materialising ${taskId} …`);
  const tmp = `${ws}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(ws), { recursive: true });
  execFileSync(process.execPath, [path.join(dataDir, 'materialize.mjs'), taskId, tmp], { stdio: 'ignore' });
  fs.rmSync(ws, { recursive: true, force: true });
  fs.renameSync(tmp, ws);
  return ws;
}

export interface WorkspaceFile {
  path: string;
  text: string;
}

export interface WorkspaceCorpus {
  source: MemorySource;
  files: WorkspaceFile[];
  chunks: number;
}

/**
 * Caches shared by every workspace of one run. Consecutive workspaces of one repository differ in a
 * few files, so the in-memory index of the previous one is updated (changed files' chunks removed and
 * re-added) instead of rebuilt: the result is the same index a fresh build would give.
 */
export class CorpusBuilder {
  private readonly chunkCache = new Map<string, Chunk[]>();
  private readonly vectorCache = new Map<string, Float32Array>();
  private last: { source: MemorySource; files: Map<string, { hash: string; ids: string[]; text: string }> } | undefined;

  constructor(
    private readonly embedder: Embedder | undefined,
    private readonly maxFileBytes = 1024 * 1024,
  ) {}

  async build(ws: string): Promise<WorkspaceCorpus> {
    const walked = await walkWorkspace([ws], { maxFileSizeBytes: this.maxFileBytes });
    const next = new Map<string, { hash: string; ids: string[]; text: string }>();
    const previous = this.last?.files ?? new Map();
    const source = this.last?.source ?? new MemorySource(this.embedder);
    const added: MemoryChunk[] = [];
    for (const f of walked.files.sort((a, b) => (a.rel < b.rel ? -1 : 1))) {
      const read = await readSourceFile(f.abs, this.maxFileBytes);
      if (!read.ok) continue;
      const old = previous.get(f.rel);
      if (old && old.hash === read.hash) {
        next.set(f.rel, old);
        continue;
      }
      if (old) for (const id of old.ids) source.remove(id);
      const key = `${f.rel}\0${read.hash}`; // the chunker's language depends on the path
      let fileChunks = this.chunkCache.get(key);
      if (!fileChunks) this.chunkCache.set(key, (fileChunks = await chunkFile(f.rel, read.text)));
      const ids: string[] = [];
      fileChunks.forEach((c, i) => {
        const id = `${f.rel}#${read.hash}#${i}`;
        ids.push(id);
        added.push({ id, path: f.rel, language: c.language, symbol: c.symbol, startLine: c.startLine, endLine: c.endLine, text: c.text });
      });
      next.set(f.rel, { hash: read.hash, ids, text: read.text });
    }
    for (const [rel, old] of previous) if (!next.has(rel)) for (const id of old.ids) source.remove(id);
    if (this.embedder && added.length) {
      const missing = [...new Set(added.map((c) => c.text).filter((t) => !this.vectorCache.has(hashOf(t))))];
      for (let i = 0; i < missing.length; i += 512) {
        const batch = missing.slice(i, i + 512);
        const vs = await this.embedder.embed(batch);
        batch.forEach((t, j) => this.vectorCache.set(hashOf(t), vs[j]));
      }
      await source.add(added, added.map((c) => this.vectorCache.get(hashOf(c.text))!));
    } else if (added.length) {
      await source.add(added);
    }
    this.last = { source, files: next };
    const files = [...next].map(([p, f]) => ({ path: p, text: f.text }));
    return { source, files, chunks: source.chunkCount };
  }

  /** Forget the previous workspace (the next one belongs to another repository). */
  reset(): void {
    this.last = undefined;
  }
}

function hashOf(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Every regular file of a workspace, for the whole-file reference (which sees all of them, as its README says). */
export function allFiles(root: string, rel = '', out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) allFiles(root, r, out);
    else if (e.isFile()) out.push(r);
  }
  return out;
}
