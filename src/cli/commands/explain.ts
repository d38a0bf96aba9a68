/**
 * `keel explain (--sql "<statement>" | <file>:<line>) [--db <url>] [--rows N] [--analyze] [--json]`
 * The plan check for one statement: on the database in --db / KEEL_DATABASE_URL, or on an embedded
 * PostgreSQL holding the workspace's schema with synthetic rows at production scale (no server, no
 * network). --json prints the `db/explain` result, a public contract:
 * `{ statement, database, plan, cost, findings, indexes, reason? }` (+ optional fields).
 */
import * as path from 'node:path';
import type { DbExplainResult } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CliCommand } from '../command';
import { DB_OPTIONS, dbArgs, positiveNumber } from '../dbArgs';

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: 'Plan a SQL statement on production-scale data and prove index advice',
  usage: 'keel explain (--sql "<statement>" | <file>:<line>) [--dir DIR] [--db <url>] [--rows N] [--analyze [--allow-writes]] [--timeout S] [--json]',
  options: {
    sql: { type: 'string', description: 'The statement to plan ($1 … for parameters).' },
    ...DB_OPTIONS,
    analyze: { type: 'boolean', description: 'EXPLAIN ANALYZE: runs the statement inside a transaction that is rolled back.' },
    'allow-writes': { type: 'boolean', description: 'With --analyze: confirm running a data-changing statement (still rolled back).' },
    timeout: { type: 'string', description: 'Statement and connection time limit in seconds (default 30).' },
  },
  async run(args, io) {
    const sql = str(args.values.sql);
    const target = args.positionals[0];
    if (!sql && !target) throw new KeelError('INVALID_PARAMS', `Give --sql "<statement>" or <file>:<line>.\nusage: ${explainCommand.usage}`);
    if (sql && target) throw new KeelError('INVALID_PARAMS', 'Give either --sql or <file>:<line>, not both.');
    let file: string | undefined;
    let line: number | undefined;
    if (target) {
      const m = /^(.+):(\d+)$/.exec(target);
      if (!m) throw new KeelError('INVALID_PARAMS', `Expected <file>:<line>, got ${target}.`);
      file = path.resolve(io.cwd, m[1]);
      line = Number(m[2]);
    }
    const timeout = positiveNumber(args.values.timeout, '--timeout') ?? positiveNumber(io.env.KEEL_TIMEOUT_S, 'KEEL_TIMEOUT_S');
    const where = dbArgs(args, io.cwd, io.env);
    if (!where.db) io.err(`Planning on the embedded rehearsal (${(where.rows ?? 1_000_000).toLocaleString('en-US')} rows in the largest table)…\n`);
    const result = await io.call('db/explain', {
      ...(sql ? { sql } : { file, line }),
      ...where,
      ...(args.values.analyze === true ? { analyze: true } : {}),
      ...(args.values['allow-writes'] === true ? { allowWrites: true } : {}),
      ...(timeout ? { statementTimeoutS: timeout } : {}),
    });
    if (args.values.json === true) io.out(`${JSON.stringify(result, null, 2)}\n`);
    else io.out(renderText(result));
    return 0;
  },
};

function renderText(r: DbExplainResult): string {
  const out: string[] = [];
  out.push(`${r.derived === 'model' ? 'SQL derived by the fast-tier model (check it against the code)' : r.derived ? `SQL derived from a ${r.derived} call` : 'Statement'}: ${r.statement}`);
  out.push(`Database: ${r.database}${r.rows ? ` (${r.rows.toLocaleString('en-US')} rows in the largest table)` : ''} · estimated cost ${r.cost}`);
  for (const f of r.findings) out.push(`  ${f.code}  ${f.message}`);
  for (const ix of r.indexes) {
    out.push(`Index (proven, ${ix.proof}): cost ${ix.costBefore} → ${ix.costAfter}`);
    out.push(`  ${ix.createSql}`);
  }
  if (r.reason) out.push(`No index advised: ${r.reason}`);
  for (const w of r.warnings ?? []) out.push(`warning: ${w}`);
  out.push(`(${r.ms} ms)`);
  return `${out.join('\n')}\n`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}
