/**
 * Hybrid retrieval: BM25 catches exact identifiers and error strings, vectors catch meaning, Reciprocal
 * Rank Fusion merges the two ranked lists without calibrating their scores, an optional re-ranker
 * orders the fused top candidates, and the survivors become passages (overlaps dropped, adjacent chunks
 * of one file merged). Quoted phrases in the query ("connection refused") must appear verbatim: chunks
 * that contain them are moved ahead of those that do not.
 */
import type { SearchMode } from '../../protocol';
import { KeelError, throwIfCancelled, toKeelError } from '../../common/errors';
import { chunkFilter, type SearchFilters } from './filters';
import { displaySymbol, diversify, toPassages, type Passage } from './passages';
import type { RerankCandidate, RerankContext, Reranker, ScoreRange } from './rerank/types';
import { reciprocalRankFusion } from './rrf';
import type { FileKind } from '../index/fileKind';
import { DEFAULT_FILE_RANK, fileKey, rankFiles, type FileRankOptions, type RankedFile } from './fileRank';
import { DEFAULT_PLAN_WEIGHTS, planQuery, type PlanWeights } from './queryPlan';
import type { ScoredChunk, ScoredFile, SearchSource, SourceChunk } from './source';

export interface HybridOptions {
  mode?: SearchMode;
  /** Passages to return (default 10, at most 100). */
  top?: number;
  /** Candidates fused and handed to the re-ranker (default 50, at least `top`, at most 200). */
  candidates?: number;
  /** RRF's k (default DEFAULT_RRF_K). */
  rrfK?: number;
  /** Per-retriever RRF weights (default 1 each). */
  weights?: { bm25?: number; vector?: number };
  filters?: SearchFilters;
  /** At most this many passages per file lead the results (default DEFAULT_MAX_PER_FILE; 0: no limit). */
  maxPerFile?: number;
  reranker?: Reranker;
  rerankContext?: Omit<RerankContext, 'signal'>;
  signal?: AbortSignal;
  /**
   * Query understanding (queryPlan.ts; default on): weighted terms, identifiers, paths, stack frames.
   * false gives BM25 the text as a bag of distinct words, as before issue 14.
   */
  plan?: boolean | PlanWeights;
  /** File-level ranking (fileRank.ts; default on). false ranks chunks only, as before issue 14. */
  fileRank?: boolean | Partial<FileRankOptions>;
  /** With a re-ranker and file ranking: how much its best score in a file moves the file (0: passages only). */
  rerankFileWeight?: number;
}

export interface HybridPassage extends Passage {
  /** The file's kind (fileKind.ts), when file ranking ran. */
  kind?: FileKind;
  /** The best member chunk's 1-based ranks before re-ranking. */
  fusedRank: number;
  bm25Rank?: number;
  vectorRank?: number;
}

export interface HybridResult {
  passages: HybridPassage[];
  /** The mode actually used: vector and hybrid fall back to bm25 on an index without vectors. */
  mode: SearchMode;
  /** Why the answer is degraded (e.g. the embedder failed, so hybrid answered from keywords only). */
  warnings: string[];
  reranker: string | null;
  timings: { keywordMs: number; vectorMs: number; rerankMs: number; totalMs: number };
}

interface Candidate {
  chunk: SourceChunk;
  score: number;
  fusedRank: number;
  bm25Rank?: number;
  vectorRank?: number;
  bm25Score?: number;
  vectorScore?: number;
}

export const DEFAULT_TOP = 10;
/**
 * RRF's k. The default is the paper's 60, as Keel's search contract states. Measured alternative (pass
 * `rrfK`): 60 flattens the head of each list, so a chunk that ONE retriever puts first loses to chunks
 * both put mid-list; on the TRAINING packages k 10 did better (hybrid MRR@10 / R@10: file level
 * 0.578 / 0.853 → 0.584 / 0.863; function level 0.664 / 0.891 → 0.668 / 0.907) and the evaluation sets
 * agreed (CoSQA hybrid MRR .691 → .697, repository set R@10 .871 → .885).
 */
