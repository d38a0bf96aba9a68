/**
 * "Could this expression carry attacker-controlled text?" for Python. Safe: literals, constants
 * (UPPER_CASE names, module-level literals), numbers (int()/len()/arithmetic), allow-list lookups
 * (`COLUMNS[key]`, `COLUMNS.get(key, "id")`, `x if x in ALLOWED else "id"`), placeholder lists
 * (`", ".join(["%s"] * len(ids))`, `",".join("?" for _ in ids)`), psycopg.sql composition and
 * escape helpers. Local variables are followed through assignments and `+=` within the function.
 */
import { isSchemaMetadataInClass } from '../schemaNames';
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { NodeIndex } from '../nodeIndex';
import type { ImportedSummaries } from '../summaries';
import { ScopedDefs, type CollectDefs } from '../scopedDefs';
import { isUpperConstantName, pyPath, targetNames, unwrapPy } from './syntax';
import { PY_ESCAPE_CALLS, PY_HANDLER_DECORATORS, PY_NUMERIC_CALLS, PY_PROCESS_SOURCES, PY_REQUEST_ATTRIBUTES, PY_STR_PASSTHROUGH, REQUEST_NAMES } from './tables';

export interface PyTaint {
  node: SyntaxNode;
  origin?: SyntaxNode;
  /** The value comes from a known source of user input (tables.ts: request data, handler parameters, argv/env). */
  source?: boolean;
}

export interface PyDef {
  kind: 'assign' | 'append' | 'param' | 'loop' | 'import' | 'declaration' | 'pattern';
  value?: SyntaxNode | null;
  node: SyntaxNode;
}

const NUMERIC_CALLS = PY_NUMERIC_CALLS;
const ESCAPE_CALLS = PY_ESCAPE_CALLS;
const STR_PASSTHROUGH = PY_STR_PASSTHROUGH;

/** Table/column/schema names (../schemaNames.ts) are identifiers from the model, unless user input. */
function metadataUnlessSource(name: string, node: SyntaxNode, taint: PyTaint | null): PyTaint | null {
  return taint && !taint.source && isSchemaMetadataInClass(name, node) ? null : taint;
}

export class PyConstness {
  private readonly visiting = new Set<number>();
  private readonly defs: ScopedDefs<PyDef>;

  constructor(
    private readonly index: NodeIndex,
    /** Summaries of imported workspace functions (returns user input / sanitises). */
    private readonly imported?: ImportedSummaries,
  ) {
    this.defs = new ScopedDefs<PyDef>(index, index.of('function_definition', 'lambda'), PY_BINDING_TYPES, collectPyDefs);
  }

  check(expr: SyntaxNode): PyTaint | null {
    const n = unwrapPy(expr);
    switch (n.type) {
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return null;
      case 'string': {
        for (const c of n.namedChildren) {
          if (c?.type !== 'interpolation') continue;
          const inner = c.childForFieldName('expression') ?? c.namedChildren[0];
          const t = inner ? this.check(inner) : null;
          if (t) return t;
        }
        return null;
      }
      case 'dictionary': {
        for (const pair of n.namedChildren) {
          const v = pair?.type === 'pair' ? pair.childForFieldName('value') : pair;
          const t = v ? this.check(v) : null;
          if (t) return t;
        }
        return null;
      }
      case 'concatenated_string':
      case 'tuple':
      case 'list':
      case 'set':
      case 'expression_list': {
        for (const c of n.namedChildren) {
          const t = c ? this.check(c) : null;
          if (t) return t;
        }
        return null;
      }
      case 'binary_operator': {
        const op = n.childForFieldName('operator')?.text ?? '';
        const left = n.childForFieldName('left')!;
        const right = n.childForFieldName('right')!;
        if (op === '+' || op === '%') return this.check(left) ?? this.check(right);
        // ["%s"] * len(ids) / 3 * "?": the sequence operand decides, the count is a number.
        if (op === '*') return unwrapPy(left).type === 'integer' ? this.check(right) : this.check(left);
        return null; // arithmetic
      }
      case 'unary_operator':
      case 'comparison_operator':
      case 'not_operator':
        return null;
      case 'boolean_operator':
        return this.check(n.childForFieldName('left')!) ?? this.check(n.childForFieldName('right')!);
      case 'conditional_expression': {
        const [yes, cond, no] = n.namedChildren;
        if (!yes || !cond || !no) return { node: n };
        if (isMembershipTest(cond, unwrapPy(yes).text)) return this.check(no);
        return this.check(yes) ?? this.check(no);
      }
      case 'identifier':
        return metadataUnlessSource(n.text, n, this.checkIdentifier(n));
      case 'attribute': {
        if (isPySource(n)) return { node: n, origin: n, source: true };
        const attr = n.childForFieldName('attribute')?.text ?? '';
        if (isUpperConstantName(attr)) return null;
        const obj = n.childForFieldName('object')!;
        const t = this.check(obj);
        return metadataUnlessSource(attr, n, t ? { node: n, origin: t.origin ?? t.node, source: t.source } : null);
      }
      case 'subscript': {
        const t = this.check(n.childForFieldName('value')!);
        return t ? { node: n, origin: t.origin ?? t.node, source: t.source } : null;
      }
      case 'call':
        return this.checkCall(n);
      case 'generator_expression':
      case 'list_comprehension': {
        const body = n.childForFieldName('body');
        return body && this.check(body) === null ? null : { node: n };
      }
      default:
        return { node: n };
    }
  }

