/**
 * `db/explain`: the plan check for one statement — on a configured database, or on the embedded
 * production-scale rehearsal when none is configured. Returns PostgreSQL's own plan, the findings a
 * reviewer would point at, and an index only when the server itself showed that it helps.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { DbExplainParams, DbExplainResult } from '../../protocol';
import { KeelError, throwIfCancelled } from '../../common/errors';
import { adviseIndexes, builtIndexProver, candidateIndexes, describeNoCandidates, hypopgProver, planCost, type PlanCost, type Prover } from './advise';
import { readCatalog, type CatalogTable, type Queryable } from './catalog';
import { connectDatabase, type LiveDatabase } from './database';
import { explain, summarisePlan, walkPlan, type ExplainJson } from './plan';
import { Rehearsal } from './rehearsal';
import { discoverSchema } from './schema/discover';
import type { WorkspaceSchema } from './schema/model';
import { callAt, statementAt, type LocatedStatement } from './statementAt';
import { DEFAULT_ROWS } from './synth';

export interface ExplainDeps {
  /** Local-only mode: a configured database must be on loopback. */
  localOnly: boolean;
  timeoutS: number;
  signal?: AbortSignal;
  /**
   * With a model configured: the SQL an ORM call Keel cannot translate itself would run (fast tier,
   * structured output), or undefined when the model says it cannot tell.
   */
  deriveSql?(call: { code: string; language: string; path: string }, schema: WorkspaceSchema, signal?: AbortSignal): Promise<string | undefined>;
  /** The workspace schema when the caller has already discovered it (one walk per request). */
  schema?: Promise<WorkspaceSchema>;
}

/** Above this estimated cost, executing (ANALYZE) on the uninterruptible embedded server is refused. */
const EMBEDDED_ANALYZE_MAX_COST = 5_000_000;

/** One rehearsal per schema and scale, kept for the engine's lifetime (filled tables stay filled). */
const rehearsals = new Map<string, Promise<Rehearsal>>();

export async function closeRehearsals(): Promise<void> {
  const all = [...rehearsals.values()];
  rehearsals.clear();
  await Promise.all(all.map(async (r) => (await r.catch(() => undefined))?.close()));
}

async function rehearsalFor(schema: WorkspaceSchema, rows: number): Promise<Rehearsal> {
  if (!schema.ddl.length) {
    throw new KeelError('NOT_AVAILABLE', 'No schema found in the workspace (SQL migrations or schema.prisma); configure a database with --db / KEEL_DATABASE_URL to plan against it.');
  }
  const key = createHash('sha256').update(`${rows}\n${schema.ddl.join(';\n')}`).digest('hex');
  let r = rehearsals.get(key);
  if (!r) {
    r = Rehearsal.create(schema, rows);
    rehearsals.set(key, r);
    r.catch(() => rehearsals.delete(key));
  }
  return r;
}

async function locate(params: DbExplainParams, root: string, schema: () => Promise<WorkspaceSchema>, deps: ExplainDeps): Promise<LocatedStatement> {
  if (params.sql?.trim()) return { sql: params.sql.trim().replace(/;\s*$/, ''), startLine: 0, endLine: 0 };
  if (!params.file || !params.line) throw new KeelError('INVALID_PARAMS', 'Give a statement (sql) or a file and line.');
  const abs = path.resolve(root, params.file);
  const text = params.text ?? (await fs.readFile(abs, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new KeelError('FILE_NOT_FOUND', `Cannot read ${params.file}: ${e.code ?? e.message}`);
  }));
  try {
    return await statementAt(abs, text, params.line, (await schema()).prisma);
  } catch (error) {
    if (!(error instanceof KeelError) || error.code !== 'BAD_INPUT' || /unsupported language/.test(error.message)) throw error;
    if (!deps.deriveSql) {
      throw new KeelError('BAD_INPUT', `${error.message} Keel derives SQL itself from SQL strings and simple Prisma reads; with a model provider configured it asks the fast tier for other ORM calls.`);
    }
    const call = await callAt(abs, text, params.line);
    const sql = await deps.deriveSql({ code: call.code, language: call.language, path: params.file }, await schema(), deps.signal);
    if (!sql) throw new KeelError('BAD_INPUT', `${error.message} The model could not tell which SQL the code at that line runs either.`);
    return { sql: sql.trim().replace(/;\s*$/, ''), startLine: call.startLine, endLine: call.endLine, derived: 'model' };
  }
}

function relationsOf(plan: ExplainJson): Array<{ schema: string; name: string }> {
  const out = new Map<string, { schema: string; name: string }>();
  for (const { node } of walkPlan(plan.Plan)) {
    const rel = node['Relation Name'];
    if (rel) out.set(`${node.Schema ?? 'public'}.${rel}`, { schema: node.Schema ?? 'public', name: rel });
  }
  return [...out.values()];
}

