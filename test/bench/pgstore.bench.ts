/**
 * The PostgreSQL + pgvector team store next to the local store, in one run. Prints figures; asserts
 * nothing about time.
 *   npm run bench:pgstore -- [--sizes 200000,1000000] [--queries 100] [--dims 64] [--store postgres://…]
 * Corpus: synthetic code-like chunks (Zipf-distributed identifiers and words, 10 chunks per file) with
 * deterministic unit vectors, the same for both stores. Measured per size:
 *   - build: chunks/s publishing into PostgreSQL (PgStore.publish: chunks, BM25 postings, vectors under
 *     HNSW, commit statistics), and building the local in-memory store (BM25 + flat vectors);
 *   - hybrid query (BM25 leg + vector leg + RRF + file ranking; embedding excluded: vectors are given),
 *     p50/p95 with 1 client and with 20 concurrent clients, for both stores;
 *   - incremental update: one file changed and republished; ms until another client's search sees it.
 * The machine is shared (2 cores): process CPU time and the load average are printed beside wall time;
 * the PostgreSQL server's own CPU is not in the process figure. Last line: one JSON object.
 */
import * as fs from 'node:fs';
import { hybridSearch } from '../../src/engine/search/hybrid';
import { MemorySource, type MemoryChunk, type SearchSource } from '../../src/engine/search/source';
import { PgStore, type UploadFile } from '../../src/engine/store/postgres/pgStore';
import { startPostgres } from '../helpers/postgres';
import { percentile } from './lib/stats';
import { benchArg } from './lib/args';

const SIZES = benchArg('sizes', '200000').split(',').map(Number);
const QUERIES = Number(benchArg('queries', '100'));
const DIMS = Number(benchArg('dims', '64'));
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const load = (): string => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const r1 = (x: number): number => Math.round(x * 10) / 10;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const VOCAB = 20_000;
function word(i: number): string {
  const parts = ['user', 'order', 'get', 'set', 'find', 'by', 'id', 'price', 'total', 'cache', 'load', 'save', 'query', 'item', 'cart', 'auth', 'token', 'db', 'row', 'list'];
  return `${parts[i % 20]}${parts[Math.floor(i / 20) % 20]}${i >= 400 ? i : ''}`;
}

/** Zipf-ish word index: a few words are very common, most are rare (like identifiers in a repository). */
function zipf(r: () => number): number {
  return Math.min(VOCAB - 1, Math.floor(Math.exp(r() * Math.log(VOCAB)) - 1));
}

function vectorOf(r: () => number): Float32Array {
  const v = new Float32Array(DIMS);
  let n = 0;
  for (let d = 0; d < DIMS; d++) n += (v[d] = r() * 2 - 1) ** 2;
  const s = 1 / Math.sqrt(n);
  for (let d = 0; d < DIMS; d++) v[d] *= s;
  return v;
}

function makeFile(f: number, version = 0): UploadFile {
  const r = rng(f * 7919 + version * 104729 + 1);
  const chunks = Array.from({ length: 10 }, (_, c) => {
    const words = Array.from({ length: 30 }, () => word(zipf(r)));
    const symbol = `${word(zipf(r))}.${word(zipf(r))}`;
    return { startLine: c * 20 + 1, endLine: c * 20 + 20, symbol, language: 'typescript', hash: `${f}:${version}:${c}`, text: `function ${symbol.replace('.', '_')}() {\n  ${words.join(' ')}\n}`, vector: vectorOf(r) };
  });
  return { path: `src/mod${Math.floor(f / 100)}/file${f}.ts`, hash: `h${f}v${version}`, language: 'typescript', chunks };
}

async function timed(clients: number, queries: number, run: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number; qps: number; cpuMsPerQuery: number }> {
  const samples: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < queries) {
      const i = next++;
      const t = performance.now();
      await run(i);
      samples.push(performance.now() - t);
    }
  }));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { p50: r1(percentile(samples, 0.5)), p95: r1(percentile(samples, 0.95)), qps: r1((queries / wall) * 1000), cpuMsPerQuery: r1((cpu.user + cpu.system) / 1000 / queries) };
}

