/**
 * The editor's unsaved buffers, by absolute path (`buffers/sync`). Search and chat read a file's text
 * through here first, so a question about code being edited sees the edit; the index is updated from
 * the buffer the same way a save would update it. The CLI never fills this: it reads the disk.
 */
import * as path from 'node:path';

/** More than this many unsaved buffers: the oldest is dropped (the disk version applies to it). */
const MAX_BUFFERS = 200;

export class BufferOverlay {
  private readonly texts = new Map<string, string>();

  get size(): number {
    return this.texts.size;
  }

  set(abs: string, text: string): void {
    const key = path.resolve(abs);
    this.texts.delete(key); // re-insert: the map's order is least recently set first
    this.texts.set(key, text);
    if (this.texts.size > MAX_BUFFERS) this.texts.delete(this.texts.keys().next().value!);
  }

  /** True if there was unsaved text for `abs`. */
  clear(abs: string): boolean {
    return this.texts.delete(path.resolve(abs));
  }

  get(abs: string): string | undefined {
    return this.texts.size ? this.texts.get(path.resolve(abs)) : undefined;
  }
}
