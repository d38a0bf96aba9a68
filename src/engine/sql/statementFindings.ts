/**
 * Findings about what a SQL statement does (shared by every language): UPDATE/DELETE without WHERE,
 * DROP/TRUNCATE, SELECT *. The text comes from the language's literal/template reconstruction.
 */
import type { SyntaxNode } from '../syntax/treeSitter';
import type { RawFinding } from './model';
import { classifySql, looksLikeSqlStatement } from './sqlText';

/** Cheap gate: only texts mentioning a relevant keyword are handed to the parser. */
const RELEVANT = /\b(update|delete|drop|truncate)\b|select\s+(\w+\.)?\*/i;

export function statementFindings(sql: string, node: SyntaxNode): RawFinding[] {
  if (!looksLikeSqlStatement(sql) || !RELEVANT.test(sql)) return [];
  const facts = classifySql(sql);
  if (!facts) return [];
  const out: RawFinding[] = [];
  for (const f of facts) {
    const table = f.table ? ` on "${f.table}"` : '';
    if (f.unbounded && (f.kind === 'update' || f.kind === 'delete')) {
      out.push({
        category: 'unbounded-write',
        node,
        message: `${f.kind.toUpperCase()} without a WHERE clause${table} changes every row of the table. Add a WHERE clause (or, if this really is meant to touch every row, suppress this finding with a keel-ignore comment saying so).`,
        related: [],
        fixes: [],
      });
    } else if (f.kind === 'drop' || f.kind === 'truncate') {
      out.push({
        category: 'destructive-statement',
        node,
        message: `${f.kind.toUpperCase()}${table} in application code destroys data irrecoverably. Schema changes belong in migrations; if this is intentional (tests, tooling), suppress with a keel-ignore comment.`,
        related: [],
        fixes: [],
      });
    } else if (f.selectStar) {
      out.push({
        category: 'select-star',
        node,
        message: `SELECT *${table} fetches every column, including ones added later (wider rows, leaked fields, broken column order). List the columns this code uses.`,
        related: [],
        fixes: [],
      });
    }
  }
  return out;
}
