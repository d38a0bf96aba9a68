/**
 * One writer per store. The VS Code engine and a `keel index` in a terminal could otherwise interleave
 * commits on the same folder. The lock is a file holding the owner's pid, created with O_EXCL; a lock
 * whose owner is dead (crash, kill -9) is stale and is taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeelError } from '../errors';
import { mkdirPrivateSync, PRIVATE_FILE } from '../privateFs';

/** Stores locked by this process: a second open in the same process is refused too. */
const heldHere = new Set<string>();

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
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(this.file, String(process.pid), { flag: 'wx', mode: PRIVATE_FILE });
        this.held = true;
        heldHere.add(path.resolve(this.dir));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number(readOr(this.file, ''));
      if (owner === process.pid || !isAlive(owner)) {
        fs.rmSync(this.file, { force: true });
        continue;
      }
      throw new KeelError('INDEX_LOCKED', `The index at ${this.dir} is being updated by another Keel process (pid ${owner}).`);
    }
    throw new KeelError('INDEX_LOCKED', `Could not lock the index at ${this.dir}.`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(path.resolve(this.dir));
    if (Number(readOr(this.file, '')) === process.pid) fs.rmSync(this.file, { force: true });
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
