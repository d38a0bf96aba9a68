/**
 * Runs one provider stream with Keel's guarantees, whatever the SDK underneath:
 * - cancellation: the caller's signal aborts the attempt's controller, which the SDK ties to the
 *   socket; an SDK that ends the iteration quietly on abort still surfaces CANCELLED here.
 * - idle timeout: a stream that stops sending (hung connection) is aborted and reported as TIMEOUT.
 * - retries: only while nothing has been yielded to the caller. Once output has gone out, a failure
 *   is surfaced, never silently retried — the caller would otherwise get duplicated text and pay twice.
 */
import type { ProviderId } from '../../../protocol';
import { KeelError } from '../../../common/errors';
import { toProviderError } from '../../egress/providerErrors';
import { abortableSleep, retryDelayMs, type RetryHooks, type RetryPolicy } from '../../egress/retry';
import type { ChatFinal, ToolCall } from '../types';

export interface StreamDecoder<E> {
  /** Consume one SDK event; returns text to emit, if any. */
  push(event: E): string | undefined;
  /** Called after the stream ended; throws BAD_RESPONSE if it ended before its terminal event. */
  finish(): Omit<ChatFinal, 'provider'> & { toolInput?: string };
}

/**
 * What the SDK decoders share: the message id and model, and the tool calls by their stream index
 * (several in one answer are parallel calls), handed back in stream order.
 */
export abstract class ToolCallDecoder<E> implements StreamDecoder<E> {
  protected readonly toolCalls = new Map<number, ToolCall>();
  protected id = '';
  protected model = '';

  abstract push(event: E): string | undefined;
  abstract finish(): Omit<ChatFinal, 'provider'> & { toolInput?: string };

  /** `{ toolCalls }` in stream order, or nothing when the answer called no tool. */
  protected orderedToolCalls(): { toolCalls?: ToolCall[] } {
    return this.toolCalls.size ? { toolCalls: [...this.toolCalls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c) } : {};
  }
}

export interface OpenedStream<E> {
  stream: AsyncIterable<E>;
  /** From the response headers (x-request-id / request-id). */
  requestId?: string;
}

export type RunnerDelta = { type: 'text'; text: string } | { type: 'done'; final: ChatFinal; toolInput?: string };

export interface StreamRunOptions<E> {
  provider: ProviderId;
  retry: RetryPolicy;
  idleTimeoutMs: number;
  hooks?: RetryHooks;
  signal?: AbortSignal;
  /** Start the request; resolves once response headers arrived. */
  open(signal: AbortSignal): Promise<OpenedStream<E>>;
  /** The coded error the egress gate raised for the attempt, if any (EgressCall.takeError). */
  gateError?(): KeelError | undefined;
  decoder(): StreamDecoder<E>;
}

export async function* runStream<E>(o: StreamRunOptions<E>): AsyncGenerator<RunnerDelta> {
  const sleep = o.hooks?.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    const forwardAbort = (): void => controller.abort();
    o.signal?.addEventListener('abort', forwardAbort, { once: true });
    let produced = false;
    let timedOut = false;
    let requestId: string | undefined;
    try {
      if (o.signal?.aborted) throw new KeelError('CANCELLED', 'The request was cancelled.');
      const opened = await o.open(controller.signal);
      requestId = opened.requestId;
      const iterator = opened.stream[Symbol.asyncIterator]();
      const decoder = o.decoder();
      for (;;) {
        const next = await nextWithin(iterator, o.idleTimeoutMs, () => {
          timedOut = true;
          controller.abort();
        });
        if (next.done) break;
        const text = decoder.push(next.value);
        if (text) {
          produced = true;
          yield { type: 'text', text };
        }
      }
      // The SDKs end the iteration without throwing when aborted: decide here what that meant.
      if (timedOut) throw new KeelError('TIMEOUT', `No data from ${o.provider} for ${o.idleTimeoutMs} ms.`);
      if (o.signal?.aborted) throw new KeelError('CANCELLED', 'The request was cancelled.');
      const { toolInput, ...final } = decoder.finish();
      yield { type: 'done', final: { ...final, provider: o.provider }, toolInput };
      return;
    } catch (error) {
      const keel = toProviderError(o.gateError?.() ?? error, { provider: o.provider, cancelled: o.signal?.aborted, timedOut, requestId });
      const delay = produced ? undefined : retryDelayMs(keel, attempt, o.retry, o.hooks?.random);
      if (delay === undefined) throw keel;
      o.hooks?.onRetry?.(keel, attempt, delay);
      await sleep(delay, o.signal);
    } finally {
      o.signal?.removeEventListener('abort', forwardAbort);
      // Releases the socket when the consumer stopped early (break) or the attempt failed.
      controller.abort();
    }
  }
}

function nextWithin<E>(iterator: AsyncIterator<E>, ms: number, onTimeout: () => void): Promise<IteratorResult<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new KeelError('TIMEOUT', `No data from the provider for ${ms} ms.`));
    }, ms);
    iterator.next().then(
      (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
