/**
 * "Could this expression carry attacker-controlled text?" for JavaScript/TypeScript. An expression
 * is safe when it is built only from literals, compile-time constants, numbers, allow-list lookups,
 * escape helpers and placeholder lists (`ids.map(() => '?').join(',')`), following local variables
 * and their reassignments (`sql += …`) within the enclosing functions. Everything else — parameters,
 * destructured request fields, arbitrary call results — is tainted. Precision over recall: when a
 * value cannot be traced, the caller also requires SQL-looking text before reporting.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { NodeIndex } from '../nodeIndex';
import type { ImportedSummaries } from '../summaries';
import { isSchemaMetadataInClass } from '../schemaNames';
import { ScopedDefs, type CollectDefs } from '../scopedDefs';
import { boundNames, FUNCTION_TYPES, isUpperConstantName, memberPath, unwrap } from './syntax';
import { JS_PROCESS_SOURCES, JS_SOURCE_DECORATORS, JS_SOURCE_PATHS } from './tables';

export interface Taint {
  /** The non-constant expression that reaches the SQL text. */
  node: SyntaxNode;
  /** Where its value comes from (a parameter, a destructuring), if known. */
  origin?: SyntaxNode;
  /** The value is user or process input (tables.ts: request fields, Nest @Query/@Body, process.env/argv). */
  source?: boolean;
}

export interface Def {
  kind: 'init' | 'assign' | 'append' | 'param' | 'loop' | 'pattern' | 'import' | 'declaration';
  /** The assigned expression (init/assign/append). */
  value?: SyntaxNode | null;
  node: SyntaxNode;
}

const NUMERIC_CALLS = new Set(['Number', 'parseInt', 'parseFloat', 'Boolean', 'Math', 'Date']);
const ESCAPE_CALLS = new Set([
  'escape', 'escapeId', 'escapeLiteral', 'escapeIdentifier', 'quoteIdentifier', 'quote_ident', 'quoteLiteral',
  'ident', 'literal_escape', 'join', // Prisma.join binds each element
  'quote', // Sequelize's queryGenerator.quote(identifier)
]);
const ESCAPE_NAME = /^(escape|quote)(Path|Id|Identifier|Ident|Name|Literal|Value|String|Table|Column)s?$/;
const STRING_PASSTHROUGH = new Set(['toUpperCase', 'toLowerCase', 'trim', 'trimStart', 'trimEnd', 'toString', 'String']);
const SAFE_TAGS = new Set(['sql', 'SQL', 'Prisma.sql', 'sqlTag', 'raw_sql']);

/** Table/column/schema names (../schemaNames.ts) are identifiers from the model, unless user input. */
function metadataUnlessSource(name: string, node: SyntaxNode, taint: Taint | null): Taint | null {
  return taint && !taint.source && isSchemaMetadataInClass(name, node) ? null : taint;
}

export class JsConstness {
  private readonly visiting = new Set<number>();
  private readonly defs: ScopedDefs<Def>;

  constructor(
    private readonly index: NodeIndex,
    /** Summaries of imported workspace functions (returns user input / sanitises). */
    private readonly imported?: ImportedSummaries,
  ) {
    this.defs = new ScopedDefs<Def>(index, index.of(...FUNCTION_TYPES), BINDING_TYPES, collectJsDefs);
  }

