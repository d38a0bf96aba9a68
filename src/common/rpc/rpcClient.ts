/**
 * The client half of the protocol: typed requests with ids, streamed chunks, cancellation through an
 * AbortSignal, and notifications. Used by the VS Code extension (over the worker transport) and by
 * tests and other hosts (over stdio). Pure Node, no `vscode`.
 *
 * It also answers the engine's requests to its host (`HostRequestMap`): register a handler with
 * `onRequest`, and the client announces the methods it serves (`host/methods`) so that the engine
 * never waits on a request nobody will answer.
 */
import type {
  ChunkOf,
  EngineNotificationMap,
  HostChunkOf,
  HostMethod,
  HostParamsOf,
  HostResultOf,
  ParamsOf,
  RequestMethod,
  ResultOf,
} from '../../protocol';
import { KeelError } from '../errors';
import { RpcPeer, type IncomingContext } from './peer';
import type { MessageTransport } from './transport';

export interface RequestOptions<C> {
  signal?: AbortSignal;
  onChunk?: (chunk: C) => void;
  /** Reject with TIMEOUT after this many ms (and cancel the request on the engine). */
  timeoutMs?: number;
}

/** What a host-request handler gets: the engine's cancellation as a signal, and a chunk sender. */
export interface HostRequestContext<C> {
  readonly signal: AbortSignal;
  stream(chunk: C): void;
}

export type HostRequestHandler<M extends HostMethod> = (
  params: HostParamsOf<M>,
  ctx: HostRequestContext<HostChunkOf<M>>,
) => Promise<HostResultOf<M>>;

type NotificationListener<N extends keyof EngineNotificationMap> = (params: EngineNotificationMap[N]) => void;
type AnyHostHandler = (params: unknown, ctx: IncomingContext) => Promise<unknown>;

export class RpcClient {
  private readonly peer: RpcPeer;
  private readonly hostHandlers = new Map<string, AnyHostHandler>();

  constructor(transport: MessageTransport) {
    this.peer = new RpcPeer(transport, {
      closedError: () => new KeelError('ENGINE_UNAVAILABLE', 'Keel engine stopped'),
    });
    this.peer.handleRequests(async (method, params, ctx) => {
      const handler = this.hostHandlers.get(method);
      if (!handler) throw new KeelError('METHOD_NOT_FOUND', `This host does not provide ${method}.`);
      return handler(params, ctx);
    });
  }

  get closed(): boolean {
    return this.peer.closed;
  }

  request<M extends RequestMethod>(method: M, params: ParamsOf<M>, options: RequestOptions<ChunkOf<M>> = {}): Promise<ResultOf<M>> {
    return this.peer.request(method, params, {
      signal: options.signal,
      onChunk: options.onChunk as ((chunk: unknown) => void) | undefined,
      timeoutMs: options.timeoutMs,
    }) as Promise<ResultOf<M>>;
  }

  onNotification<N extends keyof EngineNotificationMap>(method: N, listener: NotificationListener<N>): { dispose(): void } {
    return this.peer.onNotification(method, listener as (params: unknown) => void);
  }

  /** Answer the engine's `method` requests with `handler` (one handler per method). */
  onRequest<M extends HostMethod>(method: M, handler: HostRequestHandler<M>): { dispose(): void } {
    if (this.hostHandlers.has(method)) throw new Error(`Host handler for ${method} registered twice`);
    const fn: AnyHostHandler = (params, ctx) => handler(params as HostParamsOf<M>, ctx as HostRequestContext<HostChunkOf<M>>);
    this.hostHandlers.set(method, fn);
    this.announce();
    return {
      dispose: () => {
        if (this.hostHandlers.get(method) !== fn) return;
        this.hostHandlers.delete(method);
        this.announce();
      },
    };
  }

  close(): void {
    this.peer.close();
  }

  private announce(): void {
    this.peer.notify('host/methods', { methods: [...this.hostHandlers.keys()] });
  }
}
