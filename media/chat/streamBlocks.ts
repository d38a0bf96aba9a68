/**
 * Incremental rendering of a streamed answer: the Markdown blocks that can no longer change are
 * rendered once, and only the last, still-growing block is rendered again on the next frame. A block is
 * settled when another block follows it — a paragraph ends at a blank line, a fence at its closing
 * fence — so later text cannot reach back into it. (Reference-style links defined after their use
 * resolve when the finished answer is rendered whole, once.)
 */
import { Lexer } from 'marked';

/** How many leading characters of `markdown` form complete blocks (0: nothing is settled yet). */
export function settledLength(markdown: string): number {
  if (!markdown) return 0;
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last].type === 'space') last--;
  if (last <= 0) return 0;
  // The lexer normalises line endings: only trust offsets that add up to the source.
  if (tokens.reduce((n, t) => n + t.raw.length, 0) !== markdown.length) return 0;
  let length = 0;
  for (let i = 0; i < last; i++) length += tokens[i].raw.length;
  return length;
}
