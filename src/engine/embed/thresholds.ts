/**
 * Cosine thresholds do not carry over between embedders (TF-IDF cosines of paraphrases sit near 0.7,
 * learned static vectors near 0.85, OpenAI's near 0.9), so the semantic answer cache asks here for
 * the threshold calibrated for the active embedder. Figures come from `npm run eval:embedder`
 * (QQP dev sweep and GPTCache replay); see MODEL.md.
 */
const CALIBRATED: Record<string, number> = {
  // GPTCache replay at 0.85: 382 own hits, 30 wrong, 587 misses (93% of hits correct). MODEL.md.
  'keel-code-v1': 0.85,
};

/** Used for embedders nobody has calibrated (providers' vectors are sharper than static ones). */
export const FALLBACK_CACHE_THRESHOLD = 0.93;

export function cacheThresholdFor(embedderId: string): number {
  return CALIBRATED[embedderId] ?? FALLBACK_CACHE_THRESHOLD;
}
