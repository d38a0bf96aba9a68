/**
 * Raw-SQL sinks in JS/TS data-access libraries, from each library's documented API. A sink is a call
 * whose argument is executed (or spliced) as SQL text. Method names alone are ambiguous (`query`,
 * `get`, `where`), so the analyzer additionally requires the text to look like SQL.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { argumentsOf, calleeOf, calleeName, isTaggedTemplate, memberPath, unwrap } from './syntax';
import { AWS_SQL_APIS, PG_PROMISE_METHODS, QUERY_CONFIG_KEYS } from './tables';

export type JsDriver = 'pg' | 'mysql' | 'sqlite' | 'knex' | 'sequelize' | 'typeorm' | 'prisma' | 'drizzle';

export interface JsSink {
  call: SyntaxNode;
  sqlArg: SyntaxNode;
  /** statement: a whole statement is expected; fragment: a clause spliced into a builder. */
  shape: 'statement' | 'fragment';
  api: string;
  driver: JsDriver;
  /** The SQL is a property of a query config object (`{ sql }`, `{ text }`): no rewrite offered. */
  config?: boolean;
}

const KNEX_RAW = new Set([
  'whereRaw', 'orWhereRaw', 'andWhereRaw', 'havingRaw', 'orHavingRaw', 'joinRaw', 'orderByRaw', 'groupByRaw',
  'fromRaw', 'onRaw', 'selectRaw', 'updateRaw',
]);
const TYPEORM_WHERE = new Set(['where', 'andWhere', 'orWhere', 'having', 'andHaving', 'orHaving', 'innerJoin', 'leftJoin']);
const STATEMENT_METHODS = new Set(['query', 'execute', 'exec', 'run', 'all', 'get', 'each', 'prepare', 'unsafe']);

/** Callee names that can be a sink (or a tagged SQL template): the cheap pre-filter. */
export const SINK_NAMES: ReadonlySet<string> = new Set([
  '$queryRawUnsafe', '$executeRawUnsafe', 'raw', 'literal', '$queryRaw', '$executeRaw', 'sql', 'require',
  ...KNEX_RAW, ...TYPEORM_WHERE, ...STATEMENT_METHODS, ...PG_PROMISE_METHODS, 'send', ...AWS_SQL_APIS.flatMap((a) => a.methods),
]);

