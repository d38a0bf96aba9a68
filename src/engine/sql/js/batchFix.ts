/**
 * The batched rewrite for a JS N+1: one query for every item before the loop, and an in-memory
 * lookup in place of the per-item query —
 *   Prisma     `x.findMany({ where: { k: { in: items.map(…) } } })`
 *   Sequelize  `Model.findAll({ where: { k: items.map(…) } })`        (an array value means IN)
 *   TypeORM    `repo.findBy({ k: In(items.map(…)) })` / `repo.find({ where: { k: In(…) } })`
 * Offered only when the per-item query filters on exactly one field of the item and its other
 * options survive batching (select/include/relations/attributes/order), so behaviour is kept.
 */
import type { FixWire, TextEditWire } from '../../../protocol';
import type { SyntaxNode } from '../../syntax/treeSitter';
import { indentAt, insertAt, replaceNode, type FileContext } from '../model';
import type { DbCall } from './dbCalls';
import { mentions, type Loop } from './loops';
import { argumentsOf, calleeOf, enclosingFunction } from './syntax';

interface Plan {
  /** The call expression text to run once, given the list expression. */
  batched(list: string): string;
  key: string;
  valueText: string;
  lookup: 'one' | 'many';
  label: string;
  extraEdits: TextEditWire[];
}

export function batchFix(file: FileContext, db: DbCall, loop: Loop, root: SyntaxNode): FixWire | null {
  if (!loop.iterable || !loop.itemName || !/^[\w.]+$/.test(loop.iterable.text)) return null;
  const fn = enclosingFunction(loop.node);
  if (!fn || !fn.children.some((c) => c?.type === 'async')) return null;
  const plan = db.library === 'prisma' ? prismaPlan(db, loop) : db.library === 'model' ? sequelizePlan(db, loop) : db.library === 'typeorm' ? typeormPlan(file, db, loop, root) : null;
  if (!plan || !/^\w+$/.test(plan.key)) return null;

  const statement = statementOf(loop.node);
  if (!statement) return null;
  const indent = indentAt(file.text, statement.startIndex);
  const rows = freshName(file.text, `${plan.label}Rows`);
  const inList = `${loop.iterable.text}.map((${loop.itemName}) => ${plan.valueText})`;
  const query = `const ${rows} = await ${plan.batched(inList)};\n${indent}`;
  const target = db.call.parent?.type === 'await_expression' ? db.call.parent : db.call;
  const match = `(row) => row.${plan.key} === ${plan.valueText}`;
  const replacement = plan.lookup === 'many' ? `${rows}.filter(${match})` : `(${rows}.find(${match}) ?? null)`;
  return {
    title: `Load all ${plan.label} rows in one query before the loop`,
    kind: 'batch',
    isPreferred: true,
    edits: [...plan.extraEdits, insertAt(file, statement.startIndex, query), replaceNode(file, target, replacement)],
  };
}

interface Filter {
  key: string;
  valueText: string;
  rest: string[];
}

/** `{ k: <item expr> }` with exactly one pair whose value depends on the loop item. */
function singleKeyFilter(obj: SyntaxNode | null | undefined, loop: Loop): { key: string; valueText: string } | null {
  if (obj?.type !== 'object') return null;
  const pairs = obj.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
  if (pairs.length !== 1) return null;
  const p = pairs[0];
  if (p.type === 'shorthand_property_identifier') return loop.itemNames.has(p.text) ? { key: p.text, valueText: p.text } : null;
  if (p.type !== 'pair') return null;
  const key = p.childForFieldName('key')?.text;
  const value = p.childForFieldName('value');
  if (!key || !value || value.type === 'object' || !mentions(value, loop.itemNames)) return null;
  return { key, valueText: value.text };
}

/** `{ where: { k: v }, <allowed options> }`. */
function whereFilter(arg: SyntaxNode | undefined, loop: Loop, allowed: ReadonlySet<string>): Filter | null {
  if (arg?.type !== 'object') return null;
  let filter: { key: string; valueText: string } | null = null;
  const rest: string[] = [];
  for (const pair of arg.namedChildren) {
    if (!pair || pair.type === 'comment') continue;
    if (pair.type !== 'pair') return null;
    const k = pair.childForFieldName('key')?.text;
    if (k === 'where') filter = singleKeyFilter(pair.childForFieldName('value'), loop);
    else if (k && allowed.has(k)) rest.push(pair.text);
    else return null;
  }
  return filter ? { ...filter, rest } : null;
}

function selects(rest: string[], key: string): boolean {
  const select = rest.find((r) => /^(select|attributes)\b/.test(r));
  return !select || new RegExp(`\\b${key}\\b`).test(select);
}

const PRISMA_LOOKUPS: Record<string, 'one' | 'many'> = { findUnique: 'one', findFirst: 'one', findMany: 'many' };

