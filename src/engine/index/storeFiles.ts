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
 *
 * Integrity: every committed file has a SHA-256 in `checksums.json`, published in the same commit, and
 * read() verifies it — a flipped byte anywhere (keyword index, catalog, vector shard, acceleration
 * file) is a coded STORE_CORRUPT error, never a silently different answer. Per file, not per field:
 * the owners of the formats need not know. A store written before checksums existed reads unverified
 * until its files are next committed.
 *
 * Derived files (acceleration files: a float32 matrix, a graph) are staged and published in the same
 * commit but are not in `checksums.json`: each carries its own checksum and the fingerprint of what it
 * was derived from, and a damaged or stale one is rebuilt by its owner, never a store error.
 * Removals travel in the journal too: a file the commit drops (a compacted vector segment) disappears
 * with it, and its checksum leaves the registry at the same commit point.
 *
 * A read-only open (`keel status`) cannot roll a journal forward on disk; it reads through it instead
 * (a committed `<name>.next` wins over `<name>`), so it sees exactly what the writer's recovery will.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { mkdirPrivate, PRIVATE_FILE } from '../privateFs';
import { KeelError } from '../../common/errors';

const JOURNAL = 'journal.json';
const CHECKSUMS = 'checksums.json';

interface ChecksumFile {
  format: 1;
  files: Record<string, string>;
  /** SHA-256 of JSON.stringify(files): the checksum file checks itself. */
  self: string;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export class StoreFiles {
  private staged = new Set<string>();
  private stagedSums = new Map<string, string>();
  /** Staged files that carry their own checksum (not registered). */
  private stagedDerived = new Set<string>();
  /** Committed files this commit removes. */
  private removals = new Set<string>();
  /** Committed checksums; undefined until first needed. */
  private sums: Map<string, string> | undefined;
  /** Read-only view of a half-applied commit: these names are read from `<name>.next` when present. */
  private journalView = new Set<string>();

  constructor(readonly dir: string) {}

  abs(name: string): string {
    return path.join(this.dir, name);
  }

  /** Committed content of `name` (verified against its checksum), or undefined if it does not exist. */
  async read(name: string): Promise<Buffer | undefined> {
    const bytes = await this.readRaw(name);
    const sums = await this.checksums();
    const expected = sums.get(name);
    if (expected === undefined) return bytes;
    if (!bytes) throw corrupt(this.dir, `${name} is missing`);
    if (sha256(bytes) !== expected) throw corrupt(this.dir, `${name} does not match its checksum`);
    return bytes;
  }

  /**
   * A derived file's committed bytes, unverified by the registry (its owner checks its own checksum and
   * fingerprint); undefined if it does not exist.
   */
  readDerived(name: string): Promise<Buffer | undefined> {
    return this.readRaw(name);
  }

  /** The registered SHA-256 of `name` as the next commit will publish it (staged wins), if any. */
  async checksumOf(name: string): Promise<string | undefined> {
    if (this.removals.has(name)) return undefined;
    return this.stagedSums.get(name) ?? (await this.checksums()).get(name);
  }

  private async readRaw(name: string): Promise<Buffer | undefined> {
    if (this.journalView.has(name)) {
      const next = await readIfExists(this.abs(`${name}.next`));
      if (next) return next;
    }
    return readIfExists(this.abs(name));
  }

  private async checksums(): Promise<Map<string, string>> {
    if (this.sums) return this.sums;
    const bytes = await this.readRaw(CHECKSUMS);
    const sums = new Map<string, string>();
    if (bytes) {
      let parsed: Partial<ChecksumFile> | undefined;
      try {
        parsed = JSON.parse(bytes.toString('utf8')) as Partial<ChecksumFile>;
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed.files !== 'object' || parsed.files === null || parsed.self !== sha256(JSON.stringify(parsed.files))) {
        throw corrupt(this.dir, `${CHECKSUMS} is damaged`);
      }
      for (const [name, sum] of Object.entries(parsed.files)) if (typeof sum === 'string') sums.set(name, sum);
    }
    this.sums = sums;
    return sums;
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
    this.stagedSums.set(name, sha256(data));
    this.stagedDerived.delete(name);
    this.removals.delete(name);
  }

  /** Stages a derived file: published with the commit, not registered (it checks itself). */
  async stageDerived(name: string, data: Buffer | string): Promise<void> {
    await this.stage(name, data);
    this.stagedSums.delete(name);
    this.stagedDerived.add(name);
  }

  /** Removes a committed file at the next commit (with its registry entry). */
  stageRemoval(name: string): void {
    this.removals.add(name);
    this.stagedSums.delete(name);
    this.stagedDerived.delete(name);
    if (this.staged.delete(name)) void fs.rm(this.abs(`${name}.next`), { force: true });
  }

  get hasStaged(): boolean {
    return this.staged.size > 0;
  }

  /** Atomically publishes everything staged since the last commit. */
  async commit(): Promise<void> {
    if (this.staged.size === 0 && this.removals.size === 0) return;
    // The checksums of everything staged travel in the same commit as the files themselves.
    const sums = new Map(await this.checksums().catch(() => new Map<string, string>()));
    for (const [name, sum] of this.stagedSums) sums.set(name, sum);
    for (const name of [...this.stagedDerived, ...this.removals]) sums.delete(name);
    const files = Object.fromEntries([...sums].sort(([a], [b]) => a.localeCompare(b)));
    const checksumFile: ChecksumFile = { format: 1, files, self: sha256(JSON.stringify(files)) };
    await this.stage(CHECKSUMS, JSON.stringify(checksumFile));
    this.stagedSums.delete(CHECKSUMS);
    const names = [...this.staged];
    const removed = [...this.removals];
    for (const name of names) await syncFile(this.abs(`${name}.next`));
    const tmp = this.abs(`${JOURNAL}.tmp`);
    await writeDurably(tmp, JSON.stringify({ names, removed }));
    await fs.rename(tmp, this.abs(JOURNAL)); // commit point
    await syncDir(this.dir);
    await this.applyJournal(names, removed);
    this.staged.clear();
    this.stagedSums.clear();
    this.stagedDerived.clear();
    this.removals.clear();
    this.sums = sums;
  }

  /** Forget staged files without publishing them. */
  async discard(): Promise<void> {
    for (const name of this.staged) await fs.rm(this.abs(`${name}.next`), { force: true });
    this.staged.clear();
    this.stagedSums.clear();
    this.stagedDerived.clear();
    this.removals.clear();
  }

  /**
   * For read-only opens: the state recovery would produce, without writing. A journal (the commit
   * point was passed) makes its `.next` files the current ones; stray `.next` files without a journal
   * are an uncommitted attempt and stay invisible. A journal that cannot be read is refused with a code.
   */
  async viewForReading(): Promise<'clean' | 'journal'> {
    const journal = await readIfExists(this.abs(JOURNAL));
    this.sums = undefined;
    if (!journal) return 'clean';
    let names: unknown;
    try {
      names = (JSON.parse(journal.toString('utf8')) as { names?: unknown }).names;
    } catch {
      names = undefined;
    }
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      throw corrupt(this.dir, 'an interrupted commit left an unreadable journal; open the index for writing to repair it');
    }
    this.journalView = new Set(names as string[]);
    return 'journal';
  }

