/**
 * What analyzers produce before rules, severities and suppressions are applied: a category, the
 * syntax node it is about, a message, related locations and fixes. Positions are converted to the
 * public 1-based `Finding` shape in one place (analyze.ts).
 */
import type { FindingCategory, FixWire, RelatedLocation, TextEditWire } from '../../protocol';
import type { GrammarLanguage, SyntaxNode } from '../syntax/treeSitter';
import type { ImportedSummaries } from './summaries';

export interface RawFinding {
  category: FindingCategory;
  node: SyntaxNode;
  message: string;
  related: RelatedLocation[];
  fixes: FixWire[];
}

/** Per-file facts every analyzer needs. */
export interface FileContext {
  path: string;
  text: string;
  language: GrammarLanguage;
  /** Summaries of functions this file imports from the workspace (summaries.ts), by local callee text. */
  imported?: ImportedSummaries;
}

/** 1-based start of a node (tree-sitter columns are UTF-16 code units in web-tree-sitter, as VS Code's). */
export function related(file: FileContext, node: SyntaxNode, message: string): RelatedLocation {
  return { path: file.path, line: node.startPosition.row + 1, column: node.startPosition.column + 1, message };
}

/** An edit replacing the text of `node` (end exclusive, 1-based). */
export function replaceNode(file: FileContext, node: SyntaxNode, newText: string): TextEditWire {
  return replaceRange(file, node.startIndex, node.endIndex, newText);
}

/** An edit replacing text[start, end) — offsets are string indices into `file.text`. */
export function replaceRange(file: FileContext, start: number, end: number, newText: string): TextEditWire {
  const a = positionAt(file.text, start);
  const b = positionAt(file.text, end);
  return { path: file.path, line: a.line, column: a.column, endLine: b.line, endColumn: b.column, newText };
}

export function insertAt(file: FileContext, offset: number, newText: string): TextEditWire {
  return replaceRange(file, offset, offset, newText);
}

/** Line start offsets per text, so that each position lookup is a binary search. */
let cachedText: string | undefined;
let cachedStarts: number[] = [];

function lineStarts(text: string): number[] {
  if (text !== cachedText) {
    cachedStarts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) cachedStarts.push(i + 1);
    cachedText = text;
  }
  return cachedStarts;
}

/** Index of the last of `sorted` (ascending, non-empty) that is <= `value`; 0 when none is. */
export function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** 1-based line/column of a string offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const starts = lineStarts(text);
  const line = lastAtOrBefore(starts, offset);
  return { line: line + 1, column: offset - starts[line] + 1 };
}

/** The leading whitespace of the line containing `offset` (for inserting statements above it). */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const match = /^[ \t]*/.exec(text.slice(lineStart, offset));
  return match ? match[0] : '';
}