  /** The first tainted part of `expr`, or null if it is safe. */
  check(expr: SyntaxNode): Taint | null {
    const n = unwrap(expr);
    switch (n.type) {
      case 'string':
      case 'number':
      case 'true':
      case 'false':
      case 'null':
      case 'undefined':
      case 'regex':
        return null;
      case 'template_string': {
        for (const sub of n.namedChildren) {
          if (sub?.type !== 'template_substitution') continue;
          const inner = sub.namedChildren[0];
          const taint = inner ? this.check(inner) : null;
          if (taint) return taint;
        }
        return null;
      }
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text ?? '';
        if (op === '+' || op === '||' || op === '??' || op === '&&') {
          return this.check(n.childForFieldName('left')!) ?? this.check(n.childForFieldName('right')!);
        }
        return null; // arithmetic, comparison, instanceof …: numbers and booleans
      }
      case 'unary_expression':
        return null; // +x, -x, !x, typeof x: never SQL text
      case 'object':
      case 'array': {
        // Constant tables: { name: 'name', newest: 'created_at DESC' }, ['id', 'name'].
        for (const c of n.namedChildren) {
          if (!c || c.type === 'comment') continue;
          const v = c.type === 'pair' ? c.childForFieldName('value') : c;
          const t = v ? this.check(v) : { node: c };
          if (t) return t;
        }
        return null;
      }
      case 'ternary_expression':
        return this.checkTernary(n);
      case 'identifier':
      case 'shorthand_property_identifier':
        return metadataUnlessSource(n.text, n, this.checkIdentifier(n));
      case 'member_expression':
        return metadataUnlessSource(n.childForFieldName('property')?.text ?? '', n, this.checkMember(n));
      case 'subscript_expression':
        return this.checkMember(n);
      case 'call_expression':
        return this.checkCall(n);
      default:
        return { node: n };
    }
  }

  private checkTernary(n: SyntaxNode): Taint | null {
    const cond = n.childForFieldName('condition');
    const yes = n.childForFieldName('consequence');
    const no = n.childForFieldName('alternative');
    if (!cond || !yes || !no) return { node: n };
    // Allow-list idiom: `ALLOWED.has(x) ? x : 'default'` / `cols.includes(x) ? x : …`.
    if (isMembershipTestOf(cond, unwrap(yes).text)) return this.check(no);
    return this.check(yes) ?? this.check(no);
  }

  private checkMember(n: SyntaxNode): Taint | null {
    const prop = n.childForFieldName('property')?.text ?? '';
    if (prop === 'length') return null;
    const obj = n.childForFieldName('object');
    if (!obj) return { node: n };
    if (isJsSource(n)) return { node: n, origin: n, source: true };
    // Config.TABLE, this.TABLE — but `req.query.ID` is still the request's data.
    if (n.type === 'member_expression' && isUpperConstantName(prop) && !isJsSource(unwrap(obj))) return null;
    const root = unwrap(obj);
    // Enum / static constant: `OrderStatus.Paid` on an unresolved PascalCase name.
    if (root.type === 'identifier' && /^[A-Z]/.test(root.text) && this.lookup(root).length === 0) return null;
    // A lookup in a constant table is safe whatever the key: `SORT_COLUMNS[req.query.sort]`.
    const objTaint = this.check(root);
    return objTaint ? { node: n, origin: objTaint.origin ?? objTaint.node, source: objTaint.source } : null;
  }

  private checkCall(n: SyntaxNode): Taint | null {
    const fn = n.childForFieldName('function');
    const args = n.childForFieldName('arguments');
    if (!fn || !args) return { node: n };
    // Tagged templates such as sql`…` / Prisma.sql`…` produce parameterised fragments.
    if (args.type === 'template_string') return SAFE_TAGS.has(unwrap(fn).text) || /(^|\.)sql$/i.test(unwrap(fn).text) ? null : { node: n };
    const path = memberPath(fn);
    const head = path[0];
    const name = path[path.length - 1];
    if (NUMERIC_CALLS.has(head)) return null;
    const summary = this.imported?.get(unwrap(fn).text);
    if (summary?.returnsTainted) return { node: n, origin: n, source: true };
    if (summary?.sanitises) return null;
    if (ESCAPE_CALLS.has(name) && name !== 'join') return null;
    // escapePath, escapeIdentifier, quoteName …: the project's own quoting helpers.
    if (ESCAPE_NAME.test(name)) return null;
    if (path.join('.') === 'Prisma.join') return null;
    const argList = args.namedChildren.filter((c): c is SyntaxNode => c !== null);
    if (name === 'String' && argList.length === 1) return this.check(argList[0]);
    if (fn.type === 'member_expression') {
      const receiver = fn.childForFieldName('object')!;
      if (STRING_PASSTHROUGH.has(name)) return this.check(receiver);
      // 'SELECT … '.concat(a, b): text built from every piece.
      if (name === 'concat') {
        for (const a of [receiver, ...argList]) {
          const t = this.check(a);
          if (t) return t;
        }
        return null;
      }
      if (name === 'toFixed') return null;
      // Placeholder lists: `ids.map(() => '?').join(', ')`, `cols.map((_, i) => `$${i + 1}`).join(',')`.
      if (name === 'join') {
        const inner = unwrap(receiver);
        if (inner.type === 'call_expression' && memberPath(inner.childForFieldName('function')!).pop() === 'map') {
          const cb = inner.childForFieldName('arguments')?.namedChildren[0];
          if (cb && FUNCTION_TYPES.has(cb.type) && this.callbackReturnsConstant(cb)) return null;
          // `names.map((n) => { const { schema } = parse(n); return `'${schema}'`; }).join()`: every returned
          // piece is safe (e.g. schema metadata), and the list itself is not user input.
          const list = inner.childForFieldName('function')?.childForFieldName('object');
          if (cb && FUNCTION_TYPES.has(cb.type) && list && !this.check(list)?.source && this.callbackReturnsSafe(cb)) return null;
        }
        return this.check(receiver) ?? this.checkPushes(receiver) ?? (argList[0] ? this.check(argList[0]) : null);
      }
      // `util.format(fmt, …)`: safe only if every piece is.
      if (path.join('.') === 'util.format') {
        for (const a of argList) {
          const t = this.check(a);
          if (t) return t;
        }
        return null;
      }
      // Constant lookup with default: `SORTS.get(key) ?? 'id'` style maps.
      const recv = this.check(unwrap(receiver));
      if (name === 'get' && recv === null && unwrap(receiver).type === 'identifier') return null;
      // req.body.ids.map(…), req.get('x'): still the user's data.
      if (recv?.source) return { node: n, origin: recv.origin ?? recv.node, source: true };
    }
    return { node: n };
  }

  /** A local array's elements in order: its initialiser's, then every `push` before `id`. */
  arrayElements(id: SyntaxNode): SyntaxNode[] | null {
    const defs = this.lookup(id).filter((d) => d.node.startIndex < id.startIndex);
    const init = defs.length === 1 && defs[0].kind === 'init' && defs[0].value ? unwrap(defs[0].value) : null;
    if (init?.type !== 'array') return null;
    const out = init.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
    for (const call of this.pushCalls(id, defs[0].node)) out.push(...(call.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment') ?? []));
    return out;
  }

  private pushCalls(id: SyntaxNode, def: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const call of this.index.of('call_expression')) {
      if (call.startIndex >= id.startIndex) break;
      if (call.startIndex < def.startIndex) continue;
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'push') continue;
      const obj = unwrap(fn.childForFieldName('object')!);
      if (obj.type === 'identifier' && obj.text === id.text && this.lookup(obj)[0]?.node.id === def.id) out.push(call);
    }
    return out;
  }

  /** `parts.push(x)` into a local array later joined: every pushed value is part of the text. */
  private checkPushes(receiver: SyntaxNode): Taint | null {
    const r = unwrap(receiver);
    if (r.type !== 'identifier') return null;
    const defs = this.lookup(r);
    const scope = defs[0]?.node;
    if (!scope) return null;
    for (const call of this.index.of('call_expression')) {
      if (call.startIndex >= r.startIndex) break;
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'push' || unwrap(fn.childForFieldName('object')!).text !== r.text) continue;
      const obj = unwrap(fn.childForFieldName('object')!);
      if (obj.type !== 'identifier' || this.lookup(obj)[0]?.node.id !== scope.id) continue;
      for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
        const t = a && a.type !== 'comment' ? this.check(a.type === 'spread_element' ? a.namedChildren[0]! : a) : null;
        if (t) return t;
      }
    }
    return null;
  }

  /** Arrow/function callback whose returned value never uses its first parameter (the element). */
  private callbackReturnsSafe(cb: SyntaxNode): boolean {
    const body = cb.childForFieldName('body');
    if (!body) return false;
    if (body.type !== 'statement_block') return this.check(body) === null;
    const returns = body.descendantsOfType('return_statement').filter((r): r is SyntaxNode => r !== null);
    return returns.length > 0 && returns.every((r) => {
      const v = r.namedChildren[0];
      return !v || this.check(v) === null;
    });
  }

  private callbackReturnsConstant(cb: SyntaxNode): boolean {
    const body = cb.childForFieldName('body');
    if (!body) return false;
    const params = cb.childForFieldName('parameters') ?? cb.childForFieldName('parameter');
    const names = params ? boundNames(params).map((p) => p.text) : [];
    const element = names[0];
    const uses = body.descendantsOfType('identifier').filter((i) => i?.text === element);
    if (element && uses.length > 0) return false;
    // The index parameter is a number; constants and arithmetic on it are safe.
    return !body.descendantsOfType(['call_expression']).some((c) => c && !/^(String|Number)$/.test(c.childForFieldName('function')?.text ?? ''));
  }

  private checkIdentifier(id: SyntaxNode): Taint | null {
    const defs = this.lookup(id).filter((d) => d.node.startIndex < id.startIndex || d.kind === 'param' || d.kind === 'import' || d.kind === 'declaration');
    if (defs.length === 0) {
      return isUpperConstantName(id.text) || id.text === 'undefined' ? null : { node: id };
    }
    const key = defs[0].node.id;
    if (this.visiting.has(key)) return null; // `sql = sql + …`: the other definitions decide
    this.visiting.add(key);
    try {
      for (const def of defs) {
        switch (def.kind) {
          case 'param':
            return { node: id, origin: def.node, source: hasSourceDecorator(def.node) };
          case 'loop':
            return { node: id, origin: def.node };
          case 'pattern': {
            // `const { id } = req.params`: the destructured value is the request's data.
            const value = def.node.type === 'variable_declarator' ? def.node.childForFieldName('value') : null;
            const t = value ? this.check(value) : null;
            return { node: id, origin: def.node, source: t?.source };
          }
          case 'import':
            if (!isUpperConstantName(id.text)) return { node: id, origin: def.node };
            break;
          case 'declaration':
            break;
          default: {
            if (!def.value) break;
            const taint = this.check(def.value);
            if (taint) return { node: id, origin: taint.origin ?? taint.node, source: taint.source };
          }
        }
      }
      return null;
    } finally {
      this.visiting.delete(key);
    }
  }

  /** Definitions of `id`'s name in the nearest enclosing scope that binds it. */
  lookup(id: SyntaxNode): Def[] {
    return this.defs.lookup(id);
  }
}

