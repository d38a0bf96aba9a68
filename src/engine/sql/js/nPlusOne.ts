/**
 * N+1 detection for JS/TS: a database call (directly, or through a helper function in the same
 * file, one level deep) executed once per item of a loop or iteration callback, with arguments
 * that depend on the item. Prisma's dataloader batches `findUnique` calls issued in the same tick
 * (`Promise.all(items.map(…findUnique…))`), so that one form is not reported.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import { batchFix } from './batchFix';
import type { NodeIndex } from '../nodeIndex';
import { dbCallOf, mayBeDbCall, type DbCall } from './dbCalls';
import { findLoops, mentions, type Loop } from './loops';
import { argumentsOf, calleeOf, FUNCTION_TYPES, unwrap, type CallInfo } from './syntax';

export function analyzeJsNPlusOne(file: FileContext, index: NodeIndex, calls: readonly CallInfo[]): RawFinding[] {
  const loops = findLoops(index, calls);
  if (loops.length === 0) return [];
  const dbCalls = new Map<number, DbCall>();
  for (const c of calls) {
    if (!mayBeDbCall(c.name)) continue;
    const db = dbCallOf(c.node);
    if (db) dbCalls.set(c.node.id, db);
  }
  const helpers = helperQueries(index, [...dbCalls.values()]);
  const out: RawFinding[] = [];
  const seen = new Set<number>();
  for (const { node: call, name } of calls) {
    const db = dbCalls.get(call.id);
    const fnText = call.childForFieldName('function') ? unwrap(call.childForFieldName('function')!).text : '';
    if (!db && file.imported?.get(fnText)?.executesQuery) {
      const loop = loops.filter((l) => index.contains(l.body, call)).sort((a, b) => b.body.startIndex - a.body.startIndex).find((l) => dependsOnItem(index, call, l));
      if (loop) {
        out.push({
          category: 'n-plus-one',
          node: call,
          message: `N+1 query: ${fnText}() (imported) queries the database and is called once per item of ${iterDesc(loop)}. Fetch the data for all items in one query before the loop, then look it up per item.`,
          related: [related(file, loop.node, 'The loop')],
          fixes: [],
        });
      }
      continue;
    }
    if (!db && !helpers.has(name) && !helpers.has(`this.${name}`)) continue;
    const enclosing = loops.filter((l) => index.contains(l.body, call)).sort((a, b) => b.body.startIndex - a.body.startIndex);
    if (enclosing.length === 0) continue;
    if (db) {
      if (seen.has(db.span.id)) continue;
      const loop = enclosing.find((l) => dependsOnItem(index, call, l) && !batchedByLibrary(db, l));
      if (!loop) continue;
      seen.add(db.span.id);
      out.push(directFinding(file, db, loop, index.root));
      continue;
    }
    const helper = helperFor(index, call, helpers);
    if (helper) {
      const loop = enclosing.find((l) => dependsOnItem(index, call, l));
      if (!loop) continue;
      out.push({
        category: 'n-plus-one',
        node: call,
        message: `N+1 query: ${unwrap(call.childForFieldName('function')!).text}() queries the database (${describe(helper.db)}) and is called once per item of ${iterDesc(loop)}. Fetch the data for all items in one query before the loop, then look it up per item.`,
        related: [related(file, loop.node, 'The loop'), related(file, helper.db.span, 'The query inside the helper')],
        fixes: [],
      });
    }
  }
  out.push(...lazyRelationFindings(file, index, loops));
  return out;
}

function directFinding(file: FileContext, db: DbCall, loop: Loop, root: SyntaxNode): RawFinding {
  const advice =
    db.library === 'prisma'
      ? loop.inPromiseAll
        ? `Promise.all runs them concurrently, but Prisma only batches findUnique — ${db.op} still issues one query per item. Load all rows with one findMany({ where: { field: { in: ids } } }) or eager-load the relation with include.`
        : `Load all rows with one findMany({ where: { field: { in: ids } } }) before the loop, or eager-load the relation with include on the parent query.`
      : db.library === 'typeorm'
        ? 'Load the relation with the parent query (relations / leftJoinAndSelect) or fetch all rows at once with In(ids).'
        : db.library === 'model'
          ? 'Eager-load the association with the parent query (Sequelize include, Mongoose populate) or fetch all rows at once with an IN / $in filter.'
          : 'Query once for all items (WHERE id IN (…) / = ANY($1)) and group the rows in memory.';
  const fix = batchFix(file, db, loop, root);
  return {
    category: 'n-plus-one',
    node: db.span,
    message: `N+1 query: ${describe(db)} runs once per item of ${iterDesc(loop)}, so N items cost N+1 database round trips. ${advice}`,
    related: [related(file, loop.node, 'The loop')],
    fixes: fix ? [fix] : [],
  };
}

function describe(db: DbCall): string {
  const fn = calleeOf(db.call);
  return fn ? `${fn.text.replace(/\s+/g, '')}()` : 'a query';
}

function iterDesc(loop: Loop): string {
  return loop.iterable ? `\`${loop.iterable.text.replace(/\s+/g, ' ').slice(0, 40)}\`` : 'the loop';
}

/** The call's arguments (or its receiver chain) use the loop's item. */
function dependsOnItem(index: NodeIndex, call: SyntaxNode, loop: Loop): boolean {
  if (loop.itemNames.size === 0) return false;
  // `for (const sql of statements) await db.query(sql)` runs a list of statements, not a query per item —
  // but `User.findById(id)` / `repo.findOne(id)` with the item as the only argument is the classic N+1.
  const first = argumentsOf(call)[0];
  const name = calleeOf(call)?.type === 'member_expression' ? calleeOf(call)!.childForFieldName('property')?.text : undefined;
  if (first?.type === 'identifier' && loop.itemNames.has(first.text) && argumentsOf(call).length === 1 && RAW_STATEMENT_METHODS.has(name ?? '')) return false;
  const args = call.childForFieldName('arguments');
  if (args && mentions(args, loop.itemNames)) return true;
  // Builder chains: knex('t').where('id', item.id).first()
  for (let n: SyntaxNode | null = call.parent; n && index.contains(loop.body, n); n = n.parent) {
    if (n.type === 'call_expression' && n.childForFieldName('arguments') && mentions(n.childForFieldName('arguments')!, loop.itemNames)) return true;
    if (n.type !== 'member_expression' && n.type !== 'call_expression') break;
  }
  return false;
}

