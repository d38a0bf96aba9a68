/**
 * Coalesces file events: a burst (save-all, a formatter, a branch switch) becomes one batch, and a path
 * seen several times counts once with its last event (changed then deleted = deleted). Every caller's
 * promise settles with the result of the batch its events went into.
 * Latency comes from work, not timers: an idle queue waits only for a short quiet gap (events of one
 * burst arrive within milliseconds of each other), and events arriving while a batch runs are gathered
 * and applied as soon as it finishes — the busy time does the coalescing a long fixed wait used to do.
 */
import type { FileChanges } from './liveUpdates';

export interface UpdateQueueOptions {
  /** Quiet time before a batch runs when nothing is running (default 25 ms). */
  debounceMs?: number;
  /** A continuous stream of events still runs a batch at least this often. */
  maxWaitMs?: number;
}

interface Waiter<R> {
  resolve(value: R): void;
  reject(error: unknown): void;
}

export class UpdateQueue<R> {
  private events = new Map<string, 'changed' | 'deleted'>();
  private waiters: Array<Waiter<R>> = [];
  private timer: NodeJS.Timeout | undefined;
  private firstEventAt = 0;
  private running: Promise<void> = Promise.resolve();
  /** A batch is being applied: new events wait for it instead of for a timer. */
  private busy = false;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly apply: (batch: FileChanges) => Promise<R>, options: UpdateQueueOptions = {}) {
    this.debounceMs = options.debounceMs ?? 25;
    this.maxWaitMs = options.maxWaitMs ?? 2000;
  }

  push(changes: FileChanges): Promise<R> {
    if (this.events.size === 0) this.firstEventAt = Date.now();
    for (const p of changes.changed) this.events.set(p, 'changed');
    for (const p of changes.deleted) this.events.set(p, 'deleted');
    const done = new Promise<R>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy) return done; // flushed the moment the running batch finishes
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstEventAt + this.maxWaitMs - Date.now()));
    this.timer = setTimeout(() => this.flush(), wait);
    return done;
  }

  /** Runs the pending batch now (after any batch already running). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.events;
    const waiters = this.waiters;
    this.events = new Map();
    this.waiters = [];
    if (waiters.length === 0) return this.running;
    const batch: FileChanges = {
      changed: [...events].filter(([, kind]) => kind === 'changed').map(([p]) => p),
      deleted: [...events].filter(([, kind]) => kind === 'deleted').map(([p]) => p),
    };
    this.busy = true;
    this.running = this.running.then(async () => {
      try {
        const result = await this.apply(batch);
        for (const w of waiters) w.resolve(result);
      } catch (error) {
        for (const w of waiters) w.reject(error);
      } finally {
        this.busy = false;
        if (this.waiters.length > 0) void this.flush();
      }
    });
    return this.running;
  }
}
