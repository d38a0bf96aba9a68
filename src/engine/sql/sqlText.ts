/**
 * Classifies the SQL text found in string literals with a real SQL parser (node-sql-parser), never
 * with regexes: "DELETE FROM t -- WHERE id = 1" has no WHERE, and "UPDATE" inside a string value is
 * not a statement. Interpolated values are replaced by a neutral identifier before parsing, and
 * driver placeholders ($1, ?, %s, :name) are normalised so one grammar accepts them all.
 */
import { Parser } from 'node-sql-parser';

export interface SqlStatementFacts {
  kind: 'select' | 'insert' | 'update' | 'delete' | 'drop' | 'truncate' | 'other';
  /** UPDATE/DELETE with no WHERE clause. */
  unbounded: boolean;
  /** SELECT * or SELECT t.* in the outermost select list. */
  selectStar: boolean;
  table?: string;
}

/** Stands in for any interpolated expression or placeholder. A plain identifier parses in value and name positions. */
export const HOLE = '__keel_p';

const parser = new Parser();
const cache = new Map<string, SqlStatementFacts[] | null>();
const CACHE_LIMIT = 2000;

const STATEMENT_START = /^\s*\(?\s*(select|insert|update|delete|with|replace|merge|drop|truncate|alter|create|call|exec|upsert)\b/i;
const CLAUSE_WORD = /\b(where|from|join|order\s+by|group\s+by|having|limit|values|set|and|or|like|ilike|in)\b/i;
const COMPARISON_END = /[=<>]\s*'?$/;
const COMPARED_HOLE = new RegExp(`([=<>]|\\blike|\\bin)\\s*\\(?\\s*'?%?${HOLE}`, 'i');
const SORTED_HOLE = new RegExp(`${HOLE}\\d*\\s+(asc|desc)\\b`, 'i');
const LEADING_CONNECTIVE = /^\s*'?\s*(and|or)\b/i;

/** Cheap gate before the (slower) parser: does the text start like a SQL statement? */
export function looksLikeSqlStatement(text: string): boolean {
  return STATEMENT_START.test(text);
}

/** Does the text plausibly contain SQL (a statement, or a clause fragment such as `name = 'x'`)? */
export function looksLikeSqlFragment(text: string): boolean {
  return (
    STATEMENT_START.test(text) ||
    CLAUSE_WORD.test(text) ||
    COMPARISON_END.test(text.trimEnd()) ||
    COMPARED_HOLE.test(text) ||
    SORTED_HOLE.test(text) ||
    LEADING_CONNECTIVE.test(text)
  );
}

/**
 * Parse `sql` (with interpolations already replaced by HOLE) and report facts per statement.
 * Returns null when no dialect accepts it — callers then report nothing (precision over recall).
 */
export function classifySql(sql: string): SqlStatementFacts[] | null {
  const key = sql;
  if (cache.has(key)) return cache.get(key)!;
  const normalised = normalisePlaceholders(sql);
  let result: SqlStatementFacts[] | null = null;
  for (const database of ['postgresql', 'mysql'] as const) {
    try {
      const ast = parser.astify(normalised, { database });
      result = (Array.isArray(ast) ? ast : [ast]).map(factsOf);
      break;
    } catch {
      // try the next dialect
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

function normalisePlaceholders(sql: string): string {
  let n = 0;
  return sql
    .replace(/\$\d+/g, () => `${HOLE}${n++}`)
    .replace(/%\(\w+\)s|%s|%d/g, () => `${HOLE}${n++}`)
    .replace(/(^|[^:\w]):[A-Za-z_]\w*/g, (_m, pre: string) => `${pre}${HOLE}${n++}`)
    .replace(/\?/g, () => `${HOLE}${n++}`);
}

interface AstLike {
  type?: string;
  where?: unknown;
  columns?: unknown;
  table?: unknown;
  keyword?: string;
}

function factsOf(node: unknown): SqlStatementFacts {
  const ast = (node ?? {}) as AstLike;
  const type = String(ast.type ?? '').toLowerCase();
  const table = tableName(ast.table);
  switch (type) {
    case 'select':
      return { kind: 'select', unbounded: false, selectStar: hasStar(ast.columns), table };
    case 'insert':
    case 'replace':
      return { kind: 'insert', unbounded: false, selectStar: false, table };
    case 'update':
    case 'delete':
      return { kind: type, unbounded: ast.where === null || ast.where === undefined, selectStar: false, table };
    case 'drop':
      return { kind: 'drop', unbounded: false, selectStar: false, table };
    case 'truncate':
      return { kind: 'truncate', unbounded: false, selectStar: false, table };
    default:
      return { kind: 'other', unbounded: false, selectStar: false, table };
  }
}

function hasStar(columns: unknown): boolean {
  if (columns === '*') return true;
  if (!Array.isArray(columns)) return false;
  return columns.some((c) => {
    const expr = (c as { expr?: { type?: string; column?: unknown } }).expr;
    return expr?.type === 'column_ref' && expr.column === '*';
  });
}

function tableName(table: unknown): string | undefined {
  const first = Array.isArray(table) ? table[0] : table;
  const name = (first as { table?: unknown } | undefined)?.table;
  return typeof name === 'string' ? name : undefined;
}
