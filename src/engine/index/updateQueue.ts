/**
 * Debounces and coalesces file events: a burst (save-all, a formatter, a branch switch) becomes one
 * batch, and a path seen several times counts once with its last event (changed then deleted = deleted).
 * Every caller's promise settles with the result of the batch its events went into.
 */
import type { FileChanges } from './liveUpdates';

export interface UpdateQueueOptions {
  /** Quiet time before a batch runs. */
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
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly apply: (batch: FileChanges) => Promise<R>, options: UpdateQueueOptions = {}) {
    this.debounceMs = options.debounceMs ?? 250;
    this.maxWaitMs = options.maxWaitMs ?? 2000;
  }

  push(changes: FileChanges): Promise<R> {
    if (this.events.size === 0) this.firstEventAt = Date.now();
    for (const p of changes.changed) this.events.set(p, 'changed');
    for (const p of changes.deleted) this.events.set(p, 'deleted');
    const done = new Promise<R>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.timer) clearTimeout(this.timer);
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
    this.running = this.running.then(async () => {
      try {
        const result = await this.apply(batch);
        for (const w of waiters) w.resolve(result);
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    });
    return this.running;
  }
}
