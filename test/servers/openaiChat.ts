/**
 * A local server speaking OpenAI Chat Completions (POST /v1/chat/completions), streaming and not, as
 * the API does: `chat.completion.chunk` objects as `data:` lines, `data: [DONE]` at the end, and with
 * stream_options.include_usage a final chunk with empty `choices` carrying usage. Usage includes
 * prompt_tokens_details.cached_tokens from an emulation of automatic prefix caching (prompts of
 * ≥ 1024 tokens, cached in 128-token steps). The official `openai` SDK talks to it through baseURL.
 */
import { createHash } from 'node:crypto';
import { encode } from 'gpt-tokenizer';
import { WireServer, fakeId, sendJson, type ExchangeContext, type Fault, type WireServerOptions } from './harness';
import { respondCompletions } from './openaiCompletions';
import { pieces, writeSseStream, type SseEvent, type StreamFault } from './sse';

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role: string; content: unknown }>;
  response_format?: { type: string };
}

export interface OpenAIServerOptions extends WireServerOptions {
  /** Minimum prompt size that is cached (OpenAI: 1024). */
  minCacheTokens?: number;
  /** false: behave like servers that ignore stream_options.include_usage (some self-hosted ones). */
  reportUsage?: boolean;
  /** /v1/completions: time before the first token (a model's fixed think time; the benchmark uses 150 ms). */
  modelDelayMs?: number;
}

export class OpenAIChatServer extends WireServer {
  private readonly cachedPrefixes = new Set<string>();
  private readonly minCacheTokens: number;
  private readonly reportUsage: boolean;

  constructor(options: OpenAIServerOptions = {}) {
    super((ctx) => this.respond(ctx), options);
    this.minCacheTokens = options.minCacheTokens ?? 1024;
    this.reportUsage = options.reportUsage ?? true;
  }

  /** What the SDK's baseURL should be. */
  get baseURL(): string {
    return `${this.origin}/v1`;
  }

