/**
 * From ranked chunks to ranked passages: chunks that overlap a better-ranked chunk of the same file are
 * dropped (they would repeat the same lines), and chunks that touch a better-ranked chunk of the same
 * file are merged into it, so a function split across two chunks comes back as one passage and does
 * not take two of the few result slots.
 */
import type { SourceChunk } from './source';

export interface RankedChunk {
  chunk: SourceChunk;
  score: number;
}

export interface Passage {
  root: number;
  path: string;
  language: string;
  /** Symbols of the merged chunks, best chunk first, at most three. */
  symbol: string;
  startLine: number;
  endLine: number;
  /** The best member's score. */
  score: number;
  /** Member chunk ids, best first. */
  chunkIds: string[];
}

export interface PassageOptions {
  /** Stop after this many passages. */
  limit: number;
  /** Chunks whose ranges are at most this many lines apart count as adjacent (default 1: touching). */
  gap?: number;
  /** Never grow a passage beyond this many lines (default 200). */
  maxLines?: number;
}

export function toPassages(ranked: readonly RankedChunk[], options: PassageOptions): Passage[] {
  const gap = options.gap ?? 1;
  const maxLines = options.maxLines ?? 200;
  const out: Passage[] = [];
  const symbols = new Map<Passage, string[]>();
  for (const { chunk, score } of ranked) {
    const root = chunk.root ?? 0;
    const same = out.filter((p) => p.root === root && p.path === chunk.path);
    if (same.some((p) => chunk.startLine <= p.endLine && chunk.endLine >= p.startLine)) continue; // overlap: already covered
    const neighbour = same.find(
      (p) =>
        chunk.startLine - p.endLine <= gap &&
        p.startLine - chunk.endLine <= gap &&
        Math.max(p.endLine, chunk.endLine) - Math.min(p.startLine, chunk.startLine) + 1 <= maxLines,
    );
    if (neighbour) {
      neighbour.startLine = Math.min(neighbour.startLine, chunk.startLine);
      neighbour.endLine = Math.max(neighbour.endLine, chunk.endLine);
      neighbour.chunkIds.push(chunk.id);
      const names = symbols.get(neighbour)!;
      for (const s of splitSymbols(chunk.symbol)) if (!names.includes(s)) names.push(s);
      neighbour.symbol = names.join(', ');
      continue;
    }
    if (out.length >= options.limit) continue;
    const passage: Passage = {
      root,
      path: chunk.path,
      language: chunk.language,
      symbol: chunk.symbol,
      startLine: chunk.startLine,
      endLine: chunk.endLine,
      score,
      chunkIds: [chunk.id],
    };
    symbols.set(passage, splitSymbols(chunk.symbol));
    out.push(passage);
  }
  return out;
}

/**
 * A symbol list short enough to show: chunks keep every name they define (a merged chunk of eight
 * methods has eight), results show three, those the query names first.
 */
export function displaySymbol(symbol: string, queryWords: ReadonlySet<string>, max = 3): string {
  const names = splitSymbols(symbol);
  if (names.length <= max) return names.join(', ');
  const named = (n: string): boolean => queryWords.has(n.split('.').pop()!.toLowerCase()) || queryWords.has(n.toLowerCase());
  const ordered = [...names.filter(named), ...names.filter((n) => !named(n))];
  return `${ordered.slice(0, max).join(', ')}, …`;
}

function splitSymbols(symbol: string): string[] {
  return symbol
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== '…');
}

/**
 * Result diversity: at most `maxPerFile` passages of one file among the leading results; a file's
 * further passages keep their relative order but move behind every other file's first ones. Ten
 * results from one file answer fewer questions than ten files (and waste a chat context budget).
 */
export function diversify<T extends { root: number; path: string }>(passages: readonly T[], maxPerFile: number): T[] {
  if (!Number.isFinite(maxPerFile) || maxPerFile <= 0) return [...passages];
  const seen = new Map<string, number>();
  const head: T[] = [];
  const tail: T[] = [];
  for (const p of passages) {
    const key = `${p.root}:${p.path}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    (n < maxPerFile ? head : tail).push(p);
  }
  return [...head, ...tail];
}
