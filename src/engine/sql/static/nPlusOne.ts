/**
 * N+1 for Go and Java: a database call (or a lazy JPA collection) reached once per item of a loop.
 *
 * - Go: database/sql / sqlx / pgx statements and GORM finders (`First`, `Find`, `Take`, `FirstOrCreate`,
 *   `Related`, `Association(…).Find` …) on a receiver chain rooted at a database handle.
 * - Java: JDBC / JdbcTemplate / JPA calls, Spring Data repositories (by name or declared type), and
 *   getters of `@OneToMany` / `@ManyToMany` collections (not `FetchType.EAGER`) of an entity declared in
 *   the same file, called on the loop item.
 *
 * A call counts only when it mentions the loop's item (a query that does not depend on the item is
 * repeated but could not be batched). GORM `Related` / `Association(…).Find` inside a range over a slice
 * that the same function loaded with `Find(&slice)` get a fix: `Preload("Field")` on that query and the
 * per-item call removed.
 */
import type { FixWire } from '../../../protocol';
import type { SyntaxNode } from '../../syntax/treeSitter';
import { insertAt, related, replaceRange, type FileContext, type RawFinding } from '../model';
import type { NodeIndex } from '../nodeIndex';
import type { StaticConstness } from './constness';
import type { Callee, StaticSpec } from './spec';

interface Loop {
  node: SyntaxNode;
  body: SyntaxNode;
  items: string[];
  iterable?: SyntaxNode;
}

export function staticNPlusOne(
  file: FileContext,
  index: NodeIndex,
  spec: StaticSpec,
  calls: Array<{ node: SyntaxNode; callee: Callee }>,
  constness: StaticConstness,
): RawFinding[] {
  const loops: Loop[] = [];
  for (const node of index.of(...spec.loopTypes)) {
    const l = spec.loop(node);
    if (l && l.items.length > 0) loops.push({ node, ...l });
  }
  // Per-row writes in test setup and fixtures are not what a user pays for; tests get no N+1 findings.
  if (loops.length === 0 || TEST_FILE.test(file.path)) return [];
  const lazy = spec.language === 'java' && /@(OneToMany|ManyToMany)\b/.test(file.text) ? lazyCollections(index) : new Map<string, LazyField[]>();
  let helpers: Map<string, { what: string; call: SyntaxNode }> | undefined;
  const declared = new Set(index.of(...spec.scopeTypes).map((d) => (d.type === 'function_declaration' || d.type === 'method_declaration' ? d.childForFieldName('name')?.text ?? '' : '')));
  const out: RawFinding[] = [];
  const flagged = new Set<number>();
  for (const { node: call, callee } of calls) {
    const receiver = spec.receiverOf?.(call);
    if (!loops.some((l) => index.contains(l.body, call))) continue;
    const rootType = () => (receiver ? constness.typeOf(rootOf(receiver)) ?? constness.typeOf(receiver) : undefined);
    const lazyField = spec.language === 'java' ? lazyGetter(call, callee, loops, index, lazy, constness) : undefined;
    const helper = !lazyField && callee.receiver.length <= 1 && declared.has(callee.name) ? (helpers ??= queryHelpers(index, spec, calls, constness)).get(callee.name) : undefined;
    if (!lazyField && !helper && !spec.isDbCall(callee, rootType)) continue;
    const loop = loops
      .filter((l) => index.contains(l.body, call))
      .sort((a, b) => b.body.startIndex - a.body.startIndex)
      .find((l) => mentions(call, itemNames(l, loops, index, spec)));
    if (!loop) continue;
    // `if len(batch) == batchSize { flush(batch) }`: one statement per K items, the batching fix itself.
    if (batchFlush(call, loop)) continue;
    // `…; tx.Find(value); return scope`: the loop leaves after its first query (a search, not a per-item query).
    if (exitsAfter(call, loop)) continue;
    // Running a list of statements (`for _, s := range stmts { db.Exec(s) }`, DDL per table name) is not
    // one query per item: the item is the SQL itself, not a value in it.
    if (itemIsTheStatement(call, callee, loop.items, spec)) continue;
    // A statement per table / column / index (`for _, t := range m.tables { m.Exec(truncate(t)) }`) is schema
    // tooling: one statement per schema object, not a query per row.
    if (SCHEMA_OBJECTS.test(loop.iterable?.text ?? '') && (helper || spec.sinkShape(callee) === 'statement')) continue;
    // The fields of a model (`range scope.Fields()`) are schema-sized: an ORM saving each association of one record.
    if (MODEL_FIELDS.test(loop.iterable?.text ?? '')) continue;
    // One finding per chain: `db.Model(&a).Association("Tags").Find(…)` is one query, reported at the outermost call.
    if (flagged.has(call.id)) continue;
    for (const inner of call.descendantsOfType(spec.callType)) if (inner) flagged.add(inner.id);
    const what = [...callee.receiver, callee.name].join('.');
    const items = (loop.iterable?.text ?? 'the loop').replace(/\s+/g, ' ').slice(0, 40);
    let message: string;
    if (helper && !spec.isDbCall(callee, rootType)) {
      message = `N+1 query: ${what}() runs a query (${helper.what}() in ${callee.name}) once per item of \`${items}\`, so N items cost N+1 round trips. Load what the loop needs in one query before it (WHERE id IN (…)${spec.language === 'go' ? ', gorm Preload' : ', findAllById, JOIN FETCH'}) and look it up in a map.`;
    } else if (lazyField) {
      message = `N+1 query: ${what}() loads the lazy ${lazyField.relation} collection \`${lazyField.field}\` of ${lazyField.entity} once per item of \`${items}\`. Fetch it with the query that loads the items: JOIN FETCH in the JPQL, or @EntityGraph(attributePaths = "${lazyField.field}") on the repository method.`;
    } else if (spec.language === 'go') {
      const gorm = /^(Related|Association|First|Find|Take|Last|FirstOrCreate|FirstOrInit|Count|Pluck)$/.test(callee.name) || callee.receiver.some((r) => r.startsWith('Association('));
      message = `N+1 query: ${what}() runs once per item of \`${items}\`, so N items cost N+1 round trips. ${gorm ? 'Load the association with the items (gorm Preload("…")), or query' : 'Query'} once for all items (WHERE id IN (?) / = ANY($1)) and look rows up in a map.`;
    } else {
      message = `N+1 query: ${what}() runs once per item of \`${items}\`, so N items cost N+1 round trips. Query once for all items (findAllById / findBy…In, WHERE id IN (:ids), or a JOIN FETCH) and look rows up in a map.`;
    }
    out.push({
      category: 'n-plus-one',
      node: call,
      message,
      related: helper && !spec.isDbCall(callee, rootType) ? [related(file, loop.node, 'The loop'), related(file, helper.call, 'The query inside the helper')] : [related(file, loop.node, 'The loop')],
      fixes: spec.language === 'go' ? preloadFix(file, index, call, callee, loop) : [],
    });
  }
  return out;
}