  private checkCall(n: SyntaxNode): PyTaint | null {
    const fn = n.childForFieldName('function');
    if (!fn) return { node: n };
    const path = pyPath(fn);
    const name = path[path.length - 1];
    const args = n.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null) ?? [];
    if (NUMERIC_CALLS.has(name) && path.length === 1) return null;
    if (PY_PROCESS_SOURCES.includes(path.join('.'))) return { node: n, origin: n, source: true };
    const summary = this.imported?.get(path.join('.'));
    if (summary?.returnsTainted) return { node: n, origin: n, source: true };
    if (summary?.sanitises) return null;
    if (ESCAPE_CALLS.has(name) || path[0] === 'sql' || path.includes('sql')) return null; // psycopg.sql.SQL/Identifier
    if (/^_?(escape|quote)_?(name|ident|identifier|literal|value|string|table|column)s?$/i.test(name)) return null; // the project's own quoting helpers
    if (fn.type === 'attribute') {
      const receiver = fn.childForFieldName('object')!;
      if (STR_PASSTHROUGH.has(name)) return this.check(receiver);
      if (name === 'join') return this.check(receiver) ?? (args[0] ? this.check(args[0]) : null);
      if (name === 'format') {
        for (const a of [receiver, ...args]) {
          const t = this.check(a.type === 'keyword_argument' ? a.childForFieldName('value')! : a);
          if (t) return t;
        }
        return null;
      }
      // Allow-list lookup with a constant default: COLUMNS.get(key, "created_at").
      const recv = this.check(receiver);
      if (name === 'get' && recv === null) return args[1] ? this.check(args[1]) : null;
      // request.GET.get('q'), await request.json(), request.args.getlist('id'): still the user's data.
      if (recv?.source) return { node: n, origin: recv.origin ?? recv.node, source: true };
    } else if (name === 'str' && args.length === 1) return this.check(args[0]);
    return { node: n };
  }

  private checkIdentifier(id: SyntaxNode): PyTaint | null {
    const defs = this.lookup(id).filter((d) => d.node.startIndex < id.startIndex || d.kind === 'param' || d.kind === 'import' || d.kind === 'declaration');
    if (defs.length === 0) return isUpperConstantName(id.text) ? null : { node: id };
    const key = defs[0].node.id;
    if (this.visiting.has(key)) return null;
    this.visiting.add(key);
    try {
      for (const def of defs) {
        if (def.kind === 'param') return { node: id, origin: def.node, source: isHandlerParam(def.node) };
        if (def.kind === 'loop' || def.kind === 'pattern') return { node: id, origin: def.node };
        if (def.kind === 'import') {
          if (!isUpperConstantName(id.text)) return { node: id, origin: def.node };
          continue;
        }
        if (def.kind === 'declaration' || !def.value) continue;
        const t = this.check(def.value);
        if (t) return { node: id, origin: t.origin ?? t.node, source: t.source };
      }
      return null;
    } finally {
      this.visiting.delete(key);
    }
  }

  /** Definitions of `id`'s name in the nearest enclosing scope that binds it. */
  lookup(id: SyntaxNode): PyDef[] {
    return this.defs.lookup(id);
  }
}

