/**
 * Reads one file for indexing and decides whether its content is indexable text. Extension-based
 * excludes catch most binaries; this catches the rest by content (a `.ts` that is really a PNG, a
 * minified bundle named `.js`, a generated file, a credentials file under a harmless name), and
 * normalises text: BOMs removed, UTF-16 decoded, CRLF / CR turned into LF so that line numbers agree
 * with editors, invalid UTF-8 replaced.
 *
 * The read itself is defensive, because the path may have changed since the walk: only a regular
 * file is opened (a FIFO would block the reader forever, a device never ends), it is opened
 * non-blocking, its size is taken with fstat on the open descriptor, at most `maxBytes + 1` bytes
 * are read, and the whole read has a time limit.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import type { SkipKind } from '../../protocol';
import { containment, fsSkip, isInside, OUTSIDE, specialFile, tooLarge, type Skip } from './fileGuard';
import { secretFileByContent } from './secretFiles';

export type SourceRead =
  | { ok: true; text: string; hash: string; size: number }
  | { ok: false; reason: string; kind: SkipKind };

export interface ReadOptions {
  /** Workspace roots: a path whose real location is outside all of them is refused. */
  roots?: readonly string[];
  followSymlinksOutside?: boolean;
  /** Read minified and generated files too (`keel.index.includeGenerated`); default: skip them. */
  includeGenerated?: boolean;
  /** Give up on a file after this long (a stalled network mount). Default 10 s. */
  timeoutMs?: number;
}

export const DEFAULT_READ_TIMEOUT_MS = 10_000;

// O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer; harmless
// for regular files. O_NOCTTY: a terminal device can't become our controlling terminal.
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOCTTY ?? 0);

const fail = ({ kind, reason }: Skip): SourceRead => ({ ok: false, reason, kind });

/** Fraction of U+FFFD replacements above which a file is treated as not-text (likely another encoding or binary). */
const MAX_REPLACEMENT_RATIO = 0.01;

export async function readSourceFile(abs: string, maxBytes: number, options: ReadOptions = {}): Promise<SourceRead> {
  const read = await readBounded(abs, maxBytes, options);
  if ('kind' in read) return fail(read);
  const bytes = read.bytes;
  const decoded = decode(bytes);
  if (!decoded.ok) return decoded;
  return judgeText(decoded.text, bytes, options);
}

/** Decoded text (from disk, or an editor's unsaved buffer) judged as indexable or not. */
export function judgeText(text: string, bytes: Buffer | string, options: Pick<ReadOptions, 'includeGenerated'> = {}): SourceRead {
  const generated = options.includeGenerated ? undefined : looksGenerated(text);
  if (generated) return { ok: false, reason: generated, kind: 'generated' };
  const secret = secretFileByContent(text);
  if (secret) return { ok: false, reason: `secret-bearing file: ${secret} (never indexed)`, kind: 'secret' };
  return { ok: true, text, hash: contentHash(bytes), size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length };
}

/** The bytes of a regular file of at most `maxBytes`, or why not. Never blocks on a FIFO. */
async function readBounded(abs: string, maxBytes: number, options: ReadOptions): Promise<{ bytes: Buffer } | Skip> {
  let path = abs;
  try {
    path = await fs.realpath(abs);
    if (options.roots && !options.followSymlinksOutside && !isInside(path, (await containment(options.roots)).realRoots)) return OUTSIDE;
    // type first (stat does not open): some devices act on open (a tape rewinds)
    const st = await fs.stat(path);
    if (!st.isFile()) return specialFile(st);
    if (st.size > maxBytes) return tooLarge(st.size, maxBytes);
  } catch (error) {
    return fsSkip(error);
  }
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, OPEN_FLAGS | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (error) {
    return fsSkip(error);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Skip>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout', reason: `read took longer than ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([readHandle(handle, maxBytes), timedOut]);
  } catch (error) {
    return fsSkip(error);
  } finally {
    clearTimeout(timer);
    await handle.close().catch(() => undefined);
  }
}

async function readHandle(handle: fs.FileHandle, maxBytes: number): Promise<{ bytes: Buffer } | Skip> {
  const st = await handle.stat(); // the file we opened, not the one we stat'ed a moment ago
  if (!st.isFile()) return specialFile(st);
  if (st.size > maxBytes) return tooLarge(st.size, maxBytes);
  // one byte more than allowed tells a file that grew since fstat from one that is exactly at the limit
  const buffer = Buffer.alloc(Math.min(maxBytes + 1, st.size + 1));
  let total = 0;
  while (total < buffer.length) {
    const { bytesRead } = await handle.read(buffer, total, buffer.length - total, total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  if (total > maxBytes) return tooLarge(total, maxBytes);
  return { bytes: buffer.subarray(0, total) };
}

/** Hash of raw bytes: the catalog's change detector (sha1 is plenty for change detection, and fast). */
export function contentHash(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('hex').slice(0, 20);
}

export function decode(bytes: Buffer): { ok: true; text: string } | { ok: false; reason: string; kind: SkipKind } {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = bytes.subarray(2).toString('utf16le');
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const body = bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)); // swap16 needs an even length
    const swapped = Buffer.from(body).swap16();
    text = swapped.toString('utf16le');
  } else {
    if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: 'binary content', kind: 'binary' };
    const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
    text = body.toString('utf8');
    let bad = 0;
    for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) bad++;
    if (bad > 0 && bad / Math.max(1, text.length) > MAX_REPLACEMENT_RATIO) {
      return { ok: false, reason: 'not valid UTF-8 text', kind: 'binary' };
    }
  }
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return { ok: true, text };
}

/** A reason if the text is minified or machine-generated, else undefined. */
export function looksGenerated(text: string): string | undefined {
  const head = text.slice(0, 2048);
  if (/@generated\b|\bDO NOT EDIT\b|auto-generated by|automatically generated/i.test(head.split('\n', 6).join('\n'))) {
    return 'generated file';
  }
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  let longest = 0;
  let start = 0;
  let lines = 0;
  for (let i = sample.indexOf('\n'); ; i = sample.indexOf('\n', start)) {
    const end = i < 0 ? sample.length : i;
    longest = Math.max(longest, end - start);
    lines++;
    if (i < 0) break;
    start = i + 1;
  }
  if (sample.length > 2000 && (longest > 5000 || sample.length / lines > 300)) return 'minified';
  return undefined;
}