const SCHEMA_OBJECTS = /(^|[.\s])(tables|columns|cols|indexes|indices|constraints|sequences|schemas|migrations|stmts|statements|queries)(\[[^\]]*\])?\)?$/i;

const MODEL_FIELDS = /(^|\.)(Fields|StructFields|PrimaryFields|DeclaredFields|getDeclaredFields|getFields)\(\)$|(^|\.)(StructFields|ForeignFieldNames|ForeignDBNames)$/;

const TEST_FILE = /(_test\.go|Tests?\.java|IT\.java)$|(^|\/)src\/test\//;

function itemIsTheStatement(call: SyntaxNode, callee: Callee, items: readonly string[], spec: StaticSpec): boolean {
  // Only where the argument is SQL text: `repo.findById(id)` / `helper(item)` pass a value, not a statement.
  if (spec.sinkShape(callee) !== 'statement') return false;
  const sql = callee.args.find((a) => !/^(unary_expression|null_literal|nil)$/.test(a.type) && !/^(ctx|context)$/.test(a.text));
  if (sql?.type === 'identifier' && items.includes(sql.text)) return true;
  // fmt.Sprintf("DROP TABLE %v", table) / "ALTER TABLE " + t, anywhere in the chain: a statement per name.
  const ddl = [...spec.stringTypes].flatMap((t) => call.descendantsOfType(t)).some((lit) => lit !== null && /^\W*(create|drop|alter|truncate)\b/i.test(spec.stringValue(lit)));
  return ddl && mentions(call, items);
}

/**
 * Same-file functions and methods that run a query (directly, or through another such helper): a call
 * to one inside a loop is a query per item. Keyed by name; a name declared twice counts if either does.
 */
