import * as assert from 'node:assert/strict';
import type { FileChanges } from '../../../src/engine/index/liveUpdates';
import { UpdateQueue } from '../../../src/engine/index/updateQueue';

describe('UpdateQueue', () => {
  it('coalesces a burst into one batch, last event per path wins', async () => {
    const batches: FileChanges[] = [];
    const queue = new UpdateQueue(async (b) => {
      batches.push(b);
      return batches.length;
    }, { debounceMs: 20 });
    const results = await Promise.all([
      queue.push({ changed: ['/a', '/b'], deleted: [] }),
      queue.push({ changed: [], deleted: ['/b', '/c'] }),
      queue.push({ changed: ['/c', '/a'], deleted: [] }),
    ]);
    assert.deepEqual(results, [1, 1, 1]);
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0], { changed: ['/a', '/c'], deleted: ['/b'] });
  });

  it('runs batches one after another and rejects only the failed batch', async () => {
    let running = 0;
    let maxRunning = 0;
    const queue = new UpdateQueue(async (b) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 15));
      running--;
      if (b.changed.includes('/bad')) throw new Error('boom');
      return b.changed.length;
    }, { debounceMs: 1 });
    const first = queue.push({ changed: ['/x'], deleted: [] });
    await new Promise((r) => setTimeout(r, 5));
    const second = queue.push({ changed: ['/bad'], deleted: [] });
    assert.equal(await first, 1);
    // pushed while the failing batch runs: a batch of its own
    await new Promise((r) => setTimeout(r, 5));
    const third = queue.push({ changed: ['/y', '/z'], deleted: [] });
    await assert.rejects(second, /boom/);
    assert.equal(await third, 2);
    assert.equal(maxRunning, 1);
  });

  it('a continuous stream still flushes within maxWaitMs', async () => {
    let batches = 0;
    const queue = new UpdateQueue(async () => ++batches, { debounceMs: 50, maxWaitMs: 120 });
    const pushes: Array<Promise<number>> = [];
    for (let i = 0; i < 10; i++) {
      pushes.push(queue.push({ changed: [`/f${i}`], deleted: [] }));
      await new Promise((r) => setTimeout(r, 30));
    }
    await Promise.all(pushes);
    // events 30 ms apart never leave 50 ms of quiet: without maxWaitMs this would be a single batch
    assert.ok(batches >= 2, `${batches} batch(es)`);
  });

  it('an idle queue applies a change after a short quiet gap, not a long fixed wait', async () => {
    const queue = new UpdateQueue(async (batch) => batch.changed.length);
    const t = performance.now();
    assert.equal(await queue.push({ changed: ['/a'], deleted: [] }), 1);
    // the default quiet gap is 25 ms; the old fixed debounce was 250 ms
    assert.ok(performance.now() - t < 200, `${performance.now() - t} ms`);
  });

  it('events arriving while a batch runs are gathered into the next batch, started as soon as it ends', async () => {
    const batches: Array<readonly string[]> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new UpdateQueue(async (batch) => {
      batches.push(batch.changed);
      if (batches.length === 1) await gate;
      return batches.length;
    }, { debounceMs: 1 });
    const first = queue.push({ changed: ['/a'], deleted: [] });
    while (batches.length === 0) await new Promise((r) => setTimeout(r, 2));
    // the first batch is running: these wait for it, whatever the quiet time between them
    const later = [queue.push({ changed: ['/b'], deleted: [] })];
    await new Promise((r) => setTimeout(r, 20));
    later.push(queue.push({ changed: ['/c'], deleted: [] }));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(batches.length, 1, 'nothing else ran while the first batch was busy');
    release();
    assert.equal(await first, 1);
    assert.deepEqual(await Promise.all(later), [2, 2]);
    assert.deepEqual(batches, [['/a'], ['/b', '/c']]);
  });
});
