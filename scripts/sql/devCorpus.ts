/**
 * The sql-dev corpus (../shared/data/sql-dev, see its README): labels, the corpus's own matching rule
 * (a port of its score.py: same category and file, within 2 lines of `line` or `buildLine`, each finding
 * credited to its nearest label(s) only), a fixed A/B split, and file-clustered bootstrap intervals.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from '../embedder/rng';

export interface Label {
  file: string;
  line: number;
  buildLine?: number;
  lang: string;
  category: string;
  label: 'positive' | 'negative';
}

export interface ScoredFinding {
  path: string;
  line: number;
  category: string;
}

export type Cell = { tp: number; fn: number; fp: number; tn: number };

/** Where the corpus lives: KEEL_SQL_DEV, else ../shared/data/sql-dev beside the checkout or its parent. */
export function devCorpusDir(repo: string): string | undefined {
  const candidates = [process.env.KEEL_SQL_DEV, path.join(repo, '..', 'shared', 'data', 'sql-dev'), path.join(repo, '..', '..', 'shared', 'data', 'sql-dev')];
  return candidates.find((c): c is string => !!c && fs.existsSync(path.join(c, 'labels.jsonl')));
}

export function readLabels(dir: string): Label[] {
  return fs
    .readFileSync(path.join(dir, 'labels.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Label);
}

/**
 * The split unit: an N+1 fix's before/after pair shares one unit (the `nplus1/<repo>/<commit>` folder),
 * every other file is its own unit, so no fix is seen on both sides.
 */
export function splitUnit(file: string): string {
  const m = /^nplus1\/[^/]+\/[^/]+\//.exec(file);
  return m ? m[0] : file;
}

/** Split A or B by a hash of the unit's name (stable across runs and machines). */
export function splitOf(file: string): 'A' | 'B' {
  const h = createHash('sha256').update(splitUnit(file)).digest();
  return h[0] % 2 === 0 ? 'A' : 'B';
}

const LANG_SHORT: Record<string, string> = { javascript: 'js', typescript: 'ts', python: 'python', go: 'go', java: 'java' };
const CAT_SHORT: Record<string, string> = { 'sql-injection': 'injection', 'n-plus-one': 'n+1' };

export function shortLang(lang: string): string {
  return LANG_SHORT[lang] ?? lang;
}
export function shortCategory(cat: string): string {
  return CAT_SHORT[cat] ?? cat;
}

function dist(label: Label, line: number): number {
  let d = Math.abs(line - label.line);
  if (label.buildLine !== undefined) d = Math.min(d, Math.abs(line - label.buildLine));
  return d;
}

/**
 * Which labels are credited by `findings` (score.py's rule). `relPath` maps a finding's path to the
 * corpus-relative one. Returns the credited label indices and the count of findings near no label.
 */
export function credit(labels: readonly Label[], findings: readonly ScoredFinding[], relPath: (p: string) => string, tol = 2): { credited: Set<number>; unmatched: Record<string, number> } {
  const byFile = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const k = `${l.file}\u0000${l.category}`;
    byFile.set(k, [...(byFile.get(k) ?? []), i]);
  });
  const credited = new Set<number>();
  const unmatched: Record<string, number> = {};
  for (const f of findings) {
    const near = (byFile.get(`${relPath(f.path)}\u0000${f.category}`) ?? []).filter((i) => dist(labels[i], f.line) <= tol);
    if (near.length === 0) {
      unmatched[f.category] = (unmatched[f.category] ?? 0) + 1;
      continue;
    }
    const best = Math.min(...near.map((i) => dist(labels[i], f.line)));
    for (const i of near) if (dist(labels[i], f.line) === best) credited.add(i);
  }
  return { credited, unmatched };
}

export function outcome(label: Label, hit: boolean): keyof Cell {
  return label.label === 'positive' ? (hit ? 'tp' : 'fn') : hit ? 'fp' : 'tn';
}

export function emptyCell(): Cell {
  return { tp: 0, fn: 0, fp: 0, tn: 0 };
}

/**
 * Per-file cells [current, baseline] for the bootstrap (files in label order), and the totals, over the
 * labels `keep` admits. `current` / `baseline` are the credited label indices (see credit()).
 */
export function cellsByFile(labels: readonly Label[], current: ReadonlySet<number>, baseline: ReadonlySet<number> | undefined, keep: (i: number) => boolean = () => true): { perFile: Cell[][]; total: Cell[] } {
  const byFile = new Map<string, Cell[]>();
  const total = [emptyCell(), emptyCell()];
  labels.forEach((l, i) => {
    if (!keep(i)) return;
    const cells = byFile.get(l.file) ?? [emptyCell(), emptyCell()];
    const a = outcome(l, current.has(i));
    cells[0][a]++;
    total[0][a]++;
    if (baseline) {
      const b = outcome(l, baseline.has(i));
      cells[1][b]++;
      total[1][b]++;
    }
    byFile.set(l.file, cells);
  });
  return { perFile: [...byFile.values()], total };
}

export function recall(c: Cell): number | undefined {
  return c.tp + c.fn ? c.tp / (c.tp + c.fn) : undefined;
}
export function precision(c: Cell): number | undefined {
  return c.tp + c.fp ? c.tp / (c.tp + c.fp) : undefined;
}

/** Seeded (mulberry32) so intervals are the same on every run. */
export const rng = mulberry32;

/**
 * 95% percentile intervals by resampling source files with replacement (labels of one file are not
 * independent). `cellsPerFile` holds, per file, one cell per system (current, baseline…); the statistic
 * gets the summed cells of one resample. Paired: every system sees the same resample.
 */
export function bootstrap(cellsPerFile: Cell[][], stat: (cells: Cell[]) => number | undefined, iterations = 2000, seed = 15): [number, number] | undefined {
  if (cellsPerFile.length === 0) return undefined;
  const next = rng(seed);
  const systems = cellsPerFile[0].length;
  const values: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const sums = Array.from({ length: systems }, emptyCell);
    for (let k = 0; k < cellsPerFile.length; k++) {
      const file = cellsPerFile[Math.floor(next() * cellsPerFile.length)];
      for (let s = 0; s < systems; s++) {
        sums[s].tp += file[s].tp;
        sums[s].fn += file[s].fn;
        sums[s].fp += file[s].fp;
        sums[s].tn += file[s].tn;
      }
    }
    const v = stat(sums);
    if (v !== undefined && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  return [values[Math.floor(values.length * 0.025)], values[Math.min(values.length - 1, Math.floor(values.length * 0.975))]];
}
