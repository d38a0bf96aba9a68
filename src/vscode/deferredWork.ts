/**
 * Background work that waits while the machine saves power: `run(key, job)` runs the job now, or — while
 * paused — remembers it (one per key: three deferred rebuilds are one rebuild) and runs it when the
 * pause ends. Plain TypeScript, so the policy is unit-tested without a VS Code host; indexing.ts wires
 * it to the power probe and the status bar.
 */
export class DeferredWork {
  private paused = false;
  private readonly waiting = new Map<string, () => void>();

  get isPaused(): boolean {
    return this.paused;
  }

  /** Keys of the jobs waiting for the pause to end. */
  get deferred(): string[] {
    return [...this.waiting.keys()];
  }

  run(key: string, job: () => void): void {
    if (this.paused) this.waiting.set(key, job);
    else job();
  }

  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) return;
    const jobs = [...this.waiting.values()];
    this.waiting.clear();
    for (const job of jobs) job();
  }
}
