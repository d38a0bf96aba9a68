/** The Go description for the static-language analyzer: database/sql, sqlx, pgx, gorm. */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { questionPlaceholders } from '../spliceRewrite';
import type { Callee, ParamInfo, StaticSpec } from './spec';
import { GO_SOURCES, memberChain, sourceRow } from './sources';

const STATEMENT_SINKS = new Set([
  'Query', 'QueryRow', 'Exec', 'QueryContext', 'QueryRowContext', 'ExecContext', 'Prepare', 'PrepareContext',
  'Select', 'Get', 'MustExec', 'Queryx', 'QueryRowx', 'NamedExec', 'NamedQuery', 'SelectContext', 'GetContext', 'Raw',
]);
// gorm clauses and squirrel's Expr / Where / Suffix take SQL fragments.
const FRAGMENT_SINKS = new Set(['Where', 'Or', 'Not', 'Order', 'Having', 'Joins', 'Group', 'Expr', 'Suffix', 'Prefix', 'OrderBy', 'GroupBy', 'Column', 'JoinClause', 'Distinct']);
// strconv / uuid parsers: their first result is a number, a bool or a UUID, whatever the input.
const PARSERS = /^(strconv\.(Atoi|ParseInt|ParseUint|ParseFloat|ParseBool)|uuid\.(Parse|MustParse|FromString|FromBytes)|time\.(Parse|ParseDuration|ParseInLocation)|net\.ParseIP)$/;
const SAFE_TYPE = /^(\*?(u?int(8|16|32|64)?|float(32|64)|bool|byte|rune|uintptr|complex(64|128)|time\.(Time|Duration)|uuid\.UUID|decimal\.Decimal|big\.(Int|Float))|sql\.Null(Int\d*|Float64|Bool|Time))$/;
const PREPARE = /^Prepare/;
// GORM finders and writes, and Association(…) operations: each is one round trip.
const GORM_OPS = /^(First|Find|Take|Last|FirstOrCreate|FirstOrInit|Related|Count|Pluck|Scan|Create|Save|Update|Updates|UpdateColumn|UpdateColumns|Delete|Append|Replace|Clear)$/;
const DB_NAMES = /^(db|tx|gorm|orm|conn|DB|Db|database|Tx)$|(DB|Db|Tx)$/;
const DB_TYPES = /^\*?(gorm\.DB|sql\.DB|sql\.Tx|sql\.Conn|sql\.Stmt|sqlx\.DB|sqlx\.Tx|sqlx\.Stmt|sqlx\.NamedStmt|pgxpool\.Pool|pgx\.Conn|pgx\.Tx)$/;
// A prepared statement's Exec / Query takes only the values: its receiver's name says what it is.
const STMT_NAMES = /(stmt|Stmt|statement|Statement)$/;

