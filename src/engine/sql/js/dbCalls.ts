/**
 * Recognises calls that hit the database in JS/TS ORMs and drivers: Prisma, TypeORM (repositories,
 * entity manager), Sequelize and Mongoose models, knex and Drizzle builders, node-postgres/mysql
 * clients. Used by the N+1 analyzer; raw-SQL sinks for injection live in sinks.ts.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { argumentsOf, calleeOf, memberPath, unwrap } from './syntax';
import { DATA_SERVICE_SUFFIXES, DATA_VERBS } from './tables';

export interface DbCall {
  call: SyntaxNode;
  /** The outermost expression of a builder chain (`knex('t').where(…).first()`), for the range. */
  span: SyntaxNode;
  library: 'prisma' | 'typeorm' | 'model' | 'knex' | 'drizzle' | 'driver' | 'service';
  op: string;
  /** Prisma: the model delegate expression text (`prisma.user`). */
  delegate?: SyntaxNode;
}

const PRISMA_DISTINCT = new Set([
  'findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'upsert', 'createMany',
  'updateMany', 'deleteMany', 'aggregate', 'groupBy',
]);
const PRISMA_GENERIC = new Set(['create', 'update', 'delete', 'count']);
const TYPEORM_OPS = new Set([
  'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail', 'find', 'findBy', 'findAndCount', 'findAndCountBy', 'count',
  'countBy', 'save', 'insert', 'update', 'delete', 'remove', 'softRemove', 'exist', 'exists', 'existsBy', 'increment', 'query',
]);
const MODEL_OPS = new Set([
  'findByPk', 'findOne', 'findAll', 'findAndCountAll', 'findById', 'find', 'findOneAndUpdate', 'countDocuments', 'updateOne',
  'deleteOne', 'create', 'update', 'destroy', 'count', 'exists', 'aggregate', 'bulkCreate', 'upsert', 'findOrCreate',
]);
const MODEL_DISTINCT = new Set(['findByPk', 'findAll', 'findAndCountAll', 'findById', 'countDocuments', 'bulkCreate', 'findOrCreate', 'findOneAndUpdate']);
const NOT_MODELS = new Set(['Object', 'Array', 'Promise', 'Math', 'JSON', 'Reflect', 'Map', 'Set', 'Date', 'Number', 'String', 'Buffer', 'Intl', 'Symbol', 'Error', 'URL', 'Atomics']);
const PRISMA_CLIENT = /prisma|^(db|tx|trx|client|database)$/i;
const DRIVER_RECEIVER = /^(pool|client|db|database|conn|connection|pg|mysql|sqlite|knex|trx|tx|sequelize|sql)$/i;
const DRIZZLE_ROOT_OPS = new Set(['select', 'insert', 'update', 'delete', 'selectDistinct']);
/** Receivers that are data-access objects by name (tables.ts DATA_SERVICE_* explain the convention). */
const SERVICE_RECEIVER = new RegExp(`^(${DATA_SERVICE_SUFFIXES.map((x) => `\\w*${x}`).join('|')}|connection|conn|db|dao)(_|Tx|_tx)?$`, 'i');
const DATA_VERB = new RegExp(`^(${DATA_VERBS.join('|')})([A-Z]\\w*)?$`);
const QUERY_CLASS = /(QueryRunner|Repository|Repo|Dao|DAO|Database|Connection|Store)\b/;

/** The class a call sits in (`class PostgresQueryRunner extends …`), or ''. */
function enclosingClassName(node: SyntaxNode): string {
  for (let n: SyntaxNode | null = node.parent; n; n = n.parent) {
    if (n.type === 'class_declaration' || n.type === 'class' || n.type === 'abstract_class_declaration') return `${n.childForFieldName('name')?.text ?? ''} ${n.namedChildren.find((c) => c?.type === 'class_heritage')?.text ?? ''}`;
  }
  return '';
}

/** A data-service call needs a verb; any name can be one, so the pre-filter lets every call through for it. */
export function mayBeDbCall(name: string): boolean {
  return DB_NAMES.has(name) || DATA_VERB.test(name);
}

/** Callee names that can be a database call: the cheap pre-filter. */
export const DB_NAMES: ReadonlySet<string> = new Set([
  ...PRISMA_DISTINCT, ...PRISMA_GENERIC, ...TYPEORM_OPS, ...MODEL_OPS, ...DRIZZLE_ROOT_OPS,
  'knex', 'db', 'trx', 'tx', 'findFirst', 'findMany', 'query', 'execute',
]);

