/**
 * The engine as a worker thread: everything arrives and leaves as protocol messages over the thread's
 * port. Started by src/engine/worker.ts (the worker file in development and tests) and by the shipped
 * bundle's entry (src/keel.ts), which is the CLI on a main thread and this on a worker thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from './createEngine';
import type { Engine } from './engine';
import { createLogger, type LogLevel } from './log';
import { portTransport, type PortLike } from '../common/rpc/transport';
import { serveEngine, type ServedEngine } from './rpc/serveEngine';

interface WorkerInit {
  storageDir?: string;
  globalStorageDir?: string;
  logLevel?: LogLevel;
}

/** `setup` adds handlers before serving (tests register their test-only methods this way). */
export function startEngineWorker(setup?: (engine: Engine) => void): void {
  if (!parentPort) throw new Error('the Keel engine worker must run in a worker thread');
  const port = parentPort as unknown as PortLike;
  const transport = portTransport(port);
  const init = (workerData ?? {}) as WorkerInit;
  // Logs travel as `log` notifications; the engine's logger exists before the engine is served.
  let served: ServedEngine | undefined;
  const log = createLogger((level, message) => served?.notify('log', { level, message }), init.logLevel ?? 'info');
  const engine = createEngine({ host: 'worker', log, storageDir: init.storageDir, globalStorageDir: init.globalStorageDir });
  setup?.(engine);
  served = serveEngine(engine, transport, { onShutdown: () => process.exit(0) });
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection in engine: ${String((reason as Error)?.stack ?? reason)}`));
  log.info(`engine ${engine.options.version} started in worker (pid ${process.pid})`);
}