export const DEFAULT_RRF_K = 60;
export const DEFAULT_CANDIDATES = 50;
export const MAX_QUERY_CHARS = 200_000;
/** Chunks each retriever returns when files are ranked: enough for most files' best few chunks. */
const FILE_RANK_DEPTH = 300;
/** Files the whole-file BM25 list ranks (the fusion reads ranks, so deeper ones barely count). */
const WHOLE_FILE_DEPTH = 200;
/** Chunks per file handed to the re-ranker and the passages. */
const CHUNKS_PER_FILE = 3;
/** Chosen on split A: 0.3 ties 0 for the local re-ranker (R@10 .491 both), and a re-ranker still moves files. */
export const DEFAULT_RERANK_FILE_WEIGHT = 0.3;
/**
 * One passage per file leads, the rest follow: chosen on the TRAINING set (file-level R@10 of hybrid +
 * local re-ranker 0.875 with 1, 0.870 with 2, 0.865 unlimited), not on the evaluation sets.
 */
export const DEFAULT_MAX_PER_FILE = 1;

export async function hybridSearch(source: SearchSource, query: string, options: HybridOptions = {}): Promise<HybridResult> {
  const t0 = performance.now();
  const text = typeof query === 'string' ? query.trim() : '';
  if (!text) throw new KeelError('INVALID_PARAMS', 'The search query is empty.');
  // Bug reports with logs run to tens of thousands of characters; they are used whole (the plan
  // weights their terms), and only a query no person would paste is refused.
  if (text.length > MAX_QUERY_CHARS) throw new KeelError('INVALID_PARAMS', `The search query is longer than ${MAX_QUERY_CHARS.toLocaleString('en')} characters.`);
  const top = clampInt(options.top ?? DEFAULT_TOP, 1, 100, 'top');
  const depth = Math.max(top, clampInt(options.candidates ?? DEFAULT_CANDIDATES, 1, 200, 'candidates'));
  // The plan always classifies the query (file ranking reads its class and paths); `plan: false` only
  // keeps BM25 on the plain text.
  const plan = planQuery(text, typeof options.plan === 'object' ? options.plan : DEFAULT_PLAN_WEIGHTS);
  const fileOptions = options.fileRank === false ? undefined : { ...DEFAULT_FILE_RANK, ...(options.fileRank === true ? {} : options.fileRank) };
  // File ranking aggregates over many chunks per file, so each retriever is read deeper.
  const retrieveDepth = fileOptions ? Math.max(depth, FILE_RANK_DEPTH) : depth;
  const requested = options.mode ?? 'hybrid';
  if (!['hybrid', 'bm25', 'vector'].includes(requested)) throw new KeelError('INVALID_PARAMS', `Unknown search mode "${requested}".`);
  let mode: SearchMode = source.hasVectors ? requested : 'bm25';
  const warnings: string[] = [];
  const filter = chunkFilter(options.filters);
  const signal = options.signal;

  let keywordMs = 0;
  let vectorMs = 0;
  let keyword: ScoredChunk[] = [];
  let vector: ScoredChunk[] = [];
  if (mode !== 'vector') {
    const t = performance.now();
    keyword = await source.keywordSearch(options.plan === false ? text : plan.terms, retrieveDepth, filter);
    keywordMs = performance.now() - t;
  }
  throwIfCancelled(signal);
  if (mode !== 'bm25') {
    const t = performance.now();
    try {
      vector = await source.vectorSearch(text, retrieveDepth, signal, filter);
    } catch (error) {
      // In hybrid mode a failing embedder (a remote one offline, rate-limited …) must not take keyword
      // search down with it; in vector mode there is nothing to fall back to.
      const e = toKeelError(error);
      if (mode === 'vector' || e.code === 'CANCELLED') throw e;
      warnings.push(`Vector search failed (${e.message} [${e.code}]); results are keyword-only.`);
      mode = 'bm25';
    }
    vectorMs = performance.now() - t;
  }
  throwIfCancelled(signal);

  let candidates = fuse(mode, keyword, vector, options, retrieveDepth);
  let files: Map<string, RankedFile> | undefined;
  if (fileOptions) {
    let wholeFiles: ScoredFile[] = [];
    if (mode !== 'vector' && (fileOptions.fileBm25Weight ?? 0) > 0 && source.fileKeywordSearch) {
      const t = performance.now();
      wholeFiles = await source.fileKeywordSearch(options.plan === false ? text : plan.terms, WHOLE_FILE_DEPTH, filter);
      keywordMs += performance.now() - t;
    }
    files = rankFiles(mode === 'vector' ? [] : keyword, mode === 'bm25' ? [] : vector, plan, fileOptions, wholeFiles);
    if (wholeFiles.length) candidates = candidates.concat(await chunksOfUnseenFiles(source, options.plan === false ? text : plan.terms, candidates, files, depth, filter));
    candidates = fileOrder(candidates, files, depth);
  } else {
    candidates = candidates.slice(0, depth);
  }
  // Quoted phrases are a filter-like request in a short query; in a bug report they are code excerpts.
  const phrases = fileOptions && plan.class === 'bug-report' ? [] : quotedPhrases(text);
  let texts: Map<string, string> | undefined;
  if (phrases.length || options.reranker) texts = await readTexts(source, candidates);
  if (phrases.length) candidates = phraseFirst(candidates, texts!, phrases);

  let rerankMs = 0;
  if (options.reranker && candidates.length > 1) {
    const t = performance.now();
    const ranges = { bm25Range: range(keyword), vectorRange: range(vector) };
    candidates = await rerank(options.reranker, text, candidates, texts!, ranges, { ...options.rerankContext, signal });
    if (files) candidates = fileOrderAfterRerank(candidates, files, options.rerankFileWeight ?? DEFAULT_RERANK_FILE_WEIGHT);
    rerankMs = performance.now() - t;
  }

  const byId = new Map(candidates.map((c) => [c.chunk.id, c]));
  const queryWords = new Set([...text.matchAll(/[A-Za-z_$][\w$]*/g)].map((m) => m[0].toLowerCase()));
  const all = toPassages(candidates, { limit: candidates.length });
  let floor = Number.POSITIVE_INFINITY;
  const passages = diversify(all, options.maxPerFile ?? DEFAULT_MAX_PER_FILE).slice(0, top).map((p): HybridPassage => {
    const best = byId.get(p.chunkIds[0])!;
    // Scores stay non-increasing ("best first"): a passage moved down for diversity takes at most
    // the score of the one before it.
    floor = Math.min(floor, p.score);
    const kind = files?.get(`${p.root}:${p.path}`)?.kind;
    return { ...p, symbol: displaySymbol(p.symbol, queryWords), score: floor, fusedRank: best.fusedRank, bm25Rank: best.bm25Rank, vectorRank: best.vectorRank, ...(kind ? { kind } : {}) };
  });
  return {
    passages,
    mode,
    warnings,
    reranker: options.reranker?.id ?? null,
    timings: { keywordMs, vectorMs, rerankMs, totalMs: performance.now() - t0 },
  };
}

