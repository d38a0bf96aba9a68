/** Ranking and classification metrics shared by the evaluation scripts. */

export interface RankMetrics {
  mrr10: number;
  r1: number;
  r5: number;
  r10: number;
}

/** `ranks[i]` is the 1-based rank of query i's relevant item (Infinity if not retrieved). */
export function rankMetrics(ranks: readonly number[]): RankMetrics {
  const n = ranks.length || 1;
  const at = (k: number): number => ranks.filter((r) => r <= k).length / n;
  const mrr10 = ranks.reduce((s, r) => s + (r <= 10 ? 1 / r : 0), 0) / n;
  return { mrr10: round(mrr10), r1: round(at(1)), r5: round(at(5)), r10: round(at(10)) };
}

/** ROC-AUC as the Mann–Whitney probability that a positive outscores a negative (ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let pos = 0;
  let neg = 0;
  let rankSumPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j][0] === order[i][0]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k][1]]) {
        pos++;
        rankSumPos += avgRank;
      } else neg++;
    }
    i = j;
  }
  return round((rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg || 1));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
