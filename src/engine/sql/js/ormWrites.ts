/**
 * ORM-level unbounded and destructive writes in JS/TS: Prisma `updateMany`/`deleteMany` without a
 * `where`, knex `del()`/`update()` chains without a where clause and `truncate()`, Sequelize
 * `destroy`/`update` without `where` (or with `truncate: true`), TypeORM `clear()` and `delete({})`,
 * Mongoose `deleteMany({})`/`updateMany({}, …)`.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { FileContext, RawFinding } from '../model';
import { argumentsOf, calleeOf, memberPath, type CallInfo } from './syntax';

/** Callee names the ORM-write checks look at: the cheap pre-filter. */
export const WRITE_NAMES: ReadonlySet<string> = new Set(['updateMany', 'deleteMany', 'destroy', 'update', 'clear', 'delete', 'del', 'truncate']);

export function analyzeJsOrmWrites(_file: FileContext, calls: readonly CallInfo[]): RawFinding[] {
  const out: RawFinding[] = [];
  for (const { node: call, name: calleeName } of calls) {
    if (!WRITE_NAMES.has(calleeName)) continue;
    const callee = calleeOf(call);
    if (callee?.type !== 'member_expression') continue;
    const path = memberPath(callee);
    const name = path[path.length - 1];
    const args = argumentsOf(call);
    const first = args[0];
    const unbounded = (what: string): void => {
      out.push({ category: 'unbounded-write', node: call, message: `${what} without a filter affects every row of the table. Add a where condition (or suppress with a keel-ignore comment if every row is really meant).`, related: [], fixes: [] });
    };
    const destructive = (what: string): void => {
      out.push({ category: 'destructive-statement', node: call, message: `${what} empties the whole table irrecoverably. Keep this out of application code (tests and tooling can suppress it with keel-ignore).`, related: [], fixes: [] });
    };

    if (path.length >= 3 && (name === 'updateMany' || name === 'deleteMany') && /^[a-z]/.test(path[path.length - 2])) {
      // Prisma (lower-case model delegate): where missing or empty.
      if (!first || (first.type === 'object' && !hasFilter(first, 'where'))) unbounded(`prisma ${path[path.length - 2]}.${name}()`);
      continue;
    }
    if (path.length === 2 && /^[A-Z]/.test(path[0]) && (name === 'deleteMany' || name === 'updateMany')) {
      // Mongoose: an empty filter object matches every document.
      if (!first || (first.type === 'object' && first.namedChildren.length === 0)) unbounded(`${path.join('.')}()`);
      continue;
    }
    if (path.length === 2 && /^[A-Z]/.test(path[0]) && (name === 'destroy' || name === 'update')) {
      // Sequelize: destroy(options) / update(values, options).
      const options = name === 'destroy' ? first : args[1];
      if (options?.type === 'object' && /\btruncate\s*:\s*true\b/.test(options.text)) destructive(`${path.join('.')}({ truncate: true })`);
      else if (options?.type === 'object' && !hasFilter(options, 'where')) unbounded(`${path.join('.')}()`);
      continue;
    }
    if (name === 'clear' && path.length >= 2 && /(repo|repository)$/i.test(path[path.length - 2])) {
      destructive(`${path.join('.')}() (TRUNCATE)`);
      continue;
    }
    if (name === 'delete' && path.length >= 2 && /(repo|repository)$/i.test(path[path.length - 2]) && first?.type === 'object' && first.namedChildren.length === 0) {
      unbounded(`${path.join('.')}({})`);
      continue;
    }
    if ((name === 'del' || name === 'delete' || name === 'update' || name === 'truncate') && isKnexChain(callee)) {
      if (name === 'truncate') destructive('knex truncate()');
      else if (!chainHas(callee, /^(where|andWhere|orWhere|whereIn|whereRaw|whereNot|whereNull|whereNotNull|whereExists|whereBetween|whereLike|whereILike)$/)) unbounded(`knex ${name}()`);
    }
  }
  return out;
}

function hasFilter(obj: SyntaxNode, key: string): boolean {
  for (const pair of obj.namedChildren) {
    if (pair?.type === 'spread_element') return true; // can't see inside: assume filtered
    if (pair?.type !== 'pair' && pair?.type !== 'shorthand_property_identifier') continue;
    const k = pair.type === 'pair' ? pair.childForFieldName('key')?.text : pair.text;
    if (k !== key) continue;
    const v = pair.type === 'pair' ? pair.childForFieldName('value') : null;
    return !(v?.type === 'object' && v.namedChildren.length === 0);
  }
  return false;
}

/** `knex('t')…` / `db('t')…` / `trx('t')…` chains. */
function isKnexChain(callee: SyntaxNode): boolean {
  let n: SyntaxNode | null = callee.childForFieldName('object');
  while (n) {
    if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'identifier') return /^(knex|db|trx|tx)$/.test(fn.text) && (argumentsOf(n)[0]?.type === 'string');
      n = fn?.type === 'member_expression' ? fn.childForFieldName('object') : null;
    } else if (n.type === 'member_expression') n = n.childForFieldName('object');
    else return false;
  }
  return false;
}

function chainHas(callee: SyntaxNode, names: RegExp): boolean {
  let n: SyntaxNode | null = callee.childForFieldName('object');
  while (n) {
    if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'member_expression' && names.test(fn.childForFieldName('property')?.text ?? '')) return true;
      n = fn?.type === 'member_expression' ? fn.childForFieldName('object') : null;
    } else if (n.type === 'member_expression') n = n.childForFieldName('object');
    else return false;
  }
  return false;
}
