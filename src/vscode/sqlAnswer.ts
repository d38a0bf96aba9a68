/**
 * `/sql <question>` in the chat panel and `@keel /sql` in VS Code's Chat view: the engine's `db/sql`
 * (text to SQL, gated by the safety rules and the plan) rendered as one Markdown answer — the SQL and
 * its verdict together, never the SQL alone.
 */
import type { DbSqlResult } from '../protocol';

export const SQL_COMMAND = /^\/sql\s+([\s\S]+)$/;

const VERDICT = { pass: '✅ **PASS** — no safety or plan concern', warn: '⚠️ **WARN** — runs, but read the checks', fail: '⛔ **FAIL** — do not run this as it is' } as const;

export function sqlAnswerMarkdown(r: DbSqlResult): string {
  const out = ['```sql', `${r.sql};`, '```', '', r.explanation];
  if (r.assumptions.length) out.push('', ...r.assumptions.map((a) => `- Assumes: ${a}`));
  const where = r.explain ? ` (planned on ${r.explain.database === 'embedded' ? `the embedded rehearsal, ${(r.explain.rows ?? 0).toLocaleString('en-US')} rows` : r.explain.database}; estimated cost ${r.explain.cost})` : '';
  out.push('', `${VERDICT[r.verdict]}${where}`);
  for (const c of r.checks.filter((x) => x.severity !== 'info' || r.verdict === 'pass')) out.push(`- \`${c.code}\` ${c.message}`);
  for (const ix of r.explain?.indexes ?? []) out.push('', '```sql', ix.createSql, '```');
  return out.join('\n');
}