function queryHelpers(index: NodeIndex, spec: StaticSpec, calls: Array<{ node: SyntaxNode; callee: Callee }>, constness: StaticConstness): Map<string, { what: string; call: SyntaxNode }> {
  const decls = index.of(...spec.scopeTypes).filter((s) => s.type === 'function_declaration' || s.type === 'method_declaration');
  const out = new Map<string, { what: string; call: SyntaxNode }>();
  if (decls.length === 0) return out;
  const inside = (decl: SyntaxNode) => calls.filter((c) => index.contains(decl, c.node));
  const bodies = decls.map((d) => ({ name: d.childForFieldName('name')?.text ?? '', calls: inside(d) })).filter((d) => d.name);
  for (const b of bodies) {
    const db = b.calls.find((c) => {
      const receiver = spec.receiverOf?.(c.node);
      return spec.isDbCall(c.callee, () => (receiver ? constness.typeOf(rootOf(receiver)) : undefined));
    });
    if (db) out.set(b.name, { what: [...db.callee.receiver, db.callee.name].join('.'), call: db.node });
  }
  // One more level: a helper that calls a helper.
  for (const b of bodies) {
    if (out.has(b.name)) continue;
    const via = b.calls.find((c) => c.callee.receiver.length <= 1 && out.has(c.callee.name) && c.callee.name !== b.name);
    if (via) out.set(b.name, out.get(via.callee.name)!);
  }
  return out;
}

/**
 * The loop's item names and the names derived from them inside its body: `bi, err := bind(elem)`,
 * `bulk = append(bulk, c.Create().SetX(item.X))`, an inner loop over `item.Children`. A statement built from
 * the item and run per iteration depends on the item even when it never names it.
 */
function itemNames(loop: Loop & { derived?: string[] }, loops: readonly Loop[], index: NodeIndex, spec: StaticSpec): string[] {
  if (loop.derived) return loop.derived;
  const names = new Set(loop.items);
  const binds = index.of(...spec.bindingTypes).filter((b) => index.contains(loop.body, b));
  const inner = loops.filter((l) => l !== loop && index.contains(loop.body, l.node));
  for (let round = 0, grew = true; grew && round < 8; round++) {
    grew = false;
    const add = (n: string): void => {
      if (!names.has(n)) {
        names.add(n);
        grew = true;
      }
    };
    for (const b of binds) {
      // `table, elem, err := m.tableForPointer(ptr)`: every name bound from a multi-result call derives from its arguments.
      const whole = b.childForFieldName('right') ?? b.childForFieldName('value');
      for (const v of spec.bindings(b)) {
        const from = v.value ?? (v.kind === 'opaque' && b.type !== 'range_clause' ? whole : null);
        if (from && v.name && mentions(from, [...names])) add(v.name);
      }
    }
    for (const l of inner) if (l.iterable && mentions(l.iterable, [...names])) l.items.forEach(add);
  }
  loop.derived = [...names];
  return loop.derived;
}

// A size reaching a bound (not `len(x) > 0`, which only skips empty items), or every K-th iteration.
const BATCH_GUARD = /(\blen\([^()]*\)|\.(size|length)\(\))\s*(==|>=|>)\s*(?!0\b)[\w.]+|%\s*\w+\s*==\s*0/;

function batchFlush(call: SyntaxNode, loop: Loop): boolean {
  for (let n = call.parent; n && n.id !== loop.body.id; n = n.parent) {
    if (n.type !== 'if_statement') continue;
    const cond = n.childForFieldName('condition');
    if (cond && BATCH_GUARD.test(cond.text)) return true;
  }
  return false;
}

function exitsAfter(call: SyntaxNode, loop: Loop): boolean {
  for (let n: SyntaxNode = call; n.parent && n.id !== loop.body.id; n = n.parent) {
    if (n.parent.type !== 'block' && n.parent.type !== 'statement_list' && n.parent.id !== loop.body.id) continue;
    for (let next = n.nextNamedSibling; next; next = next.nextNamedSibling) if (next.type === 'return_statement' || next.type === 'break_statement') return true;
  }
  return false;
}

function rootOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (let i = 0; i < 12; i++) {
    const next = n.childForFieldName('operand') ?? n.childForFieldName('object') ?? n.childForFieldName('function');
    if (!next) return n;
    n = next;
  }
  return n;
}

function mentions(node: SyntaxNode, names: readonly string[]): boolean {
  if (node.type === 'identifier' && names.includes(node.text)) return true;
  return node.descendantsOfType('identifier').some((i) => i !== null && names.includes(i.text));
}

interface LazyField {
  entity: string;
  field: string;
  relation: string;
}

