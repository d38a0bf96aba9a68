/**
 * Context assembly for chat: the chosen passages, best first, each under a numbered path:line header
 * the model can cite, fitted to a token budget. Whole passages are preferred; the first one that does
 * not fit is cut at a line boundary (its citation then ends at the last line actually sent) when enough
 * budget is left to be useful, and everything after it is dropped — a model should never be shown a
 * citation for lines it did not receive.
 */
import type { Citation } from '../../protocol';
import { countTokens as bpeCount } from '../llm/tokens';
import { fenceFor } from '../llm/untrusted';

export interface ContextPassage {
  path: string;
  startLine: number;
  endLine: number;
  symbol?: string;
  language?: string;
  /** The passage's lines (startLine..endLine). */
  text: string;
}

export interface ContextOptions {
  /** Tokens the whole block may use. */
  budgetTokens: number;
  /** Defaults to the BPE tokenizer the LLM layer budgets with. */
  countTokens?: (text: string) => number;
  /** Don't bother sending a cut passage with fewer tokens of code than this (default 48). */
  minPartialTokens?: number;
}

export interface AssembledContext {
  /** The block to put in the request's `context`. */
  text: string;
  /** One per included passage, in the order (and numbering) of the block. */
  citations: Citation[];
  tokens: number;
  /** Passages included whole / cut / left out. */
  whole: number;
  cut: number;
  dropped: number;
}

export function assembleContext(passages: readonly ContextPassage[], options: ContextOptions): AssembledContext {
  const count = options.countTokens ?? bpeCount;
  const minPartial = options.minPartialTokens ?? 48;
  const budget = Math.max(0, Math.floor(options.budgetTokens));
  const blocks: string[] = [];
  const citations: Citation[] = [];
  let used = 0;
  let whole = 0;
  let cut = 0;
  const seen = new Set<string>();
  const unique = passages.filter((p) => {
    const key = `${p.path}:${p.startLine}-${p.endLine}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  for (const p of unique) {
    const n = citations.length + 1;
    const separator = blocks.length ? 1 : 0; // the blank line between blocks
    const full = render(n, p, p.endLine, p.text);
    const cost = count(full) + separator;
    if (used + cost <= budget) {
      blocks.push(full);
      citations.push({ path: p.path, startLine: p.startLine, endLine: p.endLine });
      used += cost;
      whole++;
      continue;
    }
    const partial = fitLines(n, p, budget - used - separator, count, minPartial);
    if (partial) {
      blocks.push(partial.block);
      citations.push({ path: p.path, startLine: p.startLine, endLine: partial.endLine });
      used += partial.tokens + separator;
      cut++;
    }
    break;
  }
  const text = blocks.join('\n\n');
  return { text, citations, tokens: used, whole, cut, dropped: unique.length - whole - cut };
}

function header(n: number, p: ContextPassage, endLine: number): string {
  return `[${n}] ${p.path}:${p.startLine}-${endLine}${p.symbol ? ` (${p.symbol})` : ''}`;
}

function render(n: number, p: ContextPassage, endLine: number, body: string): string {
  // Longer than any backtick run in the code, so no line of it can close the fence.
  const fence = fenceFor(body);
  return `${header(n, p, endLine)}\n${fence}${p.language ?? ''}\n${body}\n${fence}`;
}

/** The longest line prefix of the passage that fits `room` tokens, by binary search over line counts. */
function fitLines(
  n: number,
  p: ContextPassage,
  room: number,
  count: (text: string) => number,
  minPartial: number,
): { block: string; endLine: number; tokens: number } | undefined {
  const lines = p.text.split('\n');
  const make = (k: number): string => render(n, p, p.startLine + k - 1, lines.slice(0, k).join('\n'));
  const overhead = count(make(0));
  if (room - overhead < minPartial) return undefined;
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (count(make(mid)) <= room) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return undefined;
  const block = make(lo);
  return { block, endLine: p.startLine + lo - 1, tokens: count(block) };
}