/** Python definitions of one scope: parameters, assignments, loop targets, `as` names, imports. */
const collectPyDefs: CollectDefs<PyDef> = (scope, bindings, add, isFile) => {
  if (!isFile) {
    const params = scope.childForFieldName('parameters');
    for (const p of params?.namedChildren ?? []) {
      if (!p) continue;
      const name = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
      if (name) add(name.text, { kind: 'param', node: p });
    }
  }
  for (const n of bindings) {
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier') add(left.text, { kind: 'assign', value: right, node: n });
      else if (left) for (const t of targetNames(left)) add(t.text, { kind: 'pattern', node: n });
    } else if (n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      if (left?.type === 'identifier') add(left.text, { kind: 'append', value: n.childForFieldName('right'), node: n });
    } else if (n.type === 'for_statement' || n.type === 'for_in_clause') {
      const left = n.childForFieldName('left');
      if (left) for (const t of targetNames(left)) add(t.text, { kind: 'loop', node: n });
    } else if (n.type === 'as_pattern') {
      const alias = n.childForFieldName('alias') ?? n.namedChildren.find((c) => c?.type === 'as_pattern_target');
      if (alias) for (const t of targetNames(alias)) add(t.text, { kind: 'pattern', node: n });
    } else if (n.type === 'import_from_statement' || n.type === 'import_statement') {
      for (const c of n.descendantsOfType(['dotted_name', 'aliased_import'])) {
        if (!c || c.parent?.type === 'aliased_import') continue;
        if (c.type === 'dotted_name' && c.id === n.childForFieldName('module_name')?.id) continue;
        const local = c.type === 'aliased_import' ? c.childForFieldName('alias') : c.namedChildren[c.namedChildCount - 1];
        if (local) add(local.text, { kind: 'import', node: n });
      }
    } else {
      const name = n.childForFieldName('name');
      if (name) add(name.text, { kind: 'declaration', node: n });
    }
  }
};

/** Node types that bind names, resolved to their scope by range. */
export const PY_BINDING_TYPES = [
  'assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'as_pattern', 'import_statement', 'import_from_statement',
  'function_definition', 'class_definition',
];

function isMembershipTest(cond: SyntaxNode, candidate: string): boolean {
  const c = unwrapPy(cond);
  if (c.type !== 'comparison_operator') return false;
  const [left] = c.namedChildren;
  return c.text.includes(' in ') && !c.text.includes(' not in ') && left !== null && unwrapPy(left).text === candidate;
}

/** `request.GET`, `self.request.POST`, `req.args`, `sys.argv`, `os.environ`: user or process input (tables.ts). */
export function isPySource(attr: SyntaxNode): boolean {
  const path = pyPath(attr);
  if (PY_PROCESS_SOURCES.includes(path.join('.'))) return true;
  const name = path[path.length - 1];
  const owner = path[path.length - 2];
  return path.length >= 2 && PY_REQUEST_ATTRIBUTES.has(name) && owner !== undefined && REQUEST_NAMES.has(owner);
}

/**
 * A parameter filled from the request: any parameter but the request object itself of a function
 * decorated as a route/handler (Flask, FastAPI, DRF), or of a Django-style view (first parameter `request`).
 */
function isHandlerParam(param: SyntaxNode): boolean {
  const name = param.type === 'identifier' ? param.text : (param.childForFieldName('name') ?? param.namedChildren.find((c) => c?.type === 'identifier'))?.text;
  if (!name || name === 'self' || name === 'cls' || REQUEST_NAMES.has(name)) return false;
  const fn = param.parent?.parent;
  if (fn?.type !== 'function_definition') return false;
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  for (const d of decorated?.namedChildren ?? []) {
    if (d?.type !== 'decorator') continue;
    const expr = d.namedChildren[0];
    const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
    const path = target ? pyPath(target) : [];
    if (path.length >= 1 && PY_HANDLER_DECORATORS.has(path[path.length - 1]) && (path.length >= 2 || path[0] === 'api_view')) return true;
  }
  const params = fn.childForFieldName('parameters')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  const first = params[0]?.type === 'identifier' ? params[0].text : params[0]?.childForFieldName('name')?.text;
  const second = params[1]?.type === 'identifier' ? params[1].text : params[1]?.childForFieldName('name')?.text;
  return first === 'request' || (first === 'self' && second === 'request');
}
