/**
 * Index advice that is proven, not guessed. Candidates come from what the plan shows each scanned
 * table doing — its filter (equality columns first, then one range column), the sort above it when
 * a LIMIT makes an ordered index worth it, and the join keys it is matched on. Each candidate is then
 * tried on the server itself: as a HypoPG hypothetical index on a real database, or built for real in
 * the embedded rehearsal. Only a candidate that at least halves the statement's estimated cost is
 * advised (the bar mature advisors such as Dexter use); otherwise the reason says why not.
 */
import type { DbIndexAdvice } from '../../protocol';
import type { CatalogTable, Queryable } from './catalog';
import { walkPlan, type ExplainJson, type PlanNode } from './plan';
import { quoteIdent } from './schema/model';

export type IndexAdvice = DbIndexAdvice;

export interface Candidate {
  schema: string;
  table: string;
  columns: string[];
  /** Equality columns then the ORDER BY columns: the index can hand rows over already sorted. */
  deliversOrder?: boolean;
}

export interface PlanCost {
  cost: number;
  /** Sort nodes left in the plan: an index that also delivers the order removes them. */
  sorts: number;
}

export interface Prover {
  proof: IndexAdvice['proof'];
  /** Plan the statement with this index present (and remove it afterwards). */
  costWith(candidate: Candidate): Promise<PlanCost>;
}

/** Near-ties go to the index that also removes a sort (top-N queries): it scales where the other doesn't. */
const SORT_TIE = 1.1;

/** The saving an index must bring to be advised. */
export const MIN_SAVING = 0.5;
const MAX_CANDIDATES = 8;

interface Predicate {
  column: string;
  kind: 'eq' | 'range';
}

const COLUMN = String.raw`(?:(?:"(?:[^"]|"")+"|\w+)\.)?("(?:[^"]|"")+"|\w+)`;
/** `(col = $1)`, `(o."userId" = 5)`, `(col = ANY ($1))`, `(col >= '2024-01-01'::date)`, `(col IS NULL)`. */
const PREDICATE = new RegExp(String.raw`\(\s*${COLUMN}(?:\)?::[\w ]+)?\s*(=|<=|>=|<|>|~~|IS NULL|IS NOT NULL)\s*`, 'g');

function unquoteIdent(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}

export function predicates(expr: string | undefined): Predicate[] {
  if (!expr) return [];
  const out: Predicate[] = [];
  for (const m of expr.matchAll(PREDICATE)) {
    const op = m[2];
    if (op === '~~' || op === 'IS NOT NULL') continue; // LIKE needs pattern ops; NOT NULL is rarely selective
    out.push({ column: unquoteIdent(m[1]), kind: op === '=' || op === 'IS NULL' ? 'eq' : 'range' });
  }
  return out;
}

/** Columns of `alias` in join conditions such as `(o."userId" = u.id)`. */
function joinColumns(expr: string | undefined, alias: string | undefined, relation: string): string[] {
  if (!expr) return [];
  const out: string[] = [];
  const re = new RegExp(String.raw`("(?:[^"]|"")+"|\w+)\.("(?:[^"]|"")+"|\w+)`, 'g');
  for (const m of expr.matchAll(re)) {
    const qualifier = unquoteIdent(m[1]);
    if (qualifier === alias || qualifier === relation) out.push(unquoteIdent(m[2]));
  }
  return out;
}

function sortColumns(keys: string[] | undefined, alias: string | undefined, relation: string, columns: Set<string>): string[] | undefined {
  if (!keys?.length) return undefined;
  const out: string[] = [];
  for (const key of keys) {
    const m = new RegExp(String.raw`^${COLUMN}(\s+DESC)?(\s+NULLS (FIRST|LAST))?$`).exec(key.trim());
    if (!m) return undefined;
    const qualified = /^("(?:[^"]|"")+"|\w+)\./.exec(key.trim());
    if (qualified && unquoteIdent(qualified[1]) !== alias && unquoteIdent(qualified[1]) !== relation) return undefined;
    const col = unquoteIdent(m[1]);
    if (!columns.has(col)) return undefined;
    out.push(col);
  }
  return out;
}

