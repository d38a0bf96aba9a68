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
    await new Promise((r) => setTimeout(r, 5));
    const third = queue.push({ changed: ['/y', '/z'], deleted: [] });
    assert.equal(await first, 1);
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
});
