/**
 * The one set of order statistics every benchmark reports: nearest-rank percentiles (the value at
 * rank ⌊p·n⌋ of the sorted samples, clamped to the last), so p50 / p95 mean the same in every figure.
 */

/** `p` in [0, 1]; the input is not modified. NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

export function mean(samples: readonly number[]): number {
  return samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : Number.NaN;
}