export interface CandidateContext {
  catalog: readonly CatalogTable[];
  /** partition name → its partitioned parent, so indexes are proposed on the parent. */
  partitionParent?: ReadonlyMap<string, { schema: string; name: string }>;
  /** n_distinct per "schema.table.column" (negative = fraction of rows, as in pg_stats). */
  distinct?: ReadonlyMap<string, number>;
}

export function candidateIndexes(plan: ExplainJson, ctx: CandidateContext): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (schema: string, table: string, columns: string[], deliversOrder = false): void => {
    const cols = [...new Set(columns)].slice(0, 4);
    if (!cols.length) return;
    const key = `${schema}.${table}(${cols.join(',')})`;
    if (seen.has(key)) return;
    const t = ctx.catalog.find((x) => x.schema === schema && x.name === table);
    // An existing index that starts with these columns already serves them.
    if (t?.indexDefs.some((ix) => cols.every((c, i) => ix.columns[i] === c))) return;
    seen.add(key);
    out.push({ schema, table, columns: cols, ...(deliversOrder ? { deliversOrder } : {}) });
  };
  for (const { node, ancestors } of walkPlan(plan.Plan)) {
    const rel = node['Relation Name'];
    if (!rel || !/Scan/.test(node['Node Type']) || node['Node Type'] === 'Index Only Scan') continue;
    if (node['Node Type'] !== 'Seq Scan' && !node.Filter) continue; // an index scan with no leftover filter is served
    let schema = node.Schema ?? 'public';
    let table = rel;
    const parent = ctx.partitionParent?.get(`${schema}.${rel}`);
    if (parent) ({ schema, name: table } = parent);
    if (schema === 'pg_catalog' || schema === 'information_schema') continue;
    const cat = ctx.catalog.find((x) => x.schema === schema && x.name === table);
    if (!cat) continue;
    const colNames = new Set(cat.columns.map((c) => c.name));
    const preds = predicates(node.Filter).filter((p) => colNames.has(p.column));
    const selectivity = (c: string): number => {
      const d = ctx.distinct?.get(`${schema}.${table}.${c}`) ?? 0;
      return d < 0 ? -d * Math.max(cat.rows, 1) : d;
    };
    const eq = [...new Set(preds.filter((p) => p.kind === 'eq').map((p) => p.column))].sort((a, b) => selectivity(b) - selectivity(a));
    const range = [...new Set(preds.filter((p) => p.kind === 'range').map((p) => p.column))].filter((c) => !eq.includes(c));
    // The nearest Sort above this scan, when a Limit sits above the sort (top-N queries).
    const sortNode = [...ancestors].reverse().find((a) => a['Node Type'] === 'Sort' || a['Node Type'] === 'Incremental Sort');
    const limited = ancestors.some((a) => a['Node Type'] === 'Limit');
    const sort = limited ? sortColumns(sortNode?.['Sort Key'], node.Alias, rel, colNames) : undefined;
    const joins = ancestors.flatMap((a) => [
      ...joinColumns(a['Hash Cond'], node.Alias, rel),
      ...joinColumns(a['Merge Cond'], node.Alias, rel),
      ...joinColumns(a['Join Filter'], node.Alias, rel),
    ]);
    if (eq.length || range.length) add(schema, table, [...eq, ...range.slice(0, 1)]);
    if (sort) add(schema, table, [...eq, ...sort.filter((c) => !eq.includes(c))], true);
    if (eq.length > 1) add(schema, table, eq);
    for (const c of eq.slice(0, 2)) add(schema, table, [c]);
    for (const c of range.slice(0, 1)) add(schema, table, [c]);
    for (const c of joins) add(schema, table, [c, ...eq.filter((x) => x !== c)]);
    for (const c of joins) add(schema, table, [c]);
  }
  return out.slice(0, MAX_CANDIDATES);
}

export function createIndexSql(c: Candidate): string {
  return `CREATE INDEX CONCURRENTLY ON ${quoteIdent(c.schema)}.${quoteIdent(c.table)} (${c.columns.map(quoteIdent).join(', ')});`;
}

export interface AdviceResult {
  indexes: IndexAdvice[];
  reason?: string;
}

