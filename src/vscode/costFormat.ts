/**
 * What the cost meter says, as pure functions of a `CostSummary` (no `vscode` import), so the status
 * bar's text, colour level and tooltip are unit-tested against ledger figures.
 */
import type { BudgetLine, CostSummary } from '../protocol';

export function formatUsd(x: number): string {
  if (x !== 0 && Math.abs(x) < 0.01) return `$${x.toFixed(4)}`;
  return `$${x.toFixed(2)}`;
}

/** `$(pulse) $0.42` — today's spend. */
export function statusText(s: CostSummary): string {
  return `$(pulse) ${formatUsd(s.today)}`;
}

/** Drives the status bar background: warning from 80% of a budget, error at 100%. */
export function statusLevel(s: CostSummary): 'normal' | 'warning' | 'error' {
  if (s.budget.state === 'exceeded') return 'error';
  if (s.budget.state === 'warning') return 'warning';
  return 'normal';
}

/** Markdown for the tooltip: today / month / savings / top models / budget. */
export function tooltipMarkdown(s: CostSummary, topModels = 3): string {
  const lines = [
    '**Keel model spend**',
    '',
    `| | spend | calls |`,
    `|---|---:|---:|`,
    `| Today | ${formatUsd(s.today)} | ${s.calls.today} |`,
    `| This month | ${formatUsd(s.monthToDate)} | ${s.calls.month} |`,
    `| All time | ${formatUsd(s.total)} | ${s.calls.total} |`,
    '',
    `**Saved** ${formatUsd(s.savings.total)} — semantic cache ${formatUsd(s.savings.semanticCache)} · routing ${formatUsd(s.savings.routing)} · prompt caching ${formatUsd(s.savings.promptCaching)}`,
  ];
  const models = s.perModel.slice(0, topModels);
  if (models.length) {
    lines.push('', '**Top models**', '');
    for (const m of models) lines.push(`- \`${escapeMarkdown(m.key)}\` ${formatUsd(m.costUsd)} (${m.calls} call${m.calls === 1 ? '' : 's'})`);
  }
  lines.push('', `**Budget** daily ${budgetText(s.budget.daily)} · monthly ${budgetText(s.budget.monthly)}`, '', 'Click for the cost report.');
  return lines.join('\n');
}

/**
 * What a screen reader announces for the meter: the tooltip's facts as one plain sentence (the tooltip
 * itself is a Markdown table, which is read out as pipes and dashes).
 */
export function accessibleLabel(s: CostSummary): string {
  const calls = (n: number): string => `${n} call${n === 1 ? '' : 's'}`;
  const budgets = [s.budget.daily.limitUsd !== null ? `daily budget ${budgetText(s.budget.daily)}` : '', s.budget.monthly.limitUsd !== null ? `monthly budget ${budgetText(s.budget.monthly)}` : '']
    .filter(Boolean)
    .join(', ');
  return [
    `Keel model spend: ${formatUsd(s.today)} today in ${calls(s.calls.today)}, ${formatUsd(s.monthToDate)} this month in ${calls(s.calls.month)}.`,
    s.savings.total > 0 ? `Saved ${formatUsd(s.savings.total)}.` : '',
    budgets ? `${budgets[0].toUpperCase()}${budgets.slice(1)}.` : 'No budget set.',
    'Opens the cost report.',
  ]
    .filter(Boolean)
    .join(' ')
    .replace(/ — /g, ', ');
}

export function budgetText(line: BudgetLine): string {
  if (line.limitUsd === null) return 'no cap';
  const pct = Math.round((line.fraction ?? 0) * 100);
  const flag = line.state === 'exceeded' ? ' — reached' : line.state === 'warning' ? ' — near' : '';
  return `${formatUsd(line.spentUsd)} of ${formatUsd(line.limitUsd)} (${pct}%${flag})`;
}

/** Model ids come from settings / provider answers: keep them from breaking out of inline code. */
function escapeMarkdown(text: string): string {
  return text.replace(/[`\\]/g, '');
}
