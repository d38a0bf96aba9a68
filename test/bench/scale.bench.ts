/**
 * Large-repository benchmark (issue 22). Prints figures; asserts nothing about time.
 *   npm run bench:scale -- [--sizes 50000,150000,500000] [--queries 100] [--trials 5] [--store DIR --root DIR]
 * Corpus per size: real JS/TS sources from the npm packages in this repository's node_modules
 * (scripts/corpus/fetch.ts), as many files as give about `size` chunks (≈4.2 chunks a file); past the
 * ~21k files node_modules holds, variants of those real files (scripts/corpus/synthetic.ts: identifiers
 * suffixed per variant, so no two chunks share a text). Indexed by the product path (WorkspaceIndex:
 * vectra shards, keyword index, catalog) with the product embedder.
 * `--store DIR --root DIR` measures an index built earlier (the build figures are then null): query-side
 * work can be repeated without a cold build, which takes minutes at 150k+ on a shared machine.
 * Queries: the repository-level retrieval set's real questions (scripts/retrieval/), cycled.
 * Every figure is printed next to the exact-scan baseline measured in the same run:
 *   - cold build (child process: wall, CPU, peak RSS), then the graph's background build;
 *   - disk per chunk, by kind of file (vectra store of record, derived float32 acceleration matrix, graph, keyword, catalog);
 *   - hybrid p50/p95 with and without the local re-ranker — graph vs exact scan (same index, toggled);
 *   - ANN recall@10 against the exact scan on the vector leg (a hit tying the 10th exact score counts);
 *   - one-file change → visible in keyword and vector search (direct apply, no debounce);
 *   - a fresh engine's first hybrid answer (child process, module loading included).
 * The machine is shared: CPU time and the load average are printed beside wall-clock figures.
 * Last line: { "sizes": [{ chunks, coldBuildS, peakRssMb, bytesPerChunk, hybridP95Ms, hybridRerankP95Ms,
 *   annRecallAt10, updateVisibleMs, firstAnswerMs }] } (the graph figures; the baselines are printed above).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureScaleCorpus } from '../../scripts/corpus/synthetic';
import { defaultCacheDir, loadOrBuildRepoSet } from '../../scripts/retrieval/repoSet';
import { applyFileChanges } from '../../src/engine/index/liveUpdates';
import { UpdateQueue } from '../../src/engine/index/updateQueue';
import { WorkspaceIndex } from '../../src/engine/index/workspaceIndex';
import { hybridSearch } from '../../src/engine/search/hybrid';
import { IndexSource } from '../../src/engine/search/indexSource';
import { LocalReranker } from '../../src/engine/search/rerank/local';
import { benchEmbedder } from './indexBenchEmbedder';
import { percentile } from './lib/stats';
import { benchArg } from './lib/args';

const SIZES = benchArg('sizes', '50000').split(',').map(Number);
const QUERIES = Number(benchArg('queries', '100'));
const TRIALS = Number(benchArg('trials', '5'));
const GIVEN_STORE = benchArg('store', '');
const GIVEN_ROOT = benchArg('root', '');
const CHUNKS_PER_FILE = 4.2;
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const r1 = (x: number): number => Math.round(x * 10) / 10;
const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');

function child(mode: string, store: string, root: string): Record<string, number | string | boolean> {
  const r = spawnSync(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', path.join(__dirname, 'scaleChild.ts'), mode, store, root], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | string | boolean>;
}

function diskByKind(store: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else {
        const kind = /\.pb$/.test(e.name) ? 'vectra' : /\.f32$/.test(e.name) ? 'f32Sidecar' : /\.acc$/.test(e.name) ? 'accMatrix' : /^ann\./.test(e.name) ? 'annGraph' : /bm25/.test(e.name) ? 'keywords' : /catalog/.test(e.name) ? 'catalog' : 'other';
        out[kind] = (out[kind] ?? 0) + fs.statSync(abs).size;
      }
    }
  };
  walk(store);
  return out;
}

async function timedQueries(fn: (q: string) => Promise<unknown>, queries: string[]): Promise<{ p50: number; p95: number; cpuP50: number; cpuP95: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const q of queries) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn(q);
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { p50: r1(percentile(wall, 0.5)), p95: r1(percentile(wall, 0.95)), cpuP50: r1(percentile(cpu, 0.5)), cpuP95: r1(percentile(cpu, 0.95)) };
}

async function main(): Promise<void> {
  const { label } = await benchEmbedder();
  const set = loadOrBuildRepoSet(defaultCacheDir(), () => {}, 'eval');
  const allQueries = set.queries.map((q) => q.query);
  const queries = Array.from({ length: QUERIES }, (_, i) => allQueries[i % allQueries.length]);
  log(`# bench:scale — embedder ${label}; ${queries.length} queries from the repository retrieval set; ${os.cpus().length} cores, load ${load()}`);
  const sizes: Record<string, number | null>[] = [];
  for (const size of GIVEN_STORE ? [0] : SIZES) {
    const files = Math.ceil(size / CHUNKS_PER_FILE);
    const root = GIVEN_STORE ? path.resolve(GIVEN_ROOT) : ensureScaleCorpus(files);
    const store = GIVEN_STORE ? path.resolve(GIVEN_STORE) : fs.mkdtempSync(path.join(os.tmpdir(), 'keel-scale-bench-'));
    log(GIVEN_STORE ? `\n## the index at ${store} (root ${root}); load ${load()}` : `\n## ${size} chunks target: ${files} files (node_modules packages, then variants of them); load ${load()}`);

    const build = GIVEN_STORE ? undefined : child('build', store, root);
    let chunks = Number(build?.chunks);
    if (build) {
      log(`cold build: ${r1(Number(build.buildMs) / 1000)} s wall, ${r1(Number(build.buildCpuMs) / 1000)} s CPU, ${chunks} chunks; peak RSS ${r1(Number(build.peakRssMb))} MB (whole process)`);
      log(`ANN graph build after the commit (background in the engine): ${r1(Number(build.annMs) / 1000)} s wall; ready ${build.annReady}`);
    }

    if (!build) {
      const view = await WorkspaceIndex.open({ store, roots: [root], readOnly: true });
      chunks = view.catalog.chunkCount;
      await view.close();
    }
    const disk = diskByKind(store);
    const total = Object.values(disk).reduce((a, b) => a + b, 0);
    const perKind = Object.fromEntries(Object.entries(disk).map(([k, v]) => [k, Math.round(v / chunks)]));
    log(`disk: ${Math.round(total / chunks)} B/chunk — by kind ${JSON.stringify(perKind)} (exact-scan baseline: the same without annGraph = ${Math.round((total - (disk.annGraph ?? 0)) / chunks)} B/chunk)`);

    const first = child('first', store, root);
    log(`fresh engine, first hybrid answer: ${r1(Number(first.firstAnswerMs))} ms wall (${r1(Number(first.firstCpuMs))} ms CPU, module loading included; answered by ${first.usedAnn ? 'the graph' : 'the exact scan — the graph loads in the background'}); graph loaded ${r1(Number(first.annLoadMs))} ms later; heap ${r1(Number(first.heapUsedMb))} MB, RSS ${r1(Number(first.rssMb))} MB`);

    const index = await WorkspaceIndex.open({ store, roots: [root], embedder: (await benchEmbedder()).embedder, vectors: { annMinRows: Number(process.env.KEEL_BENCH_ANN_MIN_ROWS ?? 20_000) } });
    const vectors = index.vectors!;
    await vectors.load();
    await vectors.maybeStartAnn();
    const source = new IndexSource(index);
    for (const q of queries.slice(0, 10)) await hybridSearch(source, q); // warm-up
    const reranker = new LocalReranker();
    const run = async (ann: boolean): Promise<{ hybrid: Awaited<ReturnType<typeof timedQueries>>; rerank: Awaited<ReturnType<typeof timedQueries>> }> => {
      vectors.annEnabled = ann;
      const hybrid = await timedQueries((q) => hybridSearch(source, q), queries);
      const rerank = await timedQueries((q) => hybridSearch(source, q, { reranker }), queries);
      return { hybrid, rerank };
    };
    const exact = await run(false);
    const ann = await run(vectors.annReady);
    log(`hybrid p50/p95: graph ${ann.hybrid.p50}/${ann.hybrid.p95} ms (CPU ${ann.hybrid.cpuP50}/${ann.hybrid.cpuP95}) — exact scan ${exact.hybrid.p50}/${exact.hybrid.p95} ms (CPU ${exact.hybrid.cpuP50}/${exact.hybrid.cpuP95}); load ${load()}`);
    log(`hybrid + local re-rank p50/p95: graph ${ann.rerank.p50}/${ann.rerank.p95} ms (CPU ${ann.rerank.cpuP50}/${ann.rerank.cpuP95}) — exact scan ${exact.rerank.p50}/${exact.rerank.p95} ms (CPU ${exact.rerank.cpuP50}/${exact.rerank.cpuP95})`);

    // recall of the vector leg: the graph's top 10 against the exact top 10 for the same query vector
    vectors.annEnabled = true;
    const qv = await index.embedder!.embed([...new Set(allQueries)]);
    let found = 0;
    for (const v of qv) {
      let norm = 0;
      for (const x of v) norm += x * x;
      const truth = await vectors.exactQuery(v, 1 / Math.sqrt(norm), 10);
      const got = await vectors.query(v, 10);
      const tenth = truth[Math.min(9, truth.length - 1)].score;
      found += got.filter((h) => h.score >= tenth).length;
    }
    const recall = found / (qv.length * 10);
    log(`ANN recall@10 vs exact scan (vector leg, ${qv.length} distinct queries): ${recall.toFixed(4)}${vectors.annReady ? '' : ' (graph not ready: exact)'}`);

    // one-file change → visible
    const entries = [...index.catalog.entries()].filter((e) => e.record.chunks.length >= 3).sort((a, b) => a.record.chunks.length - b.record.chunks.length);
    const entry = entries[Math.floor(entries.length / 2)];
    const file = index.absolutePath({ root: entry.root, path: entry.path });
    const original = fs.readFileSync(file, 'utf8');
    const visible: number[] = [];
    const visibleCpu: number[] = [];
    // through the engine's own coalescing queue with its default quiet gap, as a watcher event would go
    const queue = new UpdateQueue((batch) => applyFileChanges(index, batch, { maxFileSizeBytes: 1024 * 1024 }));
    for (let i = 0; i < TRIALS; i++) {
      const token = `keelScaleProbe${i}x${Date.now()}`;
      const c = process.cpuUsage();
      const t = performance.now();
      fs.writeFileSync(file, `${original}\nexport function ${token}() { return ${i}; }\n`);
      await queue.push({ changed: [file], deleted: [] });
      const k = index.keywordSearch(token, 1)[0];
      const v = await index.vectorSearch(`${token} return`, 10);
      visible.push(performance.now() - t);
      const d = process.cpuUsage(c);
      visibleCpu.push((d.user + d.system) / 1000);
      if (k?.chunk.path !== entry.path || v.length === 0) throw new Error('change not visible');
    }
    fs.writeFileSync(file, original);
    await applyFileChanges(index, { changed: [file], deleted: [] }, { maxFileSizeBytes: 1024 * 1024 });
    const updateVisibleMs = r1(percentile(visible, 0.5));
    log(`one-file change (${entry.record.chunks.length} chunks) → visible in keyword + vector search: p50 ${updateVisibleMs} ms wall (CPU p50 ${r1(percentile(visibleCpu, 0.5))} ms), max ${r1(Math.max(...visible))} ms (${TRIALS} trials; through the engine's update queue and its quiet gap; graph patched in place); load ${load()}`);
    await index.close();
    if (!GIVEN_STORE) fs.rmSync(store, { recursive: true, force: true });

    sizes.push({
      chunks,
      coldBuildS: build ? r1(Number(build.buildMs) / 1000) : null,
      peakRssMb: build ? r1(Number(build.peakRssMb)) : null,
      bytesPerChunk: Math.round(total / chunks),
      hybridP95Ms: ann.hybrid.p95,
      hybridRerankP95Ms: ann.rerank.p95,
      annRecallAt10: Number(recall.toFixed(4)),
      updateVisibleMs,
      firstAnswerMs: r1(Number(first.firstAnswerMs)),
      // beside the wall figures, for a shared machine: CPU time and the load they were taken under
      coldBuildCpuS: build ? r1(Number(build.buildCpuMs) / 1000) : null,
      hybridCpuP95Ms: ann.hybrid.cpuP95,
      hybridRerankCpuP95Ms: ann.rerank.cpuP95,
      exactHybridP95Ms: exact.hybrid.p95,
      exactHybridRerankP95Ms: exact.rerank.p95,
      firstAnswerCpuMs: r1(Number(first.firstCpuMs)),
      loadAvg1: Number(os.loadavg()[0].toFixed(1)),
    });
  }
  log(JSON.stringify({ sizes }));
}

void main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
