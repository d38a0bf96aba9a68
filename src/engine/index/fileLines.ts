/**
 * Split lines of recently read workspace files, for chunk texts (re-ranking, previews, context).
 * A re-ranked query reads the text of ~50 candidate chunks, most from files a nearby query already read;
 * re-reading and re-splitting whole files was 15% of query CPU at 142k chunks (issue 22). An entry is
 * served only while the file's size and mtime are those it was read with (one stat, no read), so an edit
 * on disk is seen at once, indexed or not. Bounded by characters held, least recently used out first.
 */
import * as fs from 'node:fs/promises';

interface Entry {
  size: number;
  mtimeMs: number;
  lines: string[];
  chars: number;
}

export class FileLines {
  private entries = new Map<string, Entry>();
  private inFlight = new Map<string, Promise<string[] | undefined>>();
  private chars = 0;

  constructor(private readonly maxChars = 8 * 1024 * 1024) {}

  /** Lines of `abs` ('\n'-split after CRLF/CR normalisation), or undefined if it cannot be read. */
  lines(abs: string): Promise<string[] | undefined> {
    // concurrent asks for one file (several candidates of it in one query) share a single stat + read
    let pending = this.inFlight.get(abs);
    if (!pending) {
      pending = this.load(abs).finally(() => this.inFlight.delete(abs));
      this.inFlight.set(abs, pending);
    }
    return pending;
  }

  /** Lines [startLine, endLine] (1-based, inclusive) joined by '\n'. */
  async slice(abs: string, startLine: number, endLine: number): Promise<string | undefined> {
    const lines = await this.lines(abs);
    return lines && lines.slice(startLine - 1, endLine).join('\n');
  }

  forget(abs: string): void {
    const old = this.entries.get(abs);
    if (!old) return;
    this.entries.delete(abs);
    this.chars -= old.chars;
  }

  private async load(abs: string): Promise<string[] | undefined> {
    let stat: { size: number; mtimeMs: number };
    try {
      stat = await fs.stat(abs);
    } catch {
      this.forget(abs);
      return undefined;
    }
    const hit = this.entries.get(abs);
    if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) {
      this.entries.delete(abs); // re-insert: Map order is the LRU order
      this.entries.set(abs, hit);
      return hit.lines;
    }
    this.forget(abs);
    let text: string;
    try {
      text = await fs.readFile(abs, 'utf8');
    } catch {
      return undefined;
    }
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    // a file written between the stat and the read keeps its (newer) text but is not cached under the old stamp
    if (text.length <= this.maxChars / 4 && Buffer.byteLength(text) === stat.size) {
      this.entries.set(abs, { size: stat.size, mtimeMs: stat.mtimeMs, lines, chars: text.length });
      this.chars += text.length;
      for (const [key, entry] of this.entries) {
        if (this.chars <= this.maxChars) break;
        this.entries.delete(key);
        this.chars -= entry.chars;
      }
    }
    return lines;
  }
}
