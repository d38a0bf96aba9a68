/**
 * Hybrid search latency (issue 7). Prints figures; asserts nothing about time.
 *   npx tsx test/bench/search.bench.ts [--sizes 10000,50000] [--queries 200]
 * Corpus: the real package sources of Keel's retrieval sets (scripts/retrieval/, cached in .keel-cache/),
 * chunked by the product chunker and embedded by the default embedder, then replicated under distinct
 * path prefixes up to each size (so posting lists and the vector matrix grow as in a larger repo).
 * Queries: the repository-level set's doc-comment summaries.
 * Measured per size, in the same run:
 *   - brute-force: a plain Float32Array cosine scan over every row and dimension + top-10 (the baseline);
 *   - vector leg: Keel's FlatVectors scan (skips the query's zero dimensions — exact, not approximate);
 *   - hybrid (no re-rank): query embedding + BM25 + vector scan + RRF + passages, end to end;
 *   - hybrid + local re-ranker;
 *   - the PRODUCT path at the largest size: the same chunks in a real WorkspaceIndex (vectra shards on
 *     disk, what `search/query` uses) searched through IndexSource — vector leg alone, keyword leg
 *     alone (bm25 mode) and hybrid.
 *     (--product false skips it; building it writes the vectors to a temp store first.)
 * The machine is shared: wall-clock p95 includes time other processes held the CPU, so the CPU time
 * of the hybrid query (process.cpuUsage) is printed beside it, for both paths.
 * Last line: one JSON object.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEmbedder } from '../../src/engine/embed/registry';
import type { Embedder } from '../../src/engine/embed/types';
import { WorkspaceIndex } from '../../src/engine/index/workspaceIndex';
import { IndexSource } from '../../src/engine/search/indexSource';
import { chunkFile } from '../../src/engine/index/chunker';
import { topK } from '../../src/engine/search/topK';
import { hybridSearch } from '../../src/engine/search/hybrid';
import { LocalReranker } from '../../src/engine/search/rerank/local';
import { MemorySource, type MemoryChunk, type SearchSource } from '../../src/engine/search/source';
import { defaultCacheDir, loadOrBuildRepoSet } from '../../scripts/retrieval/repoSet';
import { mean, percentile } from './lib/stats';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SIZES = arg('sizes', '10000,50000').split(',').map(Number);
const QUERIES = Number(arg('queries', '200'));
const PRODUCT = arg('product', 'true') !== 'false';
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const r2 = (x: number): number => Math.round(x * 100) / 100;

interface Stats {
  p50: number;
  p95: number;
  mean: number;
}

function stats(ms: number[]): Stats {
  return { p50: r2(percentile(ms, 0.5)), p95: r2(percentile(ms, 0.95)), mean: r2(mean(ms)) };
}

async function main(): Promise<void> {
  const embedder = createEmbedder();
  const cache = defaultCacheDir();
  const sets = [loadOrBuildRepoSet(cache, () => {}, 'eval'), loadOrBuildRepoSet(cache, () => {}, 'train')];
  const base: MemoryChunk[] = [];
  for (const set of sets) {
    for (const file of set.files) {
      (await chunkFile(file.path, file.text)).forEach((c, i) =>
        base.push({ id: `${file.path}#${i}`, path: file.path, language: c.language, symbol: c.symbol, startLine: c.startLine, endLine: c.endLine, text: c.text }),
      );
    }
  }
  const t0 = performance.now();
  const baseVectors = await embedder.embed(base.map((c) => c.text));
  log(`corpus: ${base.length} distinct chunks from ${sets.reduce((n, s) => n + s.files.length, 0)} files; embedded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${embedder.id}, ${embedder.dimensions} dims)`);
  const queries = sets[0].queries.slice(0, QUERIES).map((q) => q.query);
  const queryVectors = await embedder.embed(queries);

  const results: Record<string, unknown> = {};
  for (const size of SIZES) {
    const source = new MemorySource(embedder);
    const chunks: MemoryChunk[] = [];
    const vectors: Float32Array[] = [];
    for (let i = 0; i < size; i++) {
      const copy = Math.floor(i / base.length);
      const c = base[i % base.length];
      chunks.push(copy === 0 ? c : { ...c, id: `copy${copy}/${c.id}`, path: `copy${copy}/${c.path}` });
      vectors.push(baseVectors[i % base.length]);
    }
    await source.add(chunks, vectors);
    const matrix = new Float32Array(size * embedder.dimensions);
    vectors.forEach((v, i) => matrix.set(v, i * embedder.dimensions));

    // Warm up the JIT on every path before measuring.
    for (const q of queries.slice(0, 20)) await hybridSearch(source, q, { reranker: new LocalReranker() });

    const brute: number[] = [];
    const scan: number[] = [];
    const hybrid: number[] = [];
    const hybridCpu: number[] = [];
    const reranked: number[] = [];
    const bm25: number[] = [];
    const reranker = new LocalReranker();
    for (let qi = 0; qi < queries.length; qi++) {
      let t = performance.now();
      bruteForce(matrix, embedder.dimensions, queryVectors[qi], 10);
      brute.push(performance.now() - t);
      t = performance.now();
      source.vectorSearchBy(queryVectors[qi], 50);
      scan.push(performance.now() - t);
      await timeKeywordAndHybrid(source, queries[qi], { bm25, hybrid, hybridCpu });
      t = performance.now();
      await hybridSearch(source, queries[qi], { reranker });
      reranked.push(performance.now() - t);
    }
    const row = {
      chunks: size,
      bruteForceScan: stats(brute),
      flatVectorScan: stats(scan),
      bm25: stats(bm25),
      hybrid: stats(hybrid),
      hybridCpu: stats(hybridCpu),
      hybridLocalRerank: stats(reranked),
      hybridP95OverBruteP95: r2(percentile(hybrid, 0.95) / percentile(brute, 0.95)),
    };
    results[String(size)] = row;
    log(`\n${size} chunks, ${queries.length} queries (ms)      p50     p95    mean`);
    for (const [name, s] of Object.entries(row)) {
      if (typeof s === 'object') log(`  ${name.padEnd(28)} ${s.p50.toFixed(2).padStart(7)} ${s.p95.toFixed(2).padStart(7)} ${s.mean.toFixed(2).padStart(7)}`);
    }
    log(`  hybrid p95 / brute-force p95: ${row.hybridP95OverBruteP95}x   (bars: hybrid p95 < 30 ms at 50k; within 3x of the scan)`);
  }
  if (PRODUCT) results.product = await productPath(embedder, base, Math.max(...SIZES), queries, queryVectors);
  log(JSON.stringify({ embedder: embedder.id, dimensions: embedder.dimensions, queries: queries.length, results }));
}

/** The same corpus in the product's on-disk index; the search path `search/query` takes. */
async function productPath(embedder: Embedder, base: MemoryChunk[], size: number, queries: string[], queryVectors: Float32Array[]): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-search-bench-'));
  const root = path.join(tmp, 'root');
  fs.mkdirSync(root);
  try {
    const index = await WorkspaceIndex.open({ store: path.join(tmp, 'store'), roots: [root], embedder });
    const byFile = new Map<string, MemoryChunk[]>();
    for (let i = 0; i < size; i++) {
      const copy = Math.floor(i / base.length);
      const c = base[i % base.length];
      const p = copy === 0 ? c.path : `copy${copy}/${c.path}`;
      byFile.set(p, [...(byFile.get(p) ?? []), c]);
    }
    const t0 = performance.now();
    for (const [p, chunks] of byFile) {
      const pending = index.putFile(0, p, { size: 1, mtimeMs: 1, hash: p }, chunks.map((c) => ({ ...c, hash: hashOf(c.text) })));
      await index.embed(pending);
    }
    await index.persist();
    log(`\nproduct path: ${index.catalog.chunkCount} chunks in a WorkspaceIndex (vectra shards), built and persisted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const source = new IndexSource(index);
    const vectorOnly: number[] = [];
    const keyword: number[] = [];
    const hybrid: number[] = [];
    const hybridCpu: number[] = [];
    for (const q of queries.slice(0, 10)) await hybridSearch(source, q, {}); // warm-up
    for (let qi = 0; qi < queries.length; qi++) {
      const t = performance.now();
      await index.vectorSearch(Array.from(queryVectors[qi]), 50);
      vectorOnly.push(performance.now() - t);
      await timeKeywordAndHybrid(source, queries[qi], { bm25: keyword, hybrid, hybridCpu });
    }
    const row = {
      chunks: index.catalog.chunkCount,
      vectraVectorSearch: stats(vectorOnly),
      hybrid: stats(hybrid),
      hybridCpu: stats(hybridCpu),
      bm25: stats(keyword),
    };
    log(`  vectra vector search (top 50)  p50 ${row.vectraVectorSearch.p50}  p95 ${row.vectraVectorSearch.p95} ms`);
    log(`  bm25 via IndexSource           p50 ${row.bm25.p50}  p95 ${row.bm25.p95} ms`);
    log(`  hybrid via IndexSource         p50 ${row.hybrid.p50}  p95 ${row.hybrid.p95} ms`);
    log(`  hybrid via IndexSource, CPU    p50 ${row.hybridCpu.p50}  p95 ${row.hybridCpu.p95} ms`);
    await index.close();
    return row;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * One query through keyword-only and through hybrid search, the same way on every source: wall-clock
 * ms of each, and the hybrid query's CPU ms (the machine is shared; CPU time is what the query used).
 */
async function timeKeywordAndHybrid(source: SearchSource, query: string, into: { bm25: number[]; hybrid: number[]; hybridCpu: number[] }): Promise<void> {
  let t = performance.now();
  await hybridSearch(source, query, { mode: 'bm25' });
  into.bm25.push(performance.now() - t);
  t = performance.now();
  const cpu = process.cpuUsage();
  await hybridSearch(source, query, {});
  into.hybrid.push(performance.now() - t);
  const used = process.cpuUsage(cpu);
  into.hybridCpu.push((used.user + used.system) / 1000);
}

function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${(h >>> 0).toString(16)}-${text.length}`;
}

/** The baseline: every row, every dimension, then top-k. */
function bruteForce(matrix: Float32Array, dims: number, query: Float32Array, k: number): number[] {
  const n = matrix.length / dims;
  const scores = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    const base = r * dims;
    for (let d = 0; d < dims; d++) s += matrix[base + d] * query[d];
    scores[r] = s;
  }
  return topK(scores, k);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
