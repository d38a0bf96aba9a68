/**
 * The client half of the protocol: typed requests with ids, streamed chunks, cancellation through an
 * AbortSignal, and notifications. Used by the VS Code extension (over the worker transport) and by
 * tests and other hosts (over stdio). Pure Node, no `vscode`.
 */
import type {
  ChunkOf,
  EngineNotificationMap,
  ParamsOf,
  RequestId,
  RequestMethod,
  ResultOf,
  RpcFailure,
  RpcMessage,
  RpcNotification,
  RpcSuccess,
} from '../../protocol';
import { KeelError } from '../errors';
import type { MessageTransport } from './transport';

export interface RequestOptions<C> {
  signal?: AbortSignal;
  onChunk?: (chunk: C) => void;
  /** Reject with TIMEOUT after this many ms (and cancel the request on the engine). */
  timeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: KeelError): void;
  onChunk?: (chunk: unknown) => void;
}

type NotificationListener<N extends keyof EngineNotificationMap> = (params: EngineNotificationMap[N]) => void;

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private closedReason: KeelError | undefined;

  constructor(private readonly transport: MessageTransport) {
    transport.onMessage((message) => this.receive(message));
    transport.onClose((reason) => this.closeAll(reason));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  request<M extends RequestMethod>(method: M, params: ParamsOf<M>, options: RequestOptions<ChunkOf<M>> = {}): Promise<ResultOf<M>> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (options.signal?.aborted) return Promise.reject(new KeelError('CANCELLED', 'The request was cancelled.'));
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cancel = (): void => this.transport.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', cancel);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (value) => {
          cleanup();
          resolve(value as ResultOf<M>);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        onChunk: options.onChunk as ((chunk: unknown) => void) | undefined,
      });
      // Cancellation is cooperative: the engine answers the request with CANCELLED.
      options.signal?.addEventListener('abort', cancel, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cancel();
          this.pending.get(id)?.reject(new KeelError('TIMEOUT', `${method} did not answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      this.transport.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  onNotification<N extends keyof EngineNotificationMap>(method: N, listener: NotificationListener<N>): { dispose(): void } {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    const fn = listener as (params: unknown) => void;
    set.add(fn);
    return { dispose: () => set.delete(fn) };
  }

  close(): void {
    this.transport.close();
    this.closeAll();
  }

  private receive(message: RpcMessage): void {
    if ('method' in message) {
      const notification = message as RpcNotification;
      if (notification.method === '$/stream') {
        const { id, chunk } = notification.params as EngineNotificationMap['$/stream'];
        this.pending.get(id)?.onChunk?.(chunk);
        return;
      }
      for (const listener of this.listeners.get(notification.method) ?? []) listener(notification.params);
      return;
    }
    const pending = this.pending.get((message as RpcSuccess).id);
    if (!pending) return; // late answer to a timed-out request
    if ('error' in message) {
      const failure = message as RpcFailure;
      pending.reject(
        failure.error.data
          ? KeelError.fromWire(failure.error.data)
          : new KeelError('INTERNAL', failure.error.message),
      );
    } else {
      pending.resolve((message as RpcSuccess).result);
    }
  }

  private closeAll(reason?: Error): void {
    if (this.closedReason) return;
    this.closedReason = new KeelError('ENGINE_UNAVAILABLE', `Keel engine stopped${reason ? `: ${reason.message}` : ''}`);
    for (const pending of [...this.pending.values()]) pending.reject(this.closedReason);
  }
}