async function main(): Promise<void> {
  const server = benchArg('store', '') ? undefined : await startPostgres();
  if (server) server.psql('CREATE DATABASE keel_bench');
  const url = benchArg('store', '') || server!.url('postgres', 'keel-super', 'keel_bench');
  const out: Record<string, unknown> = { dims: DIMS, queries: QUERIES };
  log(`pgstore bench: sizes ${SIZES.join(', ')}, ${DIMS}-d vectors, ${QUERIES} queries per figure, load ${load()}`);
  try {
    for (const size of SIZES) {
      const files = Math.ceil(size / 10);
      const repo = `bench${size}`;
      const writer = await PgStore.open(url, { localOnly: false, timeoutS: 600, migrate: true, max: 2 });
      const embedder = { id: 'bench-random', dimensions: DIMS, local: true, embed: async () => [] as Float32Array[] };
      // Local store: the in-memory BM25 + flat vectors (the local store's search structures).
      const c0 = process.cpuUsage();
      const tl = performance.now();
      const local = new MemorySource(embedder);
      for (let f = 0; f < files; f += 500) {
        const batch = Array.from({ length: Math.min(500, files - f) }, (_, j) => makeFile(f + j));
        const chunks: MemoryChunk[] = [];
        const vectors: Float32Array[] = [];
        for (const file of batch) file.chunks.forEach((c, i) => {
          chunks.push({ id: `${file.path}#${i}`, path: file.path, language: c.language, symbol: c.symbol, startLine: c.startLine, endLine: c.endLine, text: c.text });
          vectors.push(c.vector as Float32Array);
        });
        await local.add(chunks, vectors);
      }
      const localBuild = { s: r1((performance.now() - tl) / 1000), chunksPerS: Math.round(size / ((performance.now() - tl) / 1000)), cpuS: r1((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6) };
      log(`\n${size} chunks — local build ${localBuild.s} s (${localBuild.chunksPerS} chunks/s, CPU ${localBuild.cpuS} s)`);
      const c1 = process.cpuUsage();
      const tp = performance.now();
      let lastLog = 0;
      const published = await writer.publish({
        repo, branch: 'main', actor: 'bench', embedder: { id: embedder.id, dimensions: DIMS },
        files: Array.from({ length: files }, (_, f) => ({ path: makeFile(f).path, hash: `h${f}v0` })),
        load: async (batch) => batch.map((b) => makeFile(Number(/file(\d+)/.exec(b.path)![1]))),
        onProgress: (done, total) => {
          if (performance.now() - lastLog > 30_000) {
            lastLog = performance.now();
            log(`  publishing ${done}/${total} files, ${r1((performance.now() - tp) / 1000)} s, load ${load()}`);
          }
        },
      }, 600);
      const pgBuildS = (performance.now() - tp) / 1000;
      const pgBuild = { s: r1(pgBuildS), chunksPerS: Math.round(published.chunks / pgBuildS), clientCpuS: r1((process.cpuUsage(c1).user + process.cpuUsage(c1).system) / 1e6) };
      log(`  postgres publish ${pgBuild.s} s (${pgBuild.chunksPerS} chunks/s; client CPU ${pgBuild.clientCpuS} s; load ${load()})`);
      await writer.pool.query('ANALYZE');

      const reader = await PgStore.open(url, { localOnly: false, timeoutS: 60, max: 20 });
      const qr = rng(size + 99);
      const queries = Array.from({ length: QUERIES }, () => ({ text: `${word(zipf(qr))} ${word(zipf(qr))} ${word(zipf(qr))}`, vector: vectorOf(qr) }));
      const withVector = (source: SearchSource, vector: Float32Array): SearchSource => ({
        get chunkCount() { return source.chunkCount; },
        hasVectors: true,
        keywordSearch: (q, k, filter) => source.keywordSearch(q, k, filter),
        vectorSearch: async (_q, k, _s, filter) =>
          source instanceof MemorySource ? source.vectorSearchBy(vector, k, filter) : (source as unknown as { vectorSearchBy: (v: Float32Array, k: number) => Promise<never> }).vectorSearchBy(vector, k),
        readChunkText: (c) => source.readChunkText(c),
      });
      const figures: Record<string, unknown> = { localBuild, pgBuild };
      for (const clients of [1, 20]) {
        const l = await timed(clients, QUERIES, (i) => hybridSearch(withVector(local, queries[i].vector), queries[i].text, { top: 10 }));
        const p = await timed(clients, QUERIES, async (i) => hybridSearch(withVector(await reader.source(repo, 'main'), queries[i].vector), queries[i].text, { top: 10 }));
        figures[`hybrid_${clients}c`] = { local: l, pg: p };
        log(`  hybrid, ${clients} client(s): local p50 ${l.p50} / p95 ${l.p95} ms (CPU ${l.cpuMsPerQuery} ms/q) · postgres p50 ${p.p50} / p95 ${p.p95} ms (client CPU ${p.cpuMsPerQuery} ms/q), load ${load()}`);
      }
      // Incremental: one file changes; how long until another client sees it.
      const changed = makeFile(7, 1);
      changed.chunks[0].text += ' zzincrementalmarker';
      const tu = performance.now();
      const republished = await writer.publish({
        repo, branch: 'main', actor: 'bench', embedder: { id: embedder.id, dimensions: DIMS },
        files: Array.from({ length: files }, (_, f) => (f === 7 ? { path: changed.path, hash: changed.hash } : { path: makeFile(f).path, hash: `h${f}v0` })),
        load: async () => [changed],
      });
      let seenMs = Number.NaN;
      for (;;) {
        const hits = await (await reader.source(repo, 'main')).keywordSearch('zzincrementalmarker', 1);
        if (hits[0]?.chunk.path === changed.path) {
          seenMs = performance.now() - tu;
          break;
        }
      }
      figures.incremental = { uploaded: republished.uploaded, reused: republished.reused, visibleMs: Math.round(seenMs) };
      log(`  incremental: 1 file of ${files} changed, republished (${republished.uploaded} uploaded, ${republished.reused} shared) and visible to another client after ${Math.round(seenMs)} ms`);
      out[String(size)] = figures;
      await reader.close();
      await writer.close();
    }
  } finally {
    server?.stop();
  }
  const cpu = process.cpuUsage();
  log(`\nprocess CPU ${r1((cpu.user + cpu.system) / 1e6)} s, load ${load()}`);
  log(JSON.stringify({ bench: 'pgstore', ...out }));
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
