/**
 * Text to SQL with the plan as the gate (`keel sql`, db/sql). The model writes one PostgreSQL
 * statement from the schema (a structured output), and Keel never hands it back bare: the statement
 * goes through the SQL safety rules and the plan check — on the configured database or the embedded
 * production-scale rehearsal — and the verdict travels with it. A statement PostgreSQL rejects, one
 * that changes every row, or one that drops data fails; a full scan of a large table or a missing
 * index warns, with the proven index.
 */
import { z } from 'zod';
import type { DbExplainResult, DbSqlParams, DbSqlResult, SqlGateCheck } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CostLedger } from '../llm/ledger';
import { costUsd, type PriceTable } from '../llm/pricing';
import { route, type TierModels } from '../llm/router';
import { defineSchema } from '../llm/structured';
import type { LlmProvider } from '../llm/types';
import { untrustedBlock } from '../llm/untrusted';
import { classifySql } from '../sql/sqlText';
import { readCatalog } from './catalog';
import { connectDatabase } from './database';
import { explainQuery, type ExplainDeps } from './explainQuery';
import { discoverSchema } from './schema/discover';
import { tablesDdl } from './schema/pythonModels';

export const TEXT_TO_SQL_SCHEMA = defineSchema(
  'postgres_statement',
  'One PostgreSQL statement that answers the question, using only the schema given.',
  z.object({
    sql: z.string().describe('Exactly one PostgreSQL statement, no trailing semicolon. Values the caller supplies are $1, $2 … parameters.'),
    explanation: z.string().describe('One or two sentences: what the statement returns or changes.'),
    assumptions: z.array(z.string()).describe('Anything the question left open that the statement had to assume.'),
  }),
);

const SYSTEM = [
  'You write PostgreSQL for a senior backend engineer.',
  'Use only the tables and columns in the schema you are given; quote identifiers exactly as the schema spells them.',
  'Write one statement. Values a caller would supply (ids, emails, dates from the question) become $1, $2 … parameters.',
  'List the columns you need instead of SELECT *. Bound result sets a person reads (ORDER BY … LIMIT).',
  'Change data only when the question asks for a change, and then always with a WHERE clause.',
].join(' ');

export const DERIVE_SQL_SCHEMA = defineSchema(
  'orm_call_sql',
  'The SQL statement an ORM or query-builder call runs on PostgreSQL.',
  z.object({
    derivable: z.boolean().describe('false when the code does not show which statement runs (e.g. the filter is built elsewhere).'),
    sql: z.string().describe('The statement, values from variables as $1, $2 …; empty when not derivable.'),
  }),
);

const DERIVE_SYSTEM = [
  'You translate one ORM or query-builder call into the single PostgreSQL statement it sends, using the ORM\'s default naming and the schema given.',
  'Quote identifiers exactly as the schema spells them. Values from variables or arguments become $1, $2 … parameters.',
  'If the code does not show which statement runs, answer derivable: false with an empty sql. Never guess tables or columns the schema does not have.',
].join(' ');

export interface DeriveDeps {
  provider: LlmProvider;
  tiers: TierModels;
  ledger?: CostLedger;
  prices?: PriceTable;
}

/** `ExplainDeps.deriveSql` on the fast tier: the SQL of an ORM call Keel cannot translate itself. */
export function modelSqlDeriver(deps: DeriveDeps): NonNullable<ExplainDeps['deriveSql']> {
  return async (call, schema, signal) => {
    const model = deps.tiers.fast.model;
    const started = performance.now();
    const schemaText = fitSchema(schema.ddl, call.code);
    const answer = await deps.provider.structured(
      {
        model,
        system: DERIVE_SYSTEM,
        context: `${untrustedBlock(schemaText, 'the database schema, as DDL').text}\n\n${untrustedBlock(call.code, `a ${call.language} call in ${call.path}`).text}`,
        messages: [{ role: 'user', content: 'Which PostgreSQL statement does this call run?' }],
        maxTokens: 800,
        purpose: 'structured',
        files: [call.path],
      },
      DERIVE_SQL_SCHEMA,
      signal,
    );
    deps.ledger?.record({
      feature: 'sql-derive', taskKind: 'extract', provider: deps.provider.id, model: answer.model || model, tier: 'fast',
      usage: answer.usage, latencyMs: performance.now() - started, costUsd: costUsd(answer.model || model, answer.usage, { overrides: deps.prices }),
    });
    return answer.value.derivable && answer.value.sql.trim() ? answer.value.sql : undefined;
  };
}

