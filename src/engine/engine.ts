/**
 * The engine core: a registry of request handlers plus shared services. It knows nothing about
 * transports — the worker, `keel serve --stdio` and the in-process CLI all drive the same Engine
 * through `dispatch()`. Features register their handlers in `features/` (one file per feature), so
 * there is no central switch that every change has to touch.
 */
import type {
  ChunkOf,
  EngineNotificationMap,
  ParamsOf,
  RequestId,
  RequestMethod,
  ResultOf,
} from '../protocol';
import { KeelError, throwIfCancelled } from '../common/errors';
import type { Logger } from './log';
import { ServiceRegistry } from './services';
import { requestScope, scopeOfParams } from './store/requestScope';

export interface RequestContext<C = unknown> {
  readonly id: RequestId;
  readonly signal: AbortSignal;
  /** Send a streamed chunk tied to this request (`$/stream { id, chunk }`). */
  stream(chunk: C): void;
  /** Send an engine → client notification (progress, logs). */
  notify<N extends keyof EngineNotificationMap>(method: N, params: EngineNotificationMap[N]): void;
  readonly log: Logger;
}

export type Handler<M extends RequestMethod> = (
  params: ParamsOf<M>,
  ctx: RequestContext<ChunkOf<M>>,
) => Promise<ResultOf<M>>;

export type NotificationSink = <N extends keyof EngineNotificationMap>(method: N, params: EngineNotificationMap[N]) => void;

export interface EngineOptions {
  host: 'worker' | 'stdio' | 'in-process';
  log: Logger;
  /** Where Keel keeps per-workspace state (index, cache, ledger). Never inside the user's repository. */
  storageDir?: string;
  /** Per-user state shared by all workspaces (the cost ledger). Defaults to storageDir. */
  globalStorageDir?: string;
  version: string;
}

export class Engine {
  readonly services = new ServiceRegistry();
  readonly startedAt = Date.now();
  private readonly handlers = new Map<string, Handler<RequestMethod>>();
  private readonly disposers: Array<() => Promise<void> | void> = [];

  constructor(readonly options: EngineOptions) {}

  get log(): Logger {
    return this.options.log;
  }

  /** Register a handler for a method. Registering a method twice is a programming error. */
  handle<M extends RequestMethod>(method: M, handler: Handler<M>): void {
    if (this.handlers.has(method)) throw new Error(`Handler for ${method} registered twice`);
    this.handlers.set(method, handler as unknown as Handler<RequestMethod>);
  }

  /** Run `fn` when the engine shuts down (flush stores, close sockets). Last registered runs first. */
  onShutdown(fn: () => Promise<void> | void): void {
    this.disposers.unshift(fn);
  }

  has(method: string): boolean {
    return this.handlers.has(method);
  }

  async dispatch<M extends RequestMethod>(
    method: M,
    params: ParamsOf<M>,
    ctx: RequestContext<ChunkOf<M>>,
  ): Promise<ResultOf<M>> {
    const handler = this.handlers.get(method) as Handler<M> | undefined;
    if (!handler) throw new KeelError('METHOD_NOT_FOUND', `Unknown method: ${method}`);
    throwIfCancelled(ctx.signal);
    return requestScope.run(scopeOfParams(params), () => handler(params ?? ({} as ParamsOf<M>), ctx));
  }

  async shutdown(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) {
      try {
        await dispose();
      } catch (error) {
        this.log.error(`shutdown step failed: ${(error as Error).message}`);
      }
    }
  }
}

/**
 * Convenience for in-process callers (the CLI, tests): run one request with an optional signal,
 * collecting streamed chunks through `onChunk` and notifications through `onNotify`.
 */
export async function call<M extends RequestMethod>(
  engine: Engine,
  method: M,
  params: ParamsOf<M>,
  opts: { signal?: AbortSignal; onChunk?: (chunk: ChunkOf<M>) => void; onNotify?: NotificationSink } = {},
): Promise<ResultOf<M>> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    return await engine.dispatch(method, params, {
      id: `local-${nextLocalId++}`,
      signal: controller.signal,
      stream: (chunk) => opts.onChunk?.(chunk),
      notify: (m, p) => opts.onNotify?.(m, p),
      log: engine.log,
    });
  } finally {
    opts.signal?.removeEventListener('abort', abort);
  }
}
let nextLocalId = 1;
