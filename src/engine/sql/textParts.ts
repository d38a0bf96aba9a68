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

/** A definition of a variable, as the constness analyses record it. */
interface TextDef {
  kind: string;
  value?: SyntaxNode | null;
  node: SyntaxNode;
}

/**
 * SQL text assembled in the variable `id` names, from its definitions before that use, in source order:
 * a definition of a `restarts` kind (`sql = …`) begins the text again, an `append` (`sql += …`) adds
 * to it, and any other kind (a loop variable, a parameter, …) means the text cannot be followed (none).
 */
export function assembledPieces<D extends TextDef, P>(id: SyntaxNode, defs: readonly D[], restarts: ReadonlySet<string>, piece: (d: D, value: SyntaxNode) => P): P[] {
  let pieces: P[] = [];
  for (const d of defs) {
    if (d.node.startIndex >= id.startIndex || !d.value) continue;
    if (restarts.has(d.kind)) pieces = [];
    else if (d.kind !== 'append') return [];
    pieces.push(piece(d, d.value));
  }
  return pieces;
}
