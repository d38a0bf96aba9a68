/**
 * A scan worker for scanPool.spec.ts: the real per-file step, except that a file whose name starts
 * with "hang_" spins forever (a stand-in for a pathological parse: synchronous, uninterruptible from inside).
 */
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { analyseRead, loadGrammarsForScan, readJob, threadStatPath, toFailure, type ScanJob } from '../../../src/engine/sql/scanFile';

const loaded = loadGrammarsForScan().then(() => parentPort!.postMessage({ ready: true, stat: threadStatPath() }));
const queue: Array<{ seq: number; job: ScanJob }> = [];
let running = false;
async function pump(): Promise<void> {
  running = true;
  await loaded;
  while (queue.length > 0) {
    const { seq, job } = queue.shift()!;
    if (path.basename(job.abs).startsWith('hang_')) for (;;);
    try {
      parentPort!.postMessage({ seq, outcome: await analyseRead(job, await readJob(job), true) });
    } catch (error) {
      parentPort!.postMessage({ seq, failure: toFailure(error) });
    }
  }
  running = false;
}
parentPort!.on('message', (m: { seq: number; job: ScanJob }) => {
  queue.push(m);
  if (!running) void pump();
});
