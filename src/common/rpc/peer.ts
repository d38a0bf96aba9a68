/**
 * One end of Keel's JSON-RPC protocol on vscode-jsonrpc's MessageConnection (ids, dispatch,
 * `$/cancelRequest`, Content-Length writing), with the parts of Keel's contract the library does not
 * have: `$/stream { id, chunk }` tied to a request id, every failure as a coded KeelError (the JSON-RPC
 * error's `data` is the WireError), timeouts, and hostile input answered with JSON-RPC errors instead
 * of reaching the dispatcher. Both ends use it: RpcClient (hosts) and serveEngine (the engine), since
 * the protocol is bidirectional.
 */
import {
  AbstractMessageReader,
  CancellationTokenSource,
  ErrorCodes,
  ResponseError,
  createMessageConnection,
  type CancellationToken,
  type DataCallback,
  type Disposable,
  type Logger,
  type Message,
  type MessageConnection,
  type MessageReader,
  type MessageWriter,
  type RequestMessage,
} from 'vscode-jsonrpc/node';
import type { RequestId, WireError } from '../../protocol';
import { isErrorCode, KeelError, toKeelError } from '../errors';
import { checkEnvelope, type EnvelopeProblem } from './envelope';
import { FrameError } from './stdioTransport';
import type { MessageTransport } from './transport';

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

export interface IncomingContext {
  readonly id: RequestId;
  readonly signal: AbortSignal;
  stream(chunk: unknown): void;
}

export type IncomingHandler = (method: string, params: unknown, ctx: IncomingContext) => Promise<unknown>;

export interface PeerOptions {
  /** The error every pending and later outgoing request fails with once the other side is gone. */
  closedError: () => KeelError;
  /** Sees the raw error of INTERNAL failures (stacks belong in the log, never on the wire). */
  onInternalError?: (method: string, error: unknown) => void;
  /** Library diagnostics (e.g. a response to an unknown id). */
  log?: (message: string) => void;
}

const cancelled = (): KeelError => new KeelError('CANCELLED', 'The request was cancelled.');

export class RpcPeer {
  private readonly connection: MessageConnection;
  private readonly writer: MessageWriter;
  /** The id vscode-jsonrpc gave the request being sent (its cancellation strategy sees it first). */
  private lastSentId: RequestId | undefined;
  private readonly tokenIds = new WeakMap<CancellationToken, RequestId>();
  private readonly streams = new Map<RequestId, (chunk: unknown) => void>();
  private readonly pending = new Set<(error: KeelError) => void>();
  private readonly running = new Set<AbortController>();
  private readonly afterAnswer = new Map<RequestId, () => void>();
  private readonly closeListeners: Array<(reason?: Error) => void> = [];
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private closedReason: KeelError | undefined;
  private lastReadError: Error | undefined;

