/**
 * What the chunkers produce, and the size policy they share. Sizes are in characters because that is
 * what the chunker can see cheaply; ~1,800 chars ≈ 450 tokens keeps a chunk inside any embedder's
 * window and leaves room for several chunks in a prompt.
 */
import { createHash } from 'node:crypto';

export interface Chunk {
  /** Which language produced it (grammar name, or a fallback like 'sql', 'markdown', 'text'). */
  language: string;
  /** Qualified name (`UserService.findById`), a heading, a SQL statement head, or '' for file-level code. */
  symbol: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /**
   * What gets embedded and keyword-indexed: the chunk's lines, prefixed by its enclosing signature
   * when it is a piece of a larger definition (so the piece still says where it belongs).
   */
  text: string;
  /** Hash of `text`: equal hashes reuse one embedding across files and branches. */
  hash: string;
}

export const MAX_CHUNK_CHARS = 1800;
/** Neighbours smaller than this are merged (while the result stays under MAX_CHUNK_CHARS). */
export const MIN_CHUNK_CHARS = 300;

export function chunkHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** A region of a file before it becomes a Chunk. Rows are 0-based, inclusive. */
export interface Region {
  startRow: number;
  endRow: number;
  symbol: string;
  /** Enclosing signature line(s) to prefix, for pieces of a split definition. */
  context?: string;
}

export function regionChars(lines: readonly string[], r: Region): number {
  let n = 0;
  for (let i = r.startRow; i <= r.endRow; i++) n += lines[i].length + 1;
  return n;
}

/**
 * Cuts rows [startRow, endRow] into windows under the size limit, preferring to break at blank lines
 * once a window is reasonably full, so paragraphs and statements stay together.
 */
export function lineWindows(lines: readonly string[], startRow: number, endRow: number, symbol: string, context?: string): Region[] {
  const out: Region[] = [];
  let from = startRow;
  let size = 0;
  for (let i = startRow; i <= endRow; i++) {
    size += lines[i].length + 1;
    const full = size >= MAX_CHUNK_CHARS;
    const softBreak = size >= MAX_CHUNK_CHARS * 0.6 && lines[i].trim() === '';
    if ((full || softBreak) && i < endRow) {
      out.push({ startRow: from, endRow: i, symbol, context });
      from = i + 1;
      size = 0;
    }
  }
  if (from <= endRow) out.push({ startRow: from, endRow, symbol, context });
  return out;
}

/** Merges runs of small neighbouring regions with the same context. */
export function mergeSmall(lines: readonly string[], regions: readonly Region[]): Region[] {
  const out: Region[] = [];
  let current: (Region & { size: number; names: string[] }) | undefined;
  for (const r of regions) {
    const size = regionChars(lines, r);
    if (
      current &&
      (current.size < MIN_CHUNK_CHARS || size < MIN_CHUNK_CHARS) &&
      current.size + size <= MAX_CHUNK_CHARS &&
      current.context === r.context
    ) {
      current.endRow = r.endRow;
      current.size += size;
      if (r.symbol && !current.names.includes(r.symbol)) current.names.push(r.symbol);
      continue;
    }
    if (current) out.push(finish(current));
    current = { ...r, size, names: r.symbol ? [r.symbol] : [] };
  }
  if (current) out.push(finish(current));
  return out;
}

function finish(r: Region & { names: string[] }): Region {
  // `Class` next to `Class.method` says nothing more: keep the most specific names. EVERY name stays
  // (a merged chunk of eight small methods defines all eight, and an exact search for any of them
  // must find it); search results shorten the list for display (passages.ts).
  const names = r.names.filter((n) => !r.names.some((m) => m.startsWith(`${n}.`)));
  return { startRow: r.startRow, endRow: r.endRow, symbol: names.join(', '), context: r.context };
}

/** Regions → chunks, dropping whitespace-only ones. */
export function toChunks(lines: readonly string[], regions: readonly Region[], language: string): Chunk[] {
  const chunks: Chunk[] = [];
  for (const r of regions) {
    let s = r.startRow;
    let e = r.endRow;
    while (s <= e && lines[s].trim() === '') s++;
    while (e >= s && lines[e].trim() === '') e--;
    if (s > e) continue;
    const body = lines.slice(s, e + 1).join('\n');
    const text = r.context ? `${r.context}\n${body}` : body;
    chunks.push({ language, symbol: r.symbol, startLine: s + 1, endLine: e + 1, text, hash: chunkHash(text) });
  }
  return chunks;
}
