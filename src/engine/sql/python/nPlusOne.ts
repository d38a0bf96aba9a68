/**
 * N+1 detection for Python: queries (Django managers, SQLAlchemy sessions, DB-API cursors) executed
 * per item of a `for` loop or comprehension; lazy relationship access on model instances iterated
 * from a queryset/select that did not eager-load them (select_related / prefetch_related /
 * selectinload / joinedload); per-row writes (`obj.save()`, `session.add(obj)`).
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import type { NodeIndex } from '../nodeIndex';
import type { PyConstness } from './constness';
import { eagerLoadFix } from './eagerLoad';
import { perObjectFindings, perObjectFunctions } from './perObject';
import { chainCalls, keywordArg, outermostPyChain, positionalArgs, pyCalleeName, pyPath, targetNames, unwrapPy } from './syntax';
import { PY_ALWAYS_QUERY_METHODS, PY_CACHED_MANAGER_METHODS, PY_PER_CALL_QUERIES, PY_QUERYING_ATTRIBUTES, PY_QUERYSET_NAMES } from './tables';

export interface PyLoop {
  node: SyntaxNode;
  body: SyntaxNode;
  iterable: SyntaxNode;
  itemNames: Set<string>;
  itemName?: string;
}

const SESSION = /^(session|db|db_session|dbsession|sess|conn|connection|cursor|cur|engine)$|session$/;
const SESSION_OPS = new Set(['query', 'get', 'execute', 'scalars', 'scalar', 'fetch', 'fetchrow', 'fetchval', 'exec_driver_sql']);
const EAGER = new Set(['select_related', 'prefetch_related', 'options', 'joinedload', 'selectinload', 'subqueryload', 'values', 'values_list', 'contains_eager']);
const MANAGER_METHODS = new Set(['all', 'filter', 'exclude', 'count', 'first', 'last', 'exists', 'order_by', 'values', 'values_list', 'get', 'aggregate', 'annotate']);
const FLASK_QUERY_TERMINALS = new Set(['all', 'first', 'one', 'one_or_none', 'scalar', 'count', 'get', 'get_or_404', 'first_or_404', 'paginate']);
/** Flask-SQLAlchemy builders: `Model.query.filter_by(x=item.id)` built per item is run per item (iterated, `.first()` later). */
const FLASK_QUERY_BUILDERS = new Set(['filter', 'filter_by', 'join', 'outerjoin', 'order_by', 'with_entities', 'limit', 'offset', 'group_by', 'having']);
/** Wrappers whose argument is what the loop iterates: `enumerate(q)`, `sorted(q)`. */
const ITERATION_WRAPPERS = /^(enumerate|sorted|list|reversed|tuple|iter)$/;
const COLUMN_LIKE = /(_at|_on|_date|_time|_id|_ids|date|time|status|type|kind|_json|_data|amount|price|_cents|total)$/;
const SCALAR_ATTRS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond', 'days', 'seconds', 'tzinfo', 'value', 'real', 'imag', 'hex']);

const FILE_FIELD = /(image|file|photo|avatar|picture|logo|thumbnail|attachment|document|icon|media)s?$/i;
const FIELD_FILE_ATTRS = new Set(['url', 'path', 'size', 'width', 'height', 'file']);

export const PY_LOOP_TYPES = ['for_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'];

export function findPyLoops(index: NodeIndex): PyLoop[] {
  const loops: PyLoop[] = [];
  for (const n of index.of(...PY_LOOP_TYPES)) {
    if (n.type === 'for_statement') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const body = n.childForFieldName('body');
      if (left && right && body) loops.push(makeLoop(n, body, right, left));
    } else {
      const clause = n.namedChildren.find((c) => c?.type === 'for_in_clause');
      const left = clause?.childForFieldName('left');
      const right = clause?.childForFieldName('right');
      if (clause && left && right) loops.push(makeLoop(n, n, right, left));
    }
  }
  return loops;
}