/** JavaScript/TypeScript definitions of one scope: parameters, declarations, assignments, imports. */
const collectJsDefs: CollectDefs<Def> = (scope, bindings, add, isFile) => {
  if (!isFile) {
    const params = scope.childForFieldName('parameters') ?? scope.childForFieldName('parameter');
    if (params) for (const p of boundNames(params)) add(p.text, { kind: 'param', node: p });
  }
  for (const n of bindings) {
    switch (n.type) {
      case 'variable_declarator': {
        const name = n.childForFieldName('name');
        const value = n.childForFieldName('value');
        if (name?.type === 'identifier') add(name.text, { kind: 'init', value, node: n });
        else if (name) for (const b of boundNames(name)) add(b.text, { kind: 'pattern', node: n });
        break;
      }
      case 'assignment_expression': {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier') add(left.text, { kind: 'assign', value: n.childForFieldName('right'), node: n });
        break;
      }
      case 'augmented_assignment_expression': {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier') add(left.text, { kind: 'append', value: n.childForFieldName('right'), node: n });
        break;
      }
      case 'for_in_statement': {
        const left = n.childForFieldName('left');
        if (left) for (const b of boundNames(left)) add(b.text, { kind: 'loop', node: n });
        break;
      }
      case 'catch_clause': {
        const p = n.childForFieldName('parameter');
        if (p) for (const b of boundNames(p)) add(b.text, { kind: 'param', node: p });
        break;
      }
      case 'import_specifier':
      case 'namespace_import':
      case 'import_clause': {
        const local = n.childForFieldName('alias') ?? n.childForFieldName('name') ?? n.namedChildren.find((c) => c?.type === 'identifier');
        if (local?.type === 'identifier') add(local.text, { kind: 'import', node: n });
        break;
      }
      default: {
        const name = n.childForFieldName('name');
        if (name) add(name.text, { kind: 'declaration', node: n });
      }
    }
  }
};

