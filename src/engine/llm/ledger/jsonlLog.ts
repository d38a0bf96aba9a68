/**
 * An append-only JSON-lines file that survives crashes: each record is one `write()` of a complete
 * line on an O_APPEND descriptor followed by fsync, so a record is either durable or (at worst) a torn
 * last line. Reading skips lines that do not parse; a torn tail is never glued to the next record
 * because appending first terminates it with a newline. Reads are incremental (only bytes appended
 * since the last read), so several processes (editor worker, CLI) can share one ledger.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirPrivateSync, PRIVATE_FILE } from '../../privateFs';

export interface ReadResult<T> {
  records: T[];
  /** Complete lines that failed to parse or validate. */
  skipped: number;
}

export class JsonlLog<T> {
  private offset = 0;

  constructor(
    readonly file: string,
    private readonly isRecord: (value: unknown) => value is T,
  ) {}

  /** Append one record durably. */
  append(record: T): void {
    mkdirPrivateSync(path.dirname(this.file));
    const fd = fs.openSync(this.file, 'a+', PRIVATE_FILE); // a+: O_APPEND, and readable to check the last byte
    try {
      let prefix = '';
      const size = fs.fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n'; // terminate a torn line left by a crash
      }
      fs.writeSync(fd, `${prefix}${JSON.stringify(record)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Records appended (by anyone) since the last call. `reset` is true when the file shrank or was
   * replaced, in which case `records` is the whole file again. A trailing line without newline is left
   * for later (it may be a write in progress) and reported in `tornTail`.
   */
  readNew(): ReadResult<T> & { reset: boolean; tornTail: boolean } {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        const reset = this.offset > 0;
        this.offset = 0;
        return { records: [], skipped: 0, reset, tornTail: false };
      }
      throw error;
    }
    let reset = false;
    if (size < this.offset) {
      this.offset = 0;
      reset = true;
    }
    if (size === this.offset) return { records: [], skipped: 0, reset, tornTail: false };

    const buffer = Buffer.alloc(size - this.offset);
    const fd = fs.openSync(this.file, 'r');
    try {
      let read = 0;
      while (read < buffer.length) {
        const n = fs.readSync(fd, buffer, read, buffer.length - read, this.offset + read);
        if (n === 0) break;
        read += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    const lastNewline = buffer.lastIndexOf(0x0a);
    const complete = lastNewline < 0 ? Buffer.alloc(0) : buffer.subarray(0, lastNewline + 1);
    const tornTail = lastNewline < buffer.length - 1;
    this.offset += complete.length;

    const records: T[] = [];
    let skipped = 0;
    for (const line of complete.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (this.isRecord(value)) records.push(value);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    return { records, skipped, reset, tornTail };
  }
}
