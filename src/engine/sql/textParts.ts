/** SQL text split into literal text and interpolated expressions, shared by the JS and Python analyzers. */
import type { SyntaxNode } from '../syntax/treeSitter';

export type TextPart = { kind: 'text'; value: string } | { kind: 'expr'; node: SyntaxNode };

/** Appends literal text, merging it into a preceding text part. */
export function pushText(parts: TextPart[], value: string): void {
  const last = parts[parts.length - 1];
  if (last?.kind === 'text') last.value += value;
  else parts.push({ kind: 'text', value });
}

/**
 * A printf-style format split at its conversions: `conversions` (global, matching `%%` too) finds them,
 * and each but `%%` takes the next of `args`. A conversion with no argument left is dropped, or with
 * `strict` (Python's `%`, which raises) the split fails.
 */
export function percentFormatParts(text: string, conversions: RegExp, args: readonly SyntaxNode[], strict: boolean): TextPart[] | null {
  const parts: TextPart[] = [];
  let i = 0;
  let last = 0;
  for (const m of text.matchAll(conversions)) {
    pushText(parts, text.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[0] === '%%') pushText(parts, '%');
    else if (args[i]) parts.push({ kind: 'expr', node: args[i++] });
    else if (strict) return null;
  }
  pushText(parts, text.slice(last));
  return parts;
}
