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
  RequestId,
  RequestMethod,
  ResultOf,
  RpcMessage,
} from '../../protocol';
import { KeelError } from '../errors';
import { failureFor, IncomingCalls, isNotification, isRequest, isResponse, OutgoingCalls, type IncomingHandler } from './peer';
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

export class RpcClient {
  private readonly toEngine: OutgoingCalls;
  private readonly fromEngine: IncomingCalls;
  private readonly hostHandlers = new Map<string, IncomingHandler>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();

  constructor(private readonly transport: MessageTransport) {
    const send = (message: RpcMessage): void => transport.send(message);
    this.toEngine = new OutgoingCalls(send);
    this.fromEngine = new IncomingCalls(send);
    transport.onMessage((message) => this.receive(message));
    transport.onClose((reason) => this.closeAll(reason));
  }

  get closed(): boolean {
    return this.toEngine.closed;
  }

  request<M extends RequestMethod>(method: M, params: ParamsOf<M>, options: RequestOptions<ChunkOf<M>> = {}): Promise<ResultOf<M>> {
    return this.toEngine.request(method, params, {
      signal: options.signal,
      onChunk: options.onChunk as ((chunk: unknown) => void) | undefined,
      timeoutMs: options.timeoutMs,
    }) as Promise<ResultOf<M>>;
  }

  onNotification<N extends keyof EngineNotificationMap>(method: N, listener: NotificationListener<N>): { dispose(): void } {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    const fn = listener as (params: unknown) => void;
    set.add(fn);
    return { dispose: () => set.delete(fn) };
  }

  /** Answer the engine's `method` requests with `handler` (one handler per method). */
  onRequest<M extends HostMethod>(method: M, handler: HostRequestHandler<M>): { dispose(): void } {
    if (this.hostHandlers.has(method)) throw new Error(`Host handler for ${method} registered twice`);
    const fn: IncomingHandler = (params, ctx) => handler(params as HostParamsOf<M>, ctx as HostRequestContext<HostChunkOf<M>>);
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
    this.transport.close();
    this.closeAll();
  }

  private announce(): void {
    if (this.closed) return;
    this.transport.send({ jsonrpc: '2.0', method: 'host/methods', params: { methods: [...this.hostHandlers.keys()] } });
  }

  private receive(message: RpcMessage): void {
    if (isRequest(message)) {
      const handler = this.hostHandlers.get(message.method);
      if (handler) void this.fromEngine.run(message, handler);
      else this.transport.send(failureFor(message.id, new KeelError('METHOD_NOT_FOUND', `This host does not provide ${message.method}.`)));
    } else if (isNotification(message)) {
      if (message.method === '$/stream') {
        const { id, chunk } = message.params as EngineNotificationMap['$/stream'];
        this.toEngine.chunk(id, chunk);
      } else if (message.method === '$/cancelRequest') {
        this.fromEngine.cancel((message.params as { id?: RequestId } | undefined)?.id);
      } else {
        for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
      }
    } else if (isResponse(message)) {
      this.toEngine.settle(message);
    }
  }

  private closeAll(reason?: Error): void {
    if (this.closed) return;
    this.fromEngine.abortAll();
    this.toEngine.close(new KeelError('ENGINE_UNAVAILABLE', `Keel engine stopped${reason ? `: ${reason.message}` : ''}`));
  }
}
