/**
 * The provenance ledger: one JSONL file per workspace (git work tree) under Keel's workspace state
 * folder, one line per piece of AI-written code Keel put into a file (or per acknowledgement of a
 * high-radius write). Append-only and hash-chained: each line carries the hash of the previous line
 * and its own hash over (previous hash + its body), so an edited, removed or reordered line breaks the
 * chain at that line.
 *
 * Crash safety: a line is written with one write() on an O_APPEND descriptor and fsynced. A crash can
 * leave at most that one line without its newline; readers ignore such a torn tail and the next append
 * cuts it off first, so a crash loses at most the line being written. Appends from several processes
 * (the extension and a CLI) are serialised by an exclusive lock file, so the chain never forks.
 *
 * No secrets: the code itself is never stored, only hashes; lines that hold a secret are not even
 * hashed (a short secret's hash could be guessed); the prompt is stored only on opt-in, redacted.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BlastArea, LedgerAttribution, ProvenanceEntry, ProvenanceIntegrity } from '../../protocol';
import { KeelError, toKeelError } from '../../common/errors';
import { findSecretSpans, Redactor } from '../egress/redact';
import { mkdirPrivateSync, PRIVATE_FILE } from '../privateFs';

export const GENESIS = '0'.repeat(64);

/** Lines shorter than this (`}`, `return;`, `else {`) occur everywhere and prove nothing. */
export const MIN_SIGNIFICANT_CHARS = 12;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A line as compared across history: whitespace-insensitive, so re-indenting keeps its provenance. */
export function normalizeLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function lineHash(text: string): string | undefined {
  const n = normalizeLine(text);
  if (n.replace(/\s/g, '').length < MIN_SIGNIFICANT_CHARS) return undefined;
  return sha256(n).slice(0, 24);
}

/** The hashes of the significant lines of `text`, leaving out every line a secret detector flags. */
export function lineHashesOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (findSecretSpans(line).length > 0) continue;
    const h = lineHash(line);
    if (h && !out.includes(h)) out.push(h);
  }
  return out;
}

/** Where a work tree's ledger lives: named by a hash of its real path, so moving nothing shares it. */
export function ledgerPathFor(stateDir: string, workTree: string): string {
  let real = workTree;
  try {
    real = fs.realpathSync(workTree);
  } catch {
    /* a path that is gone still names its ledger */
  }
  return path.join(stateDir, 'provenance', `${sha256(real).slice(0, 16)}.jsonl`);
}

export interface AppendInput extends LedgerAttribution {
  kind: 'ai-write' | 'acknowledgement';
  time?: string;
  prompt?: string;
  recordPrompt?: boolean;
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  areas?: BlastArea[];
}

export interface LedgerRead {
  entries: ProvenanceEntry[];
  integrity: ProvenanceIntegrity;
}

const redactor = new Redactor();

export class ProvenanceLedger {
  constructor(readonly file: string) {}

  /** Append one entry; returns it as written. */
  append(input: AppendInput): ProvenanceEntry {
    mkdirPrivateSync(path.dirname(this.file));
    return this.withLock(() => {
      let fd: number;
      try {
        fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT, PRIVATE_FILE);
      } catch (error) {
        throw toKeelError(error);
      }
      try {
        const { last, seq } = this.cutTornTail(fd);
        const prompt = input.recordPrompt && input.prompt ? redactor.redactText(input.prompt).text : undefined;
        const body: Omit<ProvenanceEntry, 'hash'> = {
          v: 1,
          seq,
          id: '',
          kind: input.kind,
          time: input.time ?? new Date().toISOString(),
          gitUser: input.gitUser,
          feature: input.feature,
          provider: input.provider,
          model: input.model,
          tier: input.tier,
          requestId: input.requestId,
          promptHash: input.prompt ? sha256(input.prompt) : '',
          ...(prompt !== undefined ? { prompt } : {}),
          path: input.path,
          startLine: input.startLine,
          endLine: input.endLine,
          textHash: sha256(input.text),
          lineHashes: input.kind === 'ai-write' ? lineHashesOf(input.text) : [],
          ...(input.areas ? { areas: input.areas } : {}),
          prev: last,
        };
        body.id = `p${seq}-${sha256(`${last}${body.time}${body.textHash}`).slice(0, 8)}`;
        const hash = sha256(last + JSON.stringify(body));
        const entry: ProvenanceEntry = { ...body, hash };
        fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
        fs.fsyncSync(fd);
        return entry;
      } catch (error) {
        throw error instanceof KeelError ? error : toKeelError(error);
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  /** Every complete entry and whether the chain holds. */
  read(): LedgerRead {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], integrity: { ok: true, entries: 0, tornTail: false } };
      throw toKeelError(error);
    }
    return verifyLedgerText(text);
  }

  /** The last complete line's hash and the next seq; a torn last line is truncated away first. */
  private cutTornTail(fd: number): { last: string; seq: number } {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return { last: GENESIS, seq: 1 };
    const text = readAll(fd, size);
    const end = text.lastIndexOf('\n') + 1;
    if (end !== text.length) fs.ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
    const lines = text.slice(0, end).split('\n').filter(Boolean);
    if (lines.length === 0) return { last: GENESIS, seq: 1 };
    try {
      const lastEntry = JSON.parse(lines[lines.length - 1]) as ProvenanceEntry;
      return { last: typeof lastEntry.hash === 'string' ? lastEntry.hash : sha256(lines[lines.length - 1]), seq: lines.length + 1 };
    } catch {
      // A corrupt last line is evidence: keep it, and chain on from its raw bytes.
      return { last: sha256(lines[lines.length - 1]), seq: lines.length + 1 };
    }
  }

  private withLock<T>(fn: () => T): T {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const fd = fs.openSync(lock, 'wx', PRIVATE_FILE);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw toKeelError(error);
        if (lockIsStale(lock)) fs.rmSync(lock, { force: true });
        else if (Date.now() > deadline) throw new KeelError('INDEX_LOCKED', `The provenance ledger is locked by another process (${lock}).`);
        else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
    try {
      return fn();
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }
}

/** A lock whose process is gone (it crashed holding it), or older than any append takes. */
function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(fs.readFileSync(lock, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
      }
    }
    return Date.now() - fs.statSync(lock).mtimeMs > 10_000;
  } catch {
    return false;
  }
}

function readAll(fd: number, size: number): string {
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = fs.readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off).toString('utf8');
}

/** Check the chain line by line; stops trusting at the first broken line but still returns the entries before it. */
export function verifyLedgerText(text: string): LedgerRead {
  const tornTail = text.length > 0 && !text.endsWith('\n');
  const lines = text.split('\n');
  if (tornTail || lines[lines.length - 1] === '') lines.pop();
  const entries: ProvenanceEntry[] = [];
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const fail = (problem: string): LedgerRead => ({ entries, integrity: { ok: false, entries: lines.length, brokenAt: i + 1, problem, tornTail } });
    let entry: ProvenanceEntry;
    try {
      entry = JSON.parse(lines[i]) as ProvenanceEntry;
    } catch {
      return fail('not valid JSON');
    }
    const { hash, ...body } = entry;
    if (body.prev !== prev) return fail('does not follow the line before it (a line was removed, inserted or reordered)');
    if (body.seq !== i + 1) return fail(`sequence number ${String(body.seq)} where ${i + 1} was expected`);
    if (sha256(prev + JSON.stringify(body)) !== hash) return fail('its content does not match its hash (the line was edited)');
    entries.push(entry);
    prev = hash;
  }
  return { entries, integrity: { ok: true, entries: entries.length, tornTail } };
}