function makeLoop(node: SyntaxNode, body: SyntaxNode, iterable: SyntaxNode, left: SyntaxNode): PyLoop {
  const names = targetNames(left).map((t) => t.text);
  const itemNames = new Set(names.some((x) => /chunk|batch|page/i.test(x)) ? [] : names);
  for (const a of body.descendantsOfType('assignment')) {
    const l = a?.childForFieldName('left');
    const r = a?.childForFieldName('right');
    if (l?.type === 'identifier' && r && mentionsPy(r, itemNames)) itemNames.add(l.text);
  }
  return { node, body, iterable, itemNames, itemName: left.type === 'identifier' ? left.text : enumeratedItem(left, iterable) };
}

/** `for i, x in enumerate(rows)`: the item is the second name. */
function enumeratedItem(left: SyntaxNode, iterable: SyntaxNode): string | undefined {
  const it = unwrapPy(iterable);
  if (it.type !== 'call' || it.childForFieldName('function')?.text !== 'enumerate') return undefined;
  const names = left.namedChildren.filter((c): c is SyntaxNode => c !== null);
  return names.length === 2 && names[1].type === 'identifier' ? names[1].text : undefined;
}

/** What a loop iterates once wrappers are peeled off: `enumerate(sorted(q))` → `q`. */
function iteratedExpression(iterable: SyntaxNode): SyntaxNode {
  let expr = unwrapPy(iterable);
  for (let depth = 0; depth < 3 && expr.type === 'call'; depth++) {
    const fn = expr.childForFieldName('function');
    const first = positionalArgs(expr)[0];
    if (fn?.type !== 'identifier' || !ITERATION_WRAPPERS.test(fn.text) || !first) break;
    expr = unwrapPy(first);
  }
  return expr;
}

export function mentionsPy(node: SyntaxNode, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  if (node.type === 'identifier' && names.has(node.text)) return true;
  return node.descendantsOfType('identifier').some((i) => i !== null && names.has(i.text) && i.parent?.type !== 'keyword_argument');
}

function inside(outer: SyntaxNode, node: SyntaxNode): boolean {
  // Comprehensions: only the element expression and conditions run per item, not the iterable.
  return node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
}

function isPerItem(loop: PyLoop, node: SyntaxNode): boolean {
  return inside(loop.body, node) && !inside(loop.iterable, node);
}

export function analyzePyNPlusOne(file: FileContext, index: NodeIndex, calls: readonly SyntaxNode[], constness: PyConstness): RawFinding[] {
  const loops = findPyLoops(index);
  const perObject = perObjectFunctions(index);
  if (loops.length === 0 && perObject.length === 0) return [];
  const out: RawFinding[] = [];
  const seen = new Set<number>();
  const django = importsDjango(index);
  for (const call of calls) {
    const loop = loops.filter((l) => isPerItem(l, call)).sort((a, b) => b.body.startIndex - a.body.startIndex).find((l) => l.itemNames.size > 0);
    if (!loop) continue;
    const kind = queryKind(call, django);
    if (!kind) continue;
    const span = outermostPyChain(call);
    if (seen.has(span.id)) continue;
    // `ContentType.objects.db_manager(db).get_for_model(m)`: the chain ends in a cached lookup.
    if (span.type === 'call' && PY_CACHED_MANAGER_METHODS.has(pyCalleeName(span) ?? '')) continue;
    if (!dependsOnItemPy(span, call, kind, loop)) continue;
    seen.add(span.id);
    out.push({
      category: 'n-plus-one',
      node: span,
      message:
        kind === 'write'
          ? `N+1 write: \`${short(span.text)}\` writes one row per item of \`${short(loop.iterable.text)}\`. Use one bulk statement (bulk_create / bulk_update / session.add_all + a single flush, or an UPDATE … WHERE id IN …).`
          : `N+1 query: \`${short(span.text)}\` runs once per item of \`${short(loop.iterable.text)}\`, so N items cost N+1 round trips. Query once for all items (filter(id__in=…) / where(Model.id.in_(…))) and look rows up in memory.`,
      related: [related(file, loop.node, 'The loop')],
      fixes: [],
    });
  }
  const helpers = helperQueries(index, calls, django);
  for (const call of calls) {
    const fn = call.childForFieldName('function');
    const key = fn ? pyPath(fn).join('.') : '';
    const helper = helpers.get(key);
    const importedHelper = !helper && file.imported?.get(key)?.executesQuery;
    if (!importedHelper && (!helper || (helper.startIndex <= call.startIndex && call.endIndex <= helper.endIndex))) continue;
    const loop = loops.filter((l) => isPerItem(l, call)).sort((a, b) => b.body.startIndex - a.body.startIndex).find((l) => l.itemNames.size > 0);
    if (!loop || !mentionsPy(call.childForFieldName('arguments') ?? call, loop.itemNames) || seen.has(call.id)) continue;
    seen.add(call.id);
    out.push({
      category: 'n-plus-one',
      node: call,
      message: `N+1 query: ${key}() queries the database and is called once per item of \`${short(loop.iterable.text)}\`. Fetch what it needs for all items in one query before the loop (prefetch_related / an IN filter), then look it up per item.`,
      related: [related(file, loop.node, 'The loop'), ...(helper ? [related(file, helper, 'The function that queries')] : [])],
      fixes: [],
    });
  }
  out.push(...lazyRelationFindings(file, loops, constness, django, seen));
  if (perObject.length) out.push(...perObjectFindings(file, perObject, calls, (c) => queryKind(c, django) === 'query', seen));
  return out;
}

