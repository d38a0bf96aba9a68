/**
 * The chat's slash commands, for the Keel panel and `@keel` alike: `/sql <question>` (the engine's
 * `db/sql`: text to SQL, gated by the safety rules and the plan — the SQL and its verdict together,
 * never the SQL alone) and `/api` or "is this API agent-ready?" (`api/scan`: the readiness summary of
 * the workspace's endpoints). Each renders one Markdown answer; anything else is an ordinary question.
 */
import type { ApiScanResult, ChatAskResult, DbSqlResult, Tier } from '../protocol';
import type { EngineClient } from './engineClient';

export const SQL_COMMAND = /^\/sql\s+([\s\S]+)$/;
const API_COMMAND = /^\/api\b|\bagent[- ]read(?:y|iness)\b/i;

export type ChatCommand = { kind: 'sql'; question: string } | { kind: 'api' };

/** The command a chat message or `@keel /command` asks for, if any. */
export function chatCommandOf(message: string, participantCommand?: string): ChatCommand | undefined {
  const text = message.trim();
  if (participantCommand === 'sql') return { kind: 'sql', question: text };
  if (participantCommand === 'api') return { kind: 'api' };
  const sql = SQL_COMMAND.exec(text)?.[1];
  if (sql) return { kind: 'sql', question: sql };
  return API_COMMAND.test(text) ? { kind: 'api' } : undefined;
}

/** Run it and answer in the shape of a chat answer (a footer with the model call, when there was one). */
export async function runChatCommand(engine: EngineClient, command: ChatCommand, root: string, signal?: AbortSignal, tier?: Tier): Promise<ChatAskResult> {
  const none = { passages: [], citations: [], cached: false };
  if (command.kind === 'sql') {
    const r = await engine.request('db/sql', { question: command.question, root, ...(tier ? { tier } : {}) }, { signal });
    return { ...none, answer: sqlAnswerMarkdown(r), provider: r.provider, model: r.model, tier: r.tier, reason: `SQL ${r.verdict.toUpperCase()} after the safety rules and the plan check.`, usage: r.usage, costUsd: r.costUsd, offline: false };
  }
  const r = await engine.request('api/scan', { paths: [root], cwd: root }, { signal });
  const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  return { ...none, answer: apiReadinessMarkdown(r), provider: 'none', model: 'none', tier: 'none', reason: 'Keel’s api rules, offline: no model call.', usage: zero, costUsd: 0, offline: true, analysis: true };
}

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

export function apiReadinessMarkdown(r: ApiScanResult): string {
  const rd = r.readiness;
  if (!rd.routes) return 'Keel found no HTTP routes in this workspace (Express, Fastify, Koa, NestJS, FastAPI, Flask, Django/DRF, gin, echo, net/http).';
  const out = [
    `**Agent readiness: ${rd.score}/100** — ${rd.routes} route${rd.routes === 1 ? '' : 's'}, ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} from Keel’s api rules.`,
    '',
  ];
  const rules = Object.entries(rd.byRule).sort((a, b) => b[1] - a[1]);
  if (rules.length) out.push('| rule | findings |', '|---|---|', ...rules.map(([code, n]) => `| \`${code}\` | ${n} |`), '');
  if (rd.worst.length) {
    out.push('Worst endpoints first:');
    for (const w of rd.worst.slice(0, 10)) out.push(`- \`${w.method} ${w.path}\` — ${w.file}:${w.line} — ${w.codes.map((c) => `\`${c}\``).join(', ')}`);
    out.push('');
  }
  out.push('Each finding is in the Problems panel with its fix; `keel api --openapi` writes the strict OpenAPI document.');
  return out.join('\n');
}
