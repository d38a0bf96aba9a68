/**
 * `search_code` latency through `keel mcp` (issue 17). Prints figures; asserts nothing about time.
 *   npx tsx test/bench/mcp.bench.ts [--chunks 50000] [--queries 200] [--profile DIR]
 * Corpus: the real package sources of Keel's retrieval sets (scripts/retrieval/, cached in
 * .keel-cache/, as test/bench/search.bench.ts uses), written to disk and replicated under copyN/
 * folders until the index holds --chunks chunks, then indexed by the product indexer (`index/build`).
 * The built dist/cli.js runs `keel mcp` as a child process; the official SDK client calls
 * search_code (top 10) with the retrieval set's queries. Measured per call:
 *   - round trip: client call → result, over stdio (what an agent waits);
 *   - tool engine time: the whole tool inside the engine (search, snippet reads, path checks; `_meta.keel.engineMs`);
 *   - tool engine CPU: the server process's CPU time during the call (the machine is shared: wall
 *     time includes time other processes held the CPU; CPU time is what the call itself used);
 *   - search engine time: hybrid search alone (`structuredContent.ms`, what `search/query` reports).
 * Baseline in the same run: the same queries through `search/query` in-process (no MCP, no tool layer).
 * Target: tool engine time p95 < 50 ms at 50k chunks. Last line: one JSON object.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { call } from '../../src/engine/engine';
import { createEngine } from '../../src/engine/createEngine';
import { chunkFile } from '../../src/engine/index/chunker';
import { silentLogger } from '../../src/engine/log';
import { defaultCacheDir, loadOrBuildRepoSet } from '../../scripts/retrieval/repoSet';
import { benchArg } from './lib/args';

const CHUNKS = Number(benchArg('chunks', '50000'));
const QUERIES = Number(benchArg('queries', '200'));
/** `--profile DIR`: the server writes a V8 CPU profile there (where the tool's time goes). */
const PROFILE = benchArg('profile', '');
const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const r2 = (x: number): number => Math.round(x * 100) / 100;
const stats = (ms: number[]): { p50: number; p95: number; mean: number } => ({ p50: r2(pct(ms, 0.5)), p95: r2(pct(ms, 0.95)), mean: r2(ms.reduce((a, b) => a + b, 0) / ms.length) });

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) {
    log('building dist/ first');
    spawnSync('node', ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  }
  const cache = defaultCacheDir(REPO);
  const sets = [loadOrBuildRepoSet(cache, log, 'eval'), loadOrBuildRepoSet(cache, log, 'train')];
  const files = sets.flatMap((s) => s.files);
  const perFile = await Promise.all(files.map(async (f) => (await chunkFile(f.path, f.text)).length));
  const perCopy = perFile.reduce((a, b) => a + b, 0);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-mcp-bench-'));
  const root = path.join(tmp, 'repo');
  const store = path.join(tmp, 'store');
  try {
    let written = 0;
    for (let copy = 0; written < CHUNKS; copy++) {
      for (let i = 0; i < files.length && written < CHUNKS; i++) {
        const target = path.join(root, copy === 0 ? '' : `copy${copy}`, ...files[i].path.split('/'));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, files[i].text);
        written += perFile[i];
      }
    }
    log(`corpus: ${files.length} distinct files (${perCopy} chunks per copy), replicated to ~${written} chunks`);

    // The product indexer builds the store; then the in-process baseline runs on the same store.
    const engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: path.join(tmp, 'state'), globalStorageDir: path.join(tmp, 'user') });
    const t0 = performance.now();
    const summary = await call(engine, 'index/build', { roots: [root], store });
    log(`indexed ${summary.files} files / ${summary.chunks} chunks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const queries = sets[0].queries.slice(0, QUERIES).map((q) => q.query);
    for (const q of queries.slice(0, 20)) await call(engine, 'search/query', { query: q, dir: root, store, top: 10, rerank: 'local' });
    const direct: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await call(engine, 'search/query', { query: q, dir: root, store, top: 10, rerank: 'local' });
      direct.push(performance.now() - t);
    }
    await engine.shutdown();

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE)}`] : []), CLI, 'mcp', '--dir', root, '--store', store],
      env: { ...process.env, KEEL_STATE_DIR: path.join(tmp, 'state') } as Record<string, string>,
      stderr: 'inherit',
    });
    const client = new Client({ name: 'keel-bench', version: '1' });
    const tStart = performance.now();
    await client.connect(transport);
    const startupMs = performance.now() - tStart;
    const tFirst = performance.now();
    await client.callTool({ name: 'search_code', arguments: { query: queries[0], top: 10 } });
    const firstCallMs = performance.now() - tFirst;
    for (const q of queries.slice(0, 20)) await client.callTool({ name: 'search_code', arguments: { query: q, top: 10 } });
    const roundTrip: number[] = [];
    const toolEngine: number[] = [];
    const toolCpu: number[] = [];
    const searchEngine: number[] = [];
    let errors = 0;
    for (const q of queries) {
      const t = performance.now();
      const r = (await client.callTool({ name: 'search_code', arguments: { query: q, top: 10 } })) as { isError?: boolean; structuredContent?: { ms: number }; _meta?: { keel?: { engineMs: number; cpuMs: number } } };
      roundTrip.push(performance.now() - t);
      if (r.isError) errors++;
      toolEngine.push(r._meta?.keel?.engineMs ?? NaN);
      toolCpu.push(r._meta?.keel?.cpuMs ?? NaN);
      searchEngine.push(r.structuredContent?.ms ?? NaN);
    }
    await client.close();

    const row = {
      chunks: summary.chunks,
      files: summary.files,
      queries: queries.length,
      errors,
      startupMs: r2(startupMs),
      firstCallMs: r2(firstCallMs),
      roundTrip: stats(roundTrip),
      toolEngine: stats(toolEngine),
      toolEngineCpu: stats(toolCpu),
      searchEngine: stats(searchEngine),
      baselineInProcessSearch: stats(direct),
      targetToolEngineP95Ms: 50,
      loadAverage: os.loadavg().map(r2),
    };
    log(`\nkeel mcp search_code, ${row.chunks} chunks, ${queries.length} queries (ms)   p50     p95    mean`);
    for (const name of ['roundTrip', 'toolEngine', 'toolEngineCpu', 'searchEngine', 'baselineInProcessSearch'] as const) {
      const s = row[name];
      log(`  ${name.padEnd(40)} ${s.p50.toFixed(2).padStart(7)} ${s.p95.toFixed(2).padStart(7)} ${s.mean.toFixed(2).padStart(7)}`);
    }
    log(`  server start ${row.startupMs.toFixed(0)} ms; first call (catch-up sync of the index) ${row.firstCallMs.toFixed(0)} ms; errors ${errors}`);
    log(`  tool engine p95 ${row.toolEngine.p95} ms wall, ${row.toolEngineCpu.p95} ms CPU, vs target < 50 ms`);
    log(`  load average during the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    log(JSON.stringify({ bench: 'mcp', ...row }));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