/** Getter name → lazy collection fields of entities declared in this file. */
function lazyCollections(index: NodeIndex): Map<string, LazyField[]> {
  const out = new Map<string, LazyField[]>();
  for (const decl of index.of('variable_declarator')) {
    const field = decl.parent;
    if (field?.type !== 'field_declaration') continue;
    const mods = field.namedChildren.find((c) => c?.type === 'modifiers')?.text ?? '';
    const relation = /@(OneToMany|ManyToMany)\b/.exec(mods)?.[1];
    if (!relation || /FetchType\.EAGER/.test(mods)) continue;
    const name = decl.childForFieldName('name')?.text ?? '';
    let cls: SyntaxNode | null = field.parent;
    while (cls && cls.type !== 'class_declaration') cls = cls.parent;
    const entity = cls?.childForFieldName('name')?.text ?? '';
    const getter = `get${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    out.set(getter, [...(out.get(getter) ?? []), { entity, field: name, relation }]);
  }
  return out;
}

/** `item.getBooks()` on a loop item whose (declared) entity has a lazy `books` collection. */
function lazyGetter(call: SyntaxNode, callee: Callee, loops: Loop[], index: NodeIndex, lazy: Map<string, LazyField[]>, constness: StaticConstness): LazyField | undefined {
  const fields = lazy.get(callee.name);
  if (!fields || callee.receiver.length !== 1 || callee.args.length > 0) return undefined;
  const loop = loops.find((l) => index.contains(l.body, call) && l.items.includes(callee.receiver[0]));
  if (!loop) return undefined;
  // The item's declared type (`for (Author a : authors)`) picks the entity when the file says it.
  const type = loop.node.type === 'enhanced_for_statement' ? loop.node.childForFieldName('type')?.text : undefined;
  void constness;
  return fields.find((f) => !type || type === 'var' || f.entity === type);
}

/**
 * GORM: `for _, a := range articles { db.Model(&a).Related(&a.Author, "Author") }` after
 * `db.Find(&articles)` in the same function → `db.Preload("Author").Find(&articles)`, per-item call removed.
 */
function preloadFix(file: FileContext, index: NodeIndex, call: SyntaxNode, callee: Callee, loop: Loop): FixWire[] {
  const association = associationName(call, callee);
  const iterable = loop.iterable;
  if (!association || iterable?.type !== 'identifier') return [];
  const stmt = call.parent;
  if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'block' && stmt.parent?.type !== 'statement_list') return [];
  // The query that filled the slice: `<chain>.Find(&items)` before the loop, in the same function.
  const finds = index
    .of('call_expression')
    .filter((c) => c.endIndex <= loop.node.startIndex && /\.Find$/.test(c.childForFieldName('function')?.text ?? '') && (c.childForFieldName('arguments')?.namedChildren[0]?.text ?? '') === `&${iterable.text}`);
  const load = finds[finds.length - 1];
  if (!load) return [];
  const fn = load.childForFieldName('function');
  const operand = fn?.childForFieldName('operand');
  if (!operand) return [];
  const lineStart = file.text.lastIndexOf('\n', stmt.startIndex - 1) + 1;
  const lineEnd = file.text.indexOf('\n', stmt.endIndex);
  const onlyStatement = file.text.slice(lineStart, stmt.startIndex).trim() === '' && file.text.slice(stmt.endIndex, lineEnd < 0 ? undefined : lineEnd).trim() === '';
  if (!onlyStatement) return [];
  return [
    {
      title: `Preload "${association}" with the query that loads ${iterable.text} (one query instead of one per item)`,
      kind: 'eager-load',
      isPreferred: true,
      edits: [
        insertAt(file, operand.endIndex, `.Preload(${JSON.stringify(association)})`),
        replaceRange(file, lineStart, lineEnd < 0 ? file.text.length : lineEnd + 1, ''),
      ],
    },
  ];
}

function associationName(call: SyntaxNode, callee: Callee): string | undefined {
  if (callee.name === 'Related') {
    const [target, name] = callee.args;
    if (name && /string_literal$/.test(name.type)) return name.text.slice(1, -1);
    if (target?.type === 'unary_expression') return target.namedChildren[0]?.childForFieldName('field')?.text ?? undefined;
    return undefined;
  }
  if (callee.name === 'Find' && callee.receiver.some((r) => r === 'Association()')) {
    const assoc = call.descendantsOfType('call_expression').find((c) => c?.childForFieldName('function')?.childForFieldName('field')?.text === 'Association');
    const arg = assoc?.childForFieldName('arguments')?.namedChildren[0];
    return arg && /string_literal$/.test(arg.type) ? arg.text.slice(1, -1) : undefined;
  }
  return undefined;
}
