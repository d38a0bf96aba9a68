/**
 * A local server speaking the Anthropic Messages API (POST /v1/messages) as the API does: SSE with
 * `event:` names message_start → content_block_start → ping → content_block_delta… →
 * content_block_stop → message_delta (stop_reason + cumulative usage) → message_stop; `event: error`
 * for errors mid-stream; JSON error bodies `{type:"error", error:{type, message}}` with a request-id
 * header. Tool use streams input_json_delta.
 *
 * Prompt caching is emulated the way the API documents it: the prompt is the block sequence
 * tools → system → messages; a `cache_control` block marks a breakpoint; the longest previously cached
 * prefix ending at a block boundary (≤ the last breakpoint, within 20 blocks) is read from cache, and
 * breakpoint prefixes past it are written, if they reach the minimum cacheable length. Entries live
 * for a TTL (5 min) refreshed on each hit. Usage reports input_tokens (uncached only),
 * cache_creation_input_tokens and cache_read_input_tokens.
 */
import { createHash } from 'node:crypto';
import { encode } from 'gpt-tokenizer';
import { WireServer, fakeId, sendJson, type ExchangeContext, type Fault, type FaultMode, type WireServerOptions } from './harness';
import { pieces, writeSseStream, type SseEvent, type StreamFault } from './sse';

interface Block {
  type?: string;
  text?: string;
  cache_control?: unknown;
  [key: string]: unknown;
}
interface MessagesBody {
  model?: string;
  max_tokens?: number;
  stream?: boolean;
  system?: string | Block[];
  messages?: Array<{ role: string; content: string | Block[] }>;
  tools?: Array<Block & { name: string }>;
  tool_choice?: { type: string; name?: string };
}

export interface AnthropicServerOptions extends WireServerOptions {
  /** Minimum cacheable prefix (Sonnet/Opus: 1024 tokens; Haiku: 2048). */
  minCacheTokens?: number;
  cacheTtlMs?: number;
}

export interface CacheAccounting {
  input: number;
  cacheWrite: number;
  cacheRead: number;
}

export class AnthropicServer extends WireServer {
  private readonly cache = new Map<string, number>(); // prefix hash → expiry time
  private readonly minCacheTokens: number;
  private readonly cacheTtlMs: number;

  constructor(options: AnthropicServerOptions = {}) {
    super((ctx) => this.respond(ctx), options);
    this.minCacheTokens = options.minCacheTokens ?? 1024;
    this.cacheTtlMs = options.cacheTtlMs ?? 5 * 60_000;
  }

  /** The SDK's baseURL (it appends /v1/messages). */
  get baseURL(): string {
    return this.origin;
  }

