/**
 * What the whole-file BM25 list (Bm25Index.searchGroups) adds per query beside chunk BM25, at 50k
 * chunks in 5k files, for a short query and for a long bug report (400 distinct terms). Prints
 * figures (wall and process CPU time); asserts nothing. Corpus: synthetic, Zipf-distributed words, so
 * posting lengths look like code's (a few very common terms, a long tail).
 *   npx tsx test/bench/fileBm25.bench.ts [--chunks 50000] [--queries 50]
 * Last line: one JSON object.
 */
import * as os from 'node:os';
import { Bm25Index } from '../../src/engine/search/bm25';
import { mulberry32 } from '../../scripts/embedder/rng';
import { percentile } from './lib/stats';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const CHUNKS = Number(arg('chunks', '50000'));
const QUERIES = Number(arg('queries', '50'));
const VOCAB = 40_000;
const random = mulberry32(14);
const word = (): string => `w${Math.floor(VOCAB ** random()) - 1}`; // Zipf-like: low ids are common

const index = new Bm25Index();
for (let i = 0; i < CHUNKS; i++) {
  const words = Array.from({ length: 60 + Math.floor(random() * 120) }, word);
  index.add(`f${Math.floor(i / 10)}#${i}`, { text: words.join(' '), symbol: word(), path: `src/f${Math.floor(i / 10)}.ts` });
}
const fileOf = (id: string): string => id.slice(0, id.indexOf('#'));
index.searchGroups('warm', 1, fileOf); // builds the chunk → file table once, as the first query after a change would

function measure(terms: number): { chunkCpuP50: number; chunkCpuP95: number; fileCpuP50: number; fileCpuP95: number; fileWallP95: number } {
  const chunkCpu: number[] = [];
  const fileCpu: number[] = [];
  const fileWall: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const query = new Map(Array.from({ length: terms }, () => [word(), 1] as [string, number]));
    let c = process.cpuUsage();
    index.search(query, 300);
    let used = process.cpuUsage(c);
    chunkCpu.push((used.user + used.system) / 1000);
    const t = performance.now();
    c = process.cpuUsage();
    index.searchGroups(query, 200, fileOf);
    used = process.cpuUsage(c);
    fileWall.push(performance.now() - t);
    fileCpu.push((used.user + used.system) / 1000);
  }
  const r = (x: number): number => Math.round(x * 100) / 100;
  return {
    chunkCpuP50: r(percentile(chunkCpu, 0.5)), chunkCpuP95: r(percentile(chunkCpu, 0.95)),
    fileCpuP50: r(percentile(fileCpu, 0.5)), fileCpuP95: r(percentile(fileCpu, 0.95)), fileWallP95: r(percentile(fileWall, 0.95)),
  };
}

const t0 = performance.now();
const c0 = process.cpuUsage();
index.searchGroups('rebuild', 1, (id) => id.slice(0, id.indexOf('#')) + '');
const rebuildCpu = process.cpuUsage(c0);
const rebuild = { wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((rebuildCpu.user + rebuildCpu.system) / 1000) };
const short = measure(6);
const long = measure(400);
console.log(`chunks ${CHUNKS}, files ${CHUNKS / 10}, ${QUERIES} queries each, load ${os.loadavg()[0].toFixed(1)}`);
console.log(`chunk → file table rebuild (first query after a change): ${rebuild.cpuMs} ms CPU (${rebuild.wallMs} ms wall)`);
console.log(`short query (6 terms):  chunk BM25 CPU p50/p95 ${short.chunkCpuP50}/${short.chunkCpuP95} ms; whole-file BM25 CPU p50/p95 ${short.fileCpuP50}/${short.fileCpuP95} ms`);
console.log(`long report (400 terms): chunk BM25 CPU p50/p95 ${long.chunkCpuP50}/${long.chunkCpuP95} ms; whole-file BM25 CPU p50/p95 ${long.fileCpuP50}/${long.fileCpuP95} ms`);
console.log(JSON.stringify({ chunks: CHUNKS, queries: QUERIES, rebuild, short, long }));
