/**
 * The egress audit log: one JSON line per outbound model call, in Keel's storage directory (never the
 * user's repo). It records what left the machine and why — never the payload, never headers, so it can
 * hold no key or secret. It rotates once at `maxBytes` (egress.jsonl → egress.1.jsonl) so a busy
 * workspace can't grow it without bound, while the previous generation stays viewable.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EgressLogEntry } from '../../protocol';
import { mkdirPrivateSync } from '../privateFs';

/** One line of the log: the protocol's `EgressLogEntry` (what `egress/log` returns). */
export type AuditEntry = EgressLogEntry;

export const AUDIT_FILE = 'egress.jsonl';
export const AUDIT_FILE_PREVIOUS = 'egress.1.jsonl';
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export class AuditLog {
  readonly file: string;
  readonly previousFile: string;

  constructor(
    readonly dir: string,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {
    this.file = join(dir, AUDIT_FILE);
    this.previousFile = join(dir, AUDIT_FILE_PREVIOUS);
  }

  append(entry: AuditEntry): void {
    mkdirPrivateSync(this.dir);
    if (existsSync(this.file) && statSync(this.file).size >= this.maxBytes) renameSync(this.file, this.previousFile);
    // Sync append: a line per call is tiny, and it must survive the process dying right after.
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  /** The newest `limit` entries, oldest first; lines that don't parse (a torn final write) are skipped. */
  read(limit = 500): AuditEntry[] {
    const lines = [this.previousFile, this.file].flatMap((f) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []));
    const entries: AuditEntry[] = [];
    for (const line of lines) {
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        /* torn line */
      }
    }
    return entries.slice(-limit);
  }
}
