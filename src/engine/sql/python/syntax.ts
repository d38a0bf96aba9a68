/** Small helpers over tree-sitter's Python trees, shared by the Python analyzers. */
import type { SyntaxNode } from '../../syntax/treeSitter';

export function unwrapPy(node: SyntaxNode): SyntaxNode {
  let n = node;
  while ((n.type === 'parenthesized_expression' || n.type === 'await') && n.namedChildren[0]) n = n.namedChildren[0];
  return n;
}

/** Dotted path of an attribute chain; calls inside the chain appear as `name()`. */
export function pyPath(node: SyntaxNode): string[] {
  const out: string[] = [];
  let n: SyntaxNode | null = unwrapPy(node);
  while (n) {
    if (n.type === 'attribute') {
      out.unshift(n.childForFieldName('attribute')?.text ?? '');
      n = n.childForFieldName('object');
    } else if (n.type === 'call') {
      // One step per link: `a.b().c()` must stay linear in the chain length (long builder chains exist).
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute') {
        out.unshift(`${fn.childForFieldName('attribute')?.text ?? '?'}()`);
        n = fn.childForFieldName('object');
      } else {
        out.unshift(`${fn?.type === 'identifier' ? fn.text : '?'}()`);
        n = null;
      }
    } else {
      out.unshift(n.type === 'identifier' ? n.text : '?');
      n = null;
    }
  }
  return out;
}

export function pyCalleeName(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return fn.childForFieldName('attribute')?.text;
  return undefined;
}

export function positionalArgs(call: SyntaxNode): SyntaxNode[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return [];
  return args.namedChildren.filter(
    (c): c is SyntaxNode => c !== null && c.type !== 'keyword_argument' && c.type !== 'comment' && c.type !== 'list_splat' && c.type !== 'dictionary_splat',
  );
}

export function keywordArg(call: SyntaxNode, name: string): SyntaxNode | null {
  const args = call.childForFieldName('arguments');
  for (const c of args?.namedChildren ?? []) {
    if (c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === name) return c.childForFieldName('value');
  }
  return null;
}

/** Identifiers bound by an assignment/for target (`x`, `a, b`, `(k, v)`). */
export function targetNames(target: SyntaxNode): SyntaxNode[] {
  if (target.type === 'identifier') return [target];
  if (target.type === 'attribute' || target.type === 'subscript') return [];
  return target.descendantsOfType('identifier').filter((n): n is SyntaxNode => n !== null && n.parent?.type !== 'attribute');
}

/** All calls in a chain `a.b(…).c(…)`, innermost first, starting from the outermost call `call`. */
export function chainCalls(call: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  let n: SyntaxNode | null = call;
  while (n) {
    n = unwrapPy(n);
    if (n.type === 'call') {
      out.unshift(n);
      const fn = n.childForFieldName('function');
      n = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    } else if (n.type === 'attribute') n = n.childForFieldName('object');
    else n = null;
  }
  return out;
}

/** Walk up from a call to the outermost call of its method chain. */
export function outermostPyChain(call: SyntaxNode): SyntaxNode {
  let n = call;
  for (;;) {
    const attr = n.parent;
    const outer = attr?.parent;
    if (attr?.type === 'attribute' && outer?.type === 'call' && outer.childForFieldName('function')?.id === attr.id) n = outer;
    else return n;
  }
}

export function isUpperConstantName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name);
}

export function enclosingPyFunction(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition' || n.type === 'lambda') return n;
  return null;
}
