/**
 * One writer per store. The VS Code engine and a `keel index` in a terminal could otherwise interleave
 * commits on the same folder.
 *
 * The lock file is created whole and atomically: the owner's pid is written to a private temp file
 * which is then hard-linked to `lock` (link fails with EEXIST if the lock exists), so no one ever reads
 * a lock without its owner. A lock whose owner is dead (crash, kill -9) is stale; taking it over is
 * serialised by a second, short-lived lock (`lock.takeover`), inside which the taker re-reads the lock,
 * removes it only if it still names the same dead owner, and links its own. Without that, two takers
 * that both saw the dead owner could each remove what the other just created and both hold the lock.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeelError } from '../../common/errors';
import { mkdirPrivateSync, PRIVATE_FILE } from '../privateFs';

/** Stores locked by this process: a second open in the same process is refused too. */
const heldHere = new Set<string>();
/** A takeover lock older than this belongs to a taker that died inside its few-millisecond window. */
const TAKEOVER_STALE_MS = 10_000;

export class StoreLock {
  private held = false;

  constructor(private readonly dir: string) {}

  private get file(): string {
    return path.join(this.dir, 'lock');
  }

  acquire(): void {
    if (this.held) return;
    if (heldHere.has(path.resolve(this.dir))) {
      throw new KeelError('INDEX_LOCKED', `The index at ${this.dir} is already open for writing in this process.`);
    }
    mkdirPrivateSync(this.dir);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createWith(this.file, String(process.pid))) return this.markHeld();
      const owner = Number(readOr(this.file, 'gone'));
      if (Number.isNaN(owner)) continue; // released meanwhile: try again
      if (owner !== process.pid && isAlive(owner)) {
        throw new KeelError('INDEX_LOCKED', `The index at ${this.dir} is being updated by another Keel process (pid ${owner}).`);
      }
      if (this.takeOver(owner)) return this.markHeld();
    }
    throw new KeelError('INDEX_LOCKED', `Could not lock the index at ${this.dir}.`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(path.resolve(this.dir));
    if (Number(readOr(this.file, '')) === process.pid) fs.rmSync(this.file, { force: true });
  }

  private markHeld(): void {
    this.held = true;
    heldHere.add(path.resolve(this.dir));
  }

  /** Replace a lock held by dead `owner` with ours; false when someone else got there first. */
  private takeOver(owner: number): boolean {
    const mutex = `${this.file}.takeover`;
    if (!createWith(mutex, String(process.pid))) {
      clearStaleMutex(mutex);
      return false;
    }
    try {
      if (Number(readOr(this.file, 'gone')) !== owner) return false;
      fs.rmSync(this.file, { force: true });
      return createWith(this.file, String(process.pid));
    } finally {
      fs.rmSync(mutex, { force: true });
    }
  }
}

/** Atomically create `file` with `content`, or return false if it exists. */
function createWith(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.part`;
  fs.writeFileSync(tmp, content, { flag: 'wx', mode: PRIVATE_FILE });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** A takeover lock whose taker died (dead pid, or older than any takeover takes) is removed. */
function clearStaleMutex(mutex: string): void {
  try {
    const stat = fs.statSync(mutex);
    const owner = Number(readOr(mutex, 'gone'));
    if (Date.now() - stat.mtimeMs < TAKEOVER_STALE_MS && (Number.isNaN(owner) || isAlive(owner))) return;
    // Move it aside first and check it is still the same file: never remove a fresh one.
    const aside = `${mutex}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.stale`;
    fs.renameSync(mutex, aside);
    if (fs.statSync(aside).ino !== stat.ino) {
      try {
        fs.linkSync(aside, mutex);
      } catch {
        // someone created a new one meanwhile: theirs stands
      }
    }
    fs.rmSync(aside, { force: true });
  } catch {
    // gone already
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