function fuse(mode: SearchMode, keyword: ScoredChunk[], vector: ScoredChunk[], options: HybridOptions, depth: number): Candidate[] {
  if (mode === 'bm25') return keyword.map((h, i) => ({ chunk: h.chunk, score: h.score, fusedRank: i + 1, bm25Rank: i + 1, bm25Score: h.score }));
  if (mode === 'vector') return vector.map((h, i) => ({ chunk: h.chunk, score: h.score, fusedRank: i + 1, vectorRank: i + 1, vectorScore: h.score }));
  const chunks = new Map<string, SourceChunk>();
  for (const h of keyword) chunks.set(h.chunk.id, h.chunk);
  for (const h of vector) chunks.set(h.chunk.id, h.chunk);
  const fused = reciprocalRankFusion(
    [
      { ids: keyword.map((h) => h.chunk.id), weight: options.weights?.bm25 ?? 1 },
      { ids: vector.map((h) => h.chunk.id), weight: options.weights?.vector ?? 1 },
    ],
    { k: options.rrfK ?? DEFAULT_RRF_K, limit: depth },
  );
  return fused.map((f, i) => ({
    chunk: chunks.get(f.id)!,
    score: f.score,
    fusedRank: i + 1,
    bm25Rank: f.ranks[0],
    vectorRank: f.ranks[1],
    bm25Score: f.ranks[0] === undefined ? undefined : keyword[f.ranks[0] - 1].score,
    vectorScore: f.ranks[1] === undefined ? undefined : vector[f.ranks[1] - 1].score,
  }));
}

