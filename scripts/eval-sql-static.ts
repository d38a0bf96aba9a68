/**
 * `npx tsx scripts/eval-sql-static.ts [--baseline <findings.json>]`: SQL injection / N+1 quality for Go and
 * Java on ../shared/data/sql-dev (the dev corpus; not a quality claim by itself — a hidden set decides).
 *
 * Scans the corpus's .go and .java files with the engine's `scanPaths` and scores with score.py's rule,
 * ported here so it can be bootstrapped: a finding matches a label of its category in its file within 2
 * lines of `line` or `buildLine`, and is credited to its nearest label(s) only. Labels are split by a hash
 * of their source file: split A was used to choose variants, split B is reported beside the whole.
 * 95% intervals: 2,000 bootstrap resamples of source files (labels of one file move together, as their
 * findings do). `--baseline f.json` (a `keel scan --format json` of the same folder made by another build,
 * e.g. main) scores that too and bootstraps the paired difference. Last line: one JSON object.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../src/protocol';
import { scanPaths } from '../src/engine/sql/scan';
import { mulberry32 } from './embedder/rng';
import type { Label } from './sql/devCorpus';

// The worktree layout puts shared/ two or three levels up; KEEL_SQL_DEV overrides.
const CORPUS = process.env.KEEL_SQL_DEV ?? [path.resolve(__dirname, '../../shared/data/sql-dev'), path.resolve(__dirname, '../../../shared/data/sql-dev')].find((p) => fs.existsSync(p)) ?? '';
const LANGS = ['go', 'java'] as const;
const TOL = 2;


export function splitOf(file: string): 'A' | 'B' {
  return createHash('sha256').update(file).digest()[0] % 2 === 0 ? 'A' : 'B';
}

function dist(l: Label, line: number): number {
  const d = Math.abs(line - l.line);
  return l.buildLine === undefined ? d : Math.min(d, Math.abs(line - l.buildLine));
}

/** Which labels some finding is credited to (score.py's nearest-label rule). */
export function credited(labels: Label[], findings: Array<{ file: string; line: number; category: string }>): Set<Label> {
  const byKey = new Map<string, Label[]>();
  for (const l of labels) byKey.set(`${l.file}\0${l.category}`, [...(byKey.get(`${l.file}\0${l.category}`) ?? []), l]);
  const out = new Set<Label>();
  for (const f of findings) {
    const near = (byKey.get(`${f.file}\0${f.category}`) ?? []).filter((l) => dist(l, f.line) <= TOL);
    if (near.length === 0) continue;
    const best = Math.min(...near.map((l) => dist(l, f.line)));
    for (const l of near) if (dist(l, f.line) === best) out.add(l);
  }
  return out;
}

interface Counts { tp: number; fn: number; fp: number; tn: number }

function count(labels: Label[], hit: Set<Label>): Counts {
  const c = { tp: 0, fn: 0, fp: 0, tn: 0 };
  for (const l of labels) {
    if (l.label === 'positive') hit.has(l) ? c.tp++ : c.fn++;
    else hit.has(l) ? c.fp++ : c.tn++;
  }
  return c;
}

const recall = (c: Counts): number => (c.tp + c.fn ? c.tp / (c.tp + c.fn) : NaN);
const precision = (c: Counts): number => (c.tp + c.fp ? c.tp / (c.tp + c.fp) : NaN);

const rng = mulberry32;

/** 95% interval of `stat` over file-level resamples. */
function bootstrap(labels: Label[], stat: (ls: Label[]) => number, n = 2000): [number, number] {
  const files = [...new Set(labels.map((l) => l.file))];
  const byFile = new Map(files.map((f) => [f, labels.filter((l) => l.file === f)]));
  const next = rng(12345);
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    const sample: Label[] = [];
    for (let k = 0; k < files.length; k++) sample.push(...byFile.get(files[Math.floor(next() * files.length)])!);
    const v = stat(sample);
    if (!Number.isNaN(v)) vals.push(v);
  }
  vals.sort((a, b) => a - b);
  return [vals[Math.floor(vals.length * 0.025)] ?? NaN, vals[Math.min(vals.length - 1, Math.floor(vals.length * 0.975))] ?? NaN];
}

