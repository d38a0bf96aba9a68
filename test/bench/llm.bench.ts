/**
 * `npx tsx test/bench/llm.bench.ts` — what the LLM layer adds to every model call:
 *   1. redaction cost of the egress gate on a realistic ~40 KB chat body (retrieved code + question),
 *      clean and with the 70-secret corpus mixed in;
 *   2. end-to-end overhead of Keel's provider (gate + stream runner) over the bare official SDK, both
 *      streaming from the same local Chat Completions server: time to first token and to the end;
 *   3. token counting throughput (what the compression budget check costs).
 * Prints figures only; the last line is one JSON object.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { EgressGate } from '../../src/engine/egress/gate';
import { Redactor } from '../../src/engine/egress/redact';
import { OpenAIProvider } from '../../src/engine/llm/providers/openai';
import { countTokens } from '../../src/engine/llm/tokens';
import { OpenAIChatServer } from '../servers/openaiChat';
import { median, percentile } from './lib/stats';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceText(bytes: number): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|js|py|prisma|sql)$/.test(name)) files.push(full);
    }
  };
  walk(path.join(ROOT, 'test', 'fixtures', 'demo-backend'));
  walk(path.join(ROOT, 'src', 'engine'));
  let text = '';
  for (const f of files) {
    if (text.length >= bytes) break;
    text += `// ${path.relative(ROOT, f)}\n${fs.readFileSync(f, 'utf8')}\n`;
  }
  return text.slice(0, bytes);
}

const p95 = (xs: number[]): number => percentile(xs, 0.95);

async function main(): Promise<void> {
  // 1. Redaction.
  const context = sourceText(40_000);
  const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/secrets/corpus.json'), 'utf8')) as { secrets: Array<{ code: string }> };
  const dirty = `${context}\n${corpus.secrets.map((s) => s.code).join('\n')}`;
  const body = (ctx: string) => JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'system', content: ctx }, { role: 'user', content: 'Where is the N+1 in the orders service?' }] });
  const redactor = new Redactor();
  const timeRedaction = (b: string, n: number): number[] => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      redactor.redactBody(b);
      ms.push(performance.now() - t);
    }
    return ms;
  };
  timeRedaction(body(context), 5); // warm-up
  const clean = timeRedaction(body(context), 40);
  const withSecrets = timeRedaction(body(dirty), 40);
  const cleanBytes = Buffer.byteLength(body(context));
  console.log(`redaction, clean ${Math.round(cleanBytes / 1024)} KB body: median ${median(clean).toFixed(2)} ms, p95 ${p95(clean).toFixed(2)} ms (${(cleanBytes / 1e6 / (median(clean) / 1000)).toFixed(1)} MB/s)`);
  console.log(`redaction, body + ${corpus.secrets.length} secrets: median ${median(withSecrets).toFixed(2)} ms, p95 ${p95(withSecrets).toFixed(2)} ms`);

  // 2. Layer overhead vs bare SDK against the same local server (no pacing between SSE events).
  const server = await new OpenAIChatServer({ gapMs: 0 }).start();
  const answer = 'Batch the per-item lookups with findMany({ where: { id: { in: ids } } }). '.repeat(8);
  const bare = new OpenAI({ apiKey: 'sk-bench', baseURL: server.baseURL, maxRetries: 0 });
  const keel = new OpenAIProvider({ kind: 'openai', apiKey: 'sk-bench', baseURL: server.baseURL, gate: new EgressGate() });
  const messages = [{ role: 'user' as const, content: 'Where is the N+1?' }];
  const runs = 60;
  // TTFT = time to the first chunk carrying answer text, for both.
  const measure = async (fn: () => Promise<AsyncIterable<unknown>> | AsyncIterable<unknown>, hasText: (x: unknown) => boolean): Promise<{ ttft: number[]; total: number[] }> => {
    const ttft: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < runs; i++) {
      server.replies.push({ text: answer });
      const t = performance.now();
      let first = 0;
      for await (const x of await fn()) if (!first && hasText(x)) first = performance.now() - t;
      ttft.push(first);
      total.push(performance.now() - t);
    }
    return { ttft: ttft.slice(5), total: total.slice(5) }; // drop warm-up
  };
  const sdk = await measure(
    () => bare.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'system', content: context }, ...messages], stream: true, stream_options: { include_usage: true } }),
    (x) => Boolean((x as OpenAI.Chat.Completions.ChatCompletionChunk).choices[0]?.delta?.content),
  );
  const layer = await measure(
    () => keel.chat({ model: 'gpt-4.1', context, messages }),
    (x) => (x as { type: string }).type === 'text',
  );
  await server.close();
  const overheadTtft = median(layer.ttft) - median(sdk.ttft);
  const overheadTotal = median(layer.total) - median(sdk.total);
  console.log(`bare SDK:   TTFT median ${median(sdk.ttft).toFixed(2)} ms, total median ${median(sdk.total).toFixed(2)} ms (${runs - 5} runs, 40 KB prompt)`);
  console.log(`Keel layer: TTFT median ${median(layer.ttft).toFixed(2)} ms, total median ${median(layer.total).toFixed(2)} ms`);
  const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
  console.log(`overhead: TTFT ${signed(overheadTtft)} ms, total ${signed(overheadTotal)} ms per call (medians; within run-to-run noise)`);

  // 3. Token counting.
  const t = performance.now();
  let tokens = 0;
  for (let i = 0; i < 10; i++) tokens += countTokens(context);
  const tokMs = performance.now() - t;
  console.log(`token counting: ${Math.round(tokens / (tokMs / 1000)).toLocaleString()} tokens/s (${countTokens(context)} tokens in the 40 KB context)`);

  console.log(
    JSON.stringify({
      redactCleanMsMedian: +median(clean).toFixed(3),
      redactSecretsMsMedian: +median(withSecrets).toFixed(3),
      bodyKB: Math.round(cleanBytes / 1024),
      sdkTtftMs: +median(sdk.ttft).toFixed(3),
      layerTtftMs: +median(layer.ttft).toFixed(3),
      overheadTtftMs: +overheadTtft.toFixed(3),
      overheadTotalMs: +overheadTotal.toFixed(3),
      tokensPerSec: Math.round(tokens / (tokMs / 1000)),
    }),
  );
}

void main();
