/**
 * The extension's handle on the engine worker: starts it lazily off the extension host's main thread,
 * speaks the protocol to it, maps CancellationTokens to protocol cancellation, forwards engine logs to
 * the Keel output channel, restarts a crashed worker on the next request, and shuts it down cleanly.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { ChunkOf, EngineNotificationMap, HostMethod, ParamsOf, RequestMethod, ResultOf } from '../protocol';
import { KeelError } from '../common/errors';
import { RpcClient, type HostRequestHandler } from '../common/rpc/rpcClient';
import { portTransport } from '../common/rpc/transport';

export interface EngineRequestOptions<C> {
  token?: vscode.CancellationToken;
  signal?: AbortSignal;
  onChunk?: (chunk: C) => void;
  timeoutMs?: number;
}

const MAX_RESTARTS = 3;

export class EngineClient implements vscode.Disposable {
  private client: RpcClient | undefined;
  private worker: Worker | undefined;
  private restarts = 0;
  private disposed = false;
  private readonly notificationEmitters = new Map<string, vscode.EventEmitter<unknown>>();
  /** Engine → host request handlers; kept here so a restarted worker gets them again. */
  private readonly hostHandlers = new Map<HostMethod, HostRequestHandler<HostMethod>>();
  /** Their registrations on the current worker's client. */
  private readonly hostRegistrations = new Map<HostMethod, { dispose(): void }>();

  constructor(
    private readonly workerPath: string,
    private readonly storageDir: string | undefined,
    private readonly globalStorageDir: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  static forExtension(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): EngineClient {
    const storage = context.storageUri?.fsPath ?? context.globalStorageUri.fsPath;
    // dist/cli.js is the engine bundle: on a worker thread it serves the engine (src/keel.ts).
    return new EngineClient(path.join(context.extensionPath, 'dist', 'cli.js'), storage, context.globalStorageUri.fsPath, log);
  }

  request<M extends RequestMethod>(method: M, params: ParamsOf<M>, options: EngineRequestOptions<ChunkOf<M>> = {}): Promise<ResultOf<M>> {
    if (this.disposed) return Promise.reject(new KeelError('ENGINE_UNAVAILABLE', 'Keel is shutting down.'));
    const controller = new AbortController();
    const subscription = options.token?.onCancellationRequested(() => controller.abort());
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    return this.ensureClient()
      .request(method, params, { signal: controller.signal, onChunk: options.onChunk, timeoutMs: options.timeoutMs })
      .finally(() => subscription?.dispose());
  }

  /** Typed engine notifications (progress, logs) as VS Code events. */
  onNotification<N extends keyof EngineNotificationMap>(method: N): vscode.Event<EngineNotificationMap[N]> {
    let emitter = this.notificationEmitters.get(method);
    if (!emitter) {
      emitter = new vscode.EventEmitter<unknown>();
      this.notificationEmitters.set(method, emitter);
    }
    return emitter.event as vscode.Event<EngineNotificationMap[N]>;
  }

  /** Answer the engine's `method` requests (e.g. `host/lm/chat`) on the extension host. */
  onHostRequest<M extends HostMethod>(method: M, handler: HostRequestHandler<M>): vscode.Disposable {
    if (this.hostHandlers.has(method)) throw new Error(`Host handler for ${method} registered twice`);
    this.hostHandlers.set(method, handler as unknown as HostRequestHandler<HostMethod>);
    if (this.client && !this.client.closed) this.hostRegistrations.set(method, this.client.onRequest(method, handler));
    return new vscode.Disposable(() => {
      this.hostHandlers.delete(method);
      this.hostRegistrations.get(method)?.dispose();
      this.hostRegistrations.delete(method);
    });
  }

  get running(): boolean {
    return this.client !== undefined && !this.client.closed;
  }

  private ensureClient(): RpcClient {
    if (this.client && !this.client.closed) return this.client;
    if (this.client?.closed) {
      if (++this.restarts > MAX_RESTARTS) throw new KeelError('ENGINE_UNAVAILABLE', 'The Keel engine keeps stopping; see the Keel log.');
      this.log.warn(`restarting the engine worker (attempt ${this.restarts})`);
    }
    const worker = new Worker(this.workerPath, {
      workerData: { storageDir: this.storageDir, globalStorageDir: this.globalStorageDir, logLevel: vscode.workspace.getConfiguration('keel').get('log.level', 'info') },
      // The engine is memory-hungry only when indexing large repos; cap it so a runaway cannot take the host down.
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    worker.on('error', (error) => this.log.error(`engine worker error: ${error.stack ?? error.message}`));
    worker.unref();
    const client = new RpcClient(portTransport(worker, () => void worker.terminate()));
    client.onNotification('log', ({ level, message }) => this.log[level](message));
    for (const method of ['index/progress'] as const) {
      client.onNotification(method, (params) => this.notificationEmitters.get(method)?.fire(params));
    }
    // Before the first request goes out, so the engine knows what its host serves from the start.
    this.hostRegistrations.clear();
    for (const [method, handler] of this.hostHandlers) this.hostRegistrations.set(method, client.onRequest(method, handler));
    this.worker = worker;
    this.client = client;
    return client;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const client = this.client;
    const worker = this.worker;
    if (client && !client.closed) {
      // Give the engine a moment to flush its stores; never hang VS Code's shutdown on it.
      await client.request('engine/shutdown', {}, { timeoutMs: 2000 }).catch(() => undefined);
    }
    client?.close();
    await worker?.terminate().catch(() => undefined);
    for (const emitter of this.notificationEmitters.values()) emitter.dispose();
  }
}
