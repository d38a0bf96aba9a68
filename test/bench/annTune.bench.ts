/**
 * ANN settings sweep (issue 22): recall@10 of the product's graph query (graph candidates + exact
 * lexical leg, every candidate re-scored in float32) against the exact scan, and its CPU per query,
 * for each (connectivity, expansion_add) graph and each over-fetch k'. Prints figures; asserts nothing.
 *   npx tsx test/bench/annTune.bench.ts --store <a bench:scale store> [--graphs 16:128,32:128]
 *     [--candidates 100,200,400] [--ef 200,400] [--quantization f16]
 * The store is one built by bench:scale's child (`scaleChild.ts build <store> <root>`): real chunks.
 * Every setting is measured on two query sets: 'train' (the re-ranker's training questions, other
 * packages) to choose on, and 'eval' (the repository retrieval set) to report the chosen one on.
 * k' = candidates re-scored exactly; ef = the graph's search beam (at least k').
 * Last line: { "rows": [{ split, connectivity, expansionAdd, ef, candidates, recallAt10, cpuP50Ms, cpuP95Ms, exactCpuP50Ms, buildS }] }.
 */
import * as os from 'node:os';
import { defaultCacheDir, loadOrBuildRepoSet } from '../../scripts/retrieval/repoSet';
import { AnnGraph, type AnnSettings } from '../../src/engine/index/annGraph';
import { StoreFiles } from '../../src/engine/index/storeFiles';
import { VectorStore } from '../../src/engine/index/vectorStore';
import { benchEmbedder } from './indexBenchEmbedder';
import { percentile } from './lib/stats';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const r2 = (x: number): number => Math.round(x * 100) / 100;
const cpuNow = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function main(): Promise<void> {
  const store = arg('store', '');
  if (!store) throw new Error('--store <dir> is required (a store built by scaleChild.ts build)');
  const graphs = arg('graphs', '16:128').split(',').map((g) => g.split(':').map(Number));
  const candidateList = arg('candidates', '100,200').split(',').map(Number);
  const efList = arg('ef', '0').split(',').map(Number);
  const quantization = arg('quantization', 'f16') as AnnSettings['quantization'];
  const { embedder, label } = await benchEmbedder();
  const folder = `vectors-${embedder.id.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
  const splits = await Promise.all((['train', 'eval'] as const).map(async (split) => {
    const queries = [...new Set(loadOrBuildRepoSet(defaultCacheDir(), () => {}, split).queries.map((q) => q.query))];
    return { split, qv: await embedder.embed(queries) };
  }));
  log(`# ann sweep — ${label}; ${splits.map((s) => `${s.qv.length} ${s.split}`).join(' + ')} distinct queries; ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  const files = new StoreFiles(store);
  const rows: Record<string, number | string>[] = [];
  for (const [connectivity, expansionAdd] of graphs) {
    await AnnGraph.discard(files.abs(folder), 'ann');
    const ann: AnnSettings = { connectivity, expansionAdd, expansionSearch: 16, quantization };
    const vectors = new VectorStore(files, folder, embedder.dimensions, { annMinRows: 0, ann, sparseFrom: embedder.sparseFrom });
    await vectors.load();
    const t = performance.now();
    const c = cpuNow();
    await vectors.maybeStartAnn();
    const buildS = (performance.now() - t) / 1000;
    const buildCpuS = (cpuNow() - c) / 1000;
    if (!vectors.annReady) throw new Error('graph not ready');
    log(`\n## connectivity ${connectivity}, expansion_add ${expansionAdd}, ${quantization}: ${vectors.count} vectors, build ${buildS.toFixed(1)} s wall / ${buildCpuS.toFixed(1)} s CPU of this process (native threads included)`);
    for (const { split, qv } of splits) {
      const truth: { tenth: number }[] = [];
      const exactCpu: number[] = [];
      for (const v of qv) {
        const scale = 1 / Math.sqrt(v.reduce((a, x) => a + x * x, 0));
        const c0 = cpuNow();
        const hits = await vectors.exactQuery(v, scale, 10);
        exactCpu.push(cpuNow() - c0);
        truth.push({ tenth: hits[Math.min(9, hits.length - 1)].score });
      }
      for (const ef of efList) {
        for (const candidates of candidateList) {
          vectors.annCandidates = candidates;
          vectors.annExpansion = Math.max(ef, candidates);
          let found = 0;
          const cpu: number[] = [];
          for (let i = 0; i < qv.length; i++) {
            const c0 = cpuNow();
            const got = await vectors.query(qv[i], 10);
            cpu.push(cpuNow() - c0);
            found += got.filter((h) => h.score >= truth[i].tenth).length;
          }
          const row = {
            split, connectivity, expansionAdd, ef: vectors.annExpansion, candidates, recallAt10: Number((found / (qv.length * 10)).toFixed(4)),
            cpuP50Ms: r2(percentile(cpu, 0.5)), cpuP95Ms: r2(percentile(cpu, 0.95)), exactCpuP50Ms: r2(percentile(exactCpu, 0.5)), buildS: r2(buildS),
          };
          log(`${split}: ef ${row.ef}, k' ${candidates}: recall@10 ${row.recallAt10.toFixed(4)}; CPU p50/p95 ${row.cpuP50Ms}/${row.cpuP95Ms} ms — exact scan CPU p50 ${row.exactCpuP50Ms} ms; load ${os.loadavg()[0].toFixed(1)}`);
          rows.push(row);
        }
      }
    }
    await vectors.stopAnn();
  }
  log(JSON.stringify({ rows }));
}

void main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
