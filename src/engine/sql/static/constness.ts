/**
 * Constness and SQL text for Go/Java (the static-language counterpart of js/constness.ts and
 * js/pieces.ts): literals, numbers, UPPER_CASE constants, numeric format verbs (%d) and safe
 * conversions are constant; parameters, range/for-each items and unknown call results are not.
 * Local variables are followed through declarations, `=` and `+=` within their scope.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { NodeIndex } from '../nodeIndex';
import { HOLE } from '../sqlText';
import { inIdentifierPosition } from '../spliceRewrite';
import type { ParamInfo, StaticSpec } from './spec';
import { GO_SOURCE_FUNCTIONS, memberChain } from './sources';

export interface StaticTaint {
  node: SyntaxNode;
  origin?: SyntaxNode;
  /**
   * Where the value comes from, when known: request data (`source` names it), a parameter, a field or
   * package variable (configuration more often than input), or a call whose result is unknown.
   */
  kind?: 'request' | 'param' | 'field' | 'call';
  source?: string;
}

export type StaticPart = { kind: 'text'; value: string } | { kind: 'expr'; node: SyntaxNode; safe?: boolean };
type Part = StaticPart;

interface Binding {
  name: string;
  value: SyntaxNode | null;
  kind: 'assign' | 'append' | 'opaque';
  node: SyntaxNode;
  /** Bound at file level (a Java field, a Go package variable). */
  field?: boolean;
  /** A parameter of the scope in `node`. */
  param?: ParamInfo;
}