function prismaPlan(db: DbCall, loop: Loop): Plan | null {
  const lookup = PRISMA_LOOKUPS[db.op];
  const args = argumentsOf(db.call);
  if (!lookup || !db.delegate || args.length !== 1) return null;
  const f = whereFilter(args[0], loop, new Set(['select', 'include']));
  if (!f || !selects(f.rest, f.key)) return null;
  const delegate = db.delegate.text;
  return {
    batched: (list) => `${delegate}.findMany({ where: { ${f.key}: { in: ${list} } }${f.rest.map((r) => `, ${r}`).join('')} })`,
    key: f.key,
    valueText: f.valueText,
    lookup,
    label: delegate.split('.').pop() ?? 'row',
    extraEdits: [],
  };
}

/** Sequelize statics (`Post.findAll({ where })`); Mongoose filters have no `where` and are left alone. */
function sequelizePlan(db: DbCall, loop: Loop): Plan | null {
  const lookup = db.op === 'findAll' ? 'many' : db.op === 'findOne' ? 'one' : null;
  const args = argumentsOf(db.call);
  const model = calleeOf(db.call)?.childForFieldName('object')?.text;
  if (!lookup || !model || args.length !== 1) return null;
  const f = whereFilter(args[0], loop, new Set(['attributes', 'include', 'order', 'raw']));
  if (!f || !selects(f.rest, f.key)) return null;
  return {
    batched: (list) => `${model}.findAll({ where: { ${f.key}: ${list} }${f.rest.map((r) => `, ${r}`).join('')} })`,
    key: f.key,
    valueText: f.valueText,
    lookup,
    label: model.charAt(0).toLowerCase() + model.slice(1),
    extraEdits: [],
  };
}

function typeormPlan(file: FileContext, db: DbCall, loop: Loop, root: SyntaxNode): Plan | null {
  const args = argumentsOf(db.call);
  const repo = calleeOf(db.call)?.childForFieldName('object')?.text;
  if (!repo || args.length !== 1) return null;
  let batched: ((list: string) => string) | null = null;
  let filter: { key: string; valueText: string } | null = null;
  let lookup: 'one' | 'many' = 'one';
  if (db.op === 'findOneBy' || db.op === 'findBy') {
    filter = singleKeyFilter(args[0], loop);
    lookup = db.op === 'findBy' ? 'many' : 'one';
    const f = filter;
    if (f) batched = (list) => `${repo}.findBy({ ${f.key}: In(${list}) })`;
  } else if (db.op === 'findOne' || db.op === 'find') {
    const f = whereFilter(args[0], loop, new Set(['relations', 'select', 'order']));
    if (f && selects(f.rest, f.key)) {
      filter = f;
      lookup = db.op === 'find' ? 'many' : 'one';
      batched = (list) => `${repo}.find({ where: { ${f.key}: In(${list}) }${f.rest.map((r) => `, ${r}`).join('')} })`;
    }
  }
  if (!filter || !batched) return null;
  const importEdit = ensureTypeormIn(file, root);
  if (importEdit === null) return null;
  return { batched, key: filter.key, valueText: filter.valueText, lookup, label: repo.split('.').pop()!.replace(/Repo(sitory)?$/, '') || 'row', extraEdits: importEdit ? [importEdit] : [] };
}

/** An edit importing `In` from typeorm; undefined if already imported; null if the import is unusual. */
function ensureTypeormIn(file: FileContext, root: SyntaxNode): TextEditWire | undefined | null {
  const imports = root.namedChildren.filter((n): n is SyntaxNode => n?.type === 'import_statement');
  const typeorm = imports.find((n) => /^['"]typeorm['"]$/.test(n.childForFieldName('source')?.text ?? ''));
  if (typeorm) {
    const named = typeorm.descendantsOfType('named_imports')[0];
    if (!named) return null;
    if (named.descendantsOfType('import_specifier').some((s) => s?.childForFieldName('alias')?.text === 'In' || (!s?.childForFieldName('alias') && s?.childForFieldName('name')?.text === 'In'))) return undefined;
    const specs = named.descendantsOfType('import_specifier');
    const last = specs[specs.length - 1];
    return last ? insertAt(file, last.endIndex, ', In') : null;
  }
  const after = imports[imports.length - 1];
  return after ? insertAt(file, after.endIndex, "\nimport { In } from 'typeorm';") : insertAt(file, 0, "import { In } from 'typeorm';\n");
}

/** The statement (direct child of a block or the program) containing `node`. */
function statementOf(node: SyntaxNode): SyntaxNode | null {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    const p = n.parent;
    if (p && (p.type === 'statement_block' || p.type === 'program')) return n;
  }
  return null;
}

function freshName(text: string, base: string): string {
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(text); i++) name = `${base}${i}`;
  return name;
}
