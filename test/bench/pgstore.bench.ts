/**
 * The PostgreSQL + pgvector team store next to the local store, in one run. Prints figures; asserts
 * nothing about time.
 *   npm run bench:pgstore -- [--sizes 200000,1000000] [--clients 1,20] [--queries 200] [--dims 64]
 *                            [--cli-chunks 200000] [--store postgres://…]
 *   (--cli-chunks 0 skips the CLI build; --sizes '' skips the synthetic query figures; --explain prints
 *   the server's EXPLAIN ANALYZE of one hybrid query's statements, captured by auto_explain.)
 *
 * 1. Build through the CLI (`keel index DIR --store …`, the path CI takes): a workspace of real source
 *    text (this checkout's node_modules .js/.ts files, copied round-robin with a distinct header per
 *    copy so every file has its own hash) of about --cli-chunks chunks, indexed once into a local
 *    store and once into PostgreSQL (local build + upload). chunks/s, and the upload alone.
 * 2. Per size: synthetic code-like chunks (Zipf-distributed identifiers, 10 chunks per file) with
 *    deterministic unit vectors, the same for both stores; hybrid query p50/p95 (BM25 leg + vector leg +
 *    RRF + file ranking; the query vector is given, embedding excluded) with each --clients count.
 * 3. Incremental update: one file changed and republished; ms until another client's search sees it.
 *
 * The machine is shared (2 cores, other people's jobs): beside every wall-clock figure the CPU time
 * of this process, of the CLI children, and of the PostgreSQL server (all its processes, from /proc)
 * is printed with the load average. Last line: one JSON object.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hybridSearch } from '../../src/engine/search/hybrid';
import { MemorySource, type MemoryChunk, type SearchSource } from '../../src/engine/search/source';
import { PgStore, type UploadFile } from '../../src/engine/store/postgres/pgStore';
import { startPostgres } from '../helpers/postgres';
import { percentile } from './lib/stats';
import { benchArg } from './lib/args';

const list = (s: string): number[] => s.split(',').filter(Boolean).map(Number);
const SIZES = list(benchArg('sizes', '200000,1000000'));
const CLIENTS = list(benchArg('clients', '1,20'));
const QUERIES = Number(benchArg('queries', '200'));
const DIMS = Number(benchArg('dims', '64'));
const CLI_CHUNKS = Number(benchArg('cli-chunks', '200000'));
const EXPLAIN = process.argv.includes('--explain');
const REPO_ROOT = path.resolve(__dirname, '../..');
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const load = (): string => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const r1 = (x: number): number => Math.round(x * 10) / 10;
const TICK = 100; // USER_HZ on Linux

/** utime+stime (+ reaped children's) of a process, seconds. */
function procCpuS(pid: number | 'self', withChildren: boolean): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  const n = (i: number): number => Number(f[i - 3]);
  return (n(14) + n(15) + (withChildren ? n(16) + n(17) : 0)) / TICK;
}

/** CPU seconds used by the whole PostgreSQL server so far: the postmaster, its live backends, and those that ended. */
function serverCpuS(dataDir: string | undefined): number {
  if (!dataDir) return Number.NaN;
  const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = procCpuS(pid, true);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += procCpuS(Number(entry), false);
    } catch {
      // the process ended between readdir and read: its time is in the postmaster's cutime now
    }
  }
  return total;
}

const selfCpuS = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Meter {
  stop(): { wallS: number; clientCpuS: number; childCpuS: number; serverCpuS: number; load: string };
}
function meter(dataDir: string | undefined): Meter {
  const t0 = performance.now();
  const c0 = selfCpuS();
  const k0 = procCpuS('self', true) - procCpuS('self', false);
  const s0 = serverCpuS(dataDir);
  return {
    stop: () => ({
      wallS: (performance.now() - t0) / 1000,
      clientCpuS: selfCpuS() - c0,
      childCpuS: procCpuS('self', true) - procCpuS('self', false) - k0,
      serverCpuS: serverCpuS(dataDir) - s0,
      load: load(),
    }),
  };
}

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

async function timed(clients: number, queries: number, dataDir: string | undefined, run: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  let next = 0;
  const m = meter(dataDir);
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < queries) {
      const i = next++;
      const t = performance.now();
      await run(i);
      samples.push(performance.now() - t);
    }
  }));
  const s = m.stop();
  return {
    p50: r1(percentile(samples, 0.5)),
    p95: r1(percentile(samples, 0.95)),
    qps: r1(queries / s.wallS),
    clientCpuMsPerQuery: r1((s.clientCpuS * 1000) / queries),
    serverCpuMsPerQuery: r1((s.serverCpuS * 1000) / queries),
    load: s.load,
  };
}

