/**
 * Question normalisation before embedding. Two strengths:
 *   light — Unicode compatibility forms, whitespace collapsed, trimmed: never changes meaning;
 *   full  — also lower-cased and punctuation dropped: helps embedders that are case/punctuation
 *           sensitive, but can blur code identifiers (`User.id` → "user id").
 * Which one a cache uses is decided by measurement per embedder (scripts/eval-semcache.ts).
 */
export type Normalization = 'none' | 'light' | 'full';

export function normalizeQuestion(text: string, strength: Normalization = 'full'): string {
  if (strength === 'none') return text;
  const light = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (strength === 'light') return light;
  return light
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
