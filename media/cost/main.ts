/**
 * Cost report webview: totals, budget, and four charts (spend per day, per model, per feature; savings
 * by mechanism) drawn as inline SVG from the ledger summary the extension posts. No innerHTML anywhere:
 * model and feature names are data and only ever reach the page as text nodes.
 */
import type { CostSummary } from '../../src/protocol';
import type { FromCostReport, ToCostReport } from '../../src/protocol/webview';
import { columns, fillDays, formatUsd, rows } from './layout';
import { svg, titled } from './svg';
import { el, vsCodeApi } from '../shared/page';

const vscode = vsCodeApi<FromCostReport>();

const root = document.getElementById('keel-cost-root') as HTMLElement;
const WIDTH = 560;
const DAYS = 30;

function card(label: string, value: string, detail: string, id: string): HTMLElement {
  const c = el('div', 'card', undefined, el('div', 'card-label', label), el('div', 'card-value', value), el('div', 'card-detail', detail));
  c.dataset.figure = id;
  return c;
}

function section(title: string, chart: Element, empty: boolean): HTMLElement {
  return el('section', 'chart', undefined, el('h2', undefined, title), empty ? el('p', 'empty', 'No calls recorded yet.') : chart);
}

function dayChart(s: CostSummary): SVGSVGElement {
  const height = 140;
  const { bars, max } = columns(fillDays(s.perDay, s.day, DAYS), WIDTH, height);
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${height + 22}`, role: 'img', 'aria-label': `Spend per day, last ${DAYS} days` });
  chart.append(svg('line', { x1: 0, y1: height, x2: WIDTH, y2: height, class: 'axis' }));
  const maxLabel = svg('text', { x: 0, y: 10, class: 'tick' });
  maxLabel.textContent = formatUsd(max);
  chart.append(svg('line', { x1: 0, y1: 0.5, x2: WIDTH, y2: 0.5, class: 'grid' }), maxLabel);
  bars.forEach((b, i) => {
    chart.append(titled(svg('rect', { x: b.x, y: b.y, width: b.width, height: b.height, class: b.label === s.day ? 'bar today' : 'bar' }), `${b.label}: ${formatUsd(b.value)}`));
    if (i === 0 || i === bars.length - 1) {
      const t = svg('text', { x: i === 0 ? 0 : WIDTH, y: height + 16, class: 'tick', 'text-anchor': i === 0 ? 'start' : 'end' });
      t.textContent = b.label;
      chart.append(t);
    }
  });
  return chart;
}

function rowChart(label: string, values: Array<{ label: string; value: number }>): SVGSVGElement {
  const labelWidth = 180;
  const valueWidth = 80;
  const rowHeight = 16;
  const { bars, height } = rows(values, WIDTH - labelWidth - valueWidth, rowHeight);
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${Math.max(height, rowHeight)}`, role: 'img', 'aria-label': label });
  for (const b of bars) {
    const name = svg('text', { x: 0, y: b.y + rowHeight - 4, class: 'row-label' });
    name.textContent = b.label.length > 28 ? `${b.label.slice(0, 27)}…` : b.label;
    const value = svg('text', { x: WIDTH, y: b.y + rowHeight - 4, class: 'row-value', 'text-anchor': 'end' });
    value.textContent = formatUsd(b.value);
    const bar = titled(svg('rect', { x: labelWidth, y: b.y, width: Math.max(b.width, b.value === 0 ? 0 : 1), height: rowHeight, class: b.value < 0 ? 'bar negative' : 'bar' }), `${b.label}: ${formatUsd(b.value)}`);
    chart.append(name, bar, value);
  }
  return chart;
}

function budgetText(s: CostSummary): string {
  const part = (name: string, line: CostSummary['budget']['daily']): string =>
    line.limitUsd === null ? `${name}: no cap` : `${name}: ${formatUsd(line.spentUsd)} of ${formatUsd(line.limitUsd)} (${Math.round((line.fraction ?? 0) * 100)}%)`;
  return `${part('Daily', s.budget.daily)} · ${part('Monthly', s.budget.monthly)} · at 100%: ${s.budget.action}`;
}

function render(s: CostSummary): void {
  const refresh = el('button', 'refresh', 'Refresh');
  refresh.type = 'button';
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  const header = el('header', undefined, undefined, el('h1', undefined, 'Model spend'), refresh);
  const cards = el(
    'div',
    'cards',
    undefined,
    card('Today', formatUsd(s.today), `${s.calls.today} calls · ${s.day}`, 'today'),
    card('This month', formatUsd(s.monthToDate), `${s.calls.month} calls · ${s.month}`, 'month'),
    card('All time', formatUsd(s.total), `${s.calls.total} calls`, 'total'),
    card('Saved', formatUsd(s.savings.total), 'cache · routing · prompt caching', 'saved'),
  );
  const budget = el('p', `budget budget-${s.budget.state}`, budgetText(s));
  budget.dataset.state = s.budget.state;
  const savings = [
    { label: 'Semantic cache', value: s.savings.semanticCache },
    { label: 'Routing to fast tier', value: s.savings.routing },
    { label: 'Prompt caching', value: s.savings.promptCaching },
  ];
  const toRows = (buckets: CostSummary['perModel']) => buckets.slice(0, 12).map((b) => ({ label: b.key, value: b.costUsd }));
  const parts: Node[] = [
    header,
    cards,
    budget,
    section(`Spend per day (last ${DAYS} days)`, dayChart(s), s.perDay.length === 0),
    section('Spend per model', rowChart('Spend per model', toRows(s.perModel)), s.perModel.length === 0),
    section('Spend per feature', rowChart('Spend per feature', toRows(s.perFeature)), s.perFeature.length === 0),
    section('Savings by mechanism', rowChart('Savings by mechanism', savings), s.calls.total === 0),
  ];
  if (s.skippedLines) parts.push(el('p', 'note', `${s.skippedLines} unreadable ledger line(s) were skipped.`));
  parts.push(el('p', 'note', `Ledger: ${s.ledger}`));
  root.replaceChildren(...parts);
  vscode.setState(s);
}

window.addEventListener('message', (event: MessageEvent<ToCostReport>) => {
  const message = event.data;
  if (message?.type === 'summary') render(message.summary);
  else if (message?.type === 'error') root.replaceChildren(el('p', 'error', message.message));
});

const saved = vscode.getState() as CostSummary | undefined;
if (saved && typeof saved === 'object' && 'perDay' in saved) render(saved);
else root.replaceChildren(el('p', 'empty', 'Loading…'));
vscode.postMessage({ type: 'ready' });