function toRel(p: string, cwd: string): string {
  return path.relative(CORPUS, path.resolve(cwd, p)).split(path.sep).join('/');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const baselinePath = args.includes('--baseline') ? args[args.indexOf('--baseline') + 1] : undefined;
  const labels = fs
    .readFileSync(path.join(CORPUS, 'labels.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Label)
    .filter((l) => (LANGS as readonly string[]).includes(l.lang));
  const files = [...new Set(labels.map((l) => l.file))];
  const t0 = performance.now();
  const result = await scanPaths({ paths: files, cwd: CORPUS });
  const ms = performance.now() - t0;
  const mine = result.findings.map((f) => ({ file: toRel(f.path, CORPUS), line: f.line, category: f.category }));
  const runs: Array<{ name: string; hit: Set<Label> }> = [{ name: 'this build', hit: credited(labels, mine) }];
  if (baselinePath) {
    const base = (JSON.parse(fs.readFileSync(baselinePath, 'utf8')) as Finding[]).map((f) => ({ file: toRel(f.path, process.cwd()), line: f.line, category: f.category }));
    runs.unshift({ name: 'baseline', hit: credited(labels, base) });
  }
  console.log(`sql-dev Go+Java: ${labels.length} labels in ${files.length} files, scanned in ${Math.round(ms)} ms; split by sha256(file) (A: develop, B: report)`);
  const summary: Record<string, unknown> = {};
  for (const category of ['sql-injection', 'n-plus-one']) {
    for (const lang of LANGS) {
      for (const split of ['B', 'all'] as const) {
        const ls = labels.filter((l) => l.category === category && l.lang === lang && (split === 'all' || splitOf(l.file) === split));
        if (ls.length === 0) {
          console.log(`${category.padEnd(14)} ${lang.padEnd(5)} ${split.padEnd(3)} no labels`);
          continue;
        }
        for (const run of runs) {
          const c = count(ls, run.hit);
          const [rl, rh] = bootstrap(ls, (s) => recall(count(s, run.hit)));
          const [pl, ph] = bootstrap(ls, (s) => precision(count(s, run.hit)));
          console.log(
            `${category.padEnd(14)} ${lang.padEnd(5)} ${split.padEnd(3)} ${run.name.padEnd(10)} recall ${f2(recall(c))} [${f2(rl)}, ${f2(rh)}]  precision ${f2(precision(c))} [${f2(pl)}, ${f2(ph)}]  (tp ${c.tp} fn ${c.fn} fp ${c.fp} tn ${c.tn})`,
          );
          summary[`${category}/${lang}/${split}/${run.name === 'baseline' ? 'baseline' : 'now'}`] = { recall: r2(recall(c)), precision: r2(precision(c)), ...c };
        }
        if (runs.length === 2) {
          const [d1, d2] = bootstrap(ls, (s) => recall(count(s, runs[1].hit)) - recall(count(s, runs[0].hit)));
          console.log(`${''.padEnd(24)} recall gain over baseline 95% CI [${f2(d1)}, ${f2(d2)}] (paired, file resamples)`);
        }
      }
    }
  }
  const splitA = labels.filter((l) => splitOf(l.file) === 'A').map((l) => l.file);
  console.log(`split A files: ${[...new Set(splitA)].join(', ')}`);
  console.log(JSON.stringify(summary));
}

const f2 = (x: number): string => (Number.isNaN(x) ? ' -  ' : x.toFixed(2));
const r2 = (x: number): number | null => (Number.isNaN(x) ? null : Math.round(x * 1000) / 1000);

if (require.main === module) void main();