/**
 * A file can rank among the first by its whole-file score while none of its chunks is in either
 * retriever's list (its matches are spread thin). Such files among the first that the passages can
 * show get their best BM25 chunks (or their first chunks, when none matches) fetched here, so the
 * file ranking's verdict reaches the results.
 */
async function chunksOfUnseenFiles(
  source: SearchSource,
  query: string | ReadonlyMap<string, number>,
  candidates: readonly Candidate[],
  files: Map<string, RankedFile>,
  depth: number,
  filter: ((chunk: SourceChunk) => boolean) | undefined,
): Promise<Candidate[]> {
  const seen = new Set(candidates.map((c) => fileKey(c.chunk)));
  const wanted = new Set(
    [...files.values()]
      .sort((a, b) => b.score - a.score)
      .slice(0, Math.ceil(depth / CHUNKS_PER_FILE))
      .filter((f) => !seen.has(f.key))
      .map((f) => f.key),
  );
  if (!wanted.size) return [];
  const hits = await source.keywordSearch(query, wanted.size * CHUNKS_PER_FILE * 4, (c) => wanted.has(fileKey(c)) && (!filter || filter(c)));
  const perFile = new Map<string, number>();
  const out: Candidate[] = [];
  for (const h of hits) {
    const key = fileKey(h.chunk);
    const n = perFile.get(key) ?? 0;
    if (n >= CHUNKS_PER_FILE) continue;
    perFile.set(key, n + 1);
    out.push({ chunk: h.chunk, score: 0, fusedRank: Number.MAX_SAFE_INTEGER, bm25Score: h.score });
  }
  return out;
}

/**
 * Candidates in file order: the best files first, each contributing its best few chunks (by fused
 * rank), so the re-ranker and the passages see many files rather than one file's every chunk.
 * fusedRank is renumbered to this order: it is what the re-ranker's rank prior reads.
 */
function fileOrder(candidates: Candidate[], files: Map<string, RankedFile>, depth: number): Candidate[] {
  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const key = fileKey(c.chunk);
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  const order = [...groups.keys()].sort((a, b) => (files.get(b)?.score ?? 0) - (files.get(a)?.score ?? 0));
  const out: Candidate[] = [];
  for (let round = 0; round < CHUNKS_PER_FILE && out.length < depth; round++) {
    for (const key of order) {
      const g = groups.get(key)!;
      if (round < g.length) out.push(g[round]);
      if (out.length >= depth) break;
    }
  }
  const position = new Map(order.map((k, i) => [k, i]));
  out.sort((a, b) => position.get(fileKey(a.chunk))! - position.get(fileKey(b.chunk))! || a.fusedRank - b.fusedRank);
  return out.map((c, i) => ({ ...c, fusedRank: i + 1 }));
}

