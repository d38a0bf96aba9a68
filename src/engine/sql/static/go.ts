/** The Go description for the static-language analyzer: database/sql, sqlx, pgx, gorm. */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { questionPlaceholders } from '../spliceRewrite';
import type { Callee, StaticSpec } from './spec';

const STATEMENT_SINKS = new Set([
  'Query', 'QueryRow', 'Exec', 'QueryContext', 'QueryRowContext', 'ExecContext', 'Prepare', 'PrepareContext',
  'Select', 'Get', 'MustExec', 'Queryx', 'QueryRowx', 'NamedExec', 'NamedQuery', 'SelectContext', 'GetContext', 'Raw',
]);
const FRAGMENT_SINKS = new Set(['Where', 'Or', 'Not', 'Order', 'Having', 'Joins', 'Group']);
const PREPARE = /^Prepare/;

// The placeholder is the driver's, and the call does not name the driver: the file's imports may.
const DOLLAR_DRIVERS = /"github\.com\/(?:lib\/pq|jackc\/pgx[^"]*)"/;
const QUESTION_DRIVERS = /"(?:github\.com\/go-sql-driver\/mysql|github\.com\/mattn\/go-sqlite3|modernc\.org\/sqlite|gorm\.io\/[^"]*|github\.com\/jinzhu\/gorm)"/;

function pathOf(node: SyntaxNode | null): string[] {
  const out: string[] = [];
  let n = node;
  while (n) {
    if (n.type === 'selector_expression') {
      out.unshift(n.childForFieldName('field')?.text ?? '');
      n = n.childForFieldName('operand');
    } else if (n.type === 'call_expression') {
      const inner = pathOf(n.childForFieldName('function'));
      out.unshift(`${inner.pop() ?? '?'}()`);
      out.unshift(...inner);
      return out;
    } else {
      out.unshift(n.type === 'identifier' ? n.text : '?');
      n = null;
    }
  }
  return out;
}