  private async respond(ctx: ExchangeContext): Promise<void> {
    const { res, recorded, fault, reply } = ctx;
    const requestId = fakeId('req_');
    const h = { 'request-id': requestId };
    if (recorded.path !== '/v1/messages' || recorded.method !== 'POST') {
      sendJson(res, 404, errorBody('not_found_error', 'Not found'), h);
      return;
    }
    // Older SDKs send x-api-key; current ones send the key as a bearer token.
    if (!recorded.headers['x-api-key'] && !/^Bearer \S+/.test(recorded.headers.authorization ?? '')) {
      sendJson(res, 401, errorBody('authentication_error', 'x-api-key header is required'), h);
      return;
    }
    if (!recorded.headers['anthropic-version']) {
      sendJson(res, 400, errorBody('invalid_request_error', 'anthropic-version: header is required'), h);
      return;
    }
    if (fault && this.sendHttpFault(ctx, fault, h)) return;
    const body = (recorded.json ?? {}) as MessagesBody;
    if (!body.model || !Array.isArray(body.messages) || typeof body.max_tokens !== 'number') {
      sendJson(res, 400, errorBody('invalid_request_error', 'model, messages and max_tokens: Field required'), h);
      return;
    }

    const usageIn = this.account(body);
    const toolName = body.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
    const structured = toolName !== undefined || (reply?.json !== undefined && (body.tools?.length ?? 0) > 0);
    const payload = reply?.rawJson ?? (reply?.json !== undefined ? JSON.stringify(reply.json) : undefined);
    const toolCalls = structured ? [] : (reply?.toolCalls ?? []).map((c) => ({ id: c.id ?? fakeId('toolu_'), name: c.name, arguments: c.arguments }));
    const text = reply?.text ?? (toolCalls.length ? '' : defaultText(body.messages));
    const outputTokens = encode(structured ? (payload ?? '{}') : text + toolCalls.map((c) => c.name + c.arguments).join('')).length;
    const id = fakeId('msg_');
    const usage = {
      input_tokens: usageIn.input,
      cache_creation_input_tokens: usageIn.cacheWrite,
      cache_read_input_tokens: usageIn.cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: usageIn.cacheWrite, ephemeral_1h_input_tokens: 0 },
      output_tokens: outputTokens,
      service_tier: 'standard',
    };
    const toolBlock = { type: 'tool_use', id: fakeId('toolu_'), name: toolName ?? body.tools?.[0]?.name ?? 'tool' };
    const stopReason = structured || toolCalls.length ? 'tool_use' : 'end_turn';

    if (!body.stream) {
      const content = structured
        ? [{ ...toolBlock, input: JSON.parse(payload ?? '{}') as unknown }]
        : [...(text ? [{ type: 'text', text }] : []), ...toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments || '{}') as unknown }))];
      sendJson(res, 200, { id, type: 'message', role: 'assistant', model: body.model, content, stop_reason: stopReason, stop_sequence: null, usage }, h);
      return;
    }

    const ev = (event: string, data: Record<string, unknown>): SseEvent => ({ event, data: JSON.stringify({ type: event, ...data }) });
    const events: SseEvent[] = [
      ev('message_start', {
        message: { id, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
      }),
    ];
    if (structured) {
      events.push(ev('content_block_start', { index: 0, content_block: { ...toolBlock, input: {} } }));
      events.push(ev('ping', {}));
      for (const piece of pieces(payload ?? '')) events.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: piece } }));
      events.push(ev('content_block_stop', { index: 0 }));
    } else {
      let index = 0;
      if (text || !toolCalls.length) {
        events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
        events.push(ev('ping', {}));
        for (const piece of pieces(text)) events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
        events.push(ev('content_block_stop', { index }));
        index++;
      }
      // Parallel tool calls: one tool_use block each, its input streamed as input_json_delta pieces.
      for (const c of toolCalls) {
        events.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }));
        for (const piece of pieces(c.arguments)) events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
        events.push(ev('content_block_stop', { index }));
        index++;
      }
    }
    events.push(
      ev('message_delta', {
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: {
          input_tokens: usage.input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          output_tokens: outputTokens,
        },
      }),
    );
    events.push(ev('message_stop', {}));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...h });
    await writeSseStream(res, events, streamFault(fault), this.options.gapMs ?? 2);
  }

  private sendHttpFault(ctx: ExchangeContext, fault: Fault, h: Record<string, string>): boolean {
    const answer = HTTP_FAULTS[fault.mode];
    if (!answer) return false;
    const [status, type, message] = answer;
    const headers = fault.mode === 'rate-limit'
      ? { ...h, 'retry-after': String(fault.retryAfterS ?? 1), 'anthropic-ratelimit-requests-remaining': '0' }
      : h;
    sendJson(ctx.res, status, errorBody(type, message), headers);
    return true;
  }

  /** Emulated prompt-cache accounting for one request (and the cache writes it causes). */
  account(body: MessagesBody): CacheAccounting {
    const blocks: Array<{ tokens: number; breakpoint: boolean; canonical: string }> = [];
    const add = (block: Block | string, overhead: number): void => {
      const b: Block = typeof block === 'string' ? { type: 'text', text: block } : block;
      const { cache_control, ...rest } = b;
      const canonical = JSON.stringify(rest);
      const tokens = encode(typeof rest.text === 'string' ? rest.text : canonical).length + overhead;
      blocks.push({ tokens, breakpoint: cache_control !== undefined && cache_control !== null, canonical });
    };
    for (const tool of body.tools ?? []) add(tool, 0);
    if (typeof body.system === 'string') add(body.system, 0);
    else for (const b of body.system ?? []) add(b, 0);
    for (const m of body.messages ?? []) {
      const content = typeof m.content === 'string' ? [m.content] : m.content;
      content.forEach((b, i) => add(typeof b === 'string' ? b : b, i === 0 ? 3 : 0)); // role framing on first block
    }

    const now = Date.now();
    let hash = '';
    let cumulative = 0;
    const prefixes = blocks.map((b) => {
      hash = createHash('sha256').update(hash).update(b.canonical).digest('hex');
      cumulative += b.tokens;
      return { hash, tokens: cumulative, breakpoint: b.breakpoint };
    });
    const total = cumulative;
    const breakpoints = prefixes.map((p, i) => (p.breakpoint ? i : -1)).filter((i) => i >= 0);
    if (breakpoints.length === 0) return { input: total, cacheWrite: 0, cacheRead: 0 };

    // Read: the longest live cached prefix ending at or before a breakpoint, within 20 blocks of it.
    let read = -1;
    for (const bp of breakpoints) {
      for (let i = bp; i >= Math.max(0, bp - 20); i--) {
        const expiry = this.cache.get(prefixes[i]!.hash);
        if (expiry !== undefined && expiry > now) {
          if (i > read) read = i;
          break;
        }
      }
    }
    const readTokens = read >= 0 ? prefixes[read]!.tokens : 0;
    if (read >= 0) this.cache.set(prefixes[read]!.hash, now + this.cacheTtlMs); // refresh on hit

    let writeTokens = 0;
    for (const bp of breakpoints) {
      const p = prefixes[bp]!;
      if (bp <= read || p.tokens < this.minCacheTokens) continue;
      this.cache.set(p.hash, now + this.cacheTtlMs);
      writeTokens = p.tokens - readTokens;
    }
    return { input: total - readTokens - writeTokens, cacheWrite: writeTokens, cacheRead: readTokens };
  }
}