  private async respond(ctx: ExchangeContext): Promise<void> {
    const { res, recorded, fault, reply } = ctx;
    const requestId = fakeId('req_');
    if (recorded.path === '/v1/completions' && recorded.method === 'POST') {
      if (fault && this.sendHttpFault(ctx, fault, requestId)) return;
      await respondCompletions(ctx, { gapMs: this.options.gapMs ?? 2, modelDelayMs: (this.options as OpenAIServerOptions).modelDelayMs ?? 0, reportUsage: this.reportUsage });
      return;
    }
    if (recorded.path !== '/v1/chat/completions' || recorded.method !== 'POST') {
      sendJson(res, 404, errorBody(`Unknown request URL: ${recorded.method} ${recorded.path}`, 'invalid_request_error', null), { 'x-request-id': requestId });
      return;
    }
    if (!/^Bearer \S+/.test(recorded.headers.authorization ?? '')) {
      sendJson(res, 401, errorBody("You didn't provide an API key.", 'invalid_request_error', null), { 'x-request-id': requestId });
      return;
    }
    if (fault && this.sendHttpFault(ctx, fault, requestId)) return;
    const body = (recorded.json ?? {}) as ChatBody;
    if (!Array.isArray(body.messages) || !body.model) {
      sendJson(res, 400, errorBody("Missing required parameter: 'messages' or 'model'.", 'invalid_request_error', 'missing_required_parameter'), { 'x-request-id': requestId });
      return;
    }
    const { promptTokens, cachedTokens } = this.promptUsage(body.messages);
    const toolCalls = (reply?.toolCalls ?? []).map((c) => ({ id: c.id ?? fakeId('call_'), name: c.name, arguments: c.arguments }));
    const content = reply?.rawJson ?? (reply?.json !== undefined ? JSON.stringify(reply.json) : reply?.text ?? (toolCalls.length ? '' : defaultText(body.messages)));
    const completionTokens = encode(content + toolCalls.map((c) => c.name + c.arguments).join('')).length;
    const finishReason = toolCalls.length ? 'tool_calls' : 'stop';
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cachedTokens, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const id = fakeId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;

    if (!body.stream) {
      sendJson(
        res,
        200,
        {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: content || null,
                refusal: null,
                annotations: [],
                ...(toolCalls.length ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
              },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          usage,
          service_tier: 'default',
          system_fingerprint: 'fp_keeltest',
        },
        { 'x-request-id': requestId },
      );
      return;
    }

    const includeUsage = this.reportUsage && body.stream_options?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
      data: JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        system_fingerprint: 'fp_keeltest',
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      }),
    });
    const events: SseEvent[] = [chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])];
    for (const piece of pieces(content)) events.push(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
    // As the API streams them: id and name first, then the arguments in pieces, one call index after another.
    toolCalls.forEach((c, index) => {
      events.push(chunk([{ index: 0, delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, logprobs: null, finish_reason: null }]));
      for (const piece of pieces(c.arguments)) events.push(chunk([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]));
    });
    events.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
    if (includeUsage) events.push(chunk([], { usage }));
    events.push({ data: '[DONE]' });

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId });
    await writeSseStream(res, events, streamFault(fault), this.options.gapMs ?? 2);
  }

  /** Non-stream faults; returns true if the exchange was answered. */
  private sendHttpFault(ctx: ExchangeContext, fault: Fault, requestId: string): boolean {
    const h = { 'x-request-id': requestId };
    switch (fault.mode) {
      case 'rate-limit':
        sendJson(ctx.res, 429, errorBody('Rate limit reached for requests per min (RPM).', 'requests', 'rate_limit_exceeded'), {
          ...h,
          'retry-after': String(fault.retryAfterS ?? 1),
          'x-ratelimit-remaining-requests': '0',
        });
        return true;
      case 'server-error':
        sendJson(ctx.res, 500, errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null), h);
        return true;
      case 'overloaded':
        sendJson(ctx.res, 503, errorBody('The engine is currently overloaded, please try again later.', 'server_error', null), h);
        return true;
      case 'auth':
        sendJson(ctx.res, 401, errorBody('Incorrect API key provided: sk-...test. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'), h);
        return true;
      case 'quota':
        sendJson(ctx.res, 429, errorBody('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'), h);
        return true;
      case 'context-too-long':
        sendJson(
          ctx.res,
          400,
          errorBody("This model's maximum context length is 128000 tokens. However, your messages resulted in 130517 tokens.", 'invalid_request_error', 'context_length_exceeded'),
          h,
        );
        return true;
      default:
        return false; // stream faults and delays are handled by the stream writer / harness
    }
  }

  /** Prompt tokens and the emulated automatic prefix-cache hit for them. */
  private promptUsage(messages: ChatBody['messages'] & object): { promptTokens: number; cachedTokens: number } {
    const tokens: number[] = [];
    for (const m of messages) {
      const calls = (m as { tool_calls?: unknown }).tool_calls;
      tokens.push(...encode(`<|${m.role}|>${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}${calls ? JSON.stringify(calls) : ''}<|end|>`));
    }
    const hashAt = (n: number): string => createHash('sha256').update(tokens.slice(0, n).join(',')).digest('hex');
    let cached = 0;
    const boundaries: number[] = [];
    for (let n = this.minCacheTokens; n <= tokens.length; n += 128) boundaries.push(n);
    for (const n of boundaries) if (this.cachedPrefixes.has(hashAt(n))) cached = n;
    for (const n of boundaries) this.cachedPrefixes.add(hashAt(n));
    return { promptTokens: tokens.length, cachedTokens: cached };
  }
}

function errorBody(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

function streamFault(fault: Fault | undefined): StreamFault | undefined {
  const afterEvents = fault?.afterEvents ?? 2;
  switch (fault?.mode) {
    case 'malformed-sse':
      return { mode: 'malformed-sse', afterEvents, garbage: { data: '{"id":"chatcmpl-x","object":"chat.completion.chunk","choices":[{"delta":{"content":"tr' } };
    case 'cut-stream':
      return { mode: 'cut-stream', afterEvents };
    case 'hang-mid-stream':
      return { mode: 'hang-mid-stream', afterEvents };
    case 'stream-error-event':
      return {
        mode: 'stream-error-event',
        afterEvents,
        error: { data: JSON.stringify({ error: { message: 'The server had an error processing your request.', type: 'server_error', param: null, code: null } }) },
      };
    default:
      return undefined;
  }
}

function defaultText(messages: NonNullable<ChatBody['messages']>): string {
  const last = messages[messages.length - 1];
  const content = typeof last?.content === 'string' ? last.content : '';
  return `You asked: ${content.slice(0, 80)}`;
}
