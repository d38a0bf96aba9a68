/**
 * Servers that break the rules a well-behaved provider keeps, speaking just enough of the OpenAI and
 * Anthropic wire formats for the official SDKs to start reading:
 *   silent   accepts the connection, reads the request, never answers (a hung provider)
 *   endless  a valid SSE stream that never ends (a token every `gapMs`)
 *   flood    a valid SSE stream of large events, written as fast as the socket takes them
 *   redirect answers every request with 307 to `location`
 */
import { WireServer, type ExchangeContext } from './harness';
import { formatSse, type SseEvent } from './sse';

export type Misbehaviour = 'silent' | 'endless' | 'flood' | 'redirect';
export type Dialect = 'openai' | 'anthropic';

export interface MisbehavingOptions {
  dialect?: Dialect;
  gapMs?: number;
  /** redirect: where to. */
  location?: string;
}

export class MisbehavingServer extends WireServer {
  /** Bytes written into response bodies (flood: how far the server got before the client hung up). */
  bytesSent = 0;

  constructor(
    readonly behaviour: Misbehaviour,
    private readonly o: MisbehavingOptions = {},
  ) {
    super((ctx) => this.respond(ctx));
  }

  /** OpenAI-style base URL (the Anthropic SDK appends /v1 itself). */
  get baseURL(): string {
    return this.o.dialect === 'anthropic' ? this.origin : `${this.origin}/v1`;
  }

  private async respond({ res }: ExchangeContext): Promise<void> {
    if (this.behaviour === 'silent') return;
    if (this.behaviour === 'redirect') {
      res.writeHead(307, { location: this.o.location ?? 'http://203.0.113.7/v1/exfiltrate' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const write = (e: SseEvent): boolean => {
      const text = formatSse(e);
      this.bytesSent += Buffer.byteLength(text);
      return res.write(text);
    };
    for (const e of this.opening()) write(e);
    const piece = this.behaviour === 'flood' ? 'x'.repeat(32 * 1024) : 'tick ';
    while (!res.destroyed && !res.writableEnded) {
      const more = write(this.delta(piece));
      if (this.behaviour === 'flood') {
        if (!more) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
        }
      } else {
        await new Promise((r) => setTimeout(r, this.o.gapMs ?? 20));
      }
    }
  }

  private opening(): SseEvent[] {
    if (this.o.dialect !== 'anthropic') return [];
    const message = { id: 'msg_endless', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 0 } };
    return [
      { event: 'message_start', data: JSON.stringify({ type: 'message_start', message }) },
      { event: 'content_block_start', data: JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) },
    ];
  }

  private delta(text: string): SseEvent {
    if (this.o.dialect === 'anthropic') {
      return { event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }) };
    }
    const chunk = { id: 'chatcmpl-endless', object: 'chat.completion.chunk', created: 0, model: 'gpt-4.1', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] };
    return { data: JSON.stringify(chunk) };
  }
}
