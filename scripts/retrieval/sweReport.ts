/**
 * The bug-report section of `npm run eval:retrieval`: variants, tables per split / language /
 * repository, paired-bootstrap intervals for each comparison, and the issue's bars.
 */
import { pairedBootstrap, formatInterval, type PairedInterval } from '../lib/bootstrap';
import type { Embedder } from '../../src/engine/embed/types';
import { LocalReranker } from '../../src/engine/search/rerank/local';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir, loadSweTasks, sharedDataDir, type SweTask } from './sweDev';
import { runSwe, type SweVariant, type TaskScore } from './sweEval';

/**
 * Variants tried on split A while developing retrieval for issue 14, counted here so the report can
 * say how many were looked at before B was read (see scripts/retrieval/README.md for the list).
 */
export const VARIANTS_TRIED = 42; // rounds 1–5 of experiments/sweGrid.ts (13 + 11 + 7 + 4 + 7; round 3 was stopped unread)

const OLD_LIMIT = 4000;

export function sweVariants(embedder: Embedder | undefined): SweVariant[] {
  const hybrid = embedder ? 'hybrid' : 'bm25';
  // Before issue 14: chunks ranked alone, the query as a bag of distinct words, and queries over
  // 4,000 characters refused (so callers cut them).
  const before = { plan: false, fileRank: false } as const;
  const cut = (q: string): string => q.slice(0, OLD_LIMIT);
  const v: SweVariant[] = [
    { name: 'reference', kind: 'reference' },
    { name: 'bm25', kind: 'search', mode: 'bm25' },
  ];
  if (embedder) v.push({ name: 'vector', kind: 'search', mode: 'vector' }, { name: 'hybrid', kind: 'search', mode: 'hybrid' });
  v.push({ name: `${hybrid}+rerank`, kind: 'search', mode: hybrid, reranker: new LocalReranker() });
  v.push({ name: 'before:bm25', kind: 'search', mode: 'bm25', options: before, query: cut });
  if (embedder) v.push({ name: 'before:hybrid', kind: 'search', mode: 'hybrid', options: before, query: cut });
  v.push({ name: `before:${hybrid}+rerank`, kind: 'search', mode: hybrid, reranker: new LocalReranker(), options: before, query: cut });
  return v;
}

interface Summary {
  n: number;
  r1: number;
  r5: number;
  r10: number;
  mrr10: number;
}

function summarize(rows: readonly TaskScore[]): Summary {
  const n = rows.length;
  const mean = (f: (r: TaskScore) => number): number => (n ? Math.round((rows.reduce((s, r) => s + f(r), 0) / n) * 10000) / 10000 : 0);
  return { n, r1: mean((r) => r.r1), r5: mean((r) => r.r5), r10: mean((r) => r.r10), mrr10: mean((r) => r.mrr10) };
}

const isJs = (r: { language: string }): boolean => r.language === 'javascript' || r.language === 'typescript';

function subsets(rows: readonly TaskScore[]): Array<[string, TaskScore[]]> {
  const out: Array<[string, TaskScore[]]> = [
    ['all', [...rows]],
    ['python', rows.filter((r) => r.language === 'python')],
    ['js/ts', rows.filter(isJs)],
  ];
  for (const repo of [...new Set(rows.map((r) => r.repo))].sort()) out.push([repo, rows.filter((r) => r.repo === repo)]);
  return out;
}

