/**
 * Crash-safe multi-file commits for the index store. A commit must move the catalog, the keyword
 * index and the touched vector shards from one consistent state to the next, even if the process is
 * killed (-9) at any instruction. Protocol (a redo journal):
 *   1. stage: each new file is written as `<name>.next` and fsync'd;
 *   2. the journal (`journal.json`, listing the names) is written to a temp file, fsync'd and renamed
 *      into place — this rename is the commit point;
 *   3. each `<name>.next` is renamed over `<name>`; the journal is deleted.
 * On open, `recover()` rolls forward if a journal exists (renames are idempotent: a missing `.next`
 * was already moved) and otherwise discards stray `.next`/`.tmp` files, i.e. the uncommitted attempt.
 * Readers therefore always see either the old or the new state, never a mix or a torn file.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { mkdirPrivate, PRIVATE_FILE } from '../privateFs';

const JOURNAL = 'journal.json';

export class StoreFiles {
  private staged = new Set<string>();

  constructor(readonly dir: string) {}

  abs(name: string): string {
    return path.join(this.dir, name);
  }

  /** Committed content of `name`, or undefined if it does not exist. */
  async read(name: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.abs(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async exists(name: string): Promise<boolean> {
    return fs.access(this.abs(name)).then(() => true, () => false);
  }

  /**
   * Writes the next version of `name`; it becomes visible only at commit(). The fsync is deferred to
   * commit(): a live update stages its vector shard at once (so queries see it) and a later debounced
   * commit pays for durability, once per file however often it was restaged.
   */
  async stage(name: string, data: Buffer | string): Promise<void> {
    await mkdirPrivate(path.dirname(this.abs(name)));
    await fs.writeFile(this.abs(`${name}.next`), data, { mode: PRIVATE_FILE });
    this.staged.add(name);
  }

  get hasStaged(): boolean {
    return this.staged.size > 0;
  }

  /** Atomically publishes everything staged since the last commit. */
  async commit(): Promise<void> {
    if (this.staged.size === 0) return;
    const names = [...this.staged];
    for (const name of names) await syncFile(this.abs(`${name}.next`));
    const tmp = this.abs(`${JOURNAL}.tmp`);
    await writeDurably(tmp, JSON.stringify({ names }));
    await fs.rename(tmp, this.abs(JOURNAL)); // commit point
    await syncDir(this.dir);
    await this.applyJournal(names);
    this.staged.clear();
  }

  /** Forget staged files without publishing them. */
  async discard(): Promise<void> {
    for (const name of this.staged) await fs.rm(this.abs(`${name}.next`), { force: true });
    this.staged.clear();
  }

  /** Brings the directory to the last committed state after a crash. Returns what it did. */
  async recover(): Promise<'clean' | 'rolled-forward' | 'rolled-back'> {
    const journal = await this.read(JOURNAL);
    if (journal) {
      let names: string[] | undefined;
      try {
        names = (JSON.parse(journal.toString('utf8')) as { names?: unknown }).names as string[] | undefined;
      } catch {
        names = undefined; // cannot happen with an atomic rename, but never trust a file on disk
      }
      if (Array.isArray(names)) {
        await this.applyJournal(names);
        await this.removeStrays();
        return 'rolled-forward';
      }
      await fs.rm(this.abs(JOURNAL), { force: true });
    }
    return (await this.removeStrays()) ? 'rolled-back' : 'clean';
  }

  private async applyJournal(names: readonly string[]): Promise<void> {
    for (const name of names) {
      try {
        await fs.rename(this.abs(`${name}.next`), this.abs(name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // already moved
      }
    }
    await syncDir(this.dir);
    await fs.rm(this.abs(JOURNAL), { force: true });
  }

  private async removeStrays(): Promise<boolean> {
    let removed = false;
    for (const file of await listFiles(this.dir)) {
      if (file.endsWith('.next') || file.endsWith('.tmp')) {
        await fs.rm(path.join(this.dir, file), { force: true });
        removed = true;
      }
    }
    return removed;
  }
}

/** Write + fsync, so that a later rename cannot publish an empty or partial file after a power cut. */
async function writeDurably(file: string, data: Buffer | string): Promise<void> {
  const handle = await fs.open(file, 'w', PRIVATE_FILE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // some platforms (Windows) cannot fsync a directory; the rename is still atomic there
  }
}

/** Files under `dir`, recursively, as paths relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = rel ? path.join(rel, e.name) : e.name;
      if (e.isDirectory()) await walk(child);
      else out.push(child);
    }
  };
  await walk('');
  return out;
}
