/**
 * `keel sql "<question>" [--dir DIR] [--db <url>] [--rows N] [--provider …] [--local-only] [--timeout S] [--json]`
 * A model writes one PostgreSQL statement from the schema; Keel runs the safety rules and the plan check
 * on it (the configured database, else the embedded rehearsal) and prints the verdict beside the SQL.
 * Exit code 1 when the verdict is "fail" (as `keel scan` on findings). --json prints the `db/sql`
 * result, a public contract: `{ question, sql, explanation, assumptions, verdict, checks, explain?, … }`.
 */
import type { DbSqlResult } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CliCommand } from '../command';
import { localOnlyArg } from '../args';
import { DB_OPTIONS, dbArgs } from '../dbArgs';
import { configureFromEnv, oneOf, PROVIDER_OPTION, PROVIDERS, providerFromEnv } from './ask';


export const sqlCommand: CliCommand = {
  name: 'sql',
  network: true,
  summary: 'Write SQL for a question from the schema, then gate it on the safety rules and the query plan',
  usage: 'keel sql "<question>" [--dir DIR] [--db <url>] [--rows N] [--provider openai|anthropic|openai-compatible] [--local-only] [--timeout S] [--json]',
  options: {
    ...DB_OPTIONS,
    provider: PROVIDER_OPTION,
  },
  async run(args, io) {
    const question = args.positionals.join(' ').trim();
    if (!question) throw new KeelError('INVALID_PARAMS', `A question is required.\nusage: ${sqlCommand.usage}`);
    const provider = oneOf(args.values.provider, PROVIDERS, '--provider') ?? providerFromEnv(io.env);
    const localOnly = localOnlyArg(args, io.env);
    await configureFromEnv(io, provider, localOnly);
    const result = await io.call('db/sql', { question, ...dbArgs(args, io.cwd, io.env) });
    io.out(args.values.json === true ? `${JSON.stringify(result)}\n` : renderText(result));
    if (args.values.json !== true) io.err(`${result.model} · ${result.tier} · $${result.costUsd.toFixed(4)} · ${result.ms} ms\n`);
    return result.verdict === 'fail' ? 1 : 0;
  },
};

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

function renderText(r: DbSqlResult): string {
  const out = [`${r.sql};`, '', `-- ${r.explanation}`];
  for (const a of r.assumptions) out.push(`-- assumes: ${a}`);
  out.push('', `Verdict: ${MARK[r.verdict]}${r.explain ? ` (planned on ${r.explain.database}${r.explain.rows ? `, ${r.explain.rows.toLocaleString('en-US')} rows` : ''}; estimated cost ${r.explain.cost})` : ''}`);
  for (const c of r.checks) out.push(`  ${c.severity.padEnd(4)}  ${c.code}  ${c.message}`);
  if (r.verdict === 'fail') out.push('', 'Do not run this statement as it is.');
  return `${out.join('\n')}\n`;
}