const SAFE_LITERAL = /^(int_literal|float_literal|imaginary_literal|rune_literal|decimal_integer_literal|hex_integer_literal|octal_integer_literal|binary_integer_literal|decimal_floating_point_literal|character_literal|null_literal|true|false|nil|iota)$/;
const UPPER = /^[A-Z][A-Z0-9_]*$/;
const BUILDER = /^(StringBuilder|StringBuffer)$/;
const NUMERIC_VERB = /%[-+# 0]*\d*(\.\d+)?[dfeEgGxXobt]/;

export class StaticConstness {
  private readonly scopes: SyntaxNode[];
  private byScope: Map<number, Binding[]> | undefined;
  private readonly visiting = new Set<number>();

  private readonly summaries = new Map<string, StaticTaint | null | undefined>();
  private readonly lookups = new Map<string, Binding[]>();
  /** Enum types declared in the file: their constants are names, never input. */
  readonly enums: ReadonlySet<string>;

  constructor(private readonly index: NodeIndex, private readonly spec: StaticSpec) {
    this.scopes = index.of(...spec.scopeTypes);
    this.enums = new Set(index.of('enum_declaration').map((e) => e.childForFieldName('name')?.text ?? ''));
  }

  check(expr: SyntaxNode): StaticTaint | null {
    const n = expr;
    if (this.spec.stringTypes.has(n.type) || SAFE_LITERAL.test(n.type)) return null;
    if (this.spec.isSafeExpression?.(n)) return null;
    if (n.type !== 'identifier') {
      const source = this.requestSource(n);
      if (source) return { node: n, kind: 'request', source };
    }
    switch (n.type) {
      case 'cast_expression': {
        const type = n.childForFieldName('type')?.text ?? '';
        if (this.spec.isSafeType?.(type, this.enums)) return null;
        const value = n.childForFieldName('value');
        return value ? this.check(value) : { node: n };
      }
      case 'lambda_expression': {
        const body = n.childForFieldName('body');
        return body && body.type !== 'block' ? this.check(body) : { node: n, kind: 'call' };
      }
      case 'method_reference': {
        const name = n.lastNamedChild?.text ?? '';
        const summary = this.summary(name);
        return summary === undefined ? { node: n, kind: 'call' } : summary && { ...summary, node: n };
      }
      case 'parenthesized_expression':
        return n.namedChildren[0] ? this.check(n.namedChildren[0]) : null;
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text ?? '+';
        if (op !== '+') return null;
        return this.check(n.childForFieldName('left')!) ?? this.check(n.childForFieldName('right')!);
      }
      case 'ternary_expression':
        return this.check(n.childForFieldName('consequence')!) ?? this.check(n.childForFieldName('alternative')!);
      case 'identifier':
        return this.checkIdentifier(n);
      case 'selector_expression':
      case 'field_access': {
        const last = (n.childForFieldName('field') ?? n.lastNamedChild)?.text ?? '';
        if (UPPER.test(last)) return null;
        const root = n.childForFieldName('operand') ?? n.childForFieldName('object');
        // pkg.ExportedConst / Class.CONSTANT: a package or class name, not a local value.
        if (root?.type === 'identifier' && this.lookup(root).length === 0 && /^[A-Z]/.test(last)) return null;
        // this.field: the field's own bindings.
        if (root?.type === 'this') {
          const field = (this.bindingsIn(this.index.root) ?? []).filter((b) => b.name === last);
          if (field.length > 0) return this.fromBindings(n, field);
        }
        return { node: n };
      }
      default:
        if (n.type === this.spec.callType) return this.checkCall(n);
        return { node: n };
    }
  }

  private checkCall(call: SyntaxNode): StaticTaint | null {
    const callee = this.spec.callee(call);
    if (!callee) return { node: call };
    if (this.spec.isSafeCall(callee)) return null;
    // Color.valueOf(s), Color.fromCode(s): a static method of a file's enum returns one of its constants.
    if (callee.receiver.length === 1 && this.enums.has(callee.receiver[0])) return null;
    if (this.spec.isReceiverPassThrough?.(callee)) {
      const receiver = this.spec.receiverOf?.(call);
      if (receiver) return this.check(receiver);
    }
    if (callee.receiver.length === 0) {
      const summary = this.summary(callee.name);
      if (summary !== undefined) return summary && { ...summary, node: call, origin: summary.origin ?? summary.node };
    }
    const through = this.spec.passThroughArgs(callee);
    if (through) {
      for (const a of through) {
        const t = this.check(a);
        if (t) return t;
      }
      return null;
    }
    const fmt = this.spec.formatCall(call, callee);
    if (!fmt) return { node: call, kind: 'call' };
    const parts = this.formatParts(fmt.format, fmt.args);
    if (!parts) return this.check(fmt.format) ?? fmt.args.map((a) => this.check(a)).find((t) => t) ?? null;
    for (const p of parts) if (p.kind === 'expr' && !p.safe) {
      const t = this.check(p.node);
      if (t) return t;
    }
    return null;
  }

  private guardsPossible: boolean | undefined;

  /** Guards walk the tree upwards (costly per identifier): only in files that contain one. */
  private isGuarded(id: SyntaxNode): boolean {
    if (!this.spec.guarded) return false;
    this.guardsPossible ??= /\.contains(Key)?\s*\(|\b(check|validate|verify|assert|ensure|require|sanitize|sanitise)\w*\s*\(/i.test(this.index.root.text);
    return this.guardsPossible && this.spec.guarded(id, (e, at) => this.isConstantCollection(e, at, true));
  }

  private checkIdentifier(id: SyntaxNode): StaticTaint | null {
    if (this.isGuarded(id)) return null;
    const found = this.lookup(id);
    if (found.length === 0) return UPPER.test(id.text) || id.text === 'iota' || this.enums.has(id.text) ? null : { node: id };
    return this.fromBindings(id, found);
  }

  private fromBindings(id: SyntaxNode, found: Binding[]): StaticTaint | null {
    const key = found[0].node.id;
    if (this.visiting.has(key)) return null;
    this.visiting.add(key);
    try {
      // A field declared without a value and assigned elsewhere in the file: the assignments decide.
      const assigned = found.some((b) => b.field && b.value) ? found.filter((b) => b.value || !b.field) : found;
      for (const b of assigned) {
        const type = b.param?.type ?? this.spec.declaredType?.(b.node);
        if (type && this.spec.isSafeType?.(type, this.enums)) continue;
        if (b.param) {
          const request = b.param.annotations?.find((a) => /Param|Variable|Body|Header|Cookie|Attribute|Part/.test(a));
          return { node: id, origin: b.node, kind: request ? 'request' : 'param', source: request ? `@${request}` : undefined };
        }
        if (b.kind === 'opaque' || !b.value) return { node: id, origin: b.node, kind: b.field ? 'field' : undefined };
        const t = this.check(b.value);
        if (t) return { node: id, origin: t.origin ?? t.node, kind: t.kind ?? (b.field ? 'field' : undefined), source: t.source };
      }
      return null;
    } finally {
      this.visiting.delete(key);
    }
  }

  /** Request data read by this expression (spec's sources table), or null. */
  requestSource(expr: SyntaxNode): string | null {
    if (!this.spec.requestSource) return null;
    const chain = memberChain(expr);
    if (chain && chain.members.length > 0 && GO_SOURCE_FUNCTIONS.test(`${chain.root.text}.${chain.members[0]}`)) return `${chain.root.text}.${chain.members[0]}`;
    return this.spec.requestSource(expr, (root) => {
      const b = this.lookup(root)[0];
      return b?.param?.type ?? (b ? this.spec.declaredType?.(b.node) : undefined);
    });
  }

  /**
   * The return value of a same-file function `name`: a taint, null (every return is constant), or
   * undefined (no such function). `return null` says nothing about the text, so a function that only
   * returns null (a stub, an abstract method) is as unknown as one without a body.
   */
  summary(name: string): StaticTaint | null | undefined {
    if (this.summaries.has(name)) return this.summaries.get(name);
    const decls = this.declarationsOf(name);
    if (decls.length === 0) {
      this.summaries.set(name, undefined);
      return undefined;
    }
    this.summaries.set(name, null); // recursion: assume constant while summarising
    let out: StaticTaint | null = null;
    for (const decl of decls) {
      const values = this.index
        .of(...(this.spec.functions?.returns ?? []))
        .filter((r) => this.index.contains(decl, r) && this.innermostScope(r)?.id === decl.id)
        .map((r) => {
          const v = r.namedChildren[0];
          return v?.type === 'expression_list' ? v.namedChildren[0] : v;
        })
        .filter((v): v is SyntaxNode => !!v && v.type !== 'null_literal' && v.type !== 'nil');
      if (values.length === 0) {
        out = { node: decl, kind: 'call' };
        break;
      }
      for (const v of values) {
        const t = this.check(v);
        if (t) {
          out = { ...t, kind: t.kind ?? 'call' };
          break;
        }
      }
      if (out) break;
    }
    this.summaries.set(name, out);
    return out;
  }

  /** The declared type of a name (`String q`, `r *http.Request`, a field), when written. */
  typeOf(node: SyntaxNode): string | undefined {
    if (node.type === 'identifier') {
      const b = this.lookup(node)[0];
      return b?.param?.type ?? (b ? this.spec.declaredType?.(b.node) : undefined);
    }
    if (node.type === 'field_access' && node.childForFieldName('object')?.type === 'this') {
      const name = node.childForFieldName('field')?.text;
      const b = (this.bindingsIn(this.index.root) ?? []).find((x) => x.name === name);
      return b ? this.spec.declaredType?.(b.node) : undefined;
    }
    return undefined;
  }

  /**
   * `expr` is the whole SQL text of `call`: is it a string from the request, a string parameter, or a
   * same-file method that returns non-constant text? Null when constant or unknown — a field or a value
   * from another file is more often configuration than input. A parameter of a query helper that also
   * forwards the bound values (`query(String sql, Object... args)`) is the caller's to check.
   */
  wholeQuery(expr: SyntaxNode, call: SyntaxNode, callee: { args: SyntaxNode[] }, depth = 0): StaticTaint | null {
    if (depth > 6 || this.spec.stringTypes.has(expr.type)) return null;
    const source = this.requestSource(expr);
    if (source) return { node: expr, kind: 'request', source };
    const isString = (t: string | undefined): boolean => !!t && (this.spec.isStringType?.(t) ?? false);
    switch (expr.type) {
      case 'parenthesized_expression':
        return expr.namedChildren[0] ? this.wholeQuery(expr.namedChildren[0], call, callee, depth + 1) : null;
      case 'cast_expression': {
        const value = expr.childForFieldName('value');
        return value ? this.wholeQuery(value, call, callee, depth + 1) : null;
      }
      case 'lambda_expression': {
        const body = expr.childForFieldName('body');
        return body && body.type !== 'block' ? this.wholeQuery(body, call, callee, depth + 1) : null;
      }
      case 'method_reference': {
        const name = expr.lastNamedChild?.text ?? '';
        return isString(this.returnTypeOf(name)) ? (this.summary(name) ?? null) && { node: expr, kind: 'call' } : null;
      }
      case 'identifier': {
        const found = this.lookup(expr);
        if (found.length === 0) return null;
        const p = found[0].param;
        if (p) {
          if (!isString(p.type) && !p.annotations?.length) return null;
          if (!this.spec.wholeQueryFromParams && !p.annotations?.length) return null;
          if (this.isGuarded(expr)) return null;
          const scope = found[0].node;
          const params = this.paramsOf(scope);
          const forwards = params.some((q) => q.variadic) || callee.args.some((a) => a.id !== expr.id && a.type === 'identifier' && a.text !== p.name && params.some((q) => q.name === a.text));
          if (forwards || call.text.includes('...')) return null;
          const request = p.annotations?.find((a) => /Param|Variable|Body|Header|Cookie|Attribute|Part/.test(a));
          return { node: expr, origin: scope, kind: request ? 'request' : 'param', source: request ? `@${request}` : undefined };
        }
        for (const b of found) {
          if (!b.value || b.field) continue;
          const t = this.wholeQuery(b.value, call, callee, depth + 1);
          if (t) return { ...t, origin: t.origin ?? t.node, node: expr };
        }
        return null;
      }
      default:
        if (expr.type !== this.spec.callType) return null;
    }
    const c = this.spec.callee(expr);
    if (!c) return null;
    if (this.spec.isReceiverPassThrough?.(c)) {
      const receiver = this.spec.receiverOf?.(expr);
      return receiver ? this.wholeQuery(receiver, call, callee, depth + 1) : null;
    }
    if (c.receiver.length === 0 && isString(this.returnTypeOf(c.name))) {
      const t = this.summary(c.name);
      return t ? { node: expr, origin: t.origin ?? (t.node.id !== expr.id ? t.node : undefined), kind: t.kind === 'call' ? 'call' : t.kind, source: t.source } : null;
    }
    return null;
  }

  /** The declared return type of same-file function `name`, if any. */
  returnTypeOf(name: string): string | undefined {
    const decl = this.declarationsOf(name)[0];
    return decl && this.spec.functions ? decl.childForFieldName(this.spec.functions.returnTypeField)?.text : undefined;
  }

  /** The same-file function declarations named `name`. */
  private declarationsOf(name: string): SyntaxNode[] {
    const fns = this.spec.functions;
    return fns ? this.scopes.filter((s) => s.type === fns.declaration && s.childForFieldName('name')?.text === name) : [];
  }

  private innermostScope(node: SyntaxNode): SyntaxNode | undefined {
    let best: SyntaxNode | undefined;
    for (const s of this.scopes) if (s.id !== node.id && this.index.contains(s, node) && (!best || s.startIndex >= best.startIndex)) best = s;
    return best;
  }

  /**
   * Is `expr` (seen at `at`) a collection of constants that nothing else can change: a factory
   * (`List.of`, `Arrays.asList`, `Set.of`, unmodifiable wrappers) or array initialiser of constants, a
   * local filled only with constant `add`s and never handed to another call, or a `static final` field of
   * that kind. An allow-list check against it makes the checked value one of those constants.
   */
  isConstantCollection(expr: SyntaxNode, at: SyntaxNode, top = false): boolean {
    switch (expr.type) {
      case 'parenthesized_expression':
        return !!expr.namedChildren[0] && this.isConstantCollection(expr.namedChildren[0], at);
      case 'ternary_expression':
        return this.isConstantCollection(expr.childForFieldName('consequence')!, at) && this.isConstantCollection(expr.childForFieldName('alternative')!, at);
      case 'array_initializer':
      case 'composite_literal':
      case 'literal_value':
        return expr.namedChildren.every((c) => !c || c.type === 'type_identifier' || c.type.endsWith('_type') || this.isConstantElement(c, at));
      case 'array_creation_expression': {
        const init = expr.childForFieldName('value');
        return !!init && this.isConstantCollection(init, at);
      }
      case 'object_creation_expression': {
        const args = expr.childForFieldName('arguments')?.namedChildren ?? [];
        return /^(ArrayList|HashSet|LinkedHashSet|TreeSet|LinkedList)\b/.test(expr.childForFieldName('type')?.text ?? '') && args.every((a) => !a || this.isConstantCollection(a, at));
      }
      case 'method_invocation': {
        const name = expr.childForFieldName('name')?.text ?? '';
        if (!/^(of|asList|copyOf|unmodifiable\w*|singleton\w*|immutable\w*|newHashSet|newArrayList|ofEntries|noneOf|allOf|range)$/.test(name)) return false;
        return (expr.childForFieldName('arguments')?.namedChildren ?? []).every((a) => !a || this.isConstantElement(a, at));
      }
      case 'identifier': {
        const found = this.lookup(expr, at);
        if (found.length === 0) return false;
        const key = found[0].node.id;
        if (this.visiting.has(key)) return false;
        this.visiting.add(key);
        try {
          const values = found.some((b) => b.field && b.value) ? found.filter((b) => b.value || !b.field) : found;
          if (found.some((b) => b.param)) return false;
          for (const b of values) {
            if (b.kind === 'append' || !b.value || !this.isConstantCollection(b.value, at)) return false;
            // A mutable collection in a field can be changed by any code that sees the field.
            if (b.field && b.value.type === 'object_creation_expression') return false;
            // A field: only a class constant (static final) cannot be replaced from elsewhere.
            const mods = b.field ? b.node.parent?.namedChildren.find((c) => c?.type === 'modifiers')?.text ?? '' : '';
            if (b.field && b.node.type === 'variable_declarator' && !(/\bstatic\b/.test(mods) && /\bfinal\b/.test(mods))) return false;
            if (b.field && b.node.type === 'assignment_expression') {
              const decl = found.find((d) => d.node.type === 'variable_declarator');
              const dm = decl?.node.parent?.namedChildren.find((c) => c?.type === 'modifiers')?.text ?? '';
              if (!decl || !(/\bstatic\b/.test(dm) && /\bfinal\b/.test(dm))) return false;
            }
          }
          return top || !found[0].field ? this.onlyConstantMutations(expr, found) : true;
        } finally {
          this.visiting.delete(key);
        }
      }
      default:
        return false;
    }
  }

  /**
   * An allow-list entry must be a literal or a named constant: a value computed at run time (even one
   * that cannot carry a quote) makes the list something other than a fixed set of names.
   */
  private isConstantElement(e: SyntaxNode, at: SyntaxNode): boolean {
    if (this.spec.stringTypes.has(e.type) || SAFE_LITERAL.test(e.type)) return true;
    if (e.type === 'identifier' && UPPER.test(e.text)) return true;
    if ((e.type === 'field_access' || e.type === 'selector_expression') && UPPER.test(e.lastNamedChild?.text ?? '')) return true;
    return (e.type === 'identifier' || e.type === 'array_initializer' || e.type === 'method_invocation' || e.type === 'array_creation_expression') && this.isConstantCollection(e, at);
  }

  /** A local collection's later `add`s are constants and it is never passed to another call. */
  private onlyConstantMutations(id: SyntaxNode, found: Binding[]): boolean {
    if (found[0].field) return true;
    const decl = found[0].node;
    const block = decl.type === 'variable_declarator' && decl.parent?.type === 'local_variable_declaration' ? decl.parent.parent : null;
    const scope = block ?? this.innermostScope(decl) ?? this.index.root;
    for (const call of this.index.of(this.spec.callType)) {
      if (!this.index.contains(scope, call) || call.startIndex < found[0].node.startIndex) continue;
      const callee = this.spec.callee(call);
      if (!callee) continue;
      if (callee.receiver.length === 1 && callee.receiver[0] === id.text) {
        if (/^(add|addAll|put|putAll|set|push|offer)$/.test(callee.name) && !callee.args.every((a) => this.isConstantElement(a, id))) return false;
        continue;
      }
      if (callee.args.some((a) => a.type === 'identifier' && a.text === id.text) && !/^(of|asList|copyOf|unmodifiable\w*)$/.test(callee.name)) return false;
    }
    return true;
  }

  /** Bindings of `id`'s name before it, in the innermost scope that has any (parameters → opaque). */
  lookup(id: SyntaxNode, at: SyntaxNode = id): Binding[] {
    const key = `${id.text}\0${at.startIndex}\0${at.endIndex}`;
    let hit = this.lookups.get(key);
    if (!hit) {
      hit = this.lookupUncached(id, at);
      this.lookups.set(key, hit);
    }
    return hit;
  }

  private lookupUncached(id: SyntaxNode, at: SyntaxNode): Binding[] {
    const scopes = this.scopes.filter((s) => this.index.contains(s, at)).sort((a, b) => b.startIndex - a.startIndex);
    scopes.push(this.index.root);
    for (const scope of scopes) {
      const isRoot = scope.id === this.index.root.id;
      // File-level names (fields, package variables) are visible wherever they are declared.
      const here = (this.bindingsIn(scope) ?? []).filter((b) => b.name === id.text && (isRoot || (b.node.startIndex < at.startIndex && this.visibleAt(b, at))));
      if (here.length > 0) return here;
      if (!isRoot) {
        const param = this.paramsOf(scope).find((p) => p.name === id.text);
        if (param) return [{ name: id.text, value: null, kind: 'opaque', node: scope, param }];
      }
    }
    return [];
  }

  /** A Java local declared in a block is visible in that block only (sibling blocks reuse names). */
  private visibleAt(b: Binding, at: SyntaxNode): boolean {
    if (b.node.type !== 'variable_declarator' || b.node.parent?.type !== 'local_variable_declaration') return true;
    const block = b.node.parent.parent;
    return !block || this.index.contains(block, at);
  }

  paramsOf(scope: SyntaxNode): ParamInfo[] {
    return this.spec.paramInfo?.(scope) ?? this.spec.params(scope).map((name) => ({ name }));
  }

  /** The innermost function-like scope around `node`. */
  scopeOf(node: SyntaxNode): SyntaxNode | undefined {
    return this.innermostScope(node);
  }

  private bindingsIn(scope: SyntaxNode): Binding[] | undefined {
    if (!this.byScope) {
      this.byScope = new Map();
      for (const node of this.index.of(...this.spec.bindingTypes)) {
        // Most expression statements bind nothing: skip the scope search for them.
        const bound = this.spec.bindings(node);
        if (bound.length === 0) continue;
        let best: SyntaxNode | null = null;
        for (const s of this.scopes) if (s.id !== node.id && this.index.contains(s, node) && (!best || s.startIndex >= best.startIndex)) best = s;
        const key = (best ?? this.index.root).id;
        const list = this.byScope.get(key) ?? [];
        for (const b of bound) list.push({ ...b, node, field: !best || undefined });
        this.byScope.set(key, list);
      }
    }
    return this.byScope.get(scope.id);
  }

  /** SQL text pieces of `expr` (following `sql := …; sql += …`), or [] if it is not string building. */
  pieces(expr: SyntaxNode): Part[][] {
    return this.sources(expr).map((source) => (source === expr ? this.flatten(expr)! : this.flatten(source) ?? [{ kind: 'expr', node: source }]));
  }

  /**
   * The expression each of `pieces(expr)` came from, in the same order: `expr` itself, or the values
   * a variable took (`q := …`, `q += …`). A fix rewrites these nodes.
   */
  sources(expr: SyntaxNode): SyntaxNode[] {
    if (expr.type === 'identifier') {
      let out: SyntaxNode[] = [];
      for (const b of this.lookup(expr)) {
        if (!b.value) return [];
        if (b.kind === 'assign') out = [];
        out.push(b.value);
      }
      return out;
    }
    return this.flatten(expr) ? [expr] : [];
  }

  private flatten(expr: SyntaxNode): Part[] | null {
    if (this.spec.stringTypes.has(expr.type)) return [{ kind: 'text', value: this.spec.stringValue(expr) }];
    if (expr.type === 'binary_expression' && (expr.childForFieldName('operator')?.text ?? '+') === '+') {
      const l = this.flatten(expr.childForFieldName('left')!) ?? [{ kind: 'expr', node: expr.childForFieldName('left')! } as Part];
      const r = this.flatten(expr.childForFieldName('right')!) ?? [{ kind: 'expr', node: expr.childForFieldName('right')! } as Part];
      return l.some((p) => p.kind === 'text') || r.some((p) => p.kind === 'text') ? [...l, ...r] : null;
    }
    if (expr.type === 'parenthesized_expression' && expr.namedChildren[0]) return this.flatten(expr.namedChildren[0]);
    if (expr.type === 'object_creation_expression' && BUILDER.test(expr.childForFieldName('type')?.text ?? '')) {
      // new StringBuilder() / new StringBuilder("SELECT …") / new StringBuilder(capacity)
      const first = expr.childForFieldName('arguments')?.namedChildren[0];
      if (!first || SAFE_LITERAL.test(first.type)) return [{ kind: 'text', value: '' }];
      return this.flatten(first) ?? [{ kind: 'expr', node: first }];
    }
    if (expr.type === this.spec.callType) {
      const callee = this.spec.callee(expr);
      if (!callee) return null;
      const fmt = this.spec.formatCall(expr, callee);
      if (fmt) return this.formatParts(fmt.format, fmt.args);
      const receiver = this.spec.receiverOf?.(expr);
      // "a".concat(b), sb.append(a).append(b) chains, builder.toString()
      if (receiver && (callee.name === 'concat' || callee.name === 'append') && callee.args.length === 1) {
        const left = this.flatten(receiver) ?? this.builderPieces(receiver) ?? (callee.name === 'concat' ? [{ kind: 'expr', node: receiver } as Part] : null);
        if (!left) return null;
        const right = this.flatten(callee.args[0]) ?? [{ kind: 'expr', node: callee.args[0] } as Part];
        return [...left, ...right];
      }
      if (receiver && callee.name === 'toString' && callee.args.length === 0) return this.flatten(receiver) ?? this.builderPieces(receiver);
      return null;
    }
    return null;
  }

  /** A StringBuilder variable's text: its initial value and every `append` to it, in order. */
  private builderPieces(expr: SyntaxNode): Part[] | null {
    if (expr.type !== 'identifier') return null;
    const found = this.lookup(expr);
    const decl = found[0];
    if (!decl || decl.kind !== 'assign' || !decl.value || !BUILDER.test(this.spec.declaredType?.(decl.node) ?? decl.value.childForFieldName('type')?.text ?? '')) return null;
    const out: Part[] = [];
    for (const b of found) {
      if (!b.value) return null;
      const p = this.flatten(b.value) ?? [{ kind: 'expr', node: b.value } as Part];
      out.push(...p);
    }
    return out;
  }

  /** Split a format string into text and arguments; `%d`-style verbs mark their argument safe. */
  private formatParts(format: SyntaxNode, args: SyntaxNode[]): Part[] | null {
    if (!this.spec.stringTypes.has(format.type)) return null;
    const text = this.spec.stringValue(format);
    const parts: Part[] = [];
    let last = 0;
    let i = 0;
    for (const m of text.matchAll(/%%|%[-+# 0]*\d*(\.\d+)?[a-zA-Z]/g)) {
      parts.push({ kind: 'text', value: text.slice(last, m.index) });
      last = m.index! + m[0].length;
      if (m[0] === '%%') parts.push({ kind: 'text', value: '%' });
      else if (args[i]) parts.push({ kind: 'expr', node: args[i++], safe: NUMERIC_VERB.test(m[0]) });
    }
    parts.push({ kind: 'text', value: text.slice(last) });
    return parts;
  }

  /** The SQL text of pieces with every expression as a hole. */
  static text(pieces: Part[][]): string {
    let holes = 0;
    return pieces.map((p) => p.map((x) => (x.kind === 'text' ? x.value : `${HOLE}${holes++}`)).join('')).join('');
  }

  /**
   * The first value built into the text that is not constant. A table or column name (identifier
   * position) read from a field or package variable is configuration, not input: only a value from a
   * parameter, the request or an unknown call counts there.
   */
  firstTainted(pieces: Part[][]): SyntaxNode | undefined {
    let before = '';
    for (const piece of pieces)
      for (const p of piece) {
        if (p.kind === 'text') {
          before += p.value;
          continue;
        }
        if (!p.safe) {
          const t = this.check(p.node);
          const quote = openQuote(before);
          const stripped = quote && this.spec.strippedQuotes ? this.spec.strippedQuotes(p.node, (id) => this.lookup(id), this.index) : [];
          if (t && !(t.kind === 'field' && inIdentifierPosition(before)) && !(quote && stripped.includes(quote))) return p.node;
        }
        before += 'x';
      }
    return undefined;
  }
}

/** The quote character a value spliced after `before` sits inside, if any. */
function openQuote(before: string): string | undefined {
  let open: string | undefined;
  for (const ch of before) {
    if (open) {
      if (ch === open) open = undefined;
    } else if (ch === "'" || ch === '"') open = ch;
  }
  return open;
}
