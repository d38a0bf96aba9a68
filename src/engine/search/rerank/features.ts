/**
 * Features the local re-ranker scores candidates with. Each is cheap (one pass over a candidate's
 * tokens) and says something the fused rank alone does not: whether the query's rarer words are all
 * there, close together, in the symbol's name or the file's name; whether the chunk is a definition;
 * whether the user has the file open; whether other candidates come from the same file; whether the
 * words at the head of the candidate MEAN what the query's words mean (softCover, softMatch.ts). Term weights are computed over the candidate list itself (a word
 * every candidate contains does not discriminate between them), so no corpus statistics are needed.
 */
import { analyze } from '../analyzer';
import type { SoftMatcher } from './softMatch';
import type { RerankCandidate, RerankContext, ScoreRange } from './types';

export const FEATURE_NAMES = [
  'fusedRR',
  'bm25RR',
  'vectorRR',
  'coverage',
  'proximity',
  'symbolCover',
  'symbolExact',
  'pathCover',
  'definition',
  'prose',
  'length',
  'openFile',
  'recentFile',
  'fileSupport',
  'fusedLogRank',
  'softCover',
  'bm25Norm',
  'vectorNorm',
  'vectorCos',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export type FeatureVector = Float64Array;

const PROSE = new Set(['markdown', 'text', 'plaintext', 'restructuredtext']);
const WINDOW = 12;

export interface QueryFeatures {
  terms: string[];
  /** Identifier-like words of the query, lower-cased (for exact symbol hits). */
  words: Set<string>;
}

/**
 * Names of languages: "python how to sort a dict" — in that language's code the word says nothing, yet
 * it is rare in code, so the candidate-list term weights made it the query's heaviest word and the odd
 * chunk that prints "Python 3" looked like a match. Dropped from the lexical and soft features (BM25
 * itself still sees it). Chosen on the training sets (held-out MRR@10, mean of five sets .653 → .660).
 */
const LANGUAGE_WORDS = new Set(['python', 'py', 'javascript', 'js', 'typescript', 'ts', 'java', 'golang', 'ruby', 'php', 'rust', 'kotlin', 'csharp', 'nodejs']);

export function queryFeatures(query: string): QueryFeatures {
  const terms = [...new Set(analyze(query))].filter((t) => !LANGUAGE_WORDS.has(t));
  const words = new Set<string>();
  for (const m of query.matchAll(/[A-Za-z_$][\w$]{2,}/g)) words.add(m[0].toLowerCase());
  return { terms, words };
}

/** One feature vector per candidate, in FEATURE_NAMES order. */
export function extractFeatures(
  query: string,
  candidates: readonly RerankCandidate[],
  context: RerankContext = {},
  soft: SoftMatcher | null = null,
): FeatureVector[] {
  const q = queryFeatures(query);
  const softCover = soft?.forQuery(query.replace(/[A-Za-z]+/g, (w) => (LANGUAGE_WORDS.has(w.toLowerCase()) ? ' ' : w)));
  const tokens = candidates.map((c) => analyze(c.text));
  const sets = tokens.map((t) => new Set(t));
  const weight = termWeights(q.terms, sets);
  const total = q.terms.reduce((s, t) => s + weight.get(t)!, 0) || 1;
  const open = new Set(context.openFiles ?? []);
  const recent = new Map((context.recentFiles ?? []).map((p, i) => [p, i]));
  const perFile = new Map<string, number>();
  for (const c of candidates) perFile.set(c.chunk.path, (perFile.get(c.chunk.path) ?? 0) + 1 / c.fusedRank);

  return candidates.map((c, i) => {
    const f = new Float64Array(FEATURE_NAMES.length);
    const symbolTerms = new Set(analyze(c.chunk.symbol));
    const base = c.chunk.path.split('/').pop()!.replace(/\.[^.]+$/, '');
    const pathTerms = new Set(analyze(base));
    f[0] = 1 / c.fusedRank;
    f[1] = c.bm25Rank ? 5 / (5 + c.bm25Rank) : 0;
    f[2] = c.vectorRank ? 5 / (5 + c.vectorRank) : 0;
    f[3] = covered(q.terms, sets[i], weight) / total;
    f[4] = proximity(q.terms, tokens[i], weight);
    f[5] = covered(q.terms, symbolTerms, weight) / total;
    f[6] = symbolExact(q.words, c.chunk.symbol) ? 1 : 0;
    f[7] = covered(q.terms, pathTerms, weight) / total;
    f[8] = c.chunk.symbol.trim() ? 1 : 0;
    f[9] = PROSE.has(c.chunk.language) ? 1 : 0;
    f[10] = Math.log1p(tokens[i].length) / Math.log(1000);
    f[11] = open.has(c.chunk.path) ? 1 : 0;
    f[12] = recent.has(c.chunk.path) ? 1 / (1 + recent.get(c.chunk.path)!) : 0;
    // Other candidates from the same file: several hits in one file are evidence for all of them.
    f[13] = perFile.get(c.chunk.path)! - 1 / c.fusedRank;
    // 1/rank is flat past the first few ranks; the log keeps the fused order meaningful deeper down.
    f[14] = 1 - Math.log(c.fusedRank) / Math.log(candidates.length + 1);
    // Query words matched by meaning, not spelling (softMatch.ts); 0 without the embedded model.
    f[15] = softCover ? softCover(`${c.chunk.symbol} ${c.text}`) : 0;
    // Score-aware fusion: each retriever's score min-max scaled over its own list (1 = its best,
    // 0 = its last or absent — an absent chunk scored below the last one). Ranks alone cannot tell a
    // clear winner from a near-tie; a convex mix of normalised scores can (Bruch et al. 2023).
    f[16] = scaled(c.bm25Score, c.bm25Range);
    f[17] = scaled(c.vectorScore, c.vectorRange);
    // The cosine itself: how close the best match is in absolute terms (0 where absent).
    f[18] = c.vectorScore ?? 0;
    return f;
  });
}

function scaled(score: number | undefined, range: ScoreRange | undefined): number {
  if (score === undefined || !range) return 0;
  const span = range.max - range.min;
  return span > 0 ? (score - range.min) / span : 1;
}

/** Inverse "candidate frequency": log((N + 1) / (df + 0.5)), at least a small positive floor. */
function termWeights(terms: readonly string[], sets: ReadonlyArray<Set<string>>): Map<string, number> {
  const n = sets.length;
  const out = new Map<string, number>();
  for (const t of terms) {
    let df = 0;
    for (const s of sets) if (s.has(t)) df++;
    out.set(t, Math.max(0.05, Math.log((n + 1) / (df + 0.5))));
  }
  return out;
}

function covered(terms: readonly string[], present: Set<string>, weight: Map<string, number>): number {
  let s = 0;
  for (const t of terms) if (present.has(t)) s += weight.get(t)!;
  return s;
}

/**
 * How close together the query terms a candidate contains are: the weight of the matched terms found
 * inside the best window of WINDOW tokens, as a share of the weight matched anywhere in the candidate.
 * Relative to what is covered ON PURPOSE: the earlier "share of the query's terms in one window" was
 * mostly a second, unweighted coverage feature (in a short function every term is within 12 tokens),
 * so it rewarded chunks that repeat common query words and pulled against strong vector ranks on
 * CoSQA. Fewer than two distinct matched terms is no evidence of proximity at all (0).
 */
function proximity(terms: readonly string[], tokens: readonly string[], weight: Map<string, number>): number {
  const wanted = new Set(terms);
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  let inWindow = 0;
  let distinct = 0;
  let best = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (wanted.has(t)) {
      seen.add(t);
      const c = counts.get(t) ?? 0;
      if (c === 0) {
        inWindow += weight.get(t)!;
        distinct++;
      }
      counts.set(t, c + 1);
    }
    const out = i - WINDOW;
    if (out >= 0 && wanted.has(tokens[out])) {
      const c = counts.get(tokens[out])! - 1;
      counts.set(tokens[out], c);
      if (c === 0) {
        inWindow -= weight.get(tokens[out])!;
        distinct--;
      }
    }
    if (distinct >= 2 && inWindow > best) best = inWindow;
  }
  if (best === 0) return 0;
  let matched = 0;
  for (const t of seen) matched += weight.get(t)!;
  return Math.min(1, best / matched);
}

/** The query names the symbol (its last segment: `UserService.findById` → findbyid) verbatim. */
function symbolExact(words: Set<string>, symbol: string): boolean {
  if (!symbol || words.size === 0) return false;
  for (const name of symbol.split(',')) {
    const last = name.trim().split('.').pop()?.toLowerCase();
    if (last && last.length >= 3 && words.has(last)) return true;
  }
  return false;
}