export async function runSweSection(embedder: Embedder | undefined, split: string, limit: number | undefined, log: (line: string) => void): Promise<Record<string, unknown>> {
  const dataDir = sharedDataDir('retrieval-swe-dev');
  let tasks: SweTask[] = loadSweTasks(dataDir);
  if (split === 'A' || split === 'B') tasks = tasks.filter((t) => t.split === split);
  if (limit) tasks = tasks.slice(0, limit);
  const variants = sweVariants(embedder);
  const { scores, msPerQuery } = await runSwe(dataDir, tasks, variants, embedder, log);

  const names = variants.map((v) => v.name);
  const table: Record<string, Record<string, Record<string, Summary>>> = {};
  for (const part of ['all', 'A', 'B']) {
    const keep = (r: { split: string }): boolean => part === 'all' || r.split === part;
    if (!tasks.some(keep)) continue;
    console.log(`\nswe (${part === 'all' ? 'all tasks' : `split ${part}`}): file-level, the issue text as the query`);
    table[part] = {};
    for (const [subset, rows0] of subsets(scores.get(names[0])!.filter(keep))) {
      if (!rows0.length) continue;
      if (part !== 'all' && !['all', 'python', 'js/ts'].includes(subset)) continue;
      console.log(`  ${subset} (${rows0.length} tasks)`);
      console.log(`    ${'variant'.padEnd(22)} ${['R@1', 'R@5', 'R@10', 'MRR@10', 'ms/q'].map((h) => h.padStart(7)).join(' ')}`);
      table[part][subset] = {};
      for (const name of names) {
        const ids = new Set(rows0.map((r) => r.id));
        const m = summarize(scores.get(name)!.filter((r) => ids.has(r.id)));
        table[part][subset][name] = m;
        console.log(`    ${name.padEnd(22)} ${[m.r1, m.r5, m.r10, m.mrr10].map((x) => x.toFixed(3).padStart(7)).join(' ')} ${String(msPerQuery.get(name)).padStart(7)}`);
      }
    }
  }

  const best = names.includes('hybrid+rerank') ? 'hybrid+rerank' : 'bm25+rerank';
  const pairs: Array<[string, string]> = [
    [best, 'reference'],
    [best, `before:${best}`],
    ...(names.includes('hybrid') ? ([['hybrid', 'bm25'], [best, 'hybrid']] as Array<[string, string]>) : []),
  ];
  console.log('\nswe: A − B, paired bootstrap 95% intervals over tasks (10,000 resamples); "improves" only when the lower bound > 0');
  const intervals: Record<string, PairedInterval> = {};
  for (const part of ['all', 'B']) {
    for (const [a, b] of pairs) {
      for (const [subset] of [['all'], ['python'], ['js/ts']] as const) {
        const pick = (name: string): TaskScore[] =>
          scores.get(name)!.filter((r) => (part === 'all' || r.split === part) && (subset === 'all' || (subset === 'python' ? r.language === 'python' : isJs(r))));
        const ra = pick(a);
        const rb = pick(b);
        if (!ra.length) continue;
        for (const metric of ['r10', 'mrr10'] as const) {
          const r = pairedBootstrap(ra.map((x) => x[metric]), rb.map((x) => x[metric]));
          const key = `${part}|${subset}|${a} vs ${b}|${metric}`;
          intervals[key] = r;
          console.log(`  ${(part === 'all' ? 'all tasks' : 'split B').padEnd(9)} ${subset.padEnd(6)} ${`${a} − ${b}`.padEnd(40)} ${metric.padEnd(6)} ${formatInterval(r)}`);
        }
      }
    }
  }

  // the ratio bars divide unrounded means: 4-decimal rounding first turned 23/28 ÷ 20/28 (exactly 1.15) into 1.1499
  const exactR10 = (name: string, subset: string): number => {
    const rows = scores.get(name)!.filter((r) => subset === 'python' ? r.language === 'python' : isJs(r));
    return rows.reduce((sum, r) => sum + r.r10, 0) / Math.max(1, rows.length);
  };
  const bars = sweBars(table.all ?? {}, best, exactR10);
  console.log('\nswe bars (all tasks, same run)');
  for (const b of bars) console.log(`  ${b.pass ? 'PASS' : 'FAIL'}  ${b.name}: ${b.detail}`);
  console.log(`  variants tried on split A before reading B: ${VARIANTS_TRIED}`);
  const perTask = Object.fromEntries(names.map((n) => [n, scores.get(n)!.map(({ id, r10, mrr10, top }) => ({ id, r10, mrr10, top: top.slice(0, 3) }))]));
  const out = { tasks: tasks.length, split, table, intervals, bars, variantsTried: VARIANTS_TRIED, msPerQuery: Object.fromEntries(msPerQuery), perTask };
  // every task's top files, for looking at failures (kept out of the repository)
  fs.mkdirSync(path.join(cacheDir(), 'runs'), { recursive: true });
  fs.writeFileSync(path.join(cacheDir(), 'runs', 'last-swe.json'), JSON.stringify(out));
  return out;
}

interface Bar {
  name: string;
  pass: boolean;
  detail: string;
}

function sweBars(all: Record<string, Record<string, Summary>>, best: string, exactR10: (name: string, subset: string) => number): Bar[] {
  const bars: Bar[] = [];
  for (const subset of ['python', 'js/ts']) {
    const s = all[subset];
    if (!s) continue;
    const ratio = exactR10(best, subset) / Math.max(1e-9, exactR10('reference', subset));
    bars.push({ name: `${subset} ${best} R@10 >= 1.15 x whole-file reference`, pass: ratio >= 1.15, detail: `${s[best].r10.toFixed(3)} / ${s.reference.r10.toFixed(3)} = ${ratio.toFixed(3)}x` });
  }
  if (all.all) bars.push({ name: `overall ${best} R@10 >= 0.75`, pass: all.all[best].r10 >= 0.75, detail: all.all[best].r10.toFixed(3) });
  if (all.all) bars.push({ name: `overall ${best} MRR@10 >= 0.50 (the hidden set's bar)`, pass: all.all[best].mrr10 >= 0.5, detail: all.all[best].mrr10.toFixed(3) });
  return bars;
}
