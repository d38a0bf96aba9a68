/**
 * Inline-completion latency (issue 21). Prints figures; asserts nothing about time.
 *   npm run bench:completions [-- --chunks 50000 --positions 300 --requests 100]
 * Corpus: real package sources from node_modules (openai/src, @anthropic-ai/sdk/src, zod/src, eslint/lib,
 * undici/lib, mocha/lib, ajv/lib) chunked by the product chunker, replicated under distinct path prefixes
 * up to --chunks (copies get suffixed symbol names, so a name is as (un)ambiguous as in one real repo
 * while BM25 postings grow as in a larger one).
 *   1. assemble: the engine's context assembly (window, definitions, imports, similar code) at masked
 *      code lines of the corpus — wall p50/p95 and CPU (process.cpuUsage) p50/p95;
 *   2. end to end: CompletionService.inline (cache miss every time: distinct positions) → egress gate →
 *      loopback /v1/completions server with a fixed 150 ms model time → streamed answer → post-processing.
 * Wall clock on a shared machine includes time other processes held the CPU: the load average is printed.
 * Last line: one JSON object.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assembleContext, DEFAULT_BUDGET, memoryCompletionIndex, SymbolTable, type CompletionIndex } from '../../src/engine/completions/context';
import { CompletionService } from '../../src/engine/completions/service';
import { EngineConfig } from '../../src/engine/config';
import { EgressGate } from '../../src/engine/egress/gate';
import { chunkFile } from '../../src/engine/index/chunker';
import { CostLedger } from '../../src/engine/llm/ledger';
import { MemorySource, type MemoryChunk } from '../../src/engine/search/source';
import { loadRepo, type RepoFile } from '../../scripts/completions/repos';
import { OpenAIChatServer } from '../servers/openaiChat';
import { percentile } from './lib/stats';
import { benchArg } from './lib/args';

const CHUNKS = Number(benchArg('chunks', '50000'));
const POSITIONS = Number(benchArg('positions', '300'));
const REQUESTS = Number(benchArg('requests', '100'));
const MODEL_MS = 150;
const REPOS = ['openai/src', '@anthropic-ai/sdk/src', 'zod/src', 'eslint/lib', 'undici/lib', 'mocha/lib', 'ajv/lib'];
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const r2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const files: RepoFile[] = REPOS.flatMap((r) => loadRepo(r));
  const base: MemoryChunk[] = [];
  for (const f of files) {
    (await chunkFile(f.path, f.text)).forEach((c, i) => base.push({ id: `${f.path}#${i}`, path: f.path, language: c.language, symbol: c.symbol, startLine: c.startLine, endLine: c.endLine, text: c.text }));
  }
  const chunks: MemoryChunk[] = [];
  for (let i = 0; i < CHUNKS; i++) {
    const copy = Math.floor(i / base.length);
    const c = base[i % base.length]!;
    chunks.push(copy === 0 ? c : { ...c, id: `copy${copy}/${c.id}`, path: `copy${copy}/${c.path}`, symbol: c.symbol.split(', ').map((s) => `${s}_c${copy}`).join(', ') });
  }
  const t0 = performance.now();
  const source = new MemorySource();
  await source.add(chunks);
  const symbols = new SymbolTable(chunks);
  const buildMs = performance.now() - t0;
  log(`corpus: ${base.length} distinct chunks from ${files.length} files (${REPOS.join(', ')}), replicated to ${chunks.length}; BM25 + symbol table built in ${(buildMs / 1000).toFixed(1)} s (${symbols.size} names)`);
  const index: CompletionIndex = memoryCompletionIndex(source, symbols);

  // Positions: code lines of the corpus, masked (the line removed, cursor at its indentation), seeded order.
  const positions: Array<{ file: RepoFile; text: string; offset: number }> = [];
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  while (positions.length < POSITIONS + REQUESTS + 20) {
    const file = files[Math.floor(rand() * files.length)]!;
    const line = Math.floor(rand() * file.lines.length);
    const masked = file.lines[line]!;
    if (masked.trim().length < 10 || /^\s*(?:\/\/|\*|\/\*)/.test(masked)) continue;
    const indent = /^\s*/.exec(masked)![0];
    const lines = [...file.lines];
    lines[line] = indent;
    positions.push({ file, text: lines.join('\n'), offset: lines.slice(0, line).join('\n').length + (line > 0 ? 1 : 0) + indent.length });
  }

  const assemble = async (p: (typeof positions)[number]) => assembleContext(index, { path: p.file.path, displayPath: p.file.path, languageId: p.file.language, text: p.text, offset: p.offset });
  for (const p of positions.slice(0, 20)) await assemble(p); // JIT warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  let tokens = 0;
  for (const p of positions.slice(20, 20 + POSITIONS)) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const ctx = await assemble(p);
    wall.push(performance.now() - w0);
    const d = process.cpuUsage(c0);
    cpu.push((d.user + d.system) / 1000);
    tokens += ctx.tokens;
  }
  log(`assemble (${wall.length} positions, budget ${DEFAULT_BUDGET.total} tokens, mean ${Math.round(tokens / wall.length)} used): wall p50 ${r2(percentile(wall, 0.5))} ms, p95 ${r2(percentile(wall, 0.95))} ms; CPU p50 ${r2(percentile(cpu, 0.5))} ms, p95 ${r2(percentile(cpu, 0.95))} ms`);

  // End to end through the real service, gate and a loopback server.
  const server = await new OpenAIChatServer({ modelDelayMs: MODEL_MS, gapMs: 0 }).start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-completions-bench-'));
  const config = new EngineConfig();
  config.update({ 'keel.provider': 'openai-compatible', 'keel.openaiCompatible.baseUrl': server.baseURL, 'keel.models.fast': 'qwen2.5-coder:1.5b' }, {});
  const service = new CompletionService({
    config,
    gate: new EgressGate({ localOnly: true }),
    ledger: new CostLedger({ dir }),
    provider: () => undefined,
    indexFor: (p) => ({ index, rel: p }),
    dir,
    env: {},
  });
  server.policy = () => ({ text: 'value);\n' });
  const e2e: number[] = [];
  const engineOnly: number[] = [];
  const signal = new AbortController().signal;
  const run = positions.slice(20 + POSITIONS, 20 + POSITIONS + REQUESTS);
  await service.inline({ path: run[0]!.file.path, languageId: run[0]!.file.language, text: run[0]!.text + '\n//warm', offset: run[0]!.offset }, signal);
  for (const p of run) {
    const w0 = performance.now();
    const result = await service.inline({ path: p.file.path, languageId: p.file.language, text: p.text, offset: p.offset }, signal);
    const total = performance.now() - w0;
    e2e.push(total);
    engineOnly.push(total - result.timings.modelMs);
  }
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  log(`end to end (${e2e.length} requests, fixed ${MODEL_MS} ms model time, loopback): p50 ${r2(percentile(e2e, 0.5))} ms, p95 ${r2(percentile(e2e, 0.95))} ms; outside the HTTP call p50 ${r2(percentile(engineOnly, 0.5))} ms, p95 ${r2(percentile(engineOnly, 0.95))} ms`);
  log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} on ${os.cpus().length} cores`);
  log(JSON.stringify({
    assembleMsP50: r2(percentile(wall, 0.5)),
    assembleMsP95: r2(percentile(wall, 0.95)),
    assembleCpuMsP50: r2(percentile(cpu, 0.5)),
    assembleCpuMsP95: r2(percentile(cpu, 0.95)),
    endToEndMsP50: r2(percentile(e2e, 0.5)),
    endToEndMsP95: r2(percentile(e2e, 0.95)),
    chunks: chunks.length,
  }));
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