/** The schema as the model sees it; past this many characters only the tables the question names are sent. */
const MAX_SCHEMA_CHARS = 24_000;

export interface TextToSqlDeps extends ExplainDeps {
  provider: LlmProvider | undefined;
  tiers: TierModels;
  routingMode: 'auto' | 'fast' | 'reasoning';
  ledger?: CostLedger;
  prices?: PriceTable;
}

export async function textToSql(params: DbSqlParams, deps: TextToSqlDeps): Promise<DbSqlResult> {
  const started = Date.now();
  const question = params.question?.trim();
  if (!question) throw new KeelError('INVALID_PARAMS', 'Ask a question: keel sql "<question>".');
  if (!deps.provider) {
    throw new KeelError('PROVIDER_NOT_CONFIGURED', 'Writing SQL needs a model provider: choose one in keel.provider (or --provider) and set its key. `keel explain --sql` checks SQL you wrote without one.');
  }
  const root = params.root ?? process.cwd();
  // One walk of the workspace for the prompt's schema and the plan check's rehearsal.
  const workspace = params.db ? undefined : discoverSchema(root, deps.signal);
  const ddl = workspace ? (await workspace).ddl : await catalogDdl(params.db!, deps);
  if (!ddl.length) {
    throw new KeelError('NOT_AVAILABLE', 'No schema found in the workspace (SQL or Knex migrations, schema.prisma, TypeORM/SQLAlchemy/Django models); configure a database with --db / KEEL_DATABASE_URL.');
  }
  const schemaText = fitSchema(ddl, question);
  const decision = route({ taskKind: 'chat', text: question, mode: deps.routingMode }, deps.tiers);
  const schemaBlock = untrustedBlock(schemaText, 'the database schema, as DDL');
  const callStarted = performance.now();
  const answer = await deps.provider.structured(
    {
      model: decision.model,
      system: SYSTEM,
      context: schemaBlock.text,
      messages: [{ role: 'user', content: question }],
      maxTokens: 1500,
      purpose: 'structured',
    },
    TEXT_TO_SQL_SCHEMA,
    deps.signal,
  );
  const model = answer.model || decision.model;
  const cost = costUsd(model, answer.usage, { overrides: deps.prices });
  deps.ledger?.record({
    feature: 'sql-generate', taskKind: 'chat', provider: deps.provider.id, model, tier: decision.tier,
    usage: answer.usage, latencyMs: performance.now() - callStarted, costUsd: cost,
  });
  const sql = answer.value.sql.trim().replace(/;\s*$/, '');
  const { checks, explain } = await gate(sql, params, root, workspace ? { ...deps, schema: workspace } : deps);
  return {
    question,
    sql,
    explanation: answer.value.explanation,
    assumptions: answer.value.assumptions,
    verdict: checks.some((c) => c.severity === 'fail') ? 'fail' : checks.some((c) => c.severity === 'warn') ? 'warn' : 'pass',
    checks,
    ...(explain ? { explain } : {}),
    provider: deps.provider.id,
    model,
    tier: decision.tier,
    usage: answer.usage,
    costUsd: cost,
    ms: Date.now() - started,
  };
}

