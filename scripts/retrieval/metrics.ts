/** Ranking metrics over de-duplicated result keys (a file may come back as several passages). */

export interface Metrics {
  queries: number;
  mrr10: number;
  recall1: number;
  recall5: number;
  recall10: number;
}

/** 1-based rank of `relevant` among the distinct keys of `results`, or undefined if absent. */
export function rankOf(results: readonly string[], relevant: string): number | undefined {
  const seen = new Set<string>();
  for (const key of results) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (key === relevant) return seen.size;
  }
  return undefined;
}

export function summarize(ranks: ReadonlyArray<number | undefined>): Metrics {
  const n = ranks.length;
  let mrr = 0;
  let r1 = 0;
  let r5 = 0;
  let r10 = 0;
  for (const r of ranks) {
    if (r === undefined) continue;
    if (r <= 10) {
      mrr += 1 / r;
      r10++;
    }
    if (r <= 5) r5++;
    if (r <= 1) r1++;
  }
  const d = Math.max(1, n);
  return { queries: n, mrr10: round(mrr / d), recall1: round(r1 / d), recall5: round(r5 / d), recall10: round(r10 / d) };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
