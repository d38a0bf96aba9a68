/**
 * EXPLAIN and what a senior engineer reads out of it: sequential scans of large tables, nested loops
 * over large inputs, sorts that spill to disk, row estimates that are far off, and the node where the
 * cost goes. The plan itself is returned untouched (PostgreSQL's own JSON) for the plan view.
 */
import type { DbPlanFinding } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { Queryable } from './catalog';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Schema?: string;
  Alias?: string;
  'Startup Cost': number;
  'Total Cost': number;
  'Plan Rows': number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Filter?: string;
  'Index Cond'?: string;
  'Hash Cond'?: string;
  'Merge Cond'?: string;
  'Join Filter'?: string;
  'Recheck Cond'?: string;
  'Sort Key'?: string[];
  'Sort Space Type'?: string;
  'Sort Method'?: string;
  'Index Name'?: string;
  'Rows Removed by Filter'?: number;
  'Parent Relationship'?: string;
  'CTE Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export interface ExplainJson {
  Plan: PlanNode;
  'Planning Time'?: number;
  'Execution Time'?: number;
  [key: string]: unknown;
}

export type PlanFinding = DbPlanFinding;

export interface ExplainOptions {
  analyze?: boolean;
  /** Statement parameters ($1 …): planned generically (PostgreSQL ≥ 16) or with NULLs bound. */
  params?: number;
  statementTimeoutMs: number;
  /** Allow ANALYZE of a data-changing statement (it still runs inside a transaction that is rolled back). */
  allowWrites?: boolean;
}

/** Tables at or above this many rows make a sequential scan worth a finding. */
export const LARGE_TABLE_ROWS = 10_000;

export function isDataChanging(sql: string): boolean {
  const s = sql.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/|\s)*/, '');
  if (/^(insert|update|delete|merge|truncate|drop|alter|create|grant|revoke|copy|vacuum|reindex|cluster|refresh)\b/i.test(s)) return true;
  // A CTE can hide a write: WITH x AS (DELETE …) SELECT …
  return /^with\b/i.test(s) && /\(\s*(insert|update|delete|merge)\b/i.test(s);
}