/** Node types that bind names, resolved to their scope by range. */
export const BINDING_TYPES = [
  'variable_declarator', 'assignment_expression', 'augmented_assignment_expression', 'for_in_statement', 'catch_clause',
  'import_specifier', 'namespace_import', 'import_clause', 'function_declaration', 'class_declaration', 'enum_declaration',
];

function isMembershipTestOf(cond: SyntaxNode, candidate: string): boolean {
  const c = unwrap(cond);
  if (c.type !== 'call_expression') return false;
  const name = memberPath(c.childForFieldName('function')!).pop();
  const arg = c.childForFieldName('arguments')?.namedChildren[0];
  return (name === 'has' || name === 'includes') && arg !== undefined && arg !== null && unwrap(arg).text === candidate;
}

/** `req.query`, `req.body.x`, `ctx.request.body`, `process.env.X`: user or process input (tables.ts). */
export function isJsSource(n: SyntaxNode): boolean {
  if (n.type !== 'member_expression' && n.type !== 'subscript_expression') return false;
  const base = n.type === 'subscript_expression' ? n.childForFieldName('object') : n;
  if (!base) return false;
  const path = memberPath(base).join('.');
  for (const p of [...JS_SOURCE_PATHS, ...JS_PROCESS_SOURCES]) if (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) return true;
  return false;
}

/** A NestJS handler parameter filled from the request (`@Query('q') q`, `@Body() dto`). */
function hasSourceDecorator(param: SyntaxNode): boolean {
  let p: SyntaxNode | null = param;
  while (p && p.type !== 'required_parameter' && p.type !== 'optional_parameter' && p.type !== 'formal_parameters') p = p.parent;
  if (!p || p.type === 'formal_parameters') return false;
  for (const d of p.namedChildren) {
    if (d?.type !== 'decorator') continue;
    const expr = d.namedChildren[0];
    const name = expr?.type === 'call_expression' ? expr.childForFieldName('function')?.text : expr?.text;
    if (name && JS_SOURCE_DECORATORS.has(name)) return true;
  }
  return false;
}
