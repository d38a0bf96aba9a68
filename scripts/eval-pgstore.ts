/**
 * `npm run eval:pgstore` — ranking parity of the PostgreSQL team store with the local store on the
 * retrieval dev set (../shared/data/retrieval-swe-dev): every task's workspace is built exactly as
 * `npm run eval:retrieval` builds it (CorpusBuilder, keel-code), searched in memory (the local store's
 * BM25 + exact vectors) AND published to a real PostgreSQL 15 + pgvector server (a task is a branch of
 * its repository, based on the previous task's branch, so consecutive tasks share unchanged files) and
 * searched there. Per variant: file-level Recall@10 of both stores, the difference with a paired-
 * bootstrap 95% interval, and the bar |ΔR@10| ≤ 0.01. Last line: one JSON object.
 *
 * Flags: --limit N (tasks) · --tasks A-B (1-based, inclusive) · --store postgres://… (an existing
 * server; default: one started here) · --out FILE (one JSON line per task, full precision) ·
 * --merge FILE,… (no run: the summary of earlier --out files, e.g. two halves run side by side) ·
 * --merge-log FILE (also: the per-task lines of an earlier run's log; R@10 = hits / gold is recovered
 * exactly from its two decimals and the task's gold count).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbedder } from '../src/engine/embed/registry';
import type { Embedder } from '../src/engine/embed/types';
import { hybridSearch } from '../src/engine/search/hybrid';
import { LocalReranker } from '../src/engine/search/rerank/local';
import type { SearchSource } from '../src/engine/search/source';
import { readSourceFile } from '../src/engine/workspace/sourceFile';
import { PgStore, type UploadFile } from '../src/engine/store/postgres/pgStore';
import { startPostgres } from '../test/helpers/postgres';
import { formatInterval, pairedBootstrap } from './lib/bootstrap';
import { CorpusBuilder, loadSweTasks, sharedDataDir, workspaceFor } from './retrieval/sweDev';
import { scoreFiles } from './retrieval/sweEval';

/** Remembers every vector it made, so the upload sends the very vectors the local store holds. */
class RecordingEmbedder implements Embedder {
  readonly vectors = new Map<string, Float32Array>();
  constructor(private readonly inner: Embedder) {}
  get id(): string { return this.inner.id; }
  get dimensions(): number { return this.inner.dimensions; }
  get local(): boolean { return this.inner.local; }
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !this.vectors.has(t)))];
    if (missing.length) {
      const vs = await this.inner.embed(missing, signal);
      missing.forEach((t, i) => this.vectors.set(t, vs[i]));
    }
    return texts.map((t) => this.vectors.get(t)!);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { limit: { type: 'string' }, tasks: { type: 'string' }, store: { type: 'string' }, out: { type: 'string' }, merge: { type: 'string' }, 'merge-log': { type: 'string' } } });
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const dataDir = sharedDataDir('retrieval-swe-dev');
  const allTasks = loadSweTasks(dataDir);
  if (values.merge || values['merge-log']) return summarize(mergeRecords(allTasks, values.merge?.split(',') ?? [], values['merge-log']), allTasks.length, undefined);
  let tasks = allTasks;
  if (values.tasks) {
    const [a, b] = values.tasks.split('-').map(Number);
    tasks = tasks.slice(a - 1, b || a);
  }
  if (values.limit) tasks = tasks.slice(0, Number(values.limit));
  const embedder = new RecordingEmbedder(createEmbedder('keel-code'));
  const server = values.store ? undefined : await startPostgres();
  if (server) server.psql('CREATE DATABASE keel_eval');
  const url = values.store ?? server!.url('postgres', 'keel-super', 'keel_eval');
  const store = await PgStore.open(url, { localOnly: false, timeoutS: 120, migrate: true });
  const query = (t: string): Promise<Float32Array> => embedder.embed([t]).then((v) => v[0]);
  const variants = [
    { name: 'bm25', mode: 'bm25' as const },
    { name: 'hybrid', mode: 'hybrid' as const },
    { name: 'hybrid+rerank', mode: 'hybrid' as const, reranker: new LocalReranker() },
  ];
  const records: TaskRecord[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let publishMs = 0;
  let uploaded = 0;
  let reused = 0;
  try {
    const builder = new CorpusBuilder(embedder);
    let repo = '';
    let base: string | undefined;
    for (const [i, task] of tasks.entries()) {
      const ws = workspaceFor(dataDir, task.id, log);
      if (task.repo !== repo) {
        builder.reset();
        base = undefined;
      }
      repo = task.repo;
      const corpus = await builder.build(ws);
      // The same chunks and vectors, as a commit of the team store.
      const files: UploadFile[] = [];
      for (const f of corpus.files) {
        const read = await readSourceFile(path.join(ws, ...f.path.split('/')), 1024 * 1024);
        if (!read.ok) continue;
        const chunks = [];
        for (let n = 0; ; n++) {
          const c = corpus.source.get(`${f.path}#${read.hash}#${n}`);
          if (!c) break;
          chunks.push({ startLine: c.startLine, endLine: c.endLine, symbol: c.symbol, language: c.language, hash: `${read.hash}:${n}`, text: c.text, vector: embedder.vectors.get(c.text) });
        }
        files.push({ path: f.path, hash: read.hash, language: chunks[0]?.language ?? '', chunks });
      }
      const byKey = new Map(files.map((f) => [`${f.path}\0${f.hash}`, f]));
      const tp = performance.now();
      const published = await store.publish({
        repo: task.repo, branch: task.id, base, actor: 'eval', embedder: { id: embedder.id, dimensions: embedder.dimensions },
        files: files.map((f) => ({ path: f.path, hash: f.hash })),
        load: async (batch) => batch.map((b) => byKey.get(`${b.path}\0${b.hash}`)!),
      });
      publishMs += performance.now() - tp;
      uploaded += published.uploaded;
      reused += published.reused;
      base = task.id;
      const pgSource = await store.source(task.repo, task.id, { id: embedder.id, embed: query });
      const line: string[] = [];
      const record: TaskRecord = { id: task.id, repo: task.repo, chunks: corpus.chunks, r10: {} };
      for (const v of variants) {
        const run = async (source: SearchSource): Promise<number> => {
          const r = await hybridSearch(source, task.query, { mode: v.mode, top: 30, reranker: v.reranker });
          return scoreFiles(r.passages.map((p) => p.path), task.gold).r10;
        };
        const a = await run(corpus.source);
        const b = await run(pgSource);
        record.r10[v.name] = { local: a, pg: b };
        line.push(`${v.name} ${a.toFixed(2)}/${b.toFixed(2)}`);
      }
      records.push(record);
      if (values.out) fs.appendFileSync(values.out, `${JSON.stringify(record)}\n`);
      log(`[${i + 1}/${tasks.length}] ${task.id}: ${corpus.chunks} chunks, uploaded ${published.uploaded} files, shared ${published.reused} · local/pg R@10 ${line.join(' · ')}`);
    }
  } finally {
    await store.close();
    server?.stop();
  }
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - t0) / 1000;
  summarize(records, tasks.length, `uploaded ${uploaded} files, shared ${reused} across task branches; publish ${(publishMs / 1000).toFixed(1)} s; wall ${wallS.toFixed(0)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s (this process), load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`, { uploaded, reused, wallS: Math.round(wallS) });
}

