/**
 * Query-plan view: the plan as a tree with each step's estimated cost and rows, the most expensive
 * step highlighted, the findings, and the proven index with a copy button. Everything here is data
 * (statement text comes from the workspace, plans from a database): it reaches the page only as text
 * nodes, never as markup.
 */
import type { DbExplainResult } from '../../src/protocol';
import type { FromQueryPlan, ToQueryPlan } from '../../src/protocol';
import { el, vsCodeApi } from '../shared/page';

const vscode = vsCodeApi<FromQueryPlan>();
const root = document.getElementById('keel-plan-root') as HTMLElement;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Schema?: string;
  Alias?: string;
  'Index Name'?: string;
  'Total Cost': number;
  'Plan Rows': number;
  'Actual Rows'?: number;
  'Actual Total Time'?: number;
  Filter?: string;
  'Index Cond'?: string;
  'Hash Cond'?: string;
  'Sort Key'?: string[];
  Plans?: PlanNode[];
}

const fmt = (n: number): string => (Math.round(n * 100) / 100).toLocaleString('en-US');

function selfCost(n: PlanNode): number {
  return Math.max(0, n['Total Cost'] - (n.Plans ?? []).reduce((s, c) => s + c['Total Cost'], 0));
}

function hottest(n: PlanNode): PlanNode {
  let best = n;
  const walk = (x: PlanNode): void => {
    if (selfCost(x) > selfCost(best)) best = x;
    (x.Plans ?? []).forEach(walk);
  };
  walk(n);
  return best;
}

function nodeView(n: PlanNode, hot: PlanNode, total: number): HTMLElement {
  const title = `${n['Node Type']}${n['Relation Name'] ? ` on ${n.Schema && n.Schema !== 'public' ? `${n.Schema}.` : ''}${n['Relation Name']}` : ''}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`;
  const share = total > 0 ? Math.round((100 * selfCost(n)) / total) : 0;
  const stats = `cost ${fmt(n['Total Cost'])} · rows ${fmt(n['Plan Rows'])}${n['Actual Rows'] !== undefined ? ` (actual ${fmt(n['Actual Rows'])})` : ''}${n['Actual Total Time'] !== undefined ? ` · ${fmt(n['Actual Total Time'])} ms` : ''} · ${share}% here`;
  const details = [n.Filter && `filter ${n.Filter}`, n['Index Cond'] && `index cond ${n['Index Cond']}`, n['Hash Cond'] && `hash cond ${n['Hash Cond']}`, n['Sort Key'] && `sort ${n['Sort Key'].join(', ')}`].filter(Boolean) as string[];
  const head = el('div', `node${n === hot ? ' hot' : ''}`, undefined, el('span', 'node-title', title), el('span', 'node-stats', stats));
  if (n === hot) head.setAttribute('aria-label', `${title}: the most expensive step`);
  for (const d of details) head.append(el('div', 'node-detail', d));
  const li = el('li', undefined, undefined, head);
  if (n.Plans?.length) li.append(el('ul', undefined, undefined, ...n.Plans.map((c) => nodeView(c, hot, total))));
  return li;
}

function render(r: DbExplainResult): void {
  const plan = (r.plan as { Plan: PlanNode }).Plan;
  const hot = hottest(plan);
  const header = el(
    'header',
    undefined,
    undefined,
    el('h1', undefined, r.derived === 'model' ? 'SQL derived by the fast-tier model — check it against the code' : r.derived ? `SQL derived from a ${r.derived} call` : 'Query plan'),
    el('pre', 'statement', r.statement),
    el('p', 'meta', `${r.database === 'embedded' ? `Embedded rehearsal, ${fmt(r.rows ?? 0)} rows in the largest table` : r.database} · estimated cost ${fmt(r.cost)} · ${r.ms} ms`),
  );
  const findings = el('section', 'findings', undefined, el('h2', undefined, 'Findings'));
  const list = el('ul');
  for (const f of r.findings) list.append(el('li', f.code === 'KEEL-PLAN-HOT-NODE' ? 'info' : 'warn', undefined, el('code', undefined, f.code), document.createTextNode(` ${f.message}`)));
  findings.append(r.findings.length ? list : el('p', 'empty', 'Nothing to point at.'));
  const advice = el('section', 'advice', undefined, el('h2', undefined, 'Index'));
  for (const ix of r.indexes) {
    const copy = el('button', 'copy', 'Copy');
    copy.addEventListener('click', () => vscode.postMessage({ type: 'copy', text: ix.createSql }));
    advice.append(
      el('p', 'proof', `Proven ${ix.proof === 'hypopg' ? 'with a HypoPG hypothetical index' : 'by building it in the rehearsal'}: cost ${fmt(ix.costBefore)} → ${fmt(ix.costAfter)}`),
      el('div', 'create', undefined, el('pre', 'sql', ix.createSql), copy),
    );
  }
  if (!r.indexes.length) advice.append(el('p', 'empty', r.reason ?? 'No index advised.'));
  const tree = el('section', 'tree', undefined, el('h2', undefined, 'Plan'), el('ul', 'plan', undefined, nodeView(plan, hot, plan['Total Cost'])));
  const warnings = (r.warnings ?? []).map((w) => el('p', 'warning', w));
  root.replaceChildren(header, advice, findings, tree, ...warnings);
  root.dataset.state = 'result';
}

window.addEventListener('message', (event: MessageEvent<ToQueryPlan>) => {
  const m = event.data;
  if (m?.type === 'result') {
    vscode.setState(m.result);
    render(m.result);
  } else if (m?.type === 'pending') {
    root.replaceChildren(el('p', 'pending', `Planning ${m.what}…`));
    root.dataset.state = 'pending';
  } else if (m?.type === 'error') {
    root.replaceChildren(el('p', 'error', `${m.message} [${m.code}]`));
    root.dataset.state = 'error';
  }
});

const saved = vscode.getState() as DbExplainResult | undefined;
if (saved?.plan) render(saved);
vscode.postMessage({ type: 'ready' });
