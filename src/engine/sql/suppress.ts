/**
 * Suppression comments: `// keel-ignore KEEL-SQL-INJECTION` (or `# keel-ignore …` in Python) on the
 * finding's statement, the line above it, or any line in between. Several codes may be listed,
 * separated by commas or spaces; a bare `keel-ignore` silences every Keel rule there. Comments are
 * found as comment nodes of the syntax tree, so the marker inside a string literal does nothing.
 */
import type { FixWire } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import { indentAt, insertAt, type FileContext } from './model';

const MARKER = /keel-ignore(?![\w-])[:\s]*([A-Z0-9_,\s-]*)/;

/** line (1-based) → codes suppressed there ('*' = all). */
export type Suppressions = Map<number, Set<string>>;

export function collectSuppressions(comments: readonly SyntaxNode[]): Suppressions {
  const out: Suppressions = new Map();
  for (const c of comments) {
    if (!c) continue;
    const m = MARKER.exec(c.text);
    if (!m) continue;
    const codes = m[1].split(/[\s,]+/).filter((s) => /^[A-Z][A-Z0-9-]+$/.test(s));
    out.set(c.startPosition.row + 1, new Set(codes.length > 0 ? codes : ['*']));
  }
  return out;
}

export function isSuppressed(s: Suppressions, code: string, anchorLine: number, findingLine: number): boolean {
  for (let line = anchorLine - 1; line <= findingLine; line++) {
    const codes = s.get(line);
    if (codes && (codes.has('*') || codes.has(code))) return true;
  }
  return false;
}

const STATEMENT_PARENTS = new Set(['statement_block', 'program', 'class_body', 'block', 'module', 'switch_body', 'statement_list', 'source_file']);

/** The innermost statement containing `node` (where a suppression comment goes). */
export function anchorStatement(node: SyntaxNode): SyntaxNode {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (n.parent && STATEMENT_PARENTS.has(n.parent.type)) return n;
  }
  return node;
}

export function suppressFix(file: FileContext, anchor: SyntaxNode, code: string): FixWire {
  const lineStart = file.text.lastIndexOf('\n', anchor.startIndex - 1) + 1;
  const indent = indentAt(file.text, anchor.startIndex);
  const marker = file.language === 'python' ? '#' : '//';
  return {
    title: `Suppress ${code} here (add a keel-ignore comment)`,
    kind: 'suppress',
    edits: [insertAt(file, lineStart, `${indent}${marker} keel-ignore ${code}\n`)],
  };
}
