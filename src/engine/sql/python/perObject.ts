/**
 * N+1 without a visible loop: functions a framework calls once per object of a list. A graphene
 * resolver `resolve_<field>(root, info, …)` runs for every object a list field returns, and a DRF
 * `get_<field>(self, obj)` of a serializer runs for every object a `many=True` serializer renders. A
 * query inside them that depends on that object is one query per list item (fix: a DataLoader, or
 * prefetch on the list's queryset). Only queries that always reach the database are reported: a
 * related manager's `.all()` may be served by the list's prefetch, so it is left alone.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import type { NodeIndex } from '../nodeIndex';
import { chainCalls, outermostPyChain, pyPath } from './syntax';
import { PY_ALWAYS_QUERY_METHODS } from './tables';

export interface PerObjectFunction {
  fn: SyntaxNode;
  body: SyntaxNode;
  /** The per-object parameter and names derived from it in the body. */
  itemNames: Set<string>;
  kind: 'graphql' | 'serializer';
}

/** The class a method is defined in (directly or through decorators). */
function enclosingClass(fn: SyntaxNode): SyntaxNode | null {
  let n = fn.parent;
  if (n?.type === 'decorated_definition') n = n.parent;
  return n?.type === 'block' && n.parent?.type === 'class_definition' ? n.parent : null;
}

function paramNames(fn: SyntaxNode): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).map((p) => {
    if (!p) return '';
    if (p.type === 'identifier') return p.text;
    return p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text ?? '';
  });
}

/** Resolvers and serializer methods of this file, with their per-object parameter. */
export function perObjectFunctions(index: NodeIndex): PerObjectFunction[] {
  const out: PerObjectFunction[] = [];
  for (const fn of index.of('function_definition')) {
    const name = fn.childForFieldName('name')?.text ?? '';
    const body = fn.childForFieldName('body');
    if (!body || !/^(resolve|get)_\w+$/.test(name)) continue;
    const cls = enclosingClass(fn);
    if (!cls) continue;
    const params = paramNames(fn);
    let item: string | undefined;
    let kind: PerObjectFunction['kind'] | undefined;
    // graphene: `resolve_x(root, info, …)` (static) or `resolve_x(self, info, …)` where self is the object.
    if (name.startsWith('resolve_') && params[1] === 'info' && params[0]) [item, kind] = [params[0], 'graphql'];
    // DRF SerializerMethodField: `get_x(self, obj)` on a class whose bases name a Serializer.
    else if (name.startsWith('get_') && params[0] === 'self' && params.length === 2 && /Serializer\b/.test(cls.childForFieldName('superclasses')?.text ?? '')) [item, kind] = [params[1], 'serializer'];
    if (!item || !kind) continue;
    const itemNames = new Set([item]);
    for (const a of body.descendantsOfType('assignment')) {
      const l = a?.childForFieldName('left');
      const r = a?.childForFieldName('right');
      if (l?.type === 'identifier' && r && mentions(r, itemNames)) itemNames.add(l.text);
    }
    out.push({ fn, body, itemNames, kind });
  }
  return out;
}

function mentions(node: SyntaxNode, names: ReadonlySet<string>): boolean {
  if (node.type === 'identifier') return names.has(node.text);
  return node.descendantsOfType('identifier').some((i) => i !== null && names.has(i.text) && i.parent?.type !== 'keyword_argument');
}

/** The innermost function around `node` is `fn` itself (a nested def or lambda runs on its own terms). */
function directlyIn(fn: SyntaxNode, node: SyntaxNode): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.id === fn.id) return true;
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
  }
  return false;
}

/**
 * `isQuery(call)` is the caller's test for "this call is a database query" (managers, sessions,
 * Flask-SQLAlchemy `Model.query`). Related-manager lookups on the object itself are recognised here.
 */
export function perObjectFindings(file: FileContext, functions: readonly PerObjectFunction[], calls: readonly SyntaxNode[], isQuery: (call: SyntaxNode) => boolean, seen: Set<number>): RawFinding[] {
  const out: RawFinding[] = [];
  for (const f of functions) {
    for (const call of calls) {
      if (call.startIndex < f.body.startIndex || call.endIndex > f.body.endIndex || !directlyIn(f.fn, call)) continue;
      const span = outermostPyChain(call);
      if (seen.has(span.id)) continue;
      const onObject = relatedLookupOn(call, f.itemNames);
      const dependent = onObject || (isQuery(call) && chainCalls(span).some((c) => mentions(c.childForFieldName('arguments') ?? c, f.itemNames)));
      if (!dependent) continue;
      seen.add(span.id);
      const fnName = f.fn.childForFieldName('name')?.text ?? '';
      out.push({
        category: 'n-plus-one',
        node: span,
        message:
          f.kind === 'graphql'
            ? `N+1 query: \`${short(span.text)}\` runs inside the resolver ${fnName}(), which GraphQL calls once per object of a list, so a list of N objects costs N queries. Load it for all objects at once with a DataLoader (or prefetch on the list's queryset).`
            : `N+1 query: \`${short(span.text)}\` runs inside the serializer method ${fnName}(), which runs once per object of a many=True serializer. Annotate or prefetch it on the queryset instead.`,
        related: [related(file, f.fn, f.kind === 'graphql' ? 'The per-object resolver' : 'The per-object serializer method')],
        fixes: [],
      });
    }
  }
  return out;
}

/** `root.translations.filter(…)` / `obj.items.get(pk=…)`: a related-manager query that always runs. */
function relatedLookupOn(call: SyntaxNode, items: ReadonlySet<string>): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return false;
  const path = pyPath(fn);
  const method = path[path.length - 1];
  if (path.length < 3 || !items.has(path[0]) || path.includes('objects') || path.slice(1).some((p) => p.endsWith('()'))) return false;
  const kwargs = (call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a?.type === 'keyword_argument');
  return PY_ALWAYS_QUERY_METHODS.has(method) || (method === 'get' && kwargs);
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 48 ? `${one.slice(0, 45)}…` : one;
}
