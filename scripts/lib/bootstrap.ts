/**
 * Paired bootstrap for "A vs B" claims on per-query scores: resample the queries (with replacement)
 * many times, recompute mean(A) − mean(B) on each resample, and read the 2.5th / 97.5th percentiles.
 * Pairing (the same resampled queries for both) is what makes small sets usable: the spread between
 * queries is far larger than the spread between systems on one query. A fixed seed makes every
 * printed interval reproducible. "improves" is claimed only when the whole interval is above zero.
 *
 *   tsx scripts/lib/bootstrap.ts a.json b.json   (two JSON arrays of per-query scores, same order)
 */
import * as fs from 'node:fs';
import { mulberry32 } from '../embedder/rng';

export interface PairedInterval {
  /** mean(a) − mean(b) on the original sample. */
  delta: number;
  lo: number;
  hi: number;
  n: number;
  /** 'improves' (lo > 0), 'worsens' (hi < 0) or 'tie' (the interval contains 0). */
  verdict: 'improves' | 'worsens' | 'tie';
}

/** Seeded (mulberry32) so intervals are the same on every run. */
export const seededRandom = mulberry32;

export function pairedBootstrap(a: readonly number[], b: readonly number[], options: { iterations?: number; seed?: number; level?: number } = {}): PairedInterval {
  if (a.length !== b.length) throw new Error(`paired bootstrap needs equal lengths (${a.length} vs ${b.length})`);
  const n = a.length;
  const iterations = options.iterations ?? 10_000;
  const level = options.level ?? 0.95;
  const diff = a.map((x, i) => x - b[i]);
  const delta = n ? diff.reduce((s, d) => s + d, 0) / n : 0;
  if (n === 0) return { delta: 0, lo: 0, hi: 0, n, verdict: 'tie' };
  const random = seededRandom(options.seed ?? 20261207);
  const means = new Float64Array(iterations);
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += diff[Math.floor(random() * n)];
    means[it] = s / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  const lo = means[Math.floor(tail * (iterations - 1))];
  const hi = means[Math.ceil((1 - tail) * (iterations - 1))];
  const verdict = lo > 0 ? 'improves' : hi < 0 ? 'worsens' : 'tie';
  return { delta: round(delta), lo: round(lo), hi: round(hi), n, verdict };
}

/** "+0.0412 [+0.0120, +0.0701] improves" */
export function formatInterval(r: PairedInterval): string {
  const s = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
  return `${s(r.delta)} [${s(r.lo)}, ${s(r.hi)}] ${r.verdict}`;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

if (process.argv[1] && /bootstrap\.ts$/.test(process.argv[1])) {
  const [fa, fb] = process.argv.slice(2);
  if (!fa || !fb) {
    process.stderr.write('usage: tsx scripts/lib/bootstrap.ts a.json b.json\n');
    process.exit(2);
  }
  const a = JSON.parse(fs.readFileSync(fa, 'utf8')) as number[];
  const b = JSON.parse(fs.readFileSync(fb, 'utf8')) as number[];
  const r = pairedBootstrap(a, b);
  console.log(`A − B = ${formatInterval(r)} (n = ${r.n}, 95% paired bootstrap, 10,000 resamples)`);
  console.log(JSON.stringify(r));
}