/** How Anthropic answers each HTTP-level fault: status, error type, message. */
const HTTP_FAULTS: Partial<Record<FaultMode, [status: number, type: string, message: string]>> = {
  'rate-limit': [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  'server-error': [500, 'api_error', 'Internal server error'],
  overloaded: [529, 'overloaded_error', 'Overloaded'],
  auth: [401, 'authentication_error', 'invalid x-api-key'],
  quota: [400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.'],
  'context-too-long': [400, 'invalid_request_error', 'prompt is too long: 215003 tokens > 200000 maximum'],
};

function errorBody(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: fakeId('req_') };
}

function streamFault(fault: Fault | undefined): StreamFault | undefined {
  const afterEvents = fault?.afterEvents ?? 3;
  switch (fault?.mode) {
    case 'malformed-sse':
      return { mode: 'malformed-sse', afterEvents, garbage: { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_de' } };
    case 'cut-stream':
      return { mode: 'cut-stream', afterEvents };
    case 'hang-mid-stream':
      return { mode: 'hang-mid-stream', afterEvents };
    case 'stream-error-event':
      return { mode: 'stream-error-event', afterEvents, error: { event: 'error', data: JSON.stringify(errorBody('overloaded_error', 'Overloaded')) } };
    default:
      return undefined;
  }
}

function defaultText(messages: NonNullable<MessagesBody['messages']>): string {
  const last = messages[messages.length - 1];
  const content = typeof last?.content === 'string' ? last.content : last?.content.map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
  return `You asked: ${(content ?? '').slice(0, 80)}`;
}