/**
 * Greedy and proven: take the candidate with the lowest cost, keep it if it clears the bar, and try
 * the remaining tables' candidates once more with it in place (a join often needs one index per side).
 */
export async function adviseIndexes(costBefore: number, candidates: Candidate[], prover: Prover, noCandidateReason: string): Promise<AdviceResult> {
  if (!candidates.length) return { indexes: [], reason: noCandidateReason };
  const tried: Array<{ c: Candidate; cost: number; sorts: number }> = [];
  for (const c of candidates) tried.push({ c, ...(await prover.costWith(c)) });
  let best = tried.reduce<(typeof tried)[number] | undefined>((b, t) => (!b || t.cost < b.cost ? t : b), undefined);
  // Generic estimates often say "ten rows, sorting them is free"; the user with ten thousand orders
  // disagrees. Within a near-tie, the index that delivers the ORDER BY wins.
  const sortless = tried
    .filter((t) => best && t !== best && (t.sorts < best.sorts || (t.c.deliversOrder && !best.c.deliversOrder)) && t.cost <= best.cost * SORT_TIE)
    .sort((a, b) => a.cost - b.cost)[0];
  if (sortless) best = sortless;
  if (!best || best.cost > costBefore * (1 - MIN_SAVING)) {
    const pct = best ? Math.round((100 * (costBefore - best.cost)) / Math.max(costBefore, 1e-9)) : 0;
    return {
      indexes: [],
      reason: `No candidate index halves the estimated cost (best: ${best ? `${best.c.table}(${best.c.columns.join(', ')}) saves ${Math.max(0, pct)}%` : 'none'}); the plan is as good as an index makes it.`,
    };
  }
  return {
    indexes: [{ table: `${best.c.schema}.${best.c.table}`, columns: best.c.columns, createSql: createIndexSql(best.c), costBefore: round(costBefore), costAfter: round(best.cost), proof: prover.proof }],
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Proof on the embedded rehearsal: build the index for real, plan, drop it. */
export function builtIndexProver(db: Queryable, plan: () => Promise<PlanCost>): Prover {
  return {
    proof: 'built',
    async costWith(c) {
      await db.query(`CREATE INDEX keel_candidate ON ${quoteIdent(c.schema)}.${quoteIdent(c.table)} (${c.columns.map(quoteIdent).join(', ')})`);
      try {
        return await plan();
      } finally {
        await db.query(`DROP INDEX IF EXISTS ${quoteIdent(c.schema)}.keel_candidate`);
      }
    },
  };
}

/** Proof on a real server with HypoPG: a hypothetical index the planner sees, nothing written. */
export function hypopgProver(db: Queryable, plan: () => Promise<PlanCost>): Prover {
  return {
    proof: 'hypopg',
    async costWith(c) {
      await db.query('SELECT * FROM hypopg_create_index($1)', [`CREATE INDEX ON ${quoteIdent(c.schema)}.${quoteIdent(c.table)} (${c.columns.map(quoteIdent).join(', ')})`]);
      try {
        return await plan();
      } finally {
        await db.query('SELECT hypopg_reset()');
      }
    },
  };
}

export function planCost(plan: ExplainJson): PlanCost {
  let sorts = 0;
  for (const { node } of walkPlan(plan.Plan)) if (/Sort/.test(node['Node Type'])) sorts++;
  return { cost: plan.Plan['Total Cost'], sorts };
}

export function describeNoCandidates(plan: ExplainJson, catalog: readonly CatalogTable[]): string {
  const relations = [...walkPlan(plan.Plan)].map(({ node }) => node).filter((n: PlanNode) => n['Relation Name']);
  if (!relations.length) return 'The statement reads no table, so no index can help it.';
  if (relations.every((n) => n.Schema === 'pg_catalog' || n.Schema === 'information_schema')) return 'The statement reads only system catalogs; Keel does not advise indexes on them.';
  const small = relations.filter((n) => (catalog.find((t) => t.name === n['Relation Name'])?.rows ?? 0) < 1000);
  if (small.length === relations.length) return 'Every table it reads is small; a sequential scan is the cheapest plan.';
  return 'Every table it reads is already reached through an index, or the statement has no filter, join key or sort an index could serve.';
}
