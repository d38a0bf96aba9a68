/**
 * Worker-thread entry of the SQL scan pool (scanPool.ts). Files arrive a few at a time; each one's
 * read starts on arrival (so disk waits overlap the previous file's analysis) and files are analysed
 * one after another in arrival order, which is the order the pool expects their answers in.
 * Messages: in `{ seq, job }`; out `{ ready: true }` once, then `{ seq, outcome }` or `{ seq, failure }`.
 */
import { parentPort } from 'node:worker_threads';
import type { SourceRead } from '../workspace/sourceFile';
import { analyseRead, loadGrammarsForScan, readJob, threadStatPath, toFailure, type ScanJob } from './scanFile';

interface Queued {
  seq: number;
  job: ScanJob;
  read: Promise<SourceRead>;
}

const queue: Queued[] = [];
let running = false;

async function pump(): Promise<void> {
  running = true;
  await loaded;
  while (queue.length > 0) {
    const { seq, job, read } = queue.shift()!;
    try {
      parentPort!.postMessage({ seq, outcome: await analyseRead(job, await read, true) });
    } catch (error) {
      parentPort!.postMessage({ seq, failure: toFailure(error) });
    }
  }
  running = false;
}

// Ready once the scan's grammars are loaded: from then on the pool's per-file time limit applies.
// No file is touched before that, so a file that hangs cannot keep the worker from ever being ready.
const loaded = loadGrammarsForScan().then(() => parentPort?.postMessage({ ready: true, stat: threadStatPath() }));

parentPort?.on('message', (m: { seq: number; job: ScanJob }) => {
  queue.push({ seq: m.seq, job: m.job, read: readJob(m.job) });
  if (!running) void pump();
});
