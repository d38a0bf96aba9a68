/**
 * Child process of index.bench.ts: measures reopening an indexed workspace in a fresh process (module
 * loading included, as a restarted editor pays it) to the first keyword and vector answers, then the
 * engine heap with everything loaded. argv: <store> <root>. Prints one JSON line.
 */
async function main(): Promise<void> {
  const [store, root] = process.argv.slice(2);
  const t0 = performance.now();
  // require, not import(): the child runs under tsx's CommonJS hook
  const { WorkspaceIndex } = require('../../src/engine/index/workspaceIndex') as typeof import('../../src/engine/index/workspaceIndex');
  const { benchEmbedder } = require('./indexBenchEmbedder') as typeof import('./indexBenchEmbedder');
  const { embedder } = await benchEmbedder();
  const tImport = performance.now();
  const index = await WorkspaceIndex.open({ store, roots: [root], embedder });
  const tOpen = performance.now();
  const keyword = index.keywordSearch('create message stream', 10);
  const tKeyword = performance.now();
  const vector = await index.vectorSearch('create message stream', 10);
  const tVector = performance.now();
  const vector2Start = performance.now();
  await index.vectorSearch('parse the request headers', 10);
  const warmVectorMs = performance.now() - vector2Start;
  const k2 = performance.now();
  index.keywordSearch('parse the request headers', 10);
  const warmKeywordMs = performance.now() - k2;
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  await index.close();
  process.stdout.write(`${JSON.stringify({
    importMs: tImport - t0,
    openMs: tOpen - tImport,
    firstKeywordMs: tKeyword - tImport,
    firstVectorMs: tVector - tImport,
    firstKeywordFromProcessMs: tKeyword - t0,
    firstVectorFromProcessMs: tVector - t0,
    warmKeywordMs,
    warmVectorMs,
    hits: [keyword.length, vector.length],
    heapUsedMB: mem.heapUsed / 1048576,
    rssMB: mem.rss / 1048576,
    arrayBuffersMB: mem.arrayBuffers / 1048576,
  })}\n`);
}

void main();
