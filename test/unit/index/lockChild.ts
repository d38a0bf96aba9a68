/**
 * Child process for the lock race: waits at a barrier, then tries to lock `dir`; a holder records
 * "enter"/"leave" with high-resolution wall times around a short hold, so the parent can check that no
 * two holders ever overlapped. Plain node:fs only before the barrier, to line the children up.
 * argv: <dir> <barrierFile> <logFile> <holdMs>
 */
import * as fs from 'node:fs';
import { StoreLock } from '../../../src/engine/index/storeLock';

const [dir, barrier, log, holdText] = process.argv.slice(2);
const now = (): number => performance.timeOrigin + performance.now();
fs.writeFileSync(`${barrier}.ready.${process.pid}`, '');
while (!fs.existsSync(barrier)) {
  // spin: the point is to start acquiring at the same moment as the others
}
const lock = new StoreLock(dir);
try {
  lock.acquire();
} catch (error) {
  fs.appendFileSync(log, `${process.pid} refused ${(error as { code?: string }).code ?? 'uncoded'}\n`);
  process.exit(0);
}
fs.appendFileSync(log, `${process.pid} enter ${now()}\n`);
const until = Date.now() + Number(holdText);
while (Date.now() < until) {
  // hold
}
fs.appendFileSync(log, `${process.pid} leave ${now()}\n`);
lock.release();