const RAW_STATEMENT_METHODS = new Set(['query', 'execute', 'exec', 'raw', 'run', 'unsafe', 'executeRaw', '$executeRawUnsafe', '$queryRawUnsafe']);

function batchedByLibrary(db: DbCall, loop: Loop): boolean {
  if (loop.inTransaction) return true;
  return db.library === 'prisma' && db.op === 'findUnique' && loop.inPromiseAll;
}

interface Helper {
  db: DbCall;
}

/**
 * Functions in this file whose body runs a query: `function load(id) { return prisma.x.findMany(…) }`,
 * `const load = async (id) => …`, class methods (called as `this.load(…)`). Keyed by how they are called.
 */
function helperQueries(index: NodeIndex, dbCalls: readonly DbCall[]): Map<string, Helper> {
  const helpers = new Map<string, Helper>();
  const functions = index.of(...FUNCTION_TYPES);
  for (const db of dbCalls) {
    let fn: SyntaxNode | null = null;
    for (const f of functions) if (index.contains(f, db.call) && (!fn || f.startIndex >= fn.startIndex)) fn = f;
    if (!fn) continue;
    let key: string | undefined;
    if (fn.type === 'function_declaration') key = fn.childForFieldName('name')?.text;
    else if (fn.type === 'method_definition') key = `this.${fn.childForFieldName('name')?.text}`;
    else if (fn.parent?.type === 'variable_declarator') key = fn.parent.childForFieldName('name')?.text;
    if (key && !helpers.has(key)) helpers.set(key, { db });
  }
  return helpers;
}

/** Names a helper is called by (`load`, `this.load`) → also the CallInfo name for the pre-filter. */
function helperFor(index: NodeIndex, call: SyntaxNode, helpers: Map<string, Helper>): Helper | undefined {
  const fn = calleeOf(call);
  if (!fn || argumentsOf(call).length === 0) return undefined;
  const helper = helpers.get(fn.text);
  // A recursive helper calling itself inside its own loop is the helper's problem, not this call's.
  if (!helper || index.contains(call, helper.db.call)) return undefined;
  return helper;
}

/** TypeORM lazy relations (`await post.author`) and Sequelize association getters (`await user.getPosts()`). */
function lazyRelationFindings(file: FileContext, index: NodeIndex, loops: Loop[]): RawFinding[] {
  const out: RawFinding[] = [];
  // `await item.prop` is also how code awaits promise-valued fields: only ORM files qualify.
  const orm = index.of('import_statement').some((n) => /^['"](typeorm|sequelize|sequelize-typescript)['"]$/.test(n.childForFieldName('source')?.text ?? ''));
  if (!orm) return out;
  const inLoops = index.of('await_expression').filter((aw) => loops.some((l) => l.itemName && index.contains(l.body, aw)));
  for (const aw of inLoops) {
    const target = aw?.namedChildren[0];
    if (!aw || !target) continue;
    let object: SyntaxNode | null = null;
    let what = '';
    if (target.type === 'member_expression') {
      object = target.childForFieldName('object');
      what = 'lazy relation';
    } else if (target.type === 'call_expression') {
      const fn = target.childForFieldName('function');
      const prop = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
      if (prop && /^get[A-Z]/.test(prop) && argumentsOf(target).length === 0) {
        object = fn!.childForFieldName('object');
        what = 'association getter';
      }
    }
    if (object) object = unwrap(object);
    if (object?.type !== 'identifier') continue;
    const loop = loops.find((l) => index.contains(l.body, aw) && l.itemName === object!.text);
    if (!loop) continue;
    out.push({
      category: 'n-plus-one',
      node: target,
      message: `N+1 query: awaiting the ${what} \`${target.text}\` loads it with a separate query for every item of ${iterDesc(loop)}. Load it with the parent query instead (TypeORM relations / leftJoinAndSelect, Sequelize include).`,
      related: [related(file, loop.node, 'The loop')],
      fixes: [],
    });
  }
  return out;
}