export function dbCallOf(call: SyntaxNode): DbCall | null {
  const callee = calleeOf(call);
  if (!callee) return null;
  const path = memberPath(callee);
  const name = path[path.length - 1];
  const receiver = path[path.length - 2];
  const root = path[0];
  const span = outermostChain(call);

  // Drizzle's relational queries look like Prisma's: db.query.users.findMany(…)
  if (path.length === 4 && /^(db|tx)$/.test(root) && path[1] === 'query' && /^find(First|Many)$/.test(name)) {
    return { call, span, library: 'drizzle', op: name };
  }
  // Prisma: <client>.<model>.<op>, the client named like one (prisma, this.prisma, tx, db) — other objects
  // have upsert/count/create methods too (vector stores, caches).
  const client = path[path.length - 3] ?? '';
  if (path.length >= 3 && ((PRISMA_DISTINCT.has(name) && PRISMA_CLIENT.test(client)) || (PRISMA_GENERIC.has(name) && /prisma|^tx$/i.test(client)))) {
    if (/^[a-z]\w*$/.test(receiver) && receiver !== 'query') {
      const delegate = callee.type === 'member_expression' ? callee.childForFieldName('object') : null;
      return { call, span, library: 'prisma', op: name, delegate: delegate ? unwrap(delegate) : undefined };
    }
  }
  if (path.length >= 2 && TYPEORM_OPS.has(name) && (/(repo|repository|manager|datasource)(_|tx)?$/i.test(receiver ?? '') || receiver === 'getRepository()')) {
    return { call, span, library: 'typeorm', op: name };
  }
  // Data services and repositories of layered backends (NestJS/Medusa/Vendure style):
  // `await this.productService_.retrieve(id)`, `await lineItemServiceTx.update(…)`, `await this.connection.getEntityOrThrow(…)`.
  if (path.length >= 2 && isAwaited(call) && SERVICE_RECEIVER.test(receiver ?? '') && DATA_VERB.test(name)) {
    return { call, span, library: 'service', op: name };
  }
  // A query runner's own `this.query(sql)` (TypeORM drivers, DAO base classes).
  if (path.length === 2 && root === 'this' && (name === 'query' || name === 'execute') && QUERY_CLASS.test(enclosingClassName(call))) {
    return { call, span, library: 'driver', op: name };
  }
  // Sequelize/Mongoose model statics: PascalCase (not CONSTANT_CASE) receivers, and not Array#find(fn).
  // Generic names (create, update, find …) are also factories elsewhere (Suite.create, Reader.create):
  // those count only when awaited, as database calls are.
  const first = argumentsOf(call)[0];
  const modelOp = MODEL_DISTINCT.has(name) || (MODEL_OPS.has(name) && isAwaited(call));
  if (path.length === 2 && modelOp && /^[A-Z](?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]*$/.test(root) && !NOT_MODELS.has(root) && !(first && /function|arrow_function/.test(first.type))) {
    return { call, span, library: 'model', op: name };
  }
  // knex('users')…: the root call of a builder chain.
  if (callee.type === 'identifier' && /^(knex|db|trx|tx)$/.test(callee.text)) {
    const first = argumentsOf(call)[0];
    if (first && (first.type === 'string' || first.type === 'template_string')) return { call, span, library: 'knex', op: 'query' };
  }
  // db.select()…, db.insert(t)…, db.query.users.findMany(…)
  if (path.length === 2 && /^(db|tx)$/.test(root) && DRIZZLE_ROOT_OPS.has(name)) return { call, span, library: 'drizzle', op: name };
  if ((name === 'query' || name === 'execute') && path.length >= 2 && DRIVER_RECEIVER.test(receiver ?? '')) {
    return { call, span, library: 'driver', op: name };
  }
  return null;
}

/** Walk up `x.a().b().c()` to the outermost call of the chain. */
function outermostChain(call: SyntaxNode): SyntaxNode {
  let n = call;
  for (;;) {
    const member = n.parent;
    const outer = member?.parent;
    if (member?.type === 'member_expression' && outer?.type === 'call_expression' && outer.childForFieldName('function')?.id === member.id) {
      const prop = member.childForFieldName('property')?.text;
      if (prop === 'then' || prop === 'catch' || prop === 'finally') return n;
      n = outer;
    } else return n;
  }
}

/** `await x(…)`, `return await …`, `x(…).then(…)`: the call's promise is consumed right here. */
function isAwaited(call: SyntaxNode): boolean {
  const p = call.parent;
  if (p?.type === 'await_expression') return true;
  if (p?.type === 'member_expression' && p.childForFieldName('property')?.text === 'then') return true;
  // `await prisma.x.y<T>(…)` parses as a call whose callee is the await.
  return call.childForFieldName('function')?.type === 'await_expression';
}
