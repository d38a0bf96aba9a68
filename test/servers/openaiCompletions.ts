/**
 * OpenAI's legacy Completions API (POST /v1/completions) as the OpenAI chat server also serves it:
 * `prompt` + optional `suffix` (fill-in-the-middle), `stop`, `max_tokens`, streamed as `text_completion`
 * chunks (`data:` lines, `data: [DONE]`) with a final usage chunk under stream_options.include_usage,
 * or one JSON object. What the "model" writes comes from the server's scripted replies / policy, else
 * a fixed default; `modelDelayMs` holds the first token back like a real model's time to first token.
 */
import { encode as bpe } from 'gpt-tokenizer';

/** Prompts of FIM models are full of special tokens: count them as text, as a test server may. */
const encode = (text: string): number[] => bpe(text, { disallowedSpecial: new Set() });
import { fakeId, sendJson, type ExchangeContext } from './harness';
import { pieces, writeSseStream, type SseEvent } from './sse';

export interface CompletionsBody {
  model?: string;
  prompt?: unknown;
  suffix?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  stop?: string | string[];
  max_tokens?: number;
}

export const DEFAULT_COMPLETION = 'return a + b;';

export async function respondCompletions(ctx: ExchangeContext, options: { gapMs: number; modelDelayMs: number; reportUsage: boolean }): Promise<void> {
  const { res, recorded, reply } = ctx;
  const body = (recorded.json ?? {}) as CompletionsBody;
  if (typeof body.prompt !== 'string' || !body.model) {
    sendJson(res, 400, { error: { message: "Missing required parameter: 'prompt' or 'model'.", type: 'invalid_request_error', param: null, code: 'missing_required_parameter' } });
    return;
  }
  let text = reply?.text ?? DEFAULT_COMPLETION;
  // Stop sequences end the text the way the API does: the sequence itself is not returned.
  const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
  let finish = 'stop';
  for (const s of stops) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  const max = body.max_tokens ?? 16;
  const tokens = encode(text);
  if (tokens.length > max) {
    finish = 'length';
    text = text.slice(0, Math.floor((text.length * max) / tokens.length));
  }
  const usage = { prompt_tokens: encode(body.prompt).length + encode(body.suffix ?? '').length, completion_tokens: Math.min(tokens.length, max), total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const id = fakeId('cmpl-');
  const created = Math.floor(Date.now() / 1000);
  if (options.modelDelayMs > 0) await new Promise((r) => setTimeout(r, options.modelDelayMs));
  if (res.destroyed) return;
  if (!body.stream) {
    sendJson(res, 200, { id, object: 'text_completion', created, model: body.model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }], usage });
    return;
  }
  const chunk = (t: string, finishReason: string | null): SseEvent => ({
    data: JSON.stringify({ id, object: 'text_completion', created, model: body.model, choices: [{ text: t, index: 0, logprobs: null, finish_reason: finishReason }] }),
  });
  const events: SseEvent[] = pieces(text, 4).map((p) => chunk(p, null));
  events.push(chunk('', finish));
  if (options.reportUsage && body.stream_options?.include_usage) events.push({ data: JSON.stringify({ id, object: 'text_completion', created, model: body.model, choices: [], usage }) });
  events.push({ data: '[DONE]' });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  await writeSseStream(res, events, undefined, options.gapMs);
}