/** Module names imported by the file (`pg-promise`, `@aws-sdk/client-athena`). */
export function importedModules(imports: readonly SyntaxNode[], requires: readonly SyntaxNode[]): Set<string> {
  const out = new Set<string>();
  for (const node of [...imports, ...requires]) {
    const source = node.type === 'import_statement' ? node.childForFieldName('source')?.text : node.childForFieldName('arguments')?.namedChildren[0]?.text;
    if (source) out.add(source.replace(/['"`]/g, ''));
  }
  return out;
}

/** `query({ sql: … })` / `query({ text: … })`: the property holding the SQL of a query config object. */
export function configSql(arg: SyntaxNode): SyntaxNode | null {
  const n = unwrap(arg);
  if (n.type !== 'object') return null;
  for (const pair of n.namedChildren) {
    if (pair?.type === 'shorthand_property_identifier' && QUERY_CONFIG_KEYS.includes(pair.text)) return pair;
    if (pair?.type !== 'pair') continue;
    const key = pair.childForFieldName('key')?.text.replace(/['"]/g, '');
    if (key && QUERY_CONFIG_KEYS.includes(key)) return pair.childForFieldName('value');
  }
  return null;
}

/** Drivers imported by the file (`import … from 'pg'`, `require('mysql2')`). */
export function importedDrivers(imports: readonly SyntaxNode[], requires: readonly SyntaxNode[]): Set<JsDriver> {
  const found = new Set<JsDriver>();
  for (const node of [...imports, ...requires]) {
    if (!node) continue;
    let source: string | undefined;
    if (node.type === 'import_statement') source = node.childForFieldName('source')?.text;
    else if (node.childForFieldName('function')?.text === 'require') source = node.childForFieldName('arguments')?.namedChildren[0]?.text;
    if (!source) continue;
    const s = source.replace(/['"`]/g, '');
    if (s === 'pg' || s === 'postgres' || s === 'pg-promise') found.add('pg');
    else if (s.startsWith('mysql')) found.add('mysql');
    else if (s.includes('sqlite')) found.add('sqlite');
    else if (s === 'knex') found.add('knex');
    else if (s === 'sequelize') found.add('sequelize');
    else if (s === 'typeorm') found.add('typeorm');
    else if (s === '@prisma/client') found.add('prisma');
    else if (s.startsWith('drizzle-orm')) found.add('drizzle');
  }
  return found;
}

export function sinkOf(call: SyntaxNode, drivers: ReadonlySet<JsDriver>, modules: ReadonlySet<string> = new Set()): JsSink | null {
  if (isTaggedTemplate(call)) return null;
  const name = calleeName(call);
  if (!name) return null;
  const args = argumentsOf(call);
  if (!args[0] || args[0].type === 'spread_element') return null;
  const isMethod = calleeOf(call)?.type === 'member_expression';
  const viaConfig = isMethod && (STATEMENT_METHODS.has(name) || PG_PROMISE_METHODS.includes(name)) ? configSql(args[0]) : null;
  const first = viaConfig ?? args[0];
  if (PG_PROMISE_METHODS.includes(name) && !STATEMENT_METHODS.has(name)) {
    return isMethod && modules.has('pg-promise') ? { call, sqlArg: first, shape: 'statement', api: memberPath(calleeOf(call)!).join('.'), driver: 'pg' } : null;
  }
  const callee = calleeOf(call)!;
  const path = memberPath(callee);
  const dotted = path.join('.');
  const make = (shape: JsSink['shape'], driver: JsDriver): JsSink => ({ call, sqlArg: first, shape, api: dotted, driver, ...(viaConfig ? { config: true } : {}) });

  if (name === '$queryRawUnsafe' || name === '$executeRawUnsafe') return make('statement', 'prisma');
  if (name === 'raw') {
    if (path.length >= 2 && path[path.length - 2] === 'Prisma') return make('fragment', 'prisma');
    if (path.length >= 2 && path[path.length - 2] === 'sql') return make('fragment', 'drizzle');
    return make('fragment', 'knex');
  }
  if (KNEX_RAW.has(name)) return make('fragment', 'knex');
  // sequelize.literal / Sequelize.literal, or a bare literal() imported from sequelize (zod has one too).
  if (name === 'literal' && ((path.length === 1 && drivers.has('sequelize')) || /sequelize/i.test(path[path.length - 2] ?? ''))) return make('fragment', 'sequelize');
  if (TYPEORM_WHERE.has(name) && isQueryBuilderChain(callee)) return make('fragment', 'typeorm');
  if (STATEMENT_METHODS.has(name) && callee.type === 'member_expression') {
    const receiver = path.slice(0, -1).join('.').toLowerCase();
    if (/sequelize/.test(receiver)) return make('statement', 'sequelize');
    if (/(manager|datasource|repository|repo)$/.test(receiver) && drivers.has('typeorm')) return make('statement', 'typeorm');
    if (drivers.has('mysql')) return make('statement', 'mysql');
    if (drivers.has('sqlite') || name === 'prepare' || name === 'run' || name === 'all' || name === 'each') {
      return make('statement', drivers.has('pg') ? 'pg' : 'sqlite');
    }
    if (drivers.has('knex') && /knex|trx|db/.test(receiver) && name !== 'query') return make('statement', 'knex');
    return make('statement', 'pg');
  }
  return null;
}

/** TypeORM's `createQueryBuilder(…).where(…)` chains, or a variable named like a query builder. */
function isQueryBuilderChain(callee: SyntaxNode): boolean {
  let n: SyntaxNode | null = callee.type === 'member_expression' ? callee.childForFieldName('object') : null;
  while (n) {
    n = unwrap(n);
    if (n.type === 'call_expression') {
      const name = calleeName(n);
      if (name === 'createQueryBuilder' || name === 'getQueryBuilder') return true;
      const fn = calleeOf(n);
      n = fn?.type === 'member_expression' ? fn.childForFieldName('object') : null;
    } else if (n.type === 'member_expression') {
      n = n.childForFieldName('object');
    } else {
      return n.type === 'identifier' && /^(qb|.*QueryBuilder|.*Qb|builder|query)$/i.test(n.text);
    }
  }
  return false;
}