/**
 * Functions of this file that run a query (a manager/session/cursor call, or a related-manager query on
 * one of their parameters), keyed by how they are called: `name` or `self.name`.
 */
function helperQueries(index: NodeIndex, calls: readonly SyntaxNode[], django: boolean): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  const functions = index.of('function_definition');
  if (functions.length === 0) return out;
  for (const call of calls) {
    // A helper's `param.rel.all()` may read a prefetched cache; only lookups that always query count.
    const rm = django ? relatedManagerCall(call) : null;
    const relatedOnParam = rm !== null && (PY_ALWAYS_QUERY_METHODS.has(rm.method) || (rm.method === 'get' && (call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a?.type === 'keyword_argument')));
    if (!relatedOnParam && !queryKind(call, django)) continue;
    let fn: SyntaxNode | null = call.parent;
    while (fn && fn.type !== 'function_definition') fn = fn.parent;
    const name = fn?.childForFieldName('name')?.text;
    if (!fn || !name) continue;
    if (relatedOnParam) {
      const root = relatedManagerCall(call)!.root;
      const params = fn.childForFieldName('parameters')?.namedChildren.map((p) => (p?.type === 'identifier' ? p.text : p?.childForFieldName('name')?.text ?? p?.namedChildren[0]?.text)) ?? [];
      if (!params.includes(root)) continue;
    }
    const inClass = fn.parent?.type === 'block' && fn.parent.parent?.type === 'class_definition';
    const decorated = fn.parent?.type === 'decorated_definition' && fn.parent.parent?.type === 'block' && fn.parent.parent.parent?.type === 'class_definition';
    const key = inClass || decorated ? `self.${name}` : name;
    if (!out.has(key)) out.set(key, fn);
  }
  return out;
}

/** `x.rel.filter(…)` / `item.a.b.all()`: a related-manager query; `root` is the chain's first name. */
function relatedManagerCall(call: SyntaxNode): { root: string; method: string; path: string[] } | null {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return null;
  const path = pyPath(fn);
  const method = path[path.length - 1];
  if (path.length < 3 || !MANAGER_METHODS.has(method) || path.includes('objects') || path.some((p) => p.endsWith('()'))) return null;
  if (!/^[a-z_]\w*$/.test(path[0]) || path[0] === 'self' || path[0] === 'cls') return null;
  return { root: path[0], method, path };
}

/** 'query' for a database round trip, 'write' for a per-row ORM write, null otherwise. */
export function pyQueryKind(call: SyntaxNode, django: boolean): 'query' | 'write' | null {
  return queryKind(call, django);
}

