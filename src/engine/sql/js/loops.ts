/**
 * "Runs once per item" contexts in JS/TS: for / for…of / for…in bodies and callbacks of array
 * iteration methods. `while` loops are deliberately excluded: they are mostly polling or cursor
 * pagination, where one query per iteration is the point.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { NodeIndex } from '../nodeIndex';
import { boundNames, FUNCTION_TYPES, memberPath, unwrap, type CallInfo } from './syntax';

export interface Loop {
  /** The loop statement or the iterating call (`items.map(…)`). */
  node: SyntaxNode;
  body: SyntaxNode;
  /** Names bound per item (loop variable, callback parameters, values derived from them). */
  itemNames: Set<string>;
  /** The collection iterated, when it is a plain expression (`orders`, `this.items`). */
  iterable?: SyntaxNode;
  /** The first item name as written (for rewrites). */
  itemName?: string;
  /** `items.map(async …)` passed (directly) to Promise.all. */
  inPromiseAll: boolean;
  /** `items.map(…)` passed to prisma.$transaction([...]) — executed as one batch. */
  inTransaction: boolean;
}

export const ITERATION_METHODS: ReadonlySet<string> = new Set(['forEach', 'map', 'flatMap', 'reduce', 'filter', 'some', 'every', 'find', 'findIndex']);

export function findLoops(index: NodeIndex, calls: readonly CallInfo[]): Loop[] {
  const loops: Loop[] = [];
  const candidates = [...index.of('for_in_statement', 'for_statement'), ...calls.filter((c) => ITERATION_METHODS.has(c.name)).map((c) => c.node)];
  for (const n of candidates) {
    if (n.type === 'for_in_statement') {
      const left = n.childForFieldName('left');
      const body = n.childForFieldName('body');
      if (!left || !body) continue;
      const names = boundNames(left).map((b) => b.text);
      loops.push(finish(index, { node: n, body, itemNames: new Set(names), iterable: n.childForFieldName('right') ?? undefined, itemName: left.type === 'identifier' ? left.text : undefined, inPromiseAll: false, inTransaction: false }));
    } else if (n.type === 'for_statement') {
      const init = n.childForFieldName('initializer');
      const body = n.childForFieldName('body');
      if (!body) continue;
      const names = init ? init.descendantsOfType('variable_declarator').map((d) => d?.childForFieldName('name')?.text ?? '') : [];
      loops.push(finish(index, { node: n, body, itemNames: new Set(names.filter(Boolean)), inPromiseAll: false, inTransaction: false }));
    } else {
      const fn = n.childForFieldName('function');
      if (fn?.type !== 'member_expression') continue;
      const method = fn.childForFieldName('property')?.text ?? '';
      if (!ITERATION_METHODS.has(method)) continue;
      const cb = n.childForFieldName('arguments')?.namedChildren[0];
      if (!cb || !FUNCTION_TYPES.has(cb.type)) continue;
      const body = cb.childForFieldName('body');
      const params = cb.childForFieldName('parameters') ?? cb.childForFieldName('parameter');
      if (!body || !params) continue;
      const bound = boundNames(params).map((b) => b.text);
      // reduce((acc, item) => …): the item is the second parameter.
      const names = method === 'reduce' ? bound.slice(1) : bound.slice(0, 1);
      const wrapper = enclosingCallName(n);
      loops.push(
        finish(index, {
          node: n,
          body,
          itemNames: new Set(names),
          iterable: fn.childForFieldName('object') ?? undefined,
          itemName: params.type === 'identifier' ? params.text : bound[0],
          inPromiseAll: wrapper === 'Promise.all' || wrapper === 'Promise.allSettled',
          inTransaction: wrapper?.endsWith('$transaction') ?? false,
        }),
      );
    }
  }
  return loops.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/** Adds names derived from the item inside the body (`const id = item.id`). */
function finish(index: NodeIndex, loop: Loop): Loop {
  const skipNames = [...loop.itemNames].some((n) => /chunk|batch|page|slice|group/i.test(n));
  if (skipNames) loop.itemNames.clear();
  for (let pass = 0; pass < 2 && loop.itemNames.size > 0; pass++) {
    for (const d of index.within(loop.body, 'variable_declarator')) {
      const value = d?.childForFieldName('value');
      const name = d?.childForFieldName('name');
      if (!value || !name || !mentions(value, loop.itemNames)) continue;
      for (const b of boundNames(name)) loop.itemNames.add(b.text);
    }
  }
  return loop;
}

export function mentions(node: SyntaxNode, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  if ((node.type === 'identifier' || node.type === 'shorthand_property_identifier') && names.has(node.text)) return true;
  for (const id of node.descendantsOfType(['identifier', 'shorthand_property_identifier'])) if (id && names.has(id.text)) return true;
  return false;
}

/** `Promise.all(items.map(…))` → "Promise.all"; looks through `[...]` and spreads. */
function enclosingCallName(n: SyntaxNode): string | undefined {
  let p = n.parent;
  while (p && (p.type === 'arguments' || p.type === 'array' || p.type === 'spread_element' || p.type === 'parenthesized_expression')) {
    if (p.type === 'arguments') {
      const call = p.parent;
      const fn = call?.childForFieldName('function');
      return fn ? memberPath(unwrap(fn)).join('.') : undefined;
    }
    p = p.parent;
  }
  return undefined;
}