/** The safety rules and the plan check, as one list of checks. Exported for tests of the gate alone. */
export async function gate(sql: string, params: DbSqlParams, root: string, deps: ExplainDeps): Promise<{ checks: SqlGateCheck[]; explain?: DbExplainResult }> {
  const checks: SqlGateCheck[] = [];
  const facts = classifySql(sql) ?? [];
  if (facts.length > 1) checks.push({ code: 'KEEL-SQL-MULTIPLE-STATEMENTS', severity: 'fail', message: 'The answer holds more than one statement; Keel checks and returns exactly one.' });
  for (const f of facts) {
    const table = f.table ? ` "${f.table}"` : '';
    if (f.unbounded && (f.kind === 'update' || f.kind === 'delete')) {
      checks.push({ code: 'KEEL-SQL-UNBOUNDED-WRITE', severity: 'fail', message: `${f.kind.toUpperCase()} without a WHERE clause changes every row of${table || ' the table'}.` });
    } else if (f.kind === 'drop' || f.kind === 'truncate') {
      checks.push({ code: 'KEEL-SQL-DESTRUCTIVE', severity: 'fail', message: `${f.kind.toUpperCase()}${table} destroys data irrecoverably.` });
    } else if (f.selectStar) {
      checks.push({ code: 'KEEL-SQL-SELECT-STAR', severity: 'warn', message: `SELECT *${table ? ` on${table}` : ''} fetches every column, including ones added later; list the columns you need.` });
    }
    if (f.kind === 'update' || f.kind === 'delete' || f.kind === 'insert') {
      checks.push({ code: 'KEEL-SQL-WRITES-DATA', severity: 'info', message: `This statement changes data (${f.kind.toUpperCase()}); it was planned, never executed.` });
    }
  }
  if (checks.some((c) => c.severity === 'fail')) return { checks };
  let explain: DbExplainResult | undefined;
  try {
    explain = await explainQuery({ sql, root, ...(params.db ? { db: params.db } : {}), ...(params.rows ? { rows: params.rows } : {}), ...(params.statementTimeoutS ? { statementTimeoutS: params.statementTimeoutS } : {}) }, deps);
  } catch (error) {
    // The statement itself is wrong (syntax, a table or column the schema does not have): a failed
    // check, not a failed request. A dead database or a timeout is still an error for the caller.
    if (error instanceof KeelError && (error.code === 'SQL_INVALID' || error.code === 'DB_UNKNOWN_TABLE')) {
      checks.push({ code: error.code === 'SQL_INVALID' ? 'KEEL-PLAN-REJECTED' : 'KEEL-PLAN-UNKNOWN-TABLE', severity: 'fail', message: `PostgreSQL rejected the statement: ${error.message}` });
      return { checks };
    }
    throw error;
  }
  for (const f of explain.findings) {
    checks.push({ code: f.code, severity: f.code === 'KEEL-PLAN-HOT-NODE' ? 'info' : 'warn', message: f.message });
  }
  for (const ix of explain.indexes) {
    checks.push({ code: 'KEEL-PLAN-INDEX', severity: 'warn', message: `Without ${ix.createSql} the estimated cost is ${ix.costBefore}; with it, ${ix.costAfter} (proven: ${ix.proof}).` });
  }
  return { checks, explain };
}

async function catalogDdl(db: string, deps: ExplainDeps): Promise<string[]> {
  const live = await connectDatabase(db, { timeoutS: deps.timeoutS, localOnly: deps.localOnly, signal: deps.signal });
  try {
    return tablesDdl(await readCatalog(live));
  } finally {
    await live.close();
  }
}

/** The whole schema when it fits; otherwise the statements that name a table the question mentions. */
export function fitSchema(ddl: readonly string[], question: string): string {
  const all = ddl.join(';\n');
  if (all.length <= MAX_SCHEMA_CHARS) return `${all};`;
  const words = new Set(question.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  const mentions = (statement: string): boolean => {
    const table = /(?:table|on)\s+(?:"?\w+"?\.)?"?(\w+)"?/i.exec(statement)?.[1]?.toLowerCase();
    return Boolean(table && (words.has(table) || words.has(table.replace(/s$/, '')) || words.has(`${table}s`)));
  };
  const picked: string[] = [];
  let size = 0;
  for (const s of [...ddl.filter(mentions), ...ddl.filter((s) => !mentions(s))]) {
    if (size + s.length > MAX_SCHEMA_CHARS) continue;
    picked.push(s);
    size += s.length + 2;
  }
  return `${picked.join(';\n')};`;
}
