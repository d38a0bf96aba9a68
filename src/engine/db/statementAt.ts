/**
 * The statement under the cursor: a SQL string (with its interpolations and driver placeholders
 * turned into `$n` parameters), or a simple Prisma call whose SQL is derived statically — and said to
 * be derived. Anything else is an honest "no statement here" rather than a guess.
 */
import type { SyntaxNode } from '../syntax/treeSitter';
import { grammarForPath, parse } from '../syntax/treeSitter';
import { KeelError } from '../../common/errors';
import { looksLikeSqlStatement } from '../sql/sqlText';
import { quoteIdent } from './schema/model';
import type { PrismaSchema } from './schema/prisma';

export interface LocatedStatement {
  sql: string;
  /** 1-based line range of the code it came from. */
  startLine: number;
  endLine: number;
  derived?: 'prisma' | 'model';
}

const STRING_TYPES = new Set(['string', 'template_string', 'string_literal', 'interpreted_string_literal', 'raw_string_literal', 'concatenated_string', 'text_block']);

export async function statementAt(path: string, text: string, line: number, prisma?: PrismaSchema): Promise<LocatedStatement> {
  const language = grammarForPath(path);
  if (!language) throw new KeelError('BAD_INPUT', `Keel cannot read statements from ${path} (unsupported language).`);
  const tree = await parse(language, text);
  try {
    const row = line - 1;
    const covering: SyntaxNode[] = [];
    const visit = (node: SyntaxNode): void => {
      if (node.startPosition.row > row || node.endPosition.row < row) return;
      covering.push(node);
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(tree.rootNode);
    // Innermost first: the call or string closest to the cursor wins.
    for (const node of covering.reverse()) {
      if (node.type === 'call_expression' && prisma) {
        const derived = derivePrisma(node, prisma);
        if (derived) return { sql: derived, startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1, derived: 'prisma' };
      }
    }
    const lineNodes = allStrings(tree.rootNode).filter((n) => n.startPosition.row <= row + 1 && n.endPosition.row >= row - 1);
    for (const node of lineNodes) {
      const sql = stringSql(node);
      if (sql && looksLikeSqlStatement(sql)) return { sql, startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1 };
    }
    throw new KeelError('BAD_INPUT', `No SQL statement or supported ORM call at ${path}:${line}.`);
  } finally {
    tree.delete();
  }
}

const CALL_TYPES = new Set(['call_expression', 'call', 'method_invocation']);
/** Longer calls are not "the statement under the cursor" any more. */
const MAX_CALL_LINES = 40;

/**
 * The ORM or query-builder call under the cursor, as code (for a model to translate when Keel cannot
 * derive the SQL itself): the innermost call on that line with the chain it is part of —
 * `await db.user.findMany({ … }).then(…)` — at most 40 lines, or the line itself.
 */
export async function callAt(path: string, text: string, line: number): Promise<{ code: string; startLine: number; endLine: number; language: string }> {
  const language = grammarForPath(path);
  if (!language) throw new KeelError('BAD_INPUT', `Keel cannot read statements from ${path} (unsupported language).`);
  const tree = await parse(language, text);
  try {
    const row = line - 1;
    let best: SyntaxNode | undefined;
    const visit = (node: SyntaxNode): void => {
      if (node.startPosition.row > row || node.endPosition.row < row) return;
      if (CALL_TYPES.has(node.type) && node.endPosition.row - node.startPosition.row < MAX_CALL_LINES) best = node;
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(tree.rootNode);
    // From the innermost call, out through its own chain (`.findMany(…).then(…)`, `await …`), but not
    // into a call it is an argument of (`$transaction([…])`, a route handler).
    for (let up = best?.parent; best && up; up = best.parent) {
      const chained = /member_expression|attribute|field_access|selector_expression/.test(up.type) && up.parent && CALL_TYPES.has(up.parent.type);
      if (chained && up.parent!.endPosition.row - up.parent!.startPosition.row < MAX_CALL_LINES) best = up.parent!;
      else if (up.type === 'await_expression') best = up;
      else break;
    }
    if (best) return { code: best.text, startLine: best.startPosition.row + 1, endLine: best.endPosition.row + 1, language };
    return { code: text.split('\n')[row] ?? '', startLine: line, endLine: line, language };
  } finally {
    tree.delete();
  }
}

function allStrings(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const walk = (n: SyntaxNode): void => {
    if (STRING_TYPES.has(n.type)) {
      out.push(n);
      return;
    }
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(root);
  return out;
}

/** A string literal's SQL with interpolations and driver placeholders as $1, $2 … */
export function stringSql(node: SyntaxNode): string | undefined {
  let raw = '';
  let n = 0;
  if (node.type === 'template_string') {
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === 'template_substitution') raw += `$${++n}`;
      else if (child.type !== '`') raw += child.text;
    }
  } else {
    raw = node.text.replace(/^[rRbBuUfF]*("""|'''|"|'|`)/, '').replace(/("""|'''|"|'|`)$/, '');
    if (/^[fF]/.test(node.text)) raw = raw.replace(/\{[^}]*\}/g, () => `$${++n}`);
  }
  raw = raw.trim();
  if (!raw) return undefined;
  // Driver placeholders: psycopg %s / %(name)s, JDBC/sqlite ?, named :name — all become $n.
  if (!/\$\d/.test(raw)) {
    raw = raw.replace(/%\(\w+\)s|%s|\?|(?<![:\w]):[A-Za-z_]\w*/g, () => `$${++n}`);
  }
  return raw.replace(/;\s*$/, '');
}

const PRISMA_METHODS = new Set(['findMany', 'findFirst', 'findUnique', 'findFirstOrThrow', 'findUniqueOrThrow', 'count']);
const OPS: Record<string, string> = { equals: '=', gt: '>', gte: '>=', lt: '<', lte: '<=', not: '<>', in: '= ANY', notIn: '<> ALL', contains: 'LIKE', startsWith: 'LIKE', endsWith: 'LIKE' };

/**
 * `prisma.order.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, take: 50 })` →
 * `SELECT * FROM "Order" WHERE "userId" = $1 ORDER BY "createdAt" DESC LIMIT 50`. Relations in
 * `include` are separate queries in Prisma and are not part of this statement.
 */
export function derivePrisma(call: SyntaxNode, schema: PrismaSchema): string | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'member_expression') return undefined;
  const method = fn.childForFieldName('property')?.text;
  const modelAccess = fn.childForFieldName('object');
  if (!method || !PRISMA_METHODS.has(method) || modelAccess?.type !== 'member_expression') return undefined;
  const accessor = modelAccess.childForFieldName('property')?.text;
  const table = schema.tables.find((t) => lowerFirst(t.name) === accessor || lowerFirst(modelNameOf(schema, t.name)) === accessor);
  if (!table) return undefined;
  const arg = call.childForFieldName('arguments')?.namedChildren[0];
  const params: string[] = [];
  const where: string[] = [];
  let order: string[] = [];
  let offset: string | undefined;
  let limit: string | undefined = method.startsWith('findFirst') || method.startsWith('findUnique') ? '1' : undefined;
  const fields = schema.columnOf.get(table.name);
  const column = (field: string): string | undefined => {
    const name = fields?.get(field) ?? field;
    return table.columns.some((c) => c.name === name) ? quoteIdent(name) : undefined;
  };
  const param = (): string => `$${params.push('p')}`;
  if (arg?.type === 'object') {
    for (const pair of arg.namedChildren) {
      if (!pair) continue;
      const key = pairKey(pair);
      const value = pair.type === 'pair' ? pair.childForFieldName('value') : null;
      // A filter held in a variable, a spread, relation filters, AND/OR trees: the SQL would be a
      // guess, so nothing is derived (the model path may still produce it, labelled as such).
      if (pair.type === 'spread_element') return undefined;
      if (key === 'where' && value?.type !== 'object') return undefined;
      if (key === 'where' && value?.type === 'object') {
        for (const cond of value.namedChildren) {
          if (!cond) continue;
          const field = pairKey(cond);
          const col = field ? column(field) : undefined;
          if (!col) return undefined;
          const v = cond.type === 'pair' ? cond.childForFieldName('value') : null;
          if (v?.type === 'object') {
            for (const opPair of v.namedChildren) {
              const op = opPair ? OPS[pairKey(opPair) ?? ''] : undefined;
              if (!op) return undefined;
              where.push(op.includes('ANY') || op.includes('ALL') ? `${col} ${op} (${param()})` : `${col} ${op} ${param()}`);
            }
          } else if (v?.type === 'null') where.push(`${col} IS NULL`);
          else where.push(`${col} = ${param()}`);
        }
      } else if (key === 'orderBy' && value) {
        const items = value.type === 'array' ? value.namedChildren : [value];
        order = items.flatMap((o) =>
          o?.type === 'object'
            ? o.namedChildren.flatMap((p) => {
                const col = p ? column(pairKey(p) ?? '') : undefined;
                const dir = p?.childForFieldName('value')?.text.replace(/['"`]/g, '').toUpperCase();
                return col ? [`${col}${dir === 'DESC' ? ' DESC' : ''}`] : [];
              })
            : [],
        );
      } else if (key === 'take' && value) {
        limit = /^\d+$/.test(value.text) ? value.text : param();
      } else if (key === 'skip' && value) {
        offset = /^\d+$/.test(value.text) ? value.text : param();
      }
    }
  }
  const select = method === 'count' ? 'count(*)' : '*';
  return [
    `SELECT ${select} FROM ${quoteIdent(table.name)}`,
    where.length ? `WHERE ${where.join(' AND ')}` : '',
    order.length && method !== 'count' ? `ORDER BY ${order.join(', ')}` : '',
    limit && method !== 'count' ? `LIMIT ${limit}` : '',
    offset && method !== 'count' ? `OFFSET ${offset}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function pairKey(node: SyntaxNode): string | undefined {
  if (node.type === 'shorthand_property_identifier') return node.text;
  if (node.type !== 'pair') return undefined;
  return node.childForFieldName('key')?.text.replace(/^['"]|['"]$/g, '');
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function modelNameOf(schema: PrismaSchema, table: string): string {
  return schema.modelOf.get(table) ?? table;
}