/** Real source text from this checkout's dependencies, copied round-robin until about `bytes`. */
function makeRealWorkspace(dir: string, bytes: number): { files: number; bytes: number } {
  const sources: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|mjs|cjs)$/.test(e.name) && !/\.(min|d)\.|\.map$/.test(e.name)) {
        const size = fs.statSync(p).size;
        if (size > 1000 && size < 100_000) sources.push(p);
      }
    }
  };
  walk(path.join(REPO_ROOT, 'node_modules'));
  let total = 0;
  let files = 0;
  for (let copy = 0; total < bytes; copy++) {
    for (const src of sources) {
      if (total >= bytes) break;
      const rel = path.relative(path.join(REPO_ROOT, 'node_modules'), src).split(path.sep).join('__');
      const out = path.join(dir, `copy${copy}`, `m${Math.floor(files / 500)}`, rel);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const text = `// keel bench copy ${copy}\n${fs.readFileSync(src, 'utf8')}`;
      fs.writeFileSync(out, text);
      total += text.length;
      files++;
    }
  }
  return { files, bytes: total };
}

function cli(args: string[], env: NodeJS.ProcessEnv): { json: Record<string, unknown>; ms: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args, '--json'], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`keel ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { json: JSON.parse(r.stdout) as Record<string, unknown>, ms };
}

async function cliBuild(url: string, dataDir: string | undefined): Promise<Record<string, unknown>> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: npm run build first');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-pgbench-'));
  try {
    const ws = path.join(tmp, 'ws');
    // ~1.1 KB of source per chunk (measured on these files); the chunk count printed is the real one.
    const made = makeRealWorkspace(ws, CLI_CHUNKS * 1100);
    log(`\nCLI build: ${made.files} real source files (${r1(made.bytes / 1e6)} MB), load ${load()}`);
    const env = { ...process.env, KEEL_STATE_DIR: path.join(tmp, 'state'), KEEL_REPO: 'bench-cli', KEEL_BRANCH: 'main' };
    const ml = meter(dataDir);
    const local = cli(['index', ws, '--store', path.join(tmp, 'local-index'), '--timeout', '3600'], env);
    const l = ml.stop();
    const localChunks = Number((local.json as { chunks?: number }).chunks ?? NaN);
    const localFig = { chunks: localChunks, s: r1(l.wallS), chunksPerS: Math.round(localChunks / l.wallS), cliCpuS: r1(l.childCpuS), load: l.load };
    log(`  local:    keel index → ${localChunks} chunks in ${localFig.s} s = ${localFig.chunksPerS} chunks/s (CLI CPU ${localFig.cliCpuS} s, load ${l.load})`);
    const mp = meter(dataDir);
    const pg = cli(['index', ws, '--store', url, '--timeout', '3600'], env);
    const p = mp.stop();
    const team = (pg.json as { team?: { chunks: number; ms: number; uploaded: number } }).team!;
    const pgFig = {
      chunks: team.chunks, s: r1(p.wallS), chunksPerS: Math.round(team.chunks / p.wallS),
      uploadS: r1(team.ms / 1000), uploadChunksPerS: Math.round(team.chunks / (team.ms / 1000)),
      cliCpuS: r1(p.childCpuS), serverCpuS: r1(p.serverCpuS), load: p.load,
    };
    log(`  postgres: keel index --store postgres://… → ${team.chunks} chunks in ${pgFig.s} s = ${pgFig.chunksPerS} chunks/s end to end (local build + upload); upload alone ${pgFig.uploadS} s = ${pgFig.uploadChunksPerS} chunks/s (CLI CPU ${pgFig.cliCpuS} s, server CPU ${pgFig.serverCpuS} s, load ${p.load})`);
    return { files: made.files, mb: r1(made.bytes / 1e6), local: localFig, pg: pgFig };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const server = benchArg('store', '') ? undefined : await startPostgres();
  if (server) {
    // A server sized for the benchmark machine (24 GB): the 1M-chunk postings and graph stay cached.
    server.psql("ALTER SYSTEM SET shared_buffers = '2GB'");
    server.psql("ALTER SYSTEM SET effective_cache_size = '8GB'");
    server.psql("ALTER SYSTEM SET work_mem = '32MB'");
    server.psql("ALTER SYSTEM SET max_wal_size = '8GB'");
    server.psql('ALTER SYSTEM SET max_parallel_workers_per_gather = 0'); // 2 cores, 20 clients: no intra-query parallelism
    // Loaded in every session (inert until auto_explain.log_min_duration is set) so its settings exist.
    if (EXPLAIN) server.psql("ALTER SYSTEM SET session_preload_libraries = 'auto_explain'");
    spawnSync('runuser', ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl', '-D', server.dataDir, '-w', 'restart', '-l', path.join(server.dataDir, '..', 'log')], { stdio: 'ignore' });
    server.psql('CREATE DATABASE keel_bench');
  }
  const dataDir = server?.dataDir;
  const url = benchArg('store', '') || server!.url('postgres', 'keel-super', 'keel_bench');
  const out: Record<string, unknown> = { dims: DIMS, queries: QUERIES, clients: CLIENTS, cores: os.cpus().length, loadStart: load() };
  log(`pgstore bench: CLI build ~${CLI_CHUNKS} chunks; query sizes ${SIZES.join(', ') || 'none'}; clients ${CLIENTS.join(', ')}; ${DIMS}-d vectors; ${QUERIES} queries per figure; ${os.cpus().length} cores; load ${load()}`);
  if (!server) log('  (an existing server: its CPU time is not measured here)');
  try {
    if (CLI_CHUNKS > 0) out.cli = await cliBuild(url, dataDir);
    for (const size of SIZES) {
      const files = Math.ceil(size / 10);
      const repo = `bench${size}`;
      const writer = await PgStore.open(url, { localOnly: false, timeoutS: 3600, migrate: true, max: 2 });
      const embedder = { id: 'bench-random', dimensions: DIMS, local: true, embed: async () => [] as Float32Array[] };
      // Local store: the in-memory BM25 + flat vectors (the local store's search structures).
      const ml = meter(dataDir);
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
      const l = ml.stop();
      const localBuild = { s: r1(l.wallS), chunksPerS: Math.round(size / l.wallS), cpuS: r1(l.clientCpuS) };
      log(`\n${size} synthetic chunks — local build ${localBuild.s} s (${localBuild.chunksPerS} chunks/s, CPU ${localBuild.cpuS} s)`);
      const mp = meter(dataDir);
      let lastLog = performance.now();
      const published = await writer.publish({
        repo, branch: 'main', actor: 'bench', embedder: { id: embedder.id, dimensions: DIMS },
        files: Array.from({ length: files }, (_, f) => ({ path: makeFile(f).path, hash: `h${f}v0` })),
        load: async (batch) => batch.map((b) => makeFile(Number(/file(\d+)/.exec(b.path)![1]))),
        onProgress: (done, total) => {
          if (performance.now() - lastLog > 60_000) {
            lastLog = performance.now();
            log(`  publishing ${done}/${total} files, load ${load()}`);
          }
        },
      }, 3600);
      await writer.pool.query('ANALYZE');
      const p = mp.stop();
      const pgBuild = { s: r1(p.wallS), chunksPerS: Math.round(published.chunks / p.wallS), clientCpuS: r1(p.clientCpuS), serverCpuS: r1(p.serverCpuS), load: p.load };
      log(`  postgres publish ${pgBuild.s} s (${pgBuild.chunksPerS} chunks/s; client CPU ${pgBuild.clientCpuS} s, server CPU ${pgBuild.serverCpuS} s; load ${p.load})`);

      const qr = rng(size + 99);
      const queries = Array.from({ length: QUERIES }, () => ({ text: `${word(zipf(qr))} ${word(zipf(qr))} ${word(zipf(qr))}`, vector: vectorOf(qr) }));
      const withVector = (source: SearchSource, vector: Float32Array): SearchSource => ({
        get chunkCount() { return source.chunkCount; },
        hasVectors: true,
        keywordSearch: (q, k, filter) => source.keywordSearch(q, k, filter),
        vectorSearch: async (_q, k, _s, filter) =>
          source instanceof MemorySource ? source.vectorSearchBy(vector, k, filter) : (source as unknown as { vectorSearchBy: (v: Float32Array, k: number, f?: unknown) => Promise<never> }).vectorSearchBy(vector, k, filter),
        readChunkText: (c) => source.readChunkText(c),
      });
      const figures: Record<string, unknown> = { localBuild, pgBuild };
      if (EXPLAIN && server) {
        // The real statements as the store sends them (prepared, with parameters), planned and run by
        // the server: auto_explain logs each one's plan with actual times.
        const logFile = path.join(server.dataDir, '..', 'log');
        const from = fs.statSync(logFile).size;
        for (const set of ['auto_explain.log_min_duration = 0', 'auto_explain.log_analyze = on', 'auto_explain.log_buffers = on']) server.psql(`ALTER SYSTEM SET ${set}`);
        server.psql('SELECT pg_reload_conf()');
        const probe = await PgStore.open(url, { localOnly: false, timeoutS: 120, max: 1 });
        await hybridSearch(withVector(await probe.source(repo, 'main'), queries[0].vector), queries[0].text, { top: 10 });
        await probe.close();
        for (const set of ['auto_explain.log_min_duration', 'auto_explain.log_analyze', 'auto_explain.log_buffers']) server.psql(`ALTER SYSTEM RESET ${set}`);
        server.psql('SELECT pg_reload_conf()');
        const text = fs.readFileSync(logFile, 'utf8').slice(from);
        log(`  EXPLAIN ANALYZE of one hybrid query ("${queries[0].text}"), from auto_explain:`);
        for (const line of text.split('\n').filter((l) => /duration|->|Scan|Limit|Sort|Hash|Nested|Execution|Buffers|Index|Aggregate|Filter|Rows Removed/.test(l))) log(`    ${line.replace(/^.*LOG:\s+/, '')}`);
      }
      for (const clients of CLIENTS) {
        const reader = await PgStore.open(url, { localOnly: false, timeoutS: 120, max: clients });
        // Each client opens its pool connections first (a running team server has them open).
        await Promise.all(Array.from({ length: clients }, () => reader.head(repo, 'main')));
        const lq = await timed(clients, QUERIES, dataDir, (i) => hybridSearch(withVector(local, queries[i].vector), queries[i].text, { top: 10 }));
        const pq = await timed(clients, QUERIES, dataDir, async (i) => hybridSearch(withVector(await reader.source(repo, 'main'), queries[i].vector), queries[i].text, { top: 10 }));
        figures[`hybrid_${clients}c`] = { local: lq, pg: pq };
        log(`  hybrid, ${clients} client(s): local p50 ${lq.p50} / p95 ${lq.p95} ms (CPU ${lq.clientCpuMsPerQuery} ms/q) · postgres p50 ${pq.p50} / p95 ${pq.p95} ms (client CPU ${pq.clientCpuMsPerQuery} ms/q, server CPU ${pq.serverCpuMsPerQuery} ms/q) · load ${pq.load}`);
        await reader.close();
      }
      // Incremental: one file changes; how long until another client sees it.
      const reader = await PgStore.open(url, { localOnly: false, timeoutS: 120, max: 2 });
      const changed = makeFile(7, 1);
      changed.chunks[0].text += ' zzincrementalmarker';
      const mu = meter(dataDir);
      const republished = await writer.publish({
        repo, branch: 'main', actor: 'bench', embedder: { id: embedder.id, dimensions: DIMS },
        files: Array.from({ length: files }, (_, f) => (f === 7 ? { path: changed.path, hash: changed.hash } : { path: makeFile(f).path, hash: `h${f}v0` })),
        load: async () => [changed],
      });
      let seen = false;
      while (!seen) {
        const hits = await (await reader.source(repo, 'main')).keywordSearch('zzincrementalmarker', 1);
        seen = hits[0]?.chunk.path === changed.path;
      }
      const u = mu.stop();
      figures.incremental = { uploaded: republished.uploaded, reused: republished.reused, visibleMs: Math.round(u.wallS * 1000), clientCpuMs: Math.round(u.clientCpuS * 1000), serverCpuMs: Math.round(u.serverCpuS * 1000), load: u.load };
      log(`  incremental: 1 file of ${files} changed, republished (${republished.uploaded} uploaded, ${republished.reused} shared), visible to another client after ${Math.round(u.wallS * 1000)} ms (client CPU ${Math.round(u.clientCpuS * 1000)} ms, server CPU ${Math.round(u.serverCpuS * 1000)} ms, load ${u.load})`);
      out[String(size)] = figures;
      await reader.close();
      await writer.close();
    }
  } finally {
    server?.stop();
  }
  log(`\nprocess CPU ${r1(selfCpuS())} s, load ${load()}`);
  log(JSON.stringify({ bench: 'pgstore', ...out, loadEnd: load() }));
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