  constructor(
    private readonly transport: MessageTransport,
    private readonly options: PeerOptions,
  ) {
    this.writer = transport.writer;
    const logger: Logger = {
      error: (m) => options.log?.(m),
      warn: (m) => options.log?.(m),
      info: () => {},
      log: () => {},
    };
    const reader = new GuardedReader(transport.reader, (problem) => this.answerProblem(problem));
    const writer = new AnswerHookWriter(transport.writer, (id) => {
      const hook = this.afterAnswer.get(id);
      this.afterAnswer.delete(id);
      hook?.();
    });
    this.connection = createMessageConnection(reader, writer, logger, {
      cancellationStrategy: {
        receiver: {
          kind: 'id',
          createCancellationTokenSource: (id: RequestId) => {
            const source = new CancellationTokenSource();
            this.tokenIds.set(source.token, id);
            return source;
          },
        },
        sender: {
          sendCancellation: (conn, id) => conn.sendNotification('$/cancelRequest', { id }),
          cleanup: () => {},
          enableCancellation: (request: RequestMessage) => {
            this.lastSentId = request.id ?? undefined;
          },
        },
      },
    });
    this.connection.onNotification('$/stream', (params: { id: RequestId; chunk: unknown }) => this.streams.get(params.id)?.(params.chunk));
    transport.reader.onError((error) => {
      if (!(error instanceof FrameError)) this.lastReadError = error;
    });
    this.connection.onClose(() => this.closeAll(this.lastReadError));
    this.connection.listen();
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  onClose(listener: (reason?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  /** Answer every incoming request with `handler` (one handler for all methods: the owner routes). */
  handleRequests(handler: IncomingHandler): void {
    this.connection.onRequest((method: string, params: unknown, token: CancellationToken) => this.runIncoming(method, params, token, handler));
  }

  /** Any number of listeners per method (vscode-jsonrpc keeps one handler per method). */
  onNotification(method: string, listener: (params: unknown) => void): Disposable {
    let set = this.listeners.get(method);
    if (!set) {
      const listeners = (set = new Set());
      this.listeners.set(method, listeners);
      this.connection.onNotification(method, (params: unknown) => {
        for (const l of [...listeners]) l(params);
      });
    }
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }

  /** Run `fn` right after the answer to request `id` has been written (e.g. exit after shutdown). */
  afterAnswering(id: RequestId, fn: () => void): void {
    this.afterAnswer.set(id, fn);
  }

  notify(method: string, params: unknown): void {
    if (this.closed) return;
    this.connection.sendNotification(method, params).catch(() => {});
  }

  request(method: string, params: unknown, options: CallOptions = {}): Promise<unknown> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (options.signal?.aborted) return Promise.reject(cancelled());
    const source = new CancellationTokenSource();
    let sent: Promise<unknown>;
    this.lastSentId = undefined;
    try {
      sent = this.connection.sendRequest(method, params ?? {}, source.token);
    } catch (error) {
      return Promise.reject(this.closedReason ?? new KeelError('INTERNAL', `Could not send ${method}: ${(error as Error).message}`));
    }
    const id = this.lastSentId;
    if (id !== undefined && options.onChunk) this.streams.set(id, options.onChunk);
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(fail);
        if (id !== undefined) this.streams.delete(id);
        return true;
      };
      const fail = (error: KeelError): void => {
        if (finish()) reject(error);
      };
      const onAbort = (): void => {
        // Cooperative by default: the other side answers the request with CANCELLED.
        source.cancel();
        if (options.settleOnAbort) fail(cancelled());
      };
      this.pending.add(fail);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          source.cancel();
          fail(new KeelError('TIMEOUT', `${method} did not answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      sent.then(
        (result) => {
          if (finish()) resolve(result);
        },
        (error) => fail(this.toKeel(error, method)),
      );
    });
  }

  close(): void {
    this.transport.close();
    this.closeAll();
  }

  private async runIncoming(method: string, params: unknown, token: CancellationToken, handler: IncomingHandler): Promise<unknown> {
    const id = this.tokenIds.get(token) ?? 'unknown';
    const controller = new AbortController();
    this.running.add(controller);
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      // Cancelled while still queued: answer without starting the work.
      if (token.isCancellationRequested) throw cancelled();
      const result = await handler(method, params, {
        id,
        signal: controller.signal,
        stream: (chunk) => this.notify('$/stream', { id, chunk }),
      });
      return result ?? null;
    } catch (error) {
      const keelError = controller.signal.aborted ? cancelled() : asKeelError(error);
      if (keelError.code === 'INTERNAL') this.options.onInternalError?.(method, error);
      this.afterAnswer.delete(id);
      throw responseErrorFor(keelError, String(id));
    } finally {
      subscription.dispose();
      this.running.delete(controller);
    }
  }

  private answerProblem(problem: EnvelopeProblem): void {
    if (this.closed) return;
    const wire: WireError = { code: problem.code === ErrorCodes.InvalidParams ? 'INVALID_PARAMS' : 'BAD_INPUT', message: problem.message, retryable: false };
    this.writer.write({ jsonrpc: '2.0', id: problem.id, error: { code: problem.code, message: problem.message, data: wire } } as Message).catch(() => {});
  }

  private toKeel(error: unknown, method: string): KeelError {
    if (error instanceof ResponseError) {
      const data = error.data as Partial<WireError> | undefined;
      if (data && isErrorCode(data.code) && typeof data.message === 'string') return KeelError.fromWire(data as WireError);
      switch (error.code) {
        case ErrorCodes.MessageWriteError:
          return new KeelError('INVALID_PARAMS', `Could not send ${method}: ${error.message}`);
        case ErrorCodes.PendingResponseRejected:
        case ErrorCodes.ConnectionInactive:
          return this.closedReason ?? this.options.closedError();
        case ErrorCodes.MethodNotFound:
          return new KeelError('METHOD_NOT_FOUND', error.message);
        case ErrorCodes.InvalidParams:
          return new KeelError('INVALID_PARAMS', error.message);
        case -32800:
          return cancelled();
        default:
          return new KeelError('INTERNAL', error.message);
      }
    }
    return this.closedReason ?? toKeelError(error);
  }

  private closeAll(reason?: Error): void {
    if (this.closedReason) return;
    const base = this.options.closedError();
    this.closedReason = reason ? new KeelError(base.code, `${base.message}: ${reason.message}`) : base;
    for (const controller of this.running) controller.abort();
    this.running.clear();
    for (const fail of [...this.pending]) fail(this.closedReason);
    for (const listener of this.closeListeners) listener(reason);
    this.connection.dispose();
  }
}

/** Checks each message's envelope before vscode-jsonrpc sees it; answers the bad ones itself. */
class GuardedReader extends AbstractMessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly answer: (problem: EnvelopeProblem) => void,
  ) {
    super();
    inner.onClose(() => this.fireClose());
    inner.onError((error) => {
      if (error instanceof FrameError) this.answer({ id: null, code: ErrorCodes.ParseError, message: error.message });
      else this.fireError(error);
    });
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message: unknown) => {
      const problem = checkEnvelope(message);
      if (problem) this.answer(problem);
      else callback(message as Message);
    });
  }
}

/** Passes writes through and tells the peer when a response has been written. */
class AnswerHookWriter implements MessageWriter {
  constructor(
    private readonly inner: MessageWriter,
    private readonly onAnswered: (id: RequestId) => void,
  ) {}

  get onError() {
    return this.inner.onError;
  }

  get onClose() {
    return this.inner.onClose;
  }

  async write(message: Message): Promise<void> {
    await this.inner.write(message);
    const response = message as { id?: RequestId | null; method?: unknown };
    if (response.method === undefined && response.id !== undefined && response.id !== null) this.onAnswered(response.id);
  }

  end(): void {
    this.inner.end();
  }

  dispose(): void {
    this.inner.dispose();
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

/** The JSON-RPC error for a KeelError: a standard numeric code where one fits, the WireError in `data`. */
export function responseErrorFor(error: KeelError, requestId?: string): ResponseError<WireError> {
  const code =
    error.code === 'METHOD_NOT_FOUND'
      ? ErrorCodes.MethodNotFound
      : error.code === 'CANCELLED'
        ? -32800 // LSP's RequestCancelled
        : error.code === 'INVALID_PARAMS'
          ? ErrorCodes.InvalidParams
          : -32000; // application-defined: see data.code
  return new ResponseError(code, error.message, error.toWire(requestId));
}