function queryKind(call: SyntaxNode, django: boolean): 'query' | 'write' | null {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier' && PY_PER_CALL_QUERIES.has(fn.text)) return 'query';
  if (fn?.type !== 'attribute') return null;
  const path = pyPath(fn);
  const name = path[path.length - 1];
  const receiver = path[path.length - 2] ?? '';
  const objects = path.indexOf('objects');
  // Django managers: Model.objects… / self.model.objects… (a local variable named `objects` is not one).
  if (objects > 0 && (/^[A-Z]/.test(path[objects - 1]) || path[objects - 1] === 'model')) {
    if (PY_CACHED_MANAGER_METHODS.has(name) || name === 'db_manager' || name === 'using') return null;
    if (name === 'create' || name === 'update' || name === 'get_or_create' || name === 'update_or_create') return 'write';
    return objects === path.length - 2 || MANAGER_METHODS.has(name) ? 'query' : null;
  }
  if (SESSION_OPS.has(name) && SESSION.test(receiver.replace(/^self\./, ''))) return 'query';
  // Flask-SQLAlchemy: Model.query.filter_by(…).first() / Model.query.get(id).
  if (path.length >= 3 && path[1] === 'query' && /^[A-Z]\w*$/.test(path[0]) && (FLASK_QUERY_TERMINALS.has(name) || FLASK_QUERY_BUILDERS.has(name))) return 'query';
  if (PY_PER_CALL_QUERIES.has(name)) return 'query';
  if (name === 'execute' && /cursor|cur$|conn/.test(receiver)) return 'query';
  // Model.save() takes keyword arguments only; image.save(path, "png") is not a database write.
  if (django && name === 'save' && path.length === 2 && positionalArgs(call).length === 0) return 'write';
  if ((name === 'add' || name === 'merge') && /session$/.test(receiver)) return 'write';
  return null;
}

/**
 * The per-item dependence that makes a query an N+1: the item in the bound values or ORM filters.
 * Executing a list of statements (`for q in queries: cur.execute(q)`) or per-item DDL is not one.
 */