  /** Forget everything known about the directory (after it was wiped). */
  reset(): void {
    this.staged.clear();
    this.stagedSums.clear();
    this.stagedDerived.clear();
    this.removals.clear();
    this.sums = undefined;
    this.journalView.clear();
  }

  /** Brings the directory to the last committed state after a crash. Returns what it did. */
  async recover(): Promise<'clean' | 'rolled-forward' | 'rolled-back'> {
    this.sums = undefined;
    const journal = await readIfExists(this.abs(JOURNAL));
    if (journal) {
      let names: string[] | undefined;
      let removed: string[] = [];
      try {
        const parsed = JSON.parse(journal.toString('utf8')) as { names?: unknown; removed?: unknown };
        names = parsed.names as string[] | undefined;
        if (Array.isArray(parsed.removed)) removed = parsed.removed.filter((n): n is string => typeof n === 'string');
      } catch {
        names = undefined; // cannot happen with an atomic rename, but never trust a file on disk
      }
      if (Array.isArray(names)) {
        await this.applyJournal(names, removed);
        await this.removeStrays();
        return 'rolled-forward';
      }
      await fs.rm(this.abs(JOURNAL), { force: true });
    }
    return (await this.removeStrays()) ? 'rolled-back' : 'clean';
  }

  private async applyJournal(names: readonly string[], removed: readonly string[]): Promise<void> {
    for (const name of names) {
      try {
        await fs.rename(this.abs(`${name}.next`), this.abs(name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // already moved
      }
    }
    // idempotent too: a removal already done is a missing file
    for (const name of removed) await fs.rm(this.abs(name), { force: true });
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

function corrupt(dir: string, what: string): KeelError {
  return new KeelError('STORE_CORRUPT', `The store at ${dir} is damaged: ${what}.`);
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
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
