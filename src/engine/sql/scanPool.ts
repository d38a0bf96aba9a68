/**
 * Runs the per-file work of a workspace SQL scan (scanFile.ts) on worker threads, one per core (at
 * most 4), or in-process for small scans and where workers cannot start. Results are collected by
 * file position, so the output is the same bytes whatever thread finished first.
 *
 * Each worker keeps its own grammars and summary cache (summaries are a function of file content, so
 * who computes them does not change a finding); the summaries of analysed files are passed back to
 * this thread's cache, which keeps edits of open documents fast after a scan, as before.
 *
 * A file that takes longer than the time limit (a pathological parse or analysis; CPU time of its
 * worker thread on Linux, so a loaded machine does not make ordinary files time out) is reported as
 * skipped (`kind: 'timeout'`): its worker is terminated, a fresh one takes its place, and the files
 * queued behind it are handed out again. In-process runs have no such limit (JavaScript cannot
 * interrupt a synchronous parse on its own thread); scans large enough to matter use workers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { KeelError, isErrorCode, throwIfCancelled } from '../../common/errors';
import { workerScript } from '../assets';
import type { SourceRead } from '../workspace/sourceFile';
import { sqlLanguageFor } from './analyze';
import { analyseRead, readJob, type ScanFailure, type ScanJob, type ScanOutcome } from './scanFile';
import { adoptSummary } from './summaries';
import { clearScanTrees, keptScanPaths } from './treeCache';

export interface ScanRunOptions {
  signal?: AbortSignal;
  /** Worker threads; 0 or 1 runs in-process. Default: KEEL_SQL_WORKERS, else one per core, at most 4. */
  workers?: number;
  /** Per-file limit on worker threads. Default: KEEL_SQL_FILE_TIME_LIMIT_MS, else 20 s of the worker's CPU time (wall time where the OS does not give a thread's CPU time). */
  fileTimeLimitMs?: number;
  /** Below this many files a scan runs in-process (starting threads costs more than it saves). */
  minFilesForWorkers?: number;
  /** Another worker script speaking the same messages (tests). */
  workerEntry?: { file: string; execArgv: string[] };
}

const DEFAULT_FILE_TIME_LIMIT_MS = 20_000;
const MIN_FILES_FOR_WORKERS = 48;
/** Files in flight per worker: enough that its next reads overlap the current analysis. */
const DEPTH = 4;
/**
 * Files of one folder tend to import each other: a worker takes neighbouring files in runs (shrinking
 * towards the end so the threads finish together), so the modules they import are summarised by the
 * worker that also analyses them, not once per worker.
 */
const MAX_BLOCK = 64;
/** A worker that has not loaded its code after this long is replaced like a stuck one. */
const STARTUP_LIMIT_MS = 60_000;
/** Reads started ahead of the file being analysed when running in-process. */
const READ_AHEAD = 4;

export function defaultScanWorkers(): number {
  const env = process.env.KEEL_SQL_WORKERS;
  if (env !== undefined && env !== '' && Number.isFinite(Number(env))) return Math.max(0, Math.floor(Number(env)));
  return Math.min(4, os.availableParallelism?.() ?? os.cpus().length);
}

function defaultTimeLimit(): number {
  const env = Number(process.env.KEEL_SQL_FILE_TIME_LIMIT_MS);
  return Number.isFinite(env) && env > 0 ? env : DEFAULT_FILE_TIME_LIMIT_MS;
}

