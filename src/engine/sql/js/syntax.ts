/** Small helpers over tree-sitter's JavaScript/TypeScript trees, shared by the JS analyzers. */
import type { SyntaxNode } from '../../syntax/treeSitter';

export const FUNCTION_TYPES = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
]);

/** Node types the JS analyzers read, collected in one walk (see ../nodeIndex.ts). */
export const JS_INDEX_TYPES = [
  'call_expression', 'for_in_statement', 'for_statement', 'import_statement', 'comment', 'await_expression',
  ...FUNCTION_TYPES,
  'variable_declarator', 'assignment_expression', 'augmented_assignment_expression', 'catch_clause', 'import_specifier',
  'namespace_import', 'import_clause', 'class_declaration', 'enum_declaration',
];

/** A call and the last name of its callee (`a.b.query(…)` → "query"), read once per call. */
export interface CallInfo {
  node: SyntaxNode;
  name: string;
}

export function callInfos(calls: readonly SyntaxNode[], text: string, end: (n: SyntaxNode) => number): CallInfo[] {
  const out: CallInfo[] = [];
  for (const node of calls) {
    const fn = node.childForFieldName('function');
    if (!fn) continue;
    const callee = text.slice(fn.startIndex, end(fn));
    out.push({ node, name: /([\w$]+)[\s!?]*$/.exec(callee)?.[1] ?? '' });
  }
  return out;
}

/** Strip parentheses, `await`, TS casts and non-null assertions. */
export function unwrap(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (;;) {
    if (
      n.type === 'parenthesized_expression' ||
      n.type === 'await_expression' ||
      n.type === 'as_expression' ||
      n.type === 'satisfies_expression' ||
      n.type === 'non_null_expression' ||
      n.type === 'type_assertion'
    ) {
      const inner = n.namedChildren.find((c) => c && !c.type.startsWith('type') && c.type !== 'predefined_type');
      if (!inner) return n;
      n = inner;
    } else return n;
  }
}

/** The callee of a call, with `await x<T>(…)` quirks unwrapped. */
export function calleeOf(call: SyntaxNode): SyntaxNode | null {
  const fn = call.childForFieldName('function');
  return fn ? unwrap(fn) : null;
}

/** `a.b.c(...)` → "c"; `f(...)` → "f". */
export function calleeName(call: SyntaxNode): string | undefined {
  const fn = calleeOf(call);
  if (!fn) return undefined;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'member_expression') return fn.childForFieldName('property')?.text;
  return undefined;
}

/** The receiver of a method call (`a.b` in `a.b.c()`), or null for plain calls. */
export function receiverOf(call: SyntaxNode): SyntaxNode | null {
  const fn = calleeOf(call);
  if (fn?.type !== 'member_expression') return null;
  const obj = fn.childForFieldName('object');
  return obj ? unwrap(obj) : null;
}

/** Dotted path of a member chain: `this.prisma.user` → ["this", "prisma", "user"]; calls break the chain. */
export function memberPath(node: SyntaxNode): string[] {
  const out: string[] = [];
  let n: SyntaxNode | null = unwrap(node);
  while (n) {
    if (n.type === 'member_expression') {
      out.unshift(n.childForFieldName('property')?.text ?? '');
      const obj = n.childForFieldName('object');
      n = obj ? unwrap(obj) : null;
    } else if (n.type === 'identifier' || n.type === 'this') {
      out.unshift(n.text);
      n = null;
    } else if (n.type === 'call_expression') {
      const name = calleeName(n);
      out.unshift(`${name ?? '?'}()`);
      n = null;
    } else {
      out.unshift('?');
      n = null;
    }
  }
  return out;
}

/** The innermost call's arguments node list (positional arguments only). */
export function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'arguments') return [];
  return args.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
}

/** A tagged template: `sql\`…\``. */
export function isTaggedTemplate(call: SyntaxNode): boolean {
  return call.childForFieldName('arguments')?.type === 'template_string';
}

export function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}

/** Every descendant of `root` of one of `types`, in document order. */
export function descendants(root: SyntaxNode, types: readonly string[]): SyntaxNode[] {
  return root.descendantsOfType(types as string[]).filter((n): n is SyntaxNode => n !== null);
}

/**
 * True if `node` is `ancestor` or lies inside it. Compared by range: walking `.parent` crosses
 * into WASM for every step, which made this the hot spot of whole-file analysis.
 */
export function isAncestor(ancestor: SyntaxNode, node: SyntaxNode): boolean {
  return ancestor.startIndex <= node.startIndex && node.endIndex <= ancestor.endIndex;
}

/** Names bound by a declaration pattern (identifier, object/array destructuring). */
export function boundNames(pattern: SyntaxNode): SyntaxNode[] {
  if (pattern.type === 'identifier' || pattern.type === 'shorthand_property_identifier_pattern') return [pattern];
  return descendants(pattern, ['identifier', 'shorthand_property_identifier_pattern']).filter(
    (n) => n.parent?.type !== 'pair_pattern' || n.parent.childForFieldName('value')?.id === n.id,
  );
}

export function isUpperConstantName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name) && /[A-Z]/.test(name);
}

/** Cooked value of a plain string literal's content (common escapes only). */
export function stringValue(node: SyntaxNode): string {
  let out = '';
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'string_fragment') out += child.text;
    else if (child.type === 'escape_sequence') out += cookEscape(child.text);
  }
  return out;
}

export function cookEscape(seq: string): string {
  const c = seq[1];
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };
  if (c in simple) return simple[c];
  if (c === 'u' || c === 'x') {
    const hex = seq.replace(/^\\[ux]\{?|\}$/g, '');
    const code = Number.parseInt(hex, 16);
    return Number.isFinite(code) ? String.fromCodePoint(code) : seq;
  }
  return seq.slice(1);
}
