/**
 * `keel sql "<question>" [--dir DIR] [--db <url>] [--rows N] [--provider …] [--local-only] [--timeout S] [--json]`
 * A model writes one PostgreSQL statement from the schema; Keel runs the safety rules and the plan check
 * on it (the configured database, else the embedded rehearsal) and prints the verdict beside the SQL.
 * Exit code 1 when the verdict is "fail" (as `keel scan` on findings). --json prints the `db/sql`
 * result, a public contract: `{ question, sql, explanation, assumptions, verdict, checks, explain?, … }`.
 */
import * as path from 'node:path';
import type { DbSqlResult } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CliCommand } from '../command';
import { configureFromEnv, oneOf, providerFromEnv } from './ask';

const PROVIDERS = ['openai', 'anthropic', 'openai-compatible', 'none'] as const;

export const sqlCommand: CliCommand = {
  name: 'sql',
  network: true,
  summary: 'Write SQL for a question from the schema, then gate it on the safety rules and the query plan',
  usage: 'keel sql "<question>" [--dir DIR] [--db <url>] [--rows N] [--provider openai|anthropic|openai-compatible] [--local-only] [--timeout S] [--json]',
  options: {
    dir: { type: 'string', description: 'Workspace whose schema is used (default: the current directory).' },
    db: { type: 'string', description: 'PostgreSQL URL of a dev database: its catalog is the schema and the plan runs there (default: KEEL_DATABASE_URL, else the embedded rehearsal).' },
    rows: { type: 'string', description: 'Rows in the largest table of the embedded rehearsal (default 1000000).' },
    provider: { type: 'string', description: 'openai, anthropic or openai-compatible (default: the first with a key in the environment).' },
    'local-only': { type: 'boolean', description: 'Refuse any non-loopback connection (also KEEL_LOCAL_ONLY=1).' },
  },
  async run(args, io) {
    const question = args.positionals.join(' ').trim();
    if (!question) throw new KeelError('INVALID_PARAMS', `A question is required.\nusage: ${sqlCommand.usage}`);
    const provider = oneOf(args.values.provider, PROVIDERS, '--provider') ?? providerFromEnv(io.env);
    const localOnly = args.values['local-only'] === true || io.env.KEEL_LOCAL_ONLY === '1' || io.env.KEEL_LOCAL_ONLY === 'true';
    await configureFromEnv(io, provider, localOnly);
    const rows = typeof args.values.rows === 'string' ? Number(args.values.rows) : undefined;
    if (rows !== undefined && !(Number.isInteger(rows) && rows > 0)) throw new KeelError('INVALID_PARAMS', '--rows must be a positive whole number.');
    const db = typeof args.values.db === 'string' && args.values.db ? args.values.db : io.env.KEEL_DATABASE_URL;
    const result = await io.call('db/sql', {
      question,
      root: path.resolve(io.cwd, typeof args.values.dir === 'string' ? args.values.dir : '.'),
      ...(db ? { db } : {}),
      ...(rows ? { rows } : {}),
    });
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