/** CPU time (user + system, ms) of one thread from its /proc stat file; clock ticks are 1/100 s on Linux. */
function threadCpuMs(stat: string): number | undefined {
  try {
    const text = fs.readFileSync(stat, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

const workerEntry = (): { file: string; execArgv: string[] } | undefined => workerScript(__dirname, 'sqlScanWorker.js', 'scanWorker.ts');

/** Outcomes in the order of `jobs`. Throws CANCELLED on abort, or the first analysis failure (as a scan always has). */
export async function runScanJobs(jobs: readonly ScanJob[], options: ScanRunOptions = {}): Promise<ScanOutcome[]> {
  const workers = Math.min(options.workers ?? defaultScanWorkers(), Math.ceil(jobs.length / DEPTH));
  const entry = options.workerEntry ?? workerEntry();
  if (!entry || workers < 2 || jobs.length < (options.minFilesForWorkers ?? MIN_FILES_FOR_WORKERS)) return runInProcess(jobs, options.signal);
  return new ScanPool(entry, workers, options.fileTimeLimitMs ?? defaultTimeLimit()).run(jobs, options.signal);
}

async function runInProcess(jobs: readonly ScanJob[], signal?: AbortSignal): Promise<ScanOutcome[]> {
  const out: ScanOutcome[] = new Array(jobs.length);
  const reads: Array<Promise<SourceRead>> = [];
  const startRead = (i: number): void => {
    if (i < jobs.length && reads[i] === undefined) {
      reads[i] = readJob(jobs[i]);
      reads[i].catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    }
  };
  const position = new Map(jobs.map((j, i) => [j.abs, i]));
  const done = new Uint8Array(jobs.length);
  let cursor = 0;
  // A module that a file just analysed imports was parsed to summarise it: analyse it next, while its
  // tree is kept (treeCache.ts), instead of parsing it again when the sorted order reaches it. The
  // order of work changes, not the result: findings are a function of file contents, kept by position.
  const nextJob = (): number => {
    for (const abs of keptScanPaths()) {
      const i = position.get(abs);
      if (i !== undefined && !done[i]) return i;
    }
    while (cursor < jobs.length && done[cursor]) cursor++;
    return cursor;
  };
  // Reads started ahead of a failure or a cancellation finish on their own; their results are dropped.
  try {
    for (let n = 0; n < jobs.length; n++) {
      throwIfCancelled(signal);
      const i = nextJob();
      startRead(i);
      for (let k = cursor; k <= cursor + READ_AHEAD; k++) startRead(k);
      done[i] = 1;
      out[i] = await analyseRead(jobs[i], await reads[i], false);
    }
  } finally {
    clearScanTrees();
  }
  return out;
}

interface Slot {
  worker: Worker;
  /** Positions sent to this worker, in the order it answers them. */
  inFlight: number[];
  /** When the first of `inFlight` became the file the worker is working on. */
  headSince: number;
  /** The worker has loaded its code: time spent starting up is not charged to a file. */
  ready: boolean;
  spawnedAt: number;
  /** The worker thread's /proc stat file, when there is one: its CPU time is what a file is charged. */
  stat?: string;
  /** The worker's CPU time (ms) when its current file became its head. */
  headCpu: number;
  /** The run of neighbouring files this worker is working through: [next, end). */
  block: [number, number];
}

class ScanPool {
  private readonly slots: Slot[] = [];
  private results: Array<ScanOutcome | undefined> = [];
  private pending: number[] = [];
  private next = 0;
  private done = 0;
  private jobs: readonly ScanJob[] = [];
  private finished = false;
  private restarts = 0;
  /** Grammars a worker loads before it reports ready, so loading them is not charged to a file. */
  private languages: string[] = [];
  private resolve!: (r: ScanOutcome[]) => void;
  private reject!: (e: Error) => void;

  constructor(
    private readonly entry: { file: string; execArgv: string[] },
    private readonly count: number,
    private readonly timeLimitMs: number,
  ) {}

  run(jobs: readonly ScanJob[], signal?: AbortSignal): Promise<ScanOutcome[]> {
    throwIfCancelled(signal);
    this.jobs = jobs;
    this.languages = [...new Set(jobs.map((j) => sqlLanguageFor(j.abs)).filter((l) => l !== undefined))].sort();
    this.results = new Array(jobs.length);
    const result = new Promise<ScanOutcome[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const onAbort = (): void => this.fail(new KeelError('CANCELLED', 'The request was cancelled.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const watchdog = setInterval(() => this.checkTimes(), Math.max(20, Math.min(1000, this.timeLimitMs / 4)));
    for (let i = 0; i < this.count; i++) {
      const slot: Slot = { worker: this.spawn(), inFlight: [], headSince: 0, ready: false, spawnedAt: performance.now(), headCpu: 0, block: [0, 0] };
      this.slots.push(slot);
      this.listen(slot);
      this.dispatch(slot);
    }
    return result.finally(() => {
      clearInterval(watchdog);
      signal?.removeEventListener('abort', onAbort);
      for (const s of this.slots) void s.worker.terminate();
    });
  }

  private spawn(): Worker {
    return new Worker(this.entry.file, { execArgv: this.entry.execArgv, workerData: { languages: this.languages } });
  }

  private listen(slot: Slot): void {
    const worker = slot.worker;
    worker.on('message', (m: { ready?: true; stat?: string; seq: number; outcome?: ScanOutcome; failure?: ScanFailure }) => {
      if (this.finished || slot.worker !== worker) return;
      if (m.ready) {
        slot.ready = true;
        slot.stat = m.stat;
        this.startHead(slot);
        return;
      }
      const at = slot.inFlight.indexOf(m.seq);
      if (at < 0) return;
      slot.inFlight.splice(at, 1);
      this.startHead(slot);
      if (m.failure) {
        this.fail(new KeelError(isErrorCode(m.failure.code) ? m.failure.code : 'INTERNAL', m.failure.message));
        return;
      }
      const outcome = m.outcome!;
      if (outcome.ok && outcome.summary) {
        adoptSummary(this.jobs[m.seq].abs, outcome.summary);
        delete outcome.summary;
      }
      this.complete(m.seq, outcome);
      this.dispatch(slot);
    });
    // A worker that dies (out of memory on a file, cannot start) is replaced; the file it was on is
    // reported, the rest of its queue goes to whoever is free. Too many deaths: the scan fails.
    const died = (error?: Error): void => {
      if (this.finished || slot.worker !== worker) return;
      this.replace(slot, (i) => ({ path: this.jobs[i].shown, reason: `SQL analysis stopped: ${error?.message ?? 'worker exited'}`, kind: 'other' }));
    };
    worker.on('error', died);
    worker.on('exit', () => died());
  }

  private dispatch(slot: Slot): void {
    while (slot.inFlight.length < DEPTH) {
      if (this.pending.length === 0 && slot.block[0] >= slot.block[1] && this.next < this.jobs.length) {
        const size = Math.max(DEPTH, Math.min(MAX_BLOCK, Math.ceil((this.jobs.length - this.next) / (this.count * 4))));
        slot.block = [this.next, Math.min(this.jobs.length, this.next + size)];
        this.next = slot.block[1];
      }
      const seq = this.pending.length > 0 ? this.pending.shift()! : slot.block[0] < slot.block[1] ? slot.block[0]++ : -1;
      if (seq < 0) break;
      if (slot.inFlight.length === 0) this.startHead(slot);
      slot.inFlight.push(seq);
      slot.worker.postMessage({ seq, job: this.jobs[seq] });
    }
  }

  private startHead(slot: Slot): void {
    slot.headSince = performance.now();
    if (slot.stat) slot.headCpu = threadCpuMs(slot.stat) ?? 0;
  }

  /** What the worker's current file has cost so far: CPU time where the OS tells it, else wall time. */
  private spent(slot: Slot, now: number): number {
    const cpu = slot.stat ? threadCpuMs(slot.stat) : undefined;
    return cpu !== undefined ? cpu - slot.headCpu : now - slot.headSince;
  }

  private checkTimes(): void {
    if (this.finished) return;
    const now = performance.now();
    for (const slot of this.slots) {
      if (!slot.ready) {
        if (now - slot.spawnedAt > Math.max(STARTUP_LIMIT_MS, this.timeLimitMs)) this.replace(slot, undefined);
      } else if (slot.inFlight.length > 0 && this.spent(slot, now) > this.timeLimitMs) {
        const what = slot.stat ? 'CPU time' : 'time';
        this.replace(slot, (i) => ({ path: this.jobs[i].shown, reason: `SQL analysis took more than ${this.timeLimitMs} ms of ${what}; file skipped`, kind: 'timeout' }));
      }
    }
  }

  /**
   * Skip the file `slot` is stuck on (none when it never started), give the rest of its queue back,
   * and start a fresh worker in its place.
   */
  private replace(slot: Slot, skip: ((i: number) => { path: string; reason: string; kind: 'timeout' | 'other' }) | undefined): void {
    // A file is blamed only when the worker was running it; one that never started hands everything back.
    const blamed = skip !== undefined && slot.ready;
    const head = blamed ? slot.inFlight[0] : undefined;
    const rest = blamed ? slot.inFlight.slice(1) : slot.inFlight;
    slot.inFlight = [];
    this.pending.unshift(...rest);
    const old = slot.worker;
    void old.terminate();
    if (++this.restarts > this.count + 16) {
      this.fail(new KeelError('INTERNAL', `SQL scan workers kept stopping (${this.restarts} restarts)`));
      return;
    }
    slot.worker = this.spawn();
    slot.ready = false;
    slot.spawnedAt = performance.now();
    this.listen(slot);
    if (head !== undefined && skip) this.complete(head, { ok: false, skip: skip(head) });
    this.dispatch(slot);
  }

  private complete(seq: number, outcome: ScanOutcome): void {
    if (this.results[seq] !== undefined) return;
    this.results[seq] = outcome;
    this.done++;
    if (this.done === this.jobs.length && !this.finished) {
      this.finished = true;
      this.resolve(this.results as ScanOutcome[]);
    }
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.reject(error);
  }
}
