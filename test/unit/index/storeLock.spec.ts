/**
 * The store lock under contention: many processes acquire at the same moment, with and without a
 * stale lock (owner dead) to take over. Issue 23 saw two holders in 18 of 30 rounds.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreLock } from '../../../src/engine/index/storeLock';

const CHILD = path.join(__dirname, 'lockChild.ts');
const TSX = require.resolve('tsx/cjs');

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function race(dir: string, children: number, holdMs: number): Promise<{ enters: Array<[number, number]>; refused: string[] }> {
  const barrier = path.join(dir, '..', `barrier-${path.basename(dir)}`);
  const log = path.join(dir, '..', `log-${path.basename(dir)}`);
  const procs = Array.from({ length: children }, () => spawn(process.execPath, ['--require', TSX, CHILD, dir, barrier, log, String(holdMs)], { stdio: 'ignore' }));
  const exited = Promise.all(procs.map((p) => new Promise<number | null>((resolve) => p.on('exit', resolve))));
  const deadline = Date.now() + 120_000;
  while (fs.readdirSync(path.dirname(barrier)).filter((f) => f.startsWith(`${path.basename(barrier)}.ready.`)).length < children) {
    if (Date.now() > deadline) throw new Error('children did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  fs.writeFileSync(barrier, 'go');
  const codes = await exited;
  assert.deepEqual(codes, codes.map(() => 0), 'every child exits cleanly');
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  const byPid = new Map<string, { enter?: number; leave?: number }>();
  const refused: string[] = [];
  for (const line of lines) {
    const [pid, what, value] = line.split(' ');
    if (what === 'refused') refused.push(value);
    else byPid.set(pid, { ...byPid.get(pid), [what]: Number(value) });
  }
  const enters = [...byPid.values()].map((v) => [v.enter!, v.leave!] as [number, number]).sort((a, b) => a[0] - b[0]);
  return { enters, refused };
}

describe('store lock: atomic under contention', function () {
  this.timeout(300_000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lock-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const assertNoOverlap = (enters: Array<[number, number]>): void => {
    for (let i = 1; i < enters.length; i++) {
      assert.ok(enters[i][0] >= enters[i - 1][1], `two holders at once: ${JSON.stringify(enters)}`);
    }
  };

  it('many concurrent acquirers with a stale lock to take over: exactly one holder at a time', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = path.join(tmp, `store${round}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'lock'), String(deadPid()));
      const { enters, refused } = await race(dir, 8, 300);
      assert.ok(enters.length >= 1, 'someone takes over the stale lock');
      assertNoOverlap(enters);
      assert.ok(refused.every((code) => code === 'INDEX_LOCKED'), refused.join(','));
      assert.equal(fs.existsSync(path.join(dir, 'lock')), false, 'the last holder released it');
    }
  });

  it('a lock file is never seen without its owner (created whole)', () => {
    const dir = path.join(tmp, 's');
    const a = new StoreLock(dir);
    a.acquire();
    assert.equal(fs.readFileSync(path.join(dir, 'lock'), 'utf8'), String(process.pid));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f !== 'lock'), [], 'no temp files left behind');
    a.release();
    assert.equal(fs.existsSync(path.join(dir, 'lock')), false);
  });

  it('a takeover lock left by a dead taker does not block forever', () => {
    const dir = path.join(tmp, 's2');
    fs.mkdirSync(dir);
    const dead = String(deadPid());
    fs.writeFileSync(path.join(dir, 'lock'), dead);
    fs.writeFileSync(path.join(dir, 'lock.takeover'), dead);
    const lock = new StoreLock(dir);
    lock.acquire();
    assert.equal(fs.readFileSync(path.join(dir, 'lock'), 'utf8'), String(process.pid));
    lock.release();
  });
});