export function parameterCount(sql: string): number {
  let max = 0;
  for (const m of sql.matchAll(/\$(\d+)\b/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/**
 * Runs EXPLAIN inside a transaction that is always rolled back, with a statement timeout; ANALYZE
 * executes the statement, so it is refused for writes unless the caller confirmed.
 */
export async function explain(db: Queryable, sql: string, options: ExplainOptions, serverVersion: number): Promise<ExplainJson> {
  const writes = isDataChanging(sql);
  if (options.analyze && writes && !options.allowWrites) {
    throw new KeelError('BAD_INPUT', 'EXPLAIN ANALYZE runs the statement, and this one changes data: confirm it (--allow-writes) to run it inside a transaction that is rolled back.');
  }
  const params = options.params ?? parameterCount(sql);
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.statementTimeoutMs))}`);
    if (!writes) await db.query('SET TRANSACTION READ ONLY');
    const flags = ['FORMAT JSON', 'VERBOSE'];
    if (options.analyze) flags.push('ANALYZE', 'BUFFERS');
    let rows: Array<Record<string, unknown>>;
    if (params > 0 && !options.analyze && serverVersion >= 160000) {
      rows = (await db.query(`EXPLAIN (${[...flags, 'GENERIC_PLAN'].join(', ')}) ${sql}`)).rows;
    } else if (params > 0) {
      // Older servers (and ANALYZE, which must execute): prepare, then run it with NULLs bound.
      await db.query(`PREPARE keel_explain AS ${sql}`);
      if (!options.analyze) await db.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      rows = (await db.query(`EXPLAIN (${flags.join(', ')}) EXECUTE keel_explain(${Array(params).fill('NULL').join(', ')})`)).rows;
    } else {
      rows = (await db.query(`EXPLAIN (${flags.join(', ')}) ${sql}`)).rows;
    }
    const raw = rows[0]?.['QUERY PLAN'];
    const json = (typeof raw === 'string' ? JSON.parse(raw) : raw) as ExplainJson[];
    return json[0];
  } catch (error) {
    throw toPlanError(error);
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
    if (params > 0) await db.query('DEALLOCATE ALL').catch(() => undefined);
  }
}

/** PostgreSQL's SQLSTATE → Keel's codes, so a bad statement reads differently from a dead server. */
export function toPlanError(error: unknown): KeelError {
  if (error instanceof KeelError) return error;
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  switch (e?.code) {
    case '42601': // syntax_error
    case '42883': // undefined_function
    case '42703': // undefined_column
    case '42804': // datatype_mismatch
    case '42P18': // indeterminate_datatype
      return new KeelError('SQL_INVALID', `PostgreSQL cannot plan this statement: ${message}`, { cause: error });
    case '42P01': // undefined_table
      return new KeelError('DB_UNKNOWN_TABLE', `${message} — the schema Keel found does not have it.`, { cause: error });
    case '57014': // query_canceled (statement_timeout)
      return new KeelError('TIMEOUT', `The statement ran past its time limit: ${message}`, { cause: error });
    case '28P01':
    case '28000':
      return new KeelError('DB_AUTH_FAILED', `The database refused the credentials: ${message}`, { cause: error });
    default:
      if (/^(08|57P0)/.test(e?.code ?? '')) return new KeelError('DB_UNAVAILABLE', `The database connection failed: ${message}`, { cause: error });
      if (/^42/.test(e?.code ?? '')) return new KeelError('SQL_INVALID', `PostgreSQL cannot plan this statement: ${message}`, { cause: error });
      return new KeelError('INTERNAL', message, { cause: error });
  }
}

export function* walkPlan(node: PlanNode, ancestors: PlanNode[] = []): Generator<{ node: PlanNode; ancestors: PlanNode[] }> {
  yield { node, ancestors };
  for (const child of node.Plans ?? []) yield* walkPlan(child, [...ancestors, node]);
}

function relationLabel(node: PlanNode): string {
  return node.Schema && node.Schema !== 'public' ? `${node.Schema}.${node['Relation Name']}` : String(node['Relation Name']);
}

/** Exclusive cost: what a node costs beyond its children. */
function selfCost(node: PlanNode): number {
  const children = (node.Plans ?? []).filter((c) => c['Parent Relationship'] !== 'InitPlan' && c['Parent Relationship'] !== 'SubPlan');
  return Math.max(0, node['Total Cost'] - children.reduce((s, c) => s + c['Total Cost'], 0));
}

/**
 * The readable summary. `tableRows` gives each relation's size (from the catalog after ANALYZE), so a
 * sequential scan of a 50-row lookup table is not a finding and one of a million-row table is.
 */
export function summarisePlan(plan: ExplainJson, tableRows: (schema: string | undefined, name: string) => number | undefined): PlanFinding[] {
  const findings: PlanFinding[] = [];
  let hottest: PlanNode | undefined;
  for (const { node } of walkPlan(plan.Plan)) {
    if (!hottest || selfCost(node) > selfCost(hottest)) hottest = node;
    const rel = node['Relation Name'];
    if (node['Node Type'] === 'Seq Scan' && rel) {
      const rows = tableRows(node.Schema, rel) ?? node['Plan Rows'];
      if (rows >= LARGE_TABLE_ROWS) {
        const filter = node.Filter ? ` filtering ${node.Filter}` : '';
        findings.push({ code: 'KEEL-PLAN-SEQ-SCAN', message: `Sequential scan of ${relationLabel(node)} (${fmt(rows)} rows)${filter}.`, table: relationLabel(node) });
      }
    }
    if (node['Node Type'] === 'Nested Loop' && node.Plans?.length === 2) {
      const [outer, inner] = node.Plans;
      if (outer['Plan Rows'] >= 1000 && /Seq Scan|Materialize/.test(inner['Node Type'])) {
        findings.push({ code: 'KEEL-PLAN-NESTED-LOOP', message: `Nested loop runs its inner ${inner['Node Type']} once for each of ~${fmt(outer['Plan Rows'])} outer rows.` });
      }
    }
    if (node['Sort Space Type'] === 'Disk') {
      findings.push({ code: 'KEEL-PLAN-SORT-DISK', message: `Sort spilled to disk (${String(node['Sort Method'] ?? 'external')}): raise work_mem for this query or avoid the sort with an index.` });
    }
    if (node['Actual Rows'] !== undefined) {
      const actual = node['Actual Rows'] * (node['Actual Loops'] ?? 1);
      const planned = node['Plan Rows'] * (node['Actual Loops'] ?? 1);
      const ratio = Math.max(actual, 1) / Math.max(planned, 1);
      if (Math.max(actual, planned) >= 100 && (ratio >= 10 || ratio <= 0.1)) {
        findings.push({
          code: 'KEEL-PLAN-ESTIMATE',
          message: `${node['Node Type']}${rel ? ` on ${relationLabel(node)}` : ''} expected ${fmt(planned)} rows and got ${fmt(actual)}: statistics are off (ANALYZE, or extended statistics for correlated columns).`,
          ...(rel ? { table: relationLabel(node) } : {}),
        });
      }
    }
  }
  if (hottest && plan.Plan['Total Cost'] > 0) {
    const share = Math.round((100 * selfCost(hottest)) / plan.Plan['Total Cost']);
    findings.push({
      code: 'KEEL-PLAN-HOT-NODE',
      message: `Most expensive step: ${hottest['Node Type']}${hottest['Relation Name'] ? ` on ${relationLabel(hottest)}` : ''} (${share}% of the estimated cost).`,
      ...(hottest['Relation Name'] ? { table: relationLabel(hottest) } : {}),
    });
  }
  return findings;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