async function distinctStats(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ schemaname: string; tablename: string; attname: string; n_distinct: number }>(
    `SELECT schemaname, tablename, attname, n_distinct::float8 AS n_distinct FROM pg_stats WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
  );
  return new Map(rows.rows.map((r) => [`${r.schemaname}.${r.tablename}.${r.attname}`, Number(r.n_distinct)]));
}

export async function explainQuery(params: DbExplainParams, deps: ExplainDeps): Promise<DbExplainResult> {
  const started = Date.now();
  const root = params.root ?? process.cwd();
  // One walk of the workspace per request, shared by the statement lookup and the rehearsal.
  let discovered: Promise<WorkspaceSchema> | undefined;
  const schema = (): Promise<WorkspaceSchema> => (discovered ??= deps.schema ?? discoverSchema(root));
  const located = await locate(params, root, schema, deps);
  throwIfCancelled(deps.signal);
  const statementTimeoutMs = Math.max(1, params.statementTimeoutS ?? deps.timeoutS) * 1000;

  let live: LiveDatabase | undefined;
  let rehearsal: Rehearsal | undefined;
  let db: Queryable;
  let version: number;
  let catalog: CatalogTable[];
  let prover: (plan: () => Promise<PlanCost>) => Prover;
  let hypopgMissing = false;
  if (params.db) {
    live = await connectDatabase(params.db, { timeoutS: deps.timeoutS, localOnly: deps.localOnly, signal: deps.signal });
    db = live;
    version = live.serverVersion;
    catalog = await readCatalog(live);
    const hypo = await live.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`).catch(() => ({ rows: [] }));
    if (!hypo.rows.length) await live.query('CREATE EXTENSION IF NOT EXISTS hypopg').catch(() => undefined);
    const hasHypo = (await live.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`)).rows.length > 0;
    prover = hasHypo ? (plan) => hypopgProver(live!, plan) : () => noProver();
    hypopgMissing = !hasHypo;
  } else {
    rehearsal = await rehearsalFor(await schema(), params.rows ?? DEFAULT_ROWS);
    db = rehearsal.queryable;
    version = 170000;
    catalog = rehearsal.catalog;
    prover = (plan) => builtIndexProver(rehearsal!.queryable, plan);
  }
  const release = rehearsal ? await rehearsal.lock() : undefined;
  try {
    const opts = { analyze: params.analyze, allowWrites: params.allowWrites, statementTimeoutMs };
    let plan = await explain(db, located.sql, { ...opts, analyze: false }, version);
    if (rehearsal) {
      await rehearsal.ensureData(relationsOf(plan));
      catalog = rehearsal.catalog;
      plan = await explain(db, located.sql, { ...opts, analyze: false }, version);
    }
    throwIfCancelled(deps.signal);
    const costOnly = async (): Promise<PlanCost> => planCost(await explain(db, located.sql, { ...opts, analyze: false }, version));
    const rowsOf = (schema: string | undefined, name: string): number | undefined =>
      rehearsal ? rehearsal.rowsOf(schema, name) : catalog.find((t) => t.schema === (schema ?? 'public') && t.name === name)?.rows;
    const candidates = candidateIndexes(plan, { catalog, partitionParent: rehearsal?.partitionParent, distinct: await distinctStats(db) });
    const advice = hypopgMissing
      ? { indexes: [], reason: 'Index advice on a configured database needs the HypoPG extension to prove an index without building it; this server does not have it (Debian: postgresql-15-hypopg, then CREATE EXTENSION hypopg).' }
      : await adviseIndexes(plan.Plan['Total Cost'], candidates, prover(costOnly), describeNoCandidates(plan, catalog));
    // ANALYZE last: it executes the statement, and the advice above never needs it to.
    if (params.analyze && rehearsal && plan.Plan['Total Cost'] > EMBEDDED_ANALYZE_MAX_COST) {
      throw new KeelError(
        'NOT_AVAILABLE',
        `This statement is too expensive to execute in the embedded rehearsal (estimated cost ${Math.round(plan.Plan['Total Cost'])}), which cannot be interrupted mid-statement; plan it without --analyze, or run it on a dev database (--db) where the time limit applies.`,
      );
    }
    const shown = params.analyze ? await explain(db, located.sql, opts, version) : plan;
    return {
      statement: located.sql,
      database: live ? live.label : 'embedded',
      plan: shown,
      cost: plan.Plan['Total Cost'],
      findings: summarisePlan(shown, rowsOf),
      indexes: advice.indexes,
      ...(advice.reason ? { reason: advice.reason } : {}),
      ...(located.derived ? { derived: located.derived } : {}),
      ...(located.startLine ? { location: { path: params.file!, startLine: located.startLine, endLine: located.endLine } } : {}),
      ...(rehearsal ? { rows: rehearsal.rows, warnings: rehearsal.warnings.map((w) => `${w.statement}: ${w.message}`) } : {}),
      ms: Date.now() - started,
    };
  } finally {
    release?.();
    await live?.close();
  }
}

function noProver(): Prover {
  return {
    proof: 'hypopg',
    costWith: () => {
      throw new KeelError('NOT_AVAILABLE', 'Index advice on a configured database needs the HypoPG extension (CREATE EXTENSION hypopg), which this server does not have.');
    },
  };
}
