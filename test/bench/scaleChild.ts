export {};
/**
 * Child process of scale.bench.ts, so each figure has a process of its own: `build <store> <root>`
 * (cold build; the process's peak RSS is the build's) or `first <store> <root>` (a fresh engine's
 * first hybrid answer, module loading included). Prints one JSON line.
 */
/** The graph is measured from 20k chunks (the product default starts it at 50k: see vectorStore.ts). */
const ANN_MIN_ROWS = Number(process.env.KEEL_BENCH_ANN_MIN_ROWS ?? 20_000);

async function main(): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const [mode, store, root] = process.argv.slice(2);
  // require, not import(): the child runs under tsx's CommonJS hook
  const { WorkspaceIndex } = require('../../src/engine/index/workspaceIndex') as typeof import('../../src/engine/index/workspaceIndex');
  const { syncIndex } = require('../../src/engine/index/indexer') as typeof import('../../src/engine/index/indexer');
  const { hybridSearch } = require('../../src/engine/search/hybrid') as typeof import('../../src/engine/search/hybrid');
  const { IndexSource } = require('../../src/engine/search/indexSource') as typeof import('../../src/engine/search/indexSource');
  const { benchEmbedder } = require('./indexBenchEmbedder') as typeof import('./indexBenchEmbedder');
  const { embedder, label } = await benchEmbedder();
  const cpuMs = (): number => {
    const c = process.cpuUsage(cpu0);
    return (c.user + c.system) / 1000;
  };
  if (mode === 'build') {
    const index = await WorkspaceIndex.open({ store, roots: [root], embedder, vectors: { annMinRows: ANN_MIN_ROWS } });
    const tBuild = performance.now();
    const r = await syncIndex(index, { maxFileSizeBytes: 1024 * 1024 });
    await index.persist();
    const buildMs = performance.now() - tBuild;
    const buildCpuMs = cpuMs();
    // the graph is built in the background after the first commit; timed separately (not part of "searchable")
    const tAnn = performance.now();
    await index.vectors?.maybeStartAnn();
    const annMs = performance.now() - tAnn;
    const annReady = index.vectors?.annReady ?? false;
    await index.close();
    process.stdout.write(`${JSON.stringify({
      embedder: label, files: r.files, chunks: index.catalog.chunkCount, buildMs, buildCpuMs, annMs, annReady,
      totalCpuMs: cpuMs(), peakRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`);
    return;
  }
  const index = await WorkspaceIndex.open({ store, roots: [root], embedder, vectors: { annMinRows: ANN_MIN_ROWS } });
  const result = await hybridSearch(new IndexSource(index), 'parse the request headers and return the response');
  const firstAnswerMs = performance.now() - t0;
  const firstCpuMs = cpuMs();
  const usedAnn = (index.vectors?.counters.ann ?? 0) > 0;
  const tAnn = performance.now();
  await index.vectors?.maybeStartAnn();
  const annLoadMs = performance.now() - tAnn;
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  await index.close();
  process.stdout.write(`${JSON.stringify({ firstAnswerMs, firstCpuMs, hits: result.passages.length, usedAnn, annLoadMs, heapUsedMb: mem.heapUsed / 1048576, rssMb: mem.rss / 1048576 })}\n`);
}

void main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
