/**
 * `npm run eval:review`: blast-radius classification precision/recall per area on the labelled hunks
 * in scripts/eval-review/ (real diffs between published versions of npm packages, labelled by
 * CRITERIA.md). The set is split in two halves by a hash of each hunk's id: `tune` (where rules may
 * be looked at and changed) and `report` (the figures that count). Prints the baseline — a path-only
 * classifier, what CODEOWNERS-style globs do — from the same run, a paired-bootstrap 95% interval for
 * the F1 difference per area, and ends with one JSON line.
 * Usage: tsx scripts/eval-review.ts [--split tune|report|all] [--errors]
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { BlastArea } from '../src/protocol';
import { AREAS, areasOf, classifyRegion, pathAreas } from '../src/engine/review/classify';

const DIR = path.join(__dirname, 'eval-review');
const BARS: Partial<Record<BlastArea, { precision: number; recall: number }>> = {
  auth: { precision: 0.85, recall: 0.8 },
  payments: { precision: 0.85, recall: 0.8 },
  'personal-data': { precision: 0.85, recall: 0.8 },
};

interface Hunk {
  id: string;
  package: string;
  path: string;
  added: Array<{ line: number; text: string }>;
  removed: Array<{ line: number; text: string }>;
  imports: string[];
  file: string;
}
interface Labels {
  packages: Record<string, Array<[string, BlastArea[]]>>;
  hunks: Record<string, BlastArea[]>;
}

const args = process.argv.slice(2);
const split = args.includes('--split') ? args[args.indexOf('--split') + 1] : 'report';
const showErrors = args.includes('--errors');

const labels = JSON.parse(fs.readFileSync(path.join(DIR, 'labels.json'), 'utf8')) as Labels;
const all = fs.readFileSync(path.join(DIR, 'dataset.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Hunk);
const half = (h: Hunk): 'tune' | 'report' => (parseInt(createHash('sha256').update(h.id).digest('hex').slice(0, 2), 16) % 2 === 0 ? 'tune' : 'report');
const hunks = all.filter((h) => split === 'all' || half(h) === split);

function gold(h: Hunk): Set<BlastArea> {
  if (labels.hunks[h.id]) return new Set(labels.hunks[h.id]);
  const rules = labels.packages[h.package];
  if (!rules) throw new Error(`no labels for package ${h.package}`);
  for (const [glob, areas] of rules) if (picomatch(glob, { dot: true })(h.path)) return new Set(areas);
  throw new Error(`no label rule matches ${h.package}/${h.path}`);
}

const FILES = JSON.parse(fs.readFileSync(path.join(DIR, 'files.json'), 'utf8')) as Record<string, string>;
const fileText = (h: Hunk): string => FILES[h.file] ?? h.imports.map((m) => `import '${m}';`).join('\n');
const keel = (h: Hunk): Set<BlastArea> => new Set(areasOf(classifyRegion(h.path, fileText(h), [...h.added, ...h.removed])));
const baseline = (h: Hunk): Set<BlastArea> => new Set(areasOf(pathAreas(h.path)));

interface Counts { tp: number; fp: number; fn: number }
function counts(idx: readonly number[], area: BlastArea, pred: Array<Set<BlastArea>>, truth: Array<Set<BlastArea>>): Counts {
  const c = { tp: 0, fp: 0, fn: 0 };
  for (const i of idx) {
    const p = pred[i].has(area);
    const t = truth[i].has(area);
    if (p && t) c.tp++;
    else if (p) c.fp++;
    else if (t) c.fn++;
  }
  return c;
}
const precision = (c: Counts): number => (c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp));
const recall = (c: Counts): number => (c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn));
const f1 = (c: Counts): number => (2 * c.tp === 0 ? 0 : (2 * c.tp) / (2 * c.tp + c.fp + c.fn));

// Seeded PRNG (mulberry32) so the intervals are the same on every run.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const truth = hunks.map(gold);
const ours = hunks.map(keel);
const base = hunks.map(baseline);
const index = hunks.map((_h, i) => i);
const random = rng(19);
const B = 2000;
const report: Record<string, unknown> = {};
console.log(`eval:review — split ${split}: ${hunks.length} hunks from ${new Set(hunks.map((h) => h.package)).size} packages (${all.length} in the whole set)`);
console.log('area            n+   keel P  keel R  keel F1 | path-only P  R     F1   | ΔF1 [95% CI]');
let barsMet = true;
for (const area of AREAS) {
  const k = counts(index, area, ours, truth);
  const b = counts(index, area, base, truth);
  const positives = k.tp + k.fn;
  const diffs: number[] = [];
  for (let r = 0; r < B; r++) {
    const sample = index.map(() => index[Math.floor(random() * index.length)]);
    diffs.push(f1(counts(sample, area, ours, truth)) - f1(counts(sample, area, base, truth)));
  }
  diffs.sort((x, y) => x - y);
  const lo = diffs[Math.floor(B * 0.025)];
  const hi = diffs[Math.floor(B * 0.975)];
  const bar = BARS[area];
  const meets = bar ? precision(k) >= bar.precision && recall(k) >= bar.recall : undefined;
  if (meets === false) barsMet = false;
  report[area] = {
    positives, tp: k.tp, fp: k.fp, fn: k.fn, precision: +precision(k).toFixed(3), recall: +recall(k).toFixed(3), f1: +f1(k).toFixed(3),
    baseline: { precision: +precision(b).toFixed(3), recall: +recall(b).toFixed(3), f1: +f1(b).toFixed(3) },
    f1DiffCI95: [+lo.toFixed(3), +hi.toFixed(3)], ...(bar ? { bar, meets } : {}),
  };
  console.log(
    `${area.padEnd(15)} ${String(positives).padStart(3)}  ${precision(k).toFixed(3)}   ${recall(k).toFixed(3)}   ${f1(k).toFixed(3)}   | ${precision(b).toFixed(3)}      ${recall(b).toFixed(3)} ${f1(b).toFixed(3)} | ${(f1(k) - f1(b)).toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]${bar ? (meets ? '  bar met' : '  BAR NOT MET') : ''}`,
  );
}
if (showErrors) {
  for (const [i, h] of hunks.entries()) {
    const missing = [...truth[i]].filter((a) => !ours[i].has(a));
    const extra = [...ours[i]].filter((a) => !truth[i].has(a));
    if (missing.length || extra.length) {
      console.log(`  ${h.id} ${h.package}/${h.path}  missed: ${missing.join(',') || '-'}  extra: ${extra.join(',') || '-'}`);
      for (const l of [...h.added.map((x) => `+${x.text}`), ...h.removed.map((x) => `-${x.text}`)].slice(0, 4)) console.log(`      ${l.slice(0, 140)}`);
    }
  }
}
console.log(JSON.stringify({ eval: 'review', split, hunks: hunks.length, barsMet, areas: report }));
