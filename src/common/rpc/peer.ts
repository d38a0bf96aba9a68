/**
 * The two halves of a JSON-RPC peer, shared by both ends of Keel's protocol since it became
 * bidirectional: `OutgoingCalls` (requests we send: ids, streamed chunks, cancellation, timeouts) and
 * `IncomingCalls` (requests we answer: an AbortSignal per request, `$/stream` chunks, one coded answer).
 * The client uses Outgoing for engine requests and Incoming for host requests; the engine the reverse.
 * Routing messages to the right half stays with the owner, which knows which direction it speaks.
 */
import {
  RpcErrorCodes,
  type RequestId,
  type RpcFailure,
  type RpcMessage,
  type RpcRequest,
  type RpcResponse,
} from '../../protocol';
import { isErrorCode, KeelError, toKeelError, type WireError } from '../errors';

export interface CallOptions {
  signal?: AbortSignal;
  onChunk?: (chunk: unknown) => void;
  /** Reject with TIMEOUT after this many ms (and cancel the request on the other side). */
  timeoutMs?: number;
  /**
   * Reject with CANCELLED as soon as `signal` aborts instead of waiting for the other side to confirm.
   * The engine uses this towards its host: a host that ignores `$/cancelRequest` must not hold it up.
   */
  settleOnAbort?: boolean;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: KeelError): void;
  onChunk?: (chunk: unknown) => void;
}

const cancelled = (): KeelError => new KeelError('CANCELLED', 'The request was cancelled.');

export class OutgoingCalls {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private closedReason: KeelError | undefined;

  constructor(private readonly send: (message: RpcMessage) => void) {}

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  request(method: string, params: unknown, options: CallOptions = {}): Promise<unknown> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (options.signal?.aborted) return Promise.reject(cancelled());
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cancel = (): void => this.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });
      const onAbort = (): void => {
        cancel();
        if (options.settleOnAbort) this.pending.get(id)?.reject(cancelled());
      };
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (value) => {
          cleanup();
          resolve(value);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        onChunk: options.onChunk,
      });
      // Cancellation is cooperative by default: the other side answers the request with CANCELLED.
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cancel();
          this.pending.get(id)?.reject(new KeelError('TIMEOUT', `${method} did not answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      try {
        this.send({ jsonrpc: '2.0', id, method, params });
      } catch (error) {
        // e.g. a DataCloneError for params postMessage cannot copy: fail this request with a clear
        // code instead of leaving it pending (and the caller waiting) forever.
        this.pending.get(id)?.reject(new KeelError('INVALID_PARAMS', `Could not send ${method}: ${(error as Error).message}`));
      }
    });
  }

  /** A `$/stream` chunk for one of our requests (ignored once the request is settled). */
  chunk(id: RequestId, chunk: unknown): void {
    this.pending.get(id)?.onChunk?.(chunk);
  }

  /** The answer to one of our requests; a late answer to a timed-out or abandoned request is dropped. */
  settle(response: RpcResponse): void {
    const pending = response.id === null ? undefined : this.pending.get(response.id);
    if (!pending) return;
    if ('error' in response) {
      const { error } = response;
      pending.reject(error.data ? KeelError.fromWire(error.data) : new KeelError('INTERNAL', error.message));
    } else {
      pending.resolve(response.result);
    }
  }

  /** The other side is gone: every pending and later request fails with `reason`. */
  close(reason: KeelError): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const pending of [...this.pending.values()]) pending.reject(reason);
  }
}

export interface IncomingContext {
  readonly id: RequestId;
  readonly signal: AbortSignal;
  stream(chunk: unknown): void;
}

export type IncomingHandler = (params: unknown, ctx: IncomingContext) => Promise<unknown>;

export class IncomingCalls {
  private readonly running = new Map<RequestId, AbortController>();

  constructor(
    private readonly send: (message: RpcMessage) => void,
    /** Sees the raw error of INTERNAL failures (stacks belong in the log, never on the wire). */
    private readonly onInternalError?: (method: string, error: unknown) => void,
  ) {}

  /** Answer `request` with `handler`'s result, or with a coded failure. Resolves once answered. */
  async run(request: RpcRequest, handler: IncomingHandler, afterAnswer?: () => void): Promise<void> {
    const controller = new AbortController();
    this.running.set(request.id, controller);
    try {
      const result = await handler(request.params, {
        id: request.id,
        signal: controller.signal,
        stream: (chunk) => this.send({ jsonrpc: '2.0', method: '$/stream', params: { id: request.id, chunk } }),
      });
      this.send({ jsonrpc: '2.0', id: request.id, result: result ?? null });
      afterAnswer?.();
    } catch (error) {
      const keelError = controller.signal.aborted ? cancelled() : asKeelError(error);
      if (keelError.code === 'INTERNAL') this.onInternalError?.(request.method, error);
      this.send(failureFor(request.id, keelError));
    } finally {
      this.running.delete(request.id);
    }
  }

  /** `$/cancelRequest { id }` from the other side. */
  cancel(id: RequestId | undefined): void {
    if (id !== undefined) this.running.get(id)?.abort();
  }

  /** The other side is gone: nobody will read the answers, so stop the work. */
  abortAll(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }
}

/**
 * toKeelError, also recognising a KeelError built by ANOTHER copy of errors.ts (a second bundle in the
 * same extension host — host-test suites, other extensions' handlers): `instanceof` fails across
 * bundles, but the error's own wire shape is the contract, so its code must survive.
 */
export function asKeelError(error: unknown): KeelError {
  if (error instanceof KeelError) return error;
  const foreign = error as { name?: unknown; code?: unknown; toWire?: unknown } | null;
  if (foreign && foreign.name === 'KeelError' && isErrorCode(foreign.code) && typeof foreign.toWire === 'function') {
    return KeelError.fromWire((foreign.toWire as () => WireError)());
  }
  return toKeelError(error);
}

export function failureFor(id: RequestId, error: KeelError): RpcFailure {
  const code =
    error.code === 'METHOD_NOT_FOUND'
      ? RpcErrorCodes.MethodNotFound
      : error.code === 'CANCELLED'
        ? RpcErrorCodes.RequestCancelled
        : error.code === 'INVALID_PARAMS'
          ? RpcErrorCodes.InvalidParams
          : RpcErrorCodes.KeelError;
  return { jsonrpc: '2.0', id, error: { code, message: error.message, data: error.toWire(String(id)) } };
}

/** Requests and notifications carry a method; only requests also carry an id. */
export function isRequest(message: RpcMessage): message is RpcRequest {
  return typeof (message as { method?: unknown }).method === 'string' && (message as { id?: unknown }).id !== undefined && (message as { id?: unknown }).id !== null;
}

export function isNotification(message: RpcMessage): message is RpcMessage & { method: string; params: unknown } {
  return typeof (message as { method?: unknown }).method === 'string' && !isRequest(message);
}

export function isResponse(message: RpcMessage): message is RpcResponse {
  return typeof (message as { method?: unknown }).method !== 'string' && ('result' in message || 'error' in message);
}
