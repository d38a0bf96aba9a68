import type { ProviderId, Usage } from './chat';

/**
 * Query plans (issue 16): `db/explain` behind `keel explain` and Keel: Explain Query Plan.
 */

export interface DbExplainParams {
  /** The statement itself … */
  sql?: string;
  /** … or the statement at this file (workspace-relative or absolute) and 1-based line. */
  file?: string;
  line?: number;
  /** The document's current text (an unsaved editor buffer); read from disk when absent. */
  text?: string;
  /** Workspace root: where the schema is read from and relative paths resolve. */
  root?: string;
  /** A dev database URL; without one the plan runs on the embedded rehearsal. */
  db?: string;
  /** Rows of the largest table in the embedded rehearsal (default 1,000,000). */
  rows?: number;
  /** EXPLAIN ANALYZE: executes the statement inside a transaction that is always rolled back. */
  analyze?: boolean;
  /** Confirmed: ANALYZE may execute a data-changing statement (still rolled back). */
  allowWrites?: boolean;
  statementTimeoutS?: number;
}

export interface DbPlanFinding {
  code: string;
  message: string;
  table?: string;
}

export interface DbIndexAdvice {
  /** "schema.table" */
  table: string;
  columns: string[];
  createSql: string;
  costBefore: number;
  costAfter: number;
  proof: 'hypopg' | 'built';
}

/** `keel explain --json` — a public contract. */
export interface DbExplainResult {
  statement: string;
  /** "embedded", or the database URL without its password. */
  database: string;
  /** PostgreSQL's EXPLAIN (FORMAT JSON) object for the statement. */
  plan: unknown;
  cost: number;
  findings: DbPlanFinding[];
  indexes: DbIndexAdvice[];
  /** Why no index is suggested. */
  reason?: string;
  /**
   * The SQL was derived from an ORM call, not written in the code: statically ('prisma'), or by the
   * fast-tier model when Keel could not derive it itself ('model' — check it against the code).
   */
  derived?: 'prisma' | 'model';
  location?: { path: string; startLine: number; endLine: number };
  /** Rows of the largest table in the embedded rehearsal. */
  rows?: number;
  /** Schema statements or tables the embedded rehearsal could not apply or fill. */
  warnings?: string[];
  ms: number;
}

export interface DbRequests {
  /** Plan one statement (and prove index advice) on a configured database or the embedded rehearsal. */
  'db/explain': { params: DbExplainParams; result: DbExplainResult };
  /** Write SQL for a question from the schema (a model call), then gate it on the safety rules and the plan check. */
  'db/sql': { params: DbSqlParams; result: DbSqlResult };
}

/** Text to SQL with the plan as the gate (`keel sql`). */
export interface DbSqlParams {
  question: string;
  /** Workspace root: where the schema is read from. */
  root?: string;
  /** A dev database URL: its catalog is the schema and the plan runs there; else the embedded rehearsal. */
  db?: string;
  rows?: number;
  statementTimeoutS?: number;
  /** The tier to write it on (the chat's "re-ask with the reasoning model"); else keel.routing.mode decides. */
  tier?: 'auto' | 'fast' | 'reasoning';
}

/** One check of the gate: a safety rule or a plan finding. `fail` means: do not run this as it is. */
export interface SqlGateCheck {
  code: string;
  severity: 'fail' | 'warn' | 'info';
  message: string;
}

/** `keel sql --json` — a public contract. */
export interface DbSqlResult {
  question: string;
  sql: string;
  explanation: string;
  assumptions: string[];
  /** pass: no safety or plan concern; warn: runs, but read the checks; fail: do not run it as it is. */
  verdict: 'pass' | 'warn' | 'fail';
  checks: SqlGateCheck[];
  /** The plan check (absent when a safety rule failed first or PostgreSQL rejected the statement). */
  explain?: DbExplainResult;
  provider: ProviderId;
  model: string;
  tier: 'fast' | 'reasoning';
  usage: Usage;
  costUsd: number;
  ms: number;
}
