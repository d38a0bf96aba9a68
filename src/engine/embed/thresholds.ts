/**
 * Cosine thresholds do not carry over between embedders (TF-IDF cosines of paraphrases sit near 0.7,
 * learned static vectors near 0.85, OpenAI's near 0.9), so the semantic answer cache asks here for
 * the threshold — and the ambiguity margin — calibrated for the active embedder. Figures come from
 * `npm run eval:semcache` (GPTCache replay, calibrated on the even-numbered pairs, reported on the odd
 * ones; QQP dev sweep) and `npm run eval:embedder`; see MODEL.md.
 */
interface CacheCalibration {
  /** Lowest cosine at which a cached question may answer a new one. */
  threshold: number;
  /**
   * The best candidate must beat every other candidate in scope by at least this much cosine: wrong
   * hits live in ambiguous neighbourhoods (a paraphrase of A landing just above B, which shares A's
   * topic words), right hits usually stand clear of the runner-up. Scale-dependent, so per embedder.
   */
  margin: number;
}

const CALIBRATED: Record<string, CacheCalibration> = {
  // Calibrated on the even GPTCache pairs (best precision at ≥ 50% hit rate over threshold × margin),
  // reported on the odd ones: 97.9% precision at 57.9% hit rate (283 own / 6 wrong); the threshold
  // alone, calibrated the same way (0.815), held out: 94.9% / 51.3%. Replayed through the cache with
  // the identifier guard, all 999 pairs: 97.2% / 61.3% (the old 0.85 without margin: 94.0% / 38.5%).
  'keel-code-v1': { threshold: 0.7, margin: 0.09 },
};

/** Used for embedders nobody has calibrated (providers' vectors are sharper than static ones). */
export const FALLBACK_CACHE_THRESHOLD = 0.93;
/** Uncalibrated embedders get no margin rule: a margin only means something on a measured scale. */
export const FALLBACK_CACHE_MARGIN = 0;

export function cacheThresholdFor(embedderId: string): number {
  return CALIBRATED[embedderId]?.threshold ?? FALLBACK_CACHE_THRESHOLD;
}

export function cacheMarginFor(embedderId: string): number {
  return CALIBRATED[embedderId]?.margin ?? FALLBACK_CACHE_MARGIN;
}