const ENT_TERMINAL = /^(Save|SaveX|Exec|ExecX|All|AllX|Only|OnlyX|First|FirstX|FirstID|OnlyID|Count|CountX|Exist|ExistX|IDs|IDsX|Scan|ScanX)$/;
const ENT_BUILDER = /^(Query|Create|CreateBulk|Update|UpdateOne|UpdateOneID|Delete|DeleteOne|DeleteOneID)\(\)$/;
const CONTEXT_ARG = /^(?:[\w.]*\.)?(?:ctx|CTX|\w*Ctx)$|^context\.\w+\(\)$|\.Context\(\)$/;
// The SQL text of a statement call (`Get(&dest, q, …)` / `Select(&dest, q, …)` in sqlx take it second).
const SQL_TEXT = /^\s*[`"]\s*(select|insert|update|delete|with|replace|upsert|merge|call|create|drop|alter|truncate)\b/i;
const SQL_NAME = /(^|\.)(\w*(query|sql|stmt|statement)\w*|q)$/i;

function takesSqlText(callee: Callee): boolean {
  const args = callee.args.filter((a) => !CONTEXT_ARG.test(a.text));
  const sql = /^(Get|Select|GetContext|SelectContext)$/.test(callee.name) ? args[1] : args[0];
  if (!sql) return false;
  if (sql.type === 'interpreted_string_literal' || sql.type === 'raw_string_literal') return SQL_TEXT.test(sql.text);
  if (sql.type === 'call_expression') return /Sprintf$/.test(sql.childForFieldName('function')?.text ?? '') && SQL_TEXT.test(sql.childForFieldName('arguments')?.namedChildren[0]?.text ?? '');
  if (sql.type === 'binary_expression') return SQL_TEXT.test(sql.text);
  return (sql.type === 'identifier' || sql.type === 'selector_expression') && SQL_NAME.test(sql.text);
}

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
      PARSERS.test(`${r}.${callee.name}`) ||
      (callee.receiver.length === 0 && /^(u?int(8|16|32|64)?|float(32|64)|bool)$/.test(callee.name)) ||
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

  isDbCall(callee, typeOf) {
    if (callee.receiver.length === 0) return false;
    // A receiver chain rooted at a database handle: db.Model(&a).Association("Tags").Find(…), s.db.First(…).
    const dbReceiver = (): boolean => callee.receiver.some((r) => DB_NAMES.test(r.replace(/\(\)$/, ''))) || DB_TYPES.test((typeOf?.() ?? '').replace(/\s+/g, ''));
    if (/^(Exec|Query|QueryRow|ExecContext|QueryContext|QueryRowContext)$/.test(callee.name) && STMT_NAMES.test(callee.receiver[callee.receiver.length - 1] ?? '')) return true;
    if (STATEMENT_SINKS.has(callee.name)) {
      // Get / Select / Query / Exec are also map, cache, struct-tag and service methods (`ds.Get(key)`,
      // `f.Tag.Get("db")`): on a receiver not known as a handle, the call must be handed SQL text.
      return dbReceiver() || takesSqlText(callee);
    }
    // ent: a builder (`client.User.Query()`, `.Create()`, `.CreateBulk(…)`, `.Update()`, `.Delete()`) runs at its
    // terminal call, which takes the context.
    if (ENT_TERMINAL.test(callee.name) && callee.receiver.some((r) => ENT_BUILDER.test(r)) && CONTEXT_ARG.test(callee.args[0]?.text ?? '')) return true;
    if (!GORM_OPS.test(callee.name)) return false;
    return dbReceiver();
  },

  bindings(node) {
    const out: Array<{ name: string; value: SyntaxNode | null; kind: 'assign' | 'append' | 'opaque' }> = [];
    const list = (n: SyntaxNode | null): SyntaxNode[] => (n ? (n.type === 'expression_list' ? n.namedChildren.filter((c): c is SyntaxNode => c !== null) : [n]) : []);
    if (node.type === 'short_var_declaration' || node.type === 'assignment_statement') {
      const left = list(node.childForFieldName('left'));
      const right = list(node.childForFieldName('right'));
      const op = node.childForFieldName('operator')?.text ?? (/^[^=]*\+=/.test(node.text) ? '+=' : '=');
      // id, err := strconv.Atoi(s): the parser's first result takes the call (a safe call), the rest are opaque.
      const single = right.length === 1 && right[0].type === 'call_expression' && left.length > 1 ? right[0] : null;
      left.forEach((l, i) => {
        if (single && l.type === 'identifier') {
          const fn = single.childForFieldName('function')?.text ?? '';
          out.push(i === 0 && PARSERS.test(fn) ? { name: l.text, value: single, kind: 'assign' } : { name: l.text, value: null, kind: 'opaque' });
          return;
        }
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

  paramInfo(scope) {
    const out: ParamInfo[] = [];
    for (const list of [scope.childForFieldName('receiver'), scope.childForFieldName('parameters')]) {
      for (const p of list?.namedChildren ?? []) {
        if (!p) continue;
        const type = p.childForFieldName('type')?.text;
        const variadic = p.type === 'variadic_parameter_declaration';
        for (const id of p.namedChildren) if (id?.type === 'identifier') out.push({ name: id.text, type: variadic ? `...${type}` : type, variadic });
      }
    }
    return out;
  },

  declaredType(node) {
    return node.type === 'var_spec' ? node.childForFieldName('type')?.text : undefined;
  },

  isSafeType(type) {
    return SAFE_TYPE.test(type.replace(/\s+/g, ''));
  },

  isStringType(type) {
    return type.trim() === 'string';
  },

  requestSource(expr, typeOf) {
    const chain = memberChain(expr);
    if (!chain || chain.members.length === 0) return null;
    const row = sourceRow(GO_SOURCES, chain.root.text, typeOf(chain.root), chain.members[0]);
    return row ? `${chain.root.text}.${chain.members[0]} (${row.framework})` : null;
  },

  strippedQuotes(expr, lookup, index) {
    return goStrippedQuotes(expr, lookup, index, 0);
  },

  receiverOf(call) {
    const fn = call.childForFieldName('function');
    return fn?.type === 'selector_expression' ? fn.childForFieldName('operand') : null;
  },

  functions: { declaration: 'function_declaration', returnTypeField: 'result', returns: ['return_statement'] },

  takesWholeQuery(callee) {
    // Get/Select/Prepare are also everyday method names (maps, struct tags, builders): only on a database handle.
    if (!STATEMENT_SINKS.has(callee.name)) return false;
    return !/^(Get|Select|Prepare|GetContext|SelectContext|PrepareContext|Raw)$/.test(callee.name) || callee.receiver.some((r) => DB_NAMES.test(r.replace(/\(\)$/, '')));
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
    const clause = node.namedChildren.find((c) => c?.type === 'for_clause');
    if (clause && body) {
      // for i := 0; i < len(xs); i++ { … xs[i] … }
      const init = clause.childForFieldName('initializer');
      const left = init?.type === 'short_var_declaration' ? init.childForFieldName('left') : null;
      const items = (left?.namedChildren ?? []).filter((c): c is SyntaxNode => c?.type === 'identifier').map((c) => c.text);
      return { body, items, iterable: clause.childForFieldName('condition') ?? undefined };
    }
    if (!range || !body) return null;
    const left = range.childForFieldName('left');
    const items = (left?.namedChildren ?? []).filter((c): c is SyntaxNode => c?.type === 'identifier' && c.text !== '_').map((c) => c.text);
    return { body, items, iterable: range.childForFieldName('right') ?? undefined };
  },
};

type Lookup = (id: SyntaxNode) => Array<{ value: SyntaxNode | null; kind: string }>;

/** Quotes a value has had removed: strings.Replace/ReplaceAll(x, q, ""), or a quote-dropping strings.Replacer. */
function goStrippedQuotes(expr: SyntaxNode, lookup: Lookup, index: import('../nodeIndex').NodeIndex, depth: number): string[] {
  if (depth > 4) return [];
  if (expr.type === 'identifier') {
    const found = lookup(expr);
    if (found.length !== 1 || !found[0].value) return [];
    return goStrippedQuotes(found[0].value, lookup, index, depth + 1);
  }
  if (expr.type !== 'call_expression') return [];
  const fn = expr.childForFieldName('function');
  const args = expr.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => !!c) ?? [];
  const text = fn?.text ?? '';
  const lit = (n: SyntaxNode | undefined): string | undefined => (n && /string_literal$/.test(n.type) ? GO.stringValue(n) : undefined);
  if (/^strings\.(Replace|ReplaceAll)$/.test(text)) {
    const old = lit(args[1]);
    const now = lit(args[2]);
    return old && now !== undefined && /^['"`]$/.test(old) && !now.includes(old) ? [old] : [];
  }
  // r.Replace(x) with r := strings.NewReplacer(…)
  if (fn?.type === 'selector_expression' && fn.childForFieldName('field')?.text === 'Replace') {
    return replacerStrips(fn.childForFieldName('operand'), lookup);
  }
  // buf.String() where buf is only ever written through a quote-dropping replacer: r.WriteString(buf, x)
  if (fn?.type === 'selector_expression' && fn.childForFieldName('field')?.text === 'String' && args.length === 0) {
    const buf = fn.childForFieldName('operand');
    if (buf?.type !== 'identifier') return [];
    const writes = index.of('call_expression').filter((c) => c.startIndex < expr.startIndex && (c.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a?.type === 'identifier' && a.text === buf.text) || c.childForFieldName('function')?.text.startsWith(`${buf.text}.Write`));
    if (writes.length === 0) return [];
    let common: string[] | null = null;
    for (const w of writes) {
      const f = w.childForFieldName('function');
      const strips = f?.type === 'selector_expression' && f.childForFieldName('field')?.text === 'WriteString' && f.childForFieldName('operand')?.text !== buf.text ? replacerStrips(f.childForFieldName('operand'), lookup) : [];
      common = common === null ? strips : common.filter((q) => strips.includes(q));
    }
    return common ?? [];
  }
  return [];
}

function replacerStrips(operand: SyntaxNode | null, lookup: Lookup): string[] {
  if (operand?.type !== 'identifier') return [];
  const found = lookup(operand);
  const value = found.length === 1 ? found[0].value : null;
  if (value?.type !== 'call_expression' || value.childForFieldName('function')?.text !== 'strings.NewReplacer') return [];
  const args = value.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => !!c) ?? [];
  const out: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    if (!/string_literal$/.test(args[i].type) || !/string_literal$/.test(args[i + 1].type)) return [];
    const old = GO.stringValue(args[i]);
    const now = GO.stringValue(args[i + 1]);
    if (/^['"`]$/.test(old) && !now.includes(old)) out.push(old);
  }
  return out;
}