export const GO: StaticSpec = {
  language: 'go',
  callType: 'call_expression',
  commentTypes: ['comment'],
  scopeTypes: ['function_declaration', 'method_declaration', 'func_literal'],
  bindingTypes: ['short_var_declaration', 'var_spec', 'const_spec', 'assignment_statement', 'range_clause'],
  loopTypes: ['for_statement'],
  stringTypes: new Set(['interpreted_string_literal', 'raw_string_literal']),

  callee(call): Callee | null {
    const fn = call.childForFieldName('function');
    if (!fn) return null;
    const path = pathOf(fn);
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment') ?? [];
    return { name: path[path.length - 1] ?? '', receiver: path.slice(0, -1), args };
  },

  stringValue(node) {
    if (node.type === 'raw_string_literal') return node.text.slice(1, -1);
    try {
      return JSON.parse(node.text) as string;
    } catch {
      return node.text.slice(1, -1);
    }
  },

  formatCall(_call, callee) {
    if (!(callee.receiver.join('.') === 'fmt' && /^Sprintf$/.test(callee.name))) return null;
    const [format, ...args] = callee.args;
    return format ? { format, args } : null;
  },

  isSafeCall(callee) {
    const r = callee.receiver.join('.');
    return (
      (r === 'strconv' && /^(Itoa|FormatInt|FormatFloat|FormatBool|FormatUint)$/.test(callee.name)) ||
      /^(QuoteIdentifier|QuoteLiteral)$/.test(callee.name) ||
      (callee.receiver.length === 0 && /^(len|cap|make|new)$/.test(callee.name))
    );
  },

  passThroughArgs(callee) {
    const r = callee.receiver.join('.');
    if (r === 'strings' && /^(Join|Repeat|TrimSpace|ToLower|ToUpper|TrimSuffix|TrimPrefix)$/.test(callee.name)) return callee.args.slice(0, callee.name === 'Repeat' ? 1 : 2);
    if (callee.receiver.length === 0 && callee.name === 'append') return callee.args;
    return null;
  },

  sinkShape(callee) {
    if (callee.receiver.length === 0) return null;
    if (STATEMENT_SINKS.has(callee.name)) return 'statement';
    if (FRAGMENT_SINKS.has(callee.name)) return 'fragment';
    return null;
  },

  isDbCall(callee) {
    return callee.receiver.length > 0 && (STATEMENT_SINKS.has(callee.name) || /^(First|Find|Take|Last|Create|Save|Update|Updates|Delete)$/.test(callee.name) && /db|tx|gorm/i.test(callee.receiver[callee.receiver.length - 1] ?? ''));
  },

  bindings(node) {
    const out: Array<{ name: string; value: SyntaxNode | null; kind: 'assign' | 'append' | 'opaque' }> = [];
    const list = (n: SyntaxNode | null): SyntaxNode[] => (n ? (n.type === 'expression_list' ? n.namedChildren.filter((c): c is SyntaxNode => c !== null) : [n]) : []);
    if (node.type === 'short_var_declaration' || node.type === 'assignment_statement') {
      const left = list(node.childForFieldName('left'));
      const right = list(node.childForFieldName('right'));
      const op = node.childForFieldName('operator')?.text ?? (/^[^=]*\+=/.test(node.text) ? '+=' : '=');
      left.forEach((l, i) => {
        // placeholders[i] = "$" + strconv.Itoa(i+1): the element joins the slice's possible values.
        if (l.type === 'index_expression' && l.childForFieldName('operand')?.type === 'identifier' && left.length === right.length) {
          out.push({ name: l.childForFieldName('operand')!.text, value: right[i], kind: 'append' });
          return;
        }
        if (l.type !== 'identifier') return;
        const value = left.length === right.length ? right[i] : null;
        out.push({ name: l.text, value, kind: value ? (op === '+=' ? 'append' : 'assign') : 'opaque' });
      });
    } else if (node.type === 'var_spec' || node.type === 'const_spec') {
      const names = node.namedChildren.filter((c): c is SyntaxNode => c?.type === 'identifier');
      const values = list(node.childForFieldName('value'));
      names.forEach((n, i) => out.push({ name: n.text, value: values[i] ?? null, kind: values[i] ? 'assign' : 'opaque' }));
    } else if (node.type === 'range_clause') {
      for (const l of list(node.childForFieldName('left'))) if (l.type === 'identifier') out.push({ name: l.text, value: null, kind: 'opaque' });
    }
    return out;
  },

  params(scope) {
    const params = scope.childForFieldName('parameters');
    const out: string[] = [];
    for (const p of params?.namedChildren ?? []) for (const id of p?.namedChildren ?? []) if (id?.type === 'identifier') out.push(id.text);
    const receiver = scope.childForFieldName('receiver');
    for (const p of receiver?.namedChildren ?? []) for (const id of p?.namedChildren ?? []) if (id?.type === 'identifier') out.push(id.text);
    return out;
  },

  bindSite(call, callee, sqlArgIndex, sqlText, fileText) {
    // Prepare takes no values (they go to the statement's Exec/Query); `args...` cannot take one more.
    if (PREPARE.test(callee.name) || call.childForFieldName('arguments')?.text.trimEnd().endsWith('...)')) return null;
    const firstValueArg = sqlArgIndex + 1;
    if (/\$\d/.test(sqlText)) return { styles: ['dollar'], firstValueArg };
    if (questionPlaceholders(sqlText) > 0) return { styles: ['question'], firstValueArg };
    // gorm's Raw always takes ?, whatever the database.
    if (callee.name === 'Raw') return { styles: ['question'], firstValueArg };
    const dollar = DOLLAR_DRIVERS.test(fileText);
    const question = QUESTION_DRIVERS.test(fileText);
    if (dollar !== question) return { styles: [dollar ? 'dollar' : 'question'], firstValueArg };
    return { styles: ['dollar', 'question'], firstValueArg };
  },

  loop(node) {
    const range = node.namedChildren.find((c) => c?.type === 'range_clause');
    const body = node.childForFieldName('body');
    if (!range || !body) return null;
    const left = range.childForFieldName('left');
    const items = (left?.namedChildren ?? []).filter((c): c is SyntaxNode => c?.type === 'identifier' && c.text !== '_').map((c) => c.text);
    return { body, items, iterable: range.childForFieldName('right') ?? undefined };
  },
};
