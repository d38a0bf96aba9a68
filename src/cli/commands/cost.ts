/** `keel cost [--json] [--store DIR]`: what model calls have cost and saved, and where the budget stands. */
import * as path from 'node:path';
import type { BudgetLine, CostBucket, CostSummary, TeamCostLine, TeamCostSummary } from '../../protocol';
import type { CliCommand } from '../command';
import { stringArg } from '../args';

export const costCommand: CliCommand = {
  name: 'cost',
  summary: 'Summarise what model calls have cost',
  usage: 'keel cost [--store DIR] [--json] | keel cost --team [--store postgres://…] [--repo NAME] [--since YYYY-MM-DD] [--json]',
  options: {
    store: { type: 'string', description: 'Folder holding the cost ledger (default: Keel’s state dir, $KEEL_STATE_DIR or ~/.local/state/keel); with --team, the team store URL (default: KEEL_INDEX_STORE_URL / KEEL_DATABASE_URL).' },
    team: { type: 'boolean', description: 'Team spend from the PostgreSQL team store: per person, per feature, per repository, team budgets.' },
    repo: { type: 'string', description: 'With --team: only this repository.' },
    since: { type: 'string', description: 'With --team: from this date (default: the first of the month).' },
  },
  async run(args, io) {
    if (args.values.team === true) {
      const team = await io.call('cost/team', {
        store: stringArg(args, 'store'),
        repo: stringArg(args, 'repo'),
        since: stringArg(args, 'since'),
      });
      io.out(args.values.json === true ? `${JSON.stringify(team)}\n` : renderTeam(team));
      return 0;
    }
    const given = stringArg(args, 'store');
    const store = given === undefined ? undefined : path.resolve(io.cwd, given);
    const summary = await io.call('cost/summary', { store });
    io.out(args.values.json === true ? `${JSON.stringify(summary)}\n` : renderSummary(summary));
    return 0;
  },
};

export function renderTeam(t: TeamCostSummary): string {
  const lines = [`Team model spend (USD) since ${t.since} — ${t.store}`, `  total ${usd(t.totalUsd)} in ${t.calls} calls`];
  const section = (title: string, rows: TeamCostLine[]): void => {
    if (!rows.length) return;
    lines.push('', title);
    for (const r of rows.slice(0, 20)) lines.push(`  ${r.key.padEnd(28)} ${usd(r.costUsd).padStart(10)}  ${r.calls} calls`);
  };
  section('Per person', t.perUser);
  section('Per feature', t.perFeature);
  section('Per repository', t.perRepo);
  if (t.budgets.length) {
    lines.push('', 'Team budgets');
    for (const b of t.budgets) lines.push(`  ${`${b.repo} (${b.period})`.padEnd(28)} ${usd(b.spentUsd)} of ${usd(b.limitUsd)} (${Math.round(b.fraction * 100)}%)`);
  }
  return `${lines.join('\n')}\n`;
}

const usd = (x: number): string => `$${x.toFixed(x !== 0 && Math.abs(x) < 0.01 ? 4 : 2)}`;

export function renderSummary(s: CostSummary): string {
  const lines = [
    `Model spend (USD) — ledger ${s.ledger}`,
    row(`today (${s.day})`, s.today, s.calls.today),
    row(`month (${s.month})`, s.monthToDate, s.calls.month),
    row('all time', s.total, s.calls.total),
    '',
    `Saved: ${usd(s.savings.total)}  (semantic cache ${usd(s.savings.semanticCache)} · routing ${usd(s.savings.routing)} · prompt caching ${usd(s.savings.promptCaching)})`,
    `Budget: daily ${budget(s.budget.daily)} · monthly ${budget(s.budget.monthly)} · at 100%: ${s.budget.action}`,
  ];
  const section = (title: string, buckets: CostBucket[], limit: number): void => {
    if (!buckets.length) return;
    lines.push('', title);
    for (const b of buckets.slice(0, limit)) lines.push(row(`  ${b.key}`, b.costUsd, b.calls, b.cacheHits));
    if (buckets.length > limit) lines.push(`  … ${buckets.length - limit} more (--json lists all)`);
  };
  section('Per model', s.perModel, 10);
  section('Per feature', s.perFeature, 10);
  section('Per day (most recent first)', [...s.perDay].reverse(), 14);
  if (s.skippedLines) lines.push('', `${s.skippedLines} unreadable ledger line(s) skipped (e.g. a write cut short by a crash).`);
  return `${lines.join('\n')}\n`;
}

function row(label: string, cost: number, calls: number, cacheHits?: number): string {
  const hits = cacheHits ? `, ${cacheHits} cached` : '';
  return `${label.padEnd(24)} ${usd(cost).padStart(10)}  ${calls} call${calls === 1 ? '' : 's'}${hits}`;
}

function budget(line: BudgetLine): string {
  if (line.limitUsd === null) return 'no cap';
  return `${usd(line.spentUsd)} of ${usd(line.limitUsd)} (${Math.round((line.fraction ?? 0) * 100)}%, ${line.state})`;
}