interface TaskRecord {
  id: string;
  repo: string;
  chunks: number;
  r10: Record<string, { local: number; pg: number }>;
}

const VARIANTS = ['bm25', 'hybrid', 'hybrid+rerank'];

/** Per-task records of earlier runs: --out files, and the per-task lines of a run's log. */
function mergeRecords(tasks: ReadonlyArray<{ id: string; repo: string; gold: readonly string[] }>, files: readonly string[], logFile: string | undefined): TaskRecord[] {
  const byId = new Map<string, TaskRecord>();
  if (logFile) {
    const gold = new Map(tasks.map((t) => [t.id, t.gold.length]));
    for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
      const m = /^\[\d+\/\d+\] (\S+): (\d+) chunks.* local\/pg R@10 (.*)$/.exec(line);
      if (!m || !gold.has(m[1])) continue;
      const n = gold.get(m[1])!;
      const exact = (x: string): number => Math.round(Number(x) * n) / n; // hits / gold, from two decimals
      const r10: TaskRecord['r10'] = {};
      for (const part of m[3].split(' · ')) {
        const v = /^(\S+) ([\d.]+)\/([\d.]+)$/.exec(part.trim());
        if (v) r10[v[1]] = { local: exact(v[2]), pg: exact(v[3]) };
      }
      byId.set(m[1], { id: m[1], repo: tasks.find((t) => t.id === m[1])!.repo, chunks: Number(m[2]), r10 });
    }
  }
  for (const file of files) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as TaskRecord;
      byId.set(r.id, r);
    }
  }
  // Task order of the dev set, whatever order the pieces ran in.
  return tasks.map((t) => byId.get(t.id)).filter((r): r is TaskRecord => r !== undefined);
}

function summarize(records: readonly TaskRecord[], of: number, runLine: string | undefined, extra: Record<string, unknown> = {}): void {
  console.log(`\npgstore parity on retrieval-swe-dev (${records.length} of ${of} tasks): file-level R@10, local store vs PostgreSQL store, ${runLine ? 'same run' : 'per-task results merged from earlier runs (each task: both stores in the same run)'}`);
  const out: Record<string, unknown> = {};
  let pass = records.length > 0;
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  for (const name of VARIANTS) {
    const local = records.map((r) => r.r10[name].local);
    const pg = records.map((r) => r.r10[name].pg);
    const ci = pairedBootstrap(pg, local);
    const ok = Math.abs(mean(pg) - mean(local)) <= 0.01;
    pass &&= ok;
    const differ = local.filter((x, i) => x !== pg[i]).length;
    console.log(`  ${name.padEnd(14)} local ${mean(local).toFixed(3)}  pg ${mean(pg).toFixed(3)}  pg − local ${formatInterval(ci)}  tasks differing ${differ}  ${ok ? 'PASS' : 'FAIL'} |Δ| ≤ 0.01`);
    out[name] = { local: mean(local), pg: mean(pg), delta: ci.delta, lo: ci.lo, hi: ci.hi, differing: differ, pass: ok };
  }
  if (runLine) console.log(`  ${runLine}`);
  console.log(JSON.stringify({ eval: 'pgstore-parity', tasks: records.length, of, r10: out, pass, ...extra }));
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