/** After re-ranking: files keep their order unless the re-ranker's best score in a file says otherwise (weighted). */
function fileOrderAfterRerank(candidates: Candidate[], files: Map<string, RankedFile>, weight: number): Candidate[] {
  const best = new Map<string, number>();
  for (const c of candidates) {
    const key = fileKey(c.chunk);
    best.set(key, Math.max(best.get(key) ?? -Infinity, c.score));
  }
  const fileScores = [...best.keys()].map((k) => files.get(k)?.score ?? 0);
  const maxFile = Math.max(...fileScores, 1e-9);
  const values = [...best.values()];
  const lo = Math.min(...values);
  const span = Math.max(...values) - lo || 1;
  const total = new Map<string, number>();
  for (const [key, s] of best) total.set(key, (files.get(key)?.score ?? 0) / maxFile + weight * ((s - lo) / span));
  return [...candidates].sort((a, b) => total.get(fileKey(b.chunk))! - total.get(fileKey(a.chunk))! || b.score - a.score);
}

function range(hits: readonly ScoredChunk[]): ScoreRange | undefined {
  if (!hits.length) return undefined;
  let max = -Infinity;
  let min = Infinity;
  for (const h of hits) {
    max = Math.max(max, h.score);
    min = Math.min(min, h.score);
  }
  return { max, min };
}

async function readTexts(source: SearchSource, candidates: readonly Candidate[]): Promise<Map<string, string>> {
  const texts = await Promise.all(candidates.map((c) => source.readChunkText(c.chunk)));
  return new Map(candidates.map((c, i) => [c.chunk.id, texts[i] ?? '']));
}

async function rerank(
  reranker: Reranker,
  query: string,
  candidates: Candidate[],
  texts: Map<string, string>,
  ranges: { bm25Range?: ScoreRange; vectorRange?: ScoreRange },
  context: RerankContext,
): Promise<Candidate[]> {
  const input: RerankCandidate[] = candidates.map((c) => ({
    chunk: c.chunk,
    text: texts.get(c.chunk.id) ?? '',
    fusedRank: c.fusedRank,
    fusedScore: c.score,
    bm25Rank: c.bm25Rank,
    vectorRank: c.vectorRank,
    bm25Score: c.bm25Score,
    vectorScore: c.vectorScore,
    ...ranges,
  }));
  const scores = await reranker.rerank(query, input, context);
  if (scores.length !== candidates.length || scores.some((s) => typeof s !== 'number' || Number.isNaN(s))) {
    throw new KeelError('BAD_RESPONSE', `Re-ranker ${reranker.id} returned ${scores.length} scores for ${candidates.length} candidates.`);
  }
  return candidates
    .map((c, i) => ({ ...c, score: scores[i] }))
    .sort((a, b) => b.score - a.score || a.fusedRank - b.fusedRank);
}

/** Phrases in double quotes (or backticks) that results must contain verbatim. */
export function quotedPhrases(query: string): string[] {
  const out: string[] = [];
  for (const m of query.matchAll(/"([^"]+)"|`([^`]+)`/g)) {
    const phrase = (m[1] ?? m[2]).trim();
    if (phrase) out.push(phrase.toLowerCase());
  }
  return out;
}

function phraseFirst(candidates: Candidate[], texts: Map<string, string>, phrases: string[]): Candidate[] {
  const hits = (c: Candidate): number => {
    const t = (texts.get(c.chunk.id) ?? '').toLowerCase();
    return phrases.filter((p) => t.includes(p)).length;
  };
  const counted = candidates.map((c) => ({ c, n: hits(c) }));
  return counted.sort((a, b) => b.n - a.n || a.c.fusedRank - b.c.fusedRank).map((x) => x.c);
}

function clampInt(value: number, min: number, max: number, name: string): number {
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < min) {
    throw new KeelError('INVALID_PARAMS', `${name} must be an integer of at least ${min}.`);
  }
  return Math.min(value, max);
}
