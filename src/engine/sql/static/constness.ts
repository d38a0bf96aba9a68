/**
 * Constness and SQL text for Go/Java (the static-language counterpart of js/constness.ts and
 * js/pieces.ts): literals, numbers, UPPER_CASE constants, numeric format verbs (%d) and safe
 * conversions are constant; parameters, range/for-each items and unknown call results are not.
 * Local variables are followed through declarations, `=` and `+=` within their scope.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { NodeIndex } from '../nodeIndex';
import { HOLE } from '../sqlText';
import type { StaticSpec } from './spec';

export interface StaticTaint {
  node: SyntaxNode;
  origin?: SyntaxNode;
}

export type StaticPart = { kind: 'text'; value: string } | { kind: 'expr'; node: SyntaxNode; safe?: boolean };
type Part = StaticPart;

interface Binding {
  name: string;
  value: SyntaxNode | null;
  kind: 'assign' | 'append' | 'opaque';
  node: SyntaxNode;
}

const SAFE_LITERAL = /^(int_literal|float_literal|imaginary_literal|rune_literal|decimal_integer_literal|hex_integer_literal|octal_integer_literal|binary_integer_literal|decimal_floating_point_literal|character_literal|null_literal|true|false|nil|iota)$/;
const UPPER = /^[A-Z][A-Z0-9_]*$/;
const NUMERIC_VERB = /%[-+# 0]*\d*(\.\d+)?[dfeEgGxXobt]/;

export class StaticConstness {
  private readonly scopes: SyntaxNode[];
  private byScope: Map<number, Binding[]> | undefined;
  private readonly visiting = new Set<number>();

  constructor(private readonly index: NodeIndex, private readonly spec: StaticSpec) {
    this.scopes = index.of(...spec.scopeTypes);
  }

  check(expr: SyntaxNode): StaticTaint | null {
    const n = expr;
    if (this.spec.stringTypes.has(n.type) || SAFE_LITERAL.test(n.type)) return null;
    switch (n.type) {
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
    const through = this.spec.passThroughArgs(callee);
    if (through) {
      for (const a of through) {
        const t = this.check(a);
        if (t) return t;
      }
      return null;
    }
    const fmt = this.spec.formatCall(call, callee);
    if (!fmt) return { node: call };
    const parts = this.formatParts(fmt.format, fmt.args);
    if (!parts) return this.check(fmt.format) ?? fmt.args.map((a) => this.check(a)).find((t) => t) ?? null;
    for (const p of parts) if (p.kind === 'expr' && !p.safe) {
      const t = this.check(p.node);
      if (t) return t;
    }
    return null;
  }

  private checkIdentifier(id: SyntaxNode): StaticTaint | null {
    const found = this.lookup(id);
    if (found.length === 0) return UPPER.test(id.text) || id.text === 'iota' ? null : { node: id };
    const key = found[0].node.id;
    if (this.visiting.has(key)) return null;
    this.visiting.add(key);
    try {
      for (const b of found) {
        if (b.kind === 'opaque' || !b.value) return { node: id, origin: b.node };
        const t = this.check(b.value);
        if (t) return { node: id, origin: t.origin ?? t.node };
      }
      return null;
    } finally {
      this.visiting.delete(key);
    }
  }

  /** Bindings of `id`'s name before it, in the innermost scope that has any (parameters → opaque). */
  lookup(id: SyntaxNode): Binding[] {
    const scopes = this.scopes.filter((s) => this.index.contains(s, id)).sort((a, b) => b.startIndex - a.startIndex);
    scopes.push(this.index.root);
    for (const scope of scopes) {
      const here = (this.bindingsIn(scope) ?? []).filter((b) => b.name === id.text && b.node.startIndex < id.startIndex);
      if (here.length > 0) return here;
      if (scope.id !== this.index.root.id && this.spec.params(scope).includes(id.text)) return [{ name: id.text, value: null, kind: 'opaque', node: scope }];
    }
    return [];
  }

  private bindingsIn(scope: SyntaxNode): Binding[] | undefined {
    if (!this.byScope) {
      this.byScope = new Map();
      for (const node of this.index.of(...this.spec.bindingTypes)) {
        let best: SyntaxNode | null = null;
        for (const s of this.scopes) if (s.id !== node.id && this.index.contains(s, node) && (!best || s.startIndex >= best.startIndex)) best = s;
        const key = (best ?? this.index.root).id;
        const list = this.byScope.get(key) ?? [];
        for (const b of this.spec.bindings(node)) list.push({ ...b, node });
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
    if (expr.type === this.spec.callType) {
      const callee = this.spec.callee(expr);
      const fmt = callee ? this.spec.formatCall(expr, callee) : null;
      return fmt ? this.formatParts(fmt.format, fmt.args) : null;
    }
    return null;
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

  firstTainted(pieces: Part[][]): SyntaxNode | undefined {
    for (const piece of pieces) for (const p of piece) if (p.kind === 'expr' && !p.safe && this.check(p.node)) return p.node;
    return undefined;
  }
}
