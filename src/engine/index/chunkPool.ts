/**
 * Spreads file preparation (read + tree-sitter chunking: ~90% of a cold index's CPU) over worker
 * threads, so a cold index uses both cores of a 2-core machine while the main thread keeps the
 * keyword index. Workers are started per sync and terminated after it: each holds its own WASM
 * grammars (~10–20 MB), which an idle engine should not keep.
 * The worker entry is `chunkWorker.js` beside the bundle (dist/) or `chunkWorker.ts` when running from
 * source under tsx; if neither can be started, preparation runs in-process — slower, same results.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../assets';
import { prepareFile, type PreparedFile, type PrepareRequest } from './prepareFile';

export interface FilePreparer {
  prepare(req: PrepareRequest): Promise<PreparedFile>;
  /** How many requests should be in flight to keep every worker busy. */
  readonly parallelism: number;
  readonly kind: 'workers' | 'in-process';
  close(): Promise<void>;
}

const inProcess: FilePreparer = { prepare: prepareFile, parallelism: 16, kind: 'in-process', close: async () => undefined };

const workerEntry = (): { file: string; execArgv: string[] } | undefined => workerScript(__dirname, 'chunkWorker.js', 'chunkWorker.ts');

/** A pool of `workers` threads (default: one per core, at most 4), or the in-process preparer. */
export function createFilePreparer(workers = Math.min(4, os.availableParallelism?.() ?? os.cpus().length)): FilePreparer {
  const entry = workerEntry();
  if (!entry || workers < 2 || process.env.KEEL_INDEX_WORKERS === '0') return inProcess;
  return new WorkerPool(entry, workers);
}

interface Pending {
  resolve(result: PreparedFile): void;
  reject(error: Error): void;
  req: PrepareRequest;
}

class WorkerPool implements FilePreparer {
  readonly parallelism: number;
  readonly kind = 'workers';
  private readonly workers: Array<{ worker: Worker; inFlight: Map<number, Pending> }> = [];
  private nextId = 1;
  private broken = false;
  private closed = false;

  constructor(entry: { file: string; execArgv: string[] }, count: number) {
    this.parallelism = count * 8;
    for (let i = 0; i < count; i++) {
      const worker = new Worker(entry.file, { execArgv: entry.execArgv });
      const slot = { worker, inFlight: new Map<number, Pending>() };
      worker.on('message', (m: { id: number; result?: PreparedFile; error?: string }) => {
        const p = slot.inFlight.get(m.id);
        slot.inFlight.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result!);
      });
      // A worker that dies (cannot start, crashes) hands its work back to the main thread.
      const fail = (): void => {
        this.broken = true;
        for (const p of slot.inFlight.values()) {
          if (this.closed) p.reject(new Error('file preparation stopped'));
          else prepareFile(p.req).then(p.resolve, p.reject);
        }
        slot.inFlight.clear();
      };
      worker.on('error', fail);
      worker.on('exit', fail);
      this.workers.push(slot);
    }
  }

  prepare(req: PrepareRequest): Promise<PreparedFile> {
    if (this.broken) return prepareFile(req);
    const slot = this.workers.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject, req });
      slot.worker.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    this.broken = true;
    this.closed = true; // exits below are expected
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