function dependsOnItemPy(span: SyntaxNode, call: SyntaxNode, kind: 'query' | 'write', loop: PyLoop): boolean {
  const args = positionalArgs(call);
  const first = args[0] ? unwrapPy(args[0]) : null;
  if (first && /^(execute|exec_driver_sql|executemany|fetch|fetchrow|fetchval)$/.test(pyCalleeName(call) ?? '')) {
    if (first.type === 'identifier' && loop.itemNames.has(first.text)) return false;
    const literal = leadingString(first);
    if (literal && /^\s*[a-z]*["']{1,3}\s*(alter|drop|create|pragma|grant|revoke|truncate|vacuum|analyze|set|comment)\b/i.test(literal.text)) return false;
    if (first.type === 'call' && /^_?(Drop|Create|Alter|Set|Add)[A-Z]/.test(pyCalleeName(first) ?? '')) return false;
  }
  if (kind === 'write' && mentionsPy(call, loop.itemNames)) return true;
  return chainCalls(span).some((c) => mentionsPy(c.childForFieldName('arguments') ?? c, loop.itemNames));
}

/** `for c in Customer.objects.all(): c.orders.count()` / `len(customer.orders)` without eager loading. */
function lazyRelationFindings(file: FileContext, loops: PyLoop[], constness: PyConstness, django: boolean, seen: Set<number>): RawFinding[] {
  const out: RawFinding[] = [];
  for (const loop of loops) {
    if (!loop.itemName) continue;
    const source = ormSource(loop.iterable, constness, django);
    if (django) out.push(...relatedManagerFindings(file, loop, source, seen));
    if (source?.orm === 'django') out.push(...deferredFieldFindings(file, loop, source, seen));
    out.push(...queryingAttributeFindings(file, loop, seen));
    if (source?.orm === 'sqlalchemy') out.push(...attributeWriteFindings(file, loop, seen));
    if (!source || source.eager) continue;
    const reported = new Set<string>();
    for (const attr of loop.body.descendantsOfType('attribute')) {
      if (!attr || !isPerItem(loop, attr)) continue;
      const obj = attr.childForFieldName('object');
      const rel = attr.childForFieldName('attribute')?.text;
      // Django's convention: `content_type` / `base_content_type` are ForeignKeys to ContentType, and the
      // descriptor queries on first access per row (the ContentType cache serves only get_for_id/get_for_model).
      const contentType = source.orm === 'django' && /(^|_)content_type$/.test(rel ?? '');
      // `obj._meta`, `obj._state`: the model's own bookkeeping, never a relation.
      if (obj?.type !== 'identifier' || obj.text !== loop.itemName || !rel || rel.startsWith('_') || reported.has(rel) || (COLUMN_LIKE.test(rel) && !contentType)) continue;
      if (attr.parent?.type === 'assignment' && attr.parent.childForFieldName('left')?.id === attr.id) continue;
      const use = relationUse(attr) ?? (contentType ? 'single' : null);
      if (!use) continue;
      reported.add(rel);
      const fix = source.guessed ? null : eagerLoadFix(file, source, rel, use);
      out.push({
        category: 'n-plus-one',
        node: attr,
        message: `N+1 query: \`${attr.text}\` is a lazy relationship loaded with a separate query for every item of \`${short(loop.iterable.text)}\`. Eager-load it on the query (${source.orm === 'django' ? (use === 'collection' ? `prefetch_related("${rel}")` : `select_related("${rel}")`) : `.options(${use === 'collection' ? 'selectinload' : 'joinedload'}(${source.model ?? 'Model'}.${rel}))`}).`,
        related: [related(file, loop.node, 'The loop'), related(file, source.query, 'The query that loads the items')],
        fixes: fix ? [fix] : [],
      });
    }
  }
  return out;
}

/** Per-item related-manager queries: `item.values.filter(…)`, `item.fk.rel.all()` over an un-prefetched queryset. */
function relatedManagerFindings(file: FileContext, loop: PyLoop, source: OrmSource | null, seen: Set<number>): RawFinding[] {
  const out: RawFinding[] = [];
  for (const call of loop.body.descendantsOfType('call')) {
    if (!call || !isPerItem(loop, call) || seen.has(call.id)) continue;
    const rel = relatedManagerCall(call);
    if (!rel || !loop.itemNames.has(rel.root)) continue;
    const hasLookups = (call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a?.type === 'keyword_argument');
    const always = PY_ALWAYS_QUERY_METHODS.has(rel.method) || (rel.method === 'get' && hasLookups);
    // `row.data.get("key")`: a positional-only get reads a dict / JSON column.
    if (rel.method === 'get' && !hasLookups && positionalArgs(call).length > 0) continue;
    if (!always && !(source && !source.eager)) continue;
    // `item.rel.all()` over a traced queryset: the lazy-relation finding below reports it, with the eager-load fix.
    if (!always && source && !source.guessed && rel.path.length === 3) continue;
    seen.add(call.id);
    out.push({
      category: 'n-plus-one',
      node: call,
      message: `N+1 query: \`${short(call.text)}\` queries the related objects once per item of \`${short(loop.iterable.text)}\`. Prefetch them for all items (prefetch_related("${rel.path.slice(1, -1).join('__')}"), with a Prefetch(queryset=…) for filters) and use the prefetched cache.`,
      related: [related(file, loop.node, 'The loop')],
      fixes: [],
    });
  }
  return out;
}

/**
 * Django deferred fields: `for u in User.objects.only("id")` then `u.email`, or `.defer("bio")` then
 * `u.bio` — each access loads the field with its own query.
 */
function deferredFieldFindings(file: FileContext, loop: PyLoop, source: OrmSource, seen: Set<number>): RawFinding[] {
  const out: RawFinding[] = [];
  const calls = [source.query, ...source.query.descendantsOfType('call')].filter((c): c is SyntaxNode => c?.type === 'call');
  const fieldsOf = (name: string): string[] | null => {
    const c = calls.find((x) => pyPath(x.childForFieldName('function')!).pop() === name);
    if (!c) return null;
    return positionalArgs(c).filter((a) => a.type === 'string').map((a) => a.text.replace(/^[a-z]*["']+|["']+$/gi, '').split('__')[0]);
  };
  const only = fieldsOf('only');
  const deferred = fieldsOf('defer');
  if (!only && !deferred) return out;
  for (const attr of loop.body.descendantsOfType('attribute')) {
    if (!attr || !isPerItem(loop, attr) || seen.has(attr.id)) continue;
    const obj = attr.childForFieldName('object');
    const field = attr.childForFieldName('attribute')?.text ?? '';
    if (obj?.type !== 'identifier' || obj.text !== loop.itemName) continue;
    if (attr.parent?.type === 'call' && attr.parent.childForFieldName('function')?.id === attr.id) continue; // a method
    if (attr.parent?.type === 'assignment' && attr.parent.childForFieldName('left')?.id === attr.id) continue;
    const isDeferred = (deferred?.includes(field) ?? false) || (only !== null && !only.includes(field) && !['pk', 'id', 'objects', '_state'].includes(field) && /^[a-z][a-z0-9_]*$/.test(field) && !field.endsWith('_id'));
    if (!isDeferred) continue;
    seen.add(attr.id);
    out.push({
      category: 'n-plus-one',
      node: attr,
      message: `N+1 query: \`${field}\` is deferred by ${only ? '.only()' : '.defer()'} on the query, so \`${attr.text}\` loads it with one query per item of \`${short(loop.iterable.text)}\`. Include it in .only(…) (or drop it from .defer(…)).`,
      related: [related(file, loop.node, 'The loop'), related(file, source.query, 'The query that defers the field')],
      fixes: [],
    });
    break;
  }
  return out;
}

/** Attributes that run a query on every access (tables.ts PY_QUERYING_ATTRIBUTES), per item. */
function queryingAttributeFindings(file: FileContext, loop: PyLoop, seen: Set<number>): RawFinding[] {
  const out: RawFinding[] = [];
  for (const attr of loop.body.descendantsOfType('attribute')) {
    if (!attr || !isPerItem(loop, attr) || seen.has(attr.id)) continue;
    const name = attr.childForFieldName('attribute')?.text ?? '';
    const obj = attr.childForFieldName('object');
    if (!PY_QUERYING_ATTRIBUTES.has(name) || obj?.type !== 'identifier' || !loop.itemNames.has(obj.text)) continue;
    seen.add(attr.id);
    out.push({
      category: 'n-plus-one',
      node: attr,
      message: `N+1 query: \`${attr.text}\` runs a query for every item of \`${short(loop.iterable.text)}\`. Load the specific objects for all items at once (e.g. Wagtail's .specific() on the queryset).`,
      related: [related(file, loop.node, 'The loop')],
      fixes: [],
    });
  }
  return out;
}

/** SQLAlchemy rows changed one by one in a loop: one UPDATE per row at flush. */
function attributeWriteFindings(file: FileContext, loop: PyLoop, seen: Set<number>): RawFinding[] {
  const out: RawFinding[] = [];
  // `session.add(row)` in the same loop is already reported as the per-row write.
  if (loop.body.descendantsOfType('call').some((c) => c && /^(add|merge|save)$/.test(pyCalleeName(c) ?? '') && mentionsPy(c, new Set([loop.itemName ?? ''])))) return out;
  for (const a of loop.body.descendantsOfType('assignment')) {
    const left = a?.childForFieldName('left');
    const obj = left?.type === 'attribute' ? left.childForFieldName('object') : null;
    if (!a || !left || obj?.type !== 'identifier' || obj.text !== loop.itemName || seen.has(a.id) || !isPerItem(loop, a)) continue;
    seen.add(a.id);
    out.push({
      category: 'n-plus-one',
      node: a,
      message: `N+1 write: setting \`${left.text}\` on each row of \`${short(loop.iterable.text)}\` issues one UPDATE per row at flush. Use one UPDATE … WHERE for all of them (session.execute(update(Model).where(…).values(…))).`,
      related: [related(file, loop.node, 'The loop')],
      fixes: [],
    });
    break;
  }
  return out;
}

/** How a relationship attribute is used: as a row (`x.author.name`) or a collection (`len(x.items)`). */
function relationUse(attr: SyntaxNode): 'single' | 'collection' | null {
  const parent = attr.parent;
  if (!parent) return null;
  if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === attr.id) {
    const next = parent.childForFieldName('attribute')?.text ?? '';
    const called = parent.parent?.type === 'call' && parent.parent.childForFieldName('function')?.id === parent.id;
    // `row.data.get("key")`: a positional-only get is a dict/JSON column, not a related manager.
    if (called && next === 'get' && positionalArgs(parent.parent!).length > 0) return null;
    if (called) return MANAGER_METHODS.has(next) ? 'collection' : null;
    // `row.image.url`: a FileField/ImageField value (FieldFile), loaded with the row.
    if (FILE_FIELD.test(attr.childForFieldName('attribute')?.text ?? '') && FIELD_FILE_ATTRS.has(next)) return null;
    return SCALAR_ATTRS.has(next) ? null : 'single';
  }
  if (parent.type === 'argument_list' && parent.parent?.childForFieldName('function')?.text === 'len') return 'collection';
  if ((parent.type === 'for_statement' || parent.type === 'for_in_clause') && parent.childForFieldName('right')?.id === attr.id) return 'collection';
  if (parent.type === 'subscript' && parent.childForFieldName('value')?.id === attr.id) return 'collection';
  return null;
}

export interface OrmSource {
  orm: 'django' | 'sqlalchemy';
  /** The query expression (queryset chain or select(...)/query(...) call). */
  query: SyntaxNode;
  /** Where eager loading goes: the `.objects` attribute (Django) or the select()/query() call. */
  anchor: SyntaxNode;
  model?: string;
  eager: boolean;
  /** Known only by name (`self.queryset`): no rewrite offered. */
  guessed?: boolean;
}

/** Trace the iterable (directly or through one local assignment) to an ORM query. */
function ormSource(iterable: SyntaxNode, constness: PyConstness, django = false): OrmSource | null {
  let expr = iteratedExpression(iterable);
  // Refinements of one query (`q = Model.query…; q = q.filter(…)`): follow the variable back, keeping
  // every step, so eager loading added at any step counts.
  const steps: SyntaxNode[] = [];
  for (let hop = 0; hop < 4; hop++) {
    if (django && (expr.type === 'identifier' || expr.type === 'attribute') && PY_QUERYSET_NAMES.test(pyPath(expr).pop() ?? '')) {
      return { orm: 'django', query: expr, anchor: expr, eager: steps.some(hasEagerCall), guessed: true };
    }
    const root = chainRoot(expr);
    if (root?.type !== 'identifier') break;
    // Only a variable itself or method calls on it (`q.filter(…)`) refine the same query; `opts.fields` is another value.
    if (root !== expr && !pyPath(expr).slice(1).every((p) => p.endsWith('()'))) break;
    const defs = constness.lookup(root).filter((d) => d.node.startIndex < root.startIndex && d.kind === 'assign' && !(d.node.startIndex <= root.startIndex && root.endIndex <= d.node.endIndex));
    const last = defs[defs.length - 1];
    if (!last?.value) {
      if (root === expr) return null;
      break;
    }
    if (root !== expr) steps.push(expr);
    expr = iteratedExpression(last.value);
  }
  if (expr.type !== 'call' && expr.type !== 'attribute') return null;
  const calls = expr.descendantsOfType('call').filter((c): c is SyntaxNode => c !== null);
  if (expr.type === 'call') calls.unshift(expr);
  const names = calls.map((c) => pyPath(c.childForFieldName('function')!).pop() ?? '');
  const eager = names.some((n) => EAGER.has(n)) || steps.some(hasEagerCall);
  // `self.qs.order_by(…)`: a chain on a variable that holds a queryset by convention.
  const head = pyPath(expr);
  if (django && head.length >= 2 && PY_QUERYSET_NAMES.test(head[0] === 'self' ? head[1] : head[0])) {
    return { orm: 'django', query: expr, anchor: expr, eager, guessed: true };
  }
  // `obj.attributes.all()`: a related manager's queryset loads bare rows; their own relations are lazy
  // unless this chain eager-loads them.
  if (django && expr.type === 'call' && isRelatedManagerQuery(head)) {
    return { orm: 'django', query: expr, anchor: expr, eager, guessed: true };
  }
  const objects = expr.descendantsOfType('attribute').find((a) => a?.childForFieldName('attribute')?.text === 'objects');
  if (objects) {
    return { orm: 'django', query: expr, anchor: objects, model: objects.childForFieldName('object')?.text, eager };
  }
  const sel = calls.find((c) => {
    const p = pyPath(c.childForFieldName('function')!);
    const n = p[p.length - 1];
    return (n === 'select' && p.length === 1) || (n === 'query' && (/session$/.test(p[p.length - 2] ?? '') || SESSION.test(p[p.length - 2] ?? '')));
  });
  // Flask-SQLAlchemy: `Model.query.filter_by(…).all()`.
  const legacy = expr.descendantsOfType('attribute').find((a) => a?.childForFieldName('attribute')?.text === 'query' && /^[A-Z]\w*$/.test(a.childForFieldName('object')?.text ?? ''));
  if (!sel && legacy) return { orm: 'sqlalchemy', query: expr, anchor: legacy, model: legacy.childForFieldName('object')!.text, eager, guessed: true };
  if (!sel) return null;
  const model = sel.childForFieldName('arguments')?.namedChildren[0];
  if (model?.type !== 'identifier') return null;
  return { orm: 'sqlalchemy', query: expr, anchor: sel, model: model.text, eager };
}

const RELATED_QUERYSET_METHODS = new Set(['all()', 'filter()', 'exclude()', 'order_by()', 'select_related()', 'prefetch_related()', 'distinct()']);

function isRelatedManagerQuery(path: readonly string[]): boolean {
  if (path.length < 3 || path.includes('objects') || !/^[a-z_]\w*$/.test(path[0]) || PY_QUERYSET_NAMES.test(path[0])) return false;
  const firstCall = path.findIndex((p) => p.endsWith('()'));
  return firstCall >= 2 && path.slice(firstCall).every((p) => RELATED_QUERYSET_METHODS.has(p));
}

/** The first link of a method chain: `q` in `q.filter(…).order_by(…)`, the node itself for a name. */
function chainRoot(expr: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = unwrapPy(expr);
  while (n && (n.type === 'call' || n.type === 'attribute')) {
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      n = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    } else n = n.childForFieldName('object');
    if (n) n = unwrapPy(n);
  }
  return n;
}

function hasEagerCall(expr: SyntaxNode): boolean {
  return [expr, ...expr.descendantsOfType('call')].some((c) => c?.type === 'call' && EAGER.has(pyPath(c.childForFieldName('function')!).pop() ?? ''));
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 48 ? `${one.slice(0, 45)}…` : one;
}

/** Django code: imports from django or from a models module (`from .models import Book`). */
function importsDjango(index: NodeIndex): boolean {
  return index.of('import_statement', 'import_from_statement').some((n) => {
    const mod = n.childForFieldName('module_name')?.text ?? n.namedChildren[0]?.text ?? '';
    return /^django\b/.test(mod) || /(^|\.)models$/.test(mod);
  });
}

/** The string a SQL argument starts with: `"…"`, `"…" % x`, `"…".format(x)`, `"…" + x`. */
function leadingString(node: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = node;
  for (let depth = 0; n && depth < 4; depth++) {
    if (n.type === 'string' || n.type === 'concatenated_string') return n;
    if (n.type === 'binary_operator') n = n.childForFieldName('left');
    else if (n.type === 'call' && n.childForFieldName('function')?.type === 'attribute') n = n.childForFieldName('function')!.childForFieldName('object');
    else return null;
  }
  return null;
}
