/**
 * What the engine ⇄ host bridge adds to a vscode.lm call: time to first delta and per-chunk cost of a
 * `host/lm/chat` stream, with a host that answers instantly, over a MessageChannel (the same structured-
 * clone postMessage path the worker uses) — so the figures are the bridge's own overhead, not a model's.
 * Run: npx tsx test/bench/lmBridge.bench.ts   (prints figures; the last line is one JSON object)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createEngine } from '../../src/engine/createEngine';
import { silentLogger } from '../../src/engine/log';
import { LlmProviderKey } from '../../src/engine/llm/services';
import type { ChatRequest } from '../../src/engine/llm/types';
import { RpcClient } from '../../src/common/rpc/rpcClient';
import { serveEngine } from '../../src/engine/rpc/serveEngine';
import { portTransport, type PortLike } from '../../src/common/rpc/transport';
import { median } from './lib/stats';


async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lmbridge-bench-'));
  const engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: tmp });
  const { port1, port2 } = new MessageChannel();
  serveEngine(engine, portTransport(port1 as unknown as PortLike));
  const client = new RpcClient(portTransport(port2 as unknown as PortLike));
  let chunksPerAnswer = 1;
  const chunk = { text: 'token ' };
  client.onRequest('host/lm/chat', async (_params, ctx) => {
    for (let i = 0; i < chunksPerAnswer; i++) ctx.stream(chunk);
    // No usage, like the real vscode.lm: the engine's tokenizer counting is part of the measured cost.
    return { model: 'copilot/bench' };
  });
  await client.request('engine/configure', { settings: { 'keel.provider': 'vscode-lm' } });
  const provider = engine.services.get(LlmProviderKey)!;
  const request: ChatRequest = { model: 'bench', messages: [{ role: 'user', content: 'How are orders loaded?' }] };

  // Time to first delta and whole call, one chunk per answer.
  const ttft: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < 300; i++) {
    const started = performance.now();
    let first = 0;
    for await (const delta of provider.chat(request)) if (delta.type === 'text' && !first) first = performance.now() - started;
    if (i >= 50) {
      ttft.push(first);
      total.push(performance.now() - started);
    }
  }

  // Streaming cost per chunk: long answers.
  chunksPerAnswer = 5000;
  const perChunkUs: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    let n = 0;
    for await (const delta of provider.chat(request)) if (delta.type === 'text') n++;
    if (n !== chunksPerAnswer) throw new Error(`expected ${chunksPerAnswer} chunks, got ${n}`);
    if (i >= 1) perChunkUs.push(((performance.now() - started) * 1000) / n);
  }

  client.close();
  await engine.shutdown();
  fs.rmSync(tmp, { recursive: true, force: true });
  const figures = {
    ttftMsMedian: +median(ttft).toFixed(3),
    callMsMedian: +median(total).toFixed(3),
    perChunkUsMedian: +median(perChunkUs).toFixed(2),
    chunksPerSec: Math.round(1e6 / median(perChunkUs)),
  };
  console.log(`bridge time to first delta (median of 250): ${figures.ttftMsMedian} ms; whole 1-chunk call: ${figures.callMsMedian} ms`);
  console.log(`streaming: ${figures.perChunkUsMedian} µs per chunk (${figures.chunksPerSec} chunks/s)`);
  console.log(JSON.stringify(figures));
}

void main();
