/**
 * File-level evidence. A bug report names a symptom, and the file to change is the one whose code, as
 * a whole, matches it best — not the single chunk with the densest overlap (often a test or a doc
 * that quotes the report). Files are ranked from their chunks' scores in each retriever (BM25: the best
 * chunk plus decaying credit for the next ones, approximating a whole-file field; vectors: the best
 * chunk), fused by RRF with a per-query-class vector weight, multiplied by a prior for the file's kind
 * (source, test, docs …), and lifted when the query names the file (a path, a stack frame).
 */
import { fileKind, type FileKind } from '../index/fileKind';
import type { QueryClass, QueryPlan } from './queryPlan';
import type { ScoredChunk, ScoredFile, SourceChunk } from './source';

export interface FileRankOptions {
  /** RRF k over file ranks. */
  k: number;
  /** Weights of a file's 1st, 2nd, 3rd … best BM25 chunk scores. */
  bm25Decay: readonly number[];
  /** Vector RRF weight per query class (BM25's is 1). */
  vectorWeight: Readonly<Record<QueryClass, number>>;
  /** Multiplier per file kind for code-seeking queries. */
  priors: Readonly<Record<FileKind, number>>;
  /** …and for queries about documentation. */
  docPriors: Readonly<Record<FileKind, number>>;
  /** Added when the query names the file, in units of a first place in one list. */
  mentionBoost: number;
  /**
   * Added (before the kind prior) when one of the file's retrieved chunks DEFINES a name the query
   * calls out (an identifier, a stack frame's function): the definition, not every file that mentions
   * it. Same units as mentionBoost.
   */
  definitionBoost?: number;
  /**
   * RRF weight of the whole-file BM25 list (each file's chunks scored as one document,
   * SearchSource.fileKeywordSearch), beside the chunk-aggregate BM25 list (weight chunkBm25Weight).
   */
  fileBm25Weight?: number;
  /** RRF weight of the chunk-aggregate BM25 list (default 1). */
  chunkBm25Weight?: number;
  /** `Class.member` in the query calls out Class as well (default on). */
  definitionOwners?: boolean;
  /** A dotted module name in the query (`astropy.io.ascii.qdp`) counts as naming its file (default on). */
  moduleMentions?: boolean;
}

/**
 * Chosen on split A of the bug-report set (scripts/retrieval/README.md lists the variants tried);
 * never per repository.
 */
export const DEFAULT_FILE_RANK: FileRankOptions = {
  k: 10,
  bm25Decay: [1, 0.5, 0.25],
  // The static embedder does not help on long bug reports (split A, hybrid+rerank R@10: vector weight 1
  // .585, 0.5 .587, 0.25 .607, 0 .613 with the same priors), so it is weighted down there. The other
  // classes have no bug-report evidence either way and keep equal weights.
  vectorWeight: { identifier: 1, question: 1, 'bug-report': 0.25, error: 1, config: 1 },
  // Split A: flat priors .430, test .5 / docs .4 / config .5 → .491, test .3 / docs .2 / config .3 → .587.
  priors: { source: 1, test: 0.3, config: 0.3, docs: 0.2, changelog: 0.2, generated: 0.3, vendored: 0.3, minified: 0.2, lockfile: 0.1, locale: 0.2 },
  docPriors: { source: 0.8, test: 0.5, config: 0.6, docs: 1, changelog: 0.8, generated: 0.3, vendored: 0.3, minified: 0.2, lockfile: 0.1, locale: 0.3 },
  mentionBoost: 1,
  // Split A, round 4 (hybrid+rerank): R@10 .585 at 0, .5 and 1 alike; MRR@10 .481 → .503 (Python .598 → .640).
  definitionBoost: 1,
};

export interface RankedFile {
  key: string;
  score: number;
  kind: FileKind;
}

export const fileKey = (c: SourceChunk): string => `${c.root ?? 0}:${c.path}`;

export function rankFiles(
  keyword: readonly ScoredChunk[],
  vector: readonly ScoredChunk[],
  plan: QueryPlan | undefined,
  options: FileRankOptions = DEFAULT_FILE_RANK,
  wholeFiles: readonly ScoredFile[] = [],
): Map<string, RankedFile> {
  const bm25 = new Map<string, number[]>();
  for (const h of keyword) {
    const list = bm25.get(fileKey(h.chunk));
    if (list) list.push(h.score);
    else bm25.set(fileKey(h.chunk), [h.score]);
  }
  const bm25Score = new Map<string, number>();
  for (const [key, scores] of bm25) {
    // hits arrive best first, so each list is already sorted
    let s = 0;
    for (let i = 0; i < scores.length && i < options.bm25Decay.length; i++) s += options.bm25Decay[i] * scores[i];
    bm25Score.set(key, s);
  }
  const vec = new Map<string, number>();
  for (const h of vector) if (!vec.has(fileKey(h.chunk))) vec.set(fileKey(h.chunk), h.score);

  const paths = new Map<string, string>();
  for (const f of wholeFiles) paths.set(f.key, f.key.slice(f.key.indexOf(':') + 1));
  for (const h of keyword) paths.set(fileKey(h.chunk), h.chunk.path);
  for (const h of vector) paths.set(fileKey(h.chunk), h.chunk.path);

  const out = new Map<string, RankedFile>();
  const wV = plan ? options.vectorWeight[plan.class] : 1;
  const add = (ranked: string[], weight: number): void => {
    ranked.forEach((key, i) => {
      const f = out.get(key);
      const s = weight / (options.k + i + 1);
      if (f) f.score += s;
      else out.set(key, { key, score: s, kind: fileKind(paths.get(key)!) });
    });
  };
  const wChunks = options.chunkBm25Weight ?? 1;
  if (wChunks > 0) add([...bm25Score].sort((a, b) => b[1] - a[1]).map(([k]) => k), wChunks);
  const wFiles = options.fileBm25Weight ?? 0;
  if (wFiles > 0) add(wholeFiles.map((f) => f.key), wFiles);
  if (wV > 0) add([...vec.keys()], wV);
  const defined = options.definitionBoost && plan ? definingFiles(keyword, vector, plan, options.definitionOwners ?? true) : undefined;
  for (const key of defined ?? []) {
    const f = out.get(key);
    if (f) f.score += options.definitionBoost! / (options.k + 1);
  }
  const priors = plan?.docIntent ? options.docPriors : options.priors;
  const mentioned = plan?.paths.map(normalise).filter((p) => p.length > 0) ?? [];
  const modules = options.moduleMentions === false ? [] : (plan?.modules ?? []);
  for (const f of out.values()) {
    f.score *= priors[f.kind];
    const path = paths.get(f.key)!;
    if ((mentioned.length && mentions(mentioned, path)) || (modules.length && mentionsModule(modules, path))) f.score += options.mentionBoost / (options.k + 1);
  }
  return out;
}

/** The file is the module a dotted name spells: `a/b/c.py` (or `a/b/c/__init__.py`) for `a.b.c`, `b.c` included. */
function mentionsModule(modules: readonly string[], path: string): boolean {
  const p = path.toLowerCase().replace(/\.[^./]+$/, '').replace(/\/__init__$/, '');
  for (const m of modules) if (p === m || p.endsWith(`/${m}`)) return true;
  return false;
}

function normalise(p: string): string {
  return p.replace(/^file:\/\//, '').replace(/^[./]+/, '').toLowerCase();
}

/** The query names this file: its path ends with a mentioned path (`core/numbers.py`), or vice versa (an absolute frame path). */
function mentions(mentioned: readonly string[], path: string): boolean {
  const p = path.toLowerCase();
  for (const m of mentioned) {
    if (m === p || m.endsWith(`/${p}`)) return true;
    if (p.endsWith(`/${m}`)) return true;
  }
  return false;
}

/** Names the query calls out, as a definition would spell them (the last part of a dotted name). */
export function calledOutNames(plan: QueryPlan, owners = true): Set<string> {
  const names = new Set<string>();
  const add = (n: string | undefined): void => {
    const last = n?.split('.').pop()?.replace(/\(.*$/, '');
    // special methods (`__init__`) are defined in every class file: they single nothing out
    if (last && last.length >= 3 && !/^_+$/.test(last) && !/^__\w+__$/.test(last)) names.add(last.toLowerCase());
  };
  for (const id of plan.identifiers) {
    add(id);
    if (!owners) continue;
    // `RST.__init__`, `Matrix.hstack`: the class named before a member is called out too (a special
    // method names nothing else).
    const parts = id.split('.');
    const owner = parts[parts.length - 2];
    if (parts.length >= 2 && /^[A-Z]/.test(owner ?? '')) add(owner);
  }
  for (const f of plan.frames) add(f.func);
  return names;
}

/** Files with a retrieved chunk whose symbols define one of the query's called-out names. */
function definingFiles(keyword: readonly ScoredChunk[], vector: readonly ScoredChunk[], plan: QueryPlan, owners: boolean): Set<string> {
  const names = calledOutNames(plan, owners);
  const out = new Set<string>();
  if (!names.size) return out;
  for (const list of [keyword, vector]) {
    for (const h of list) {
      if (!h.chunk.symbol) continue;
      const key = fileKey(h.chunk);
      if (out.has(key)) continue;
      for (const sym of h.chunk.symbol.split(', ')) {
        const last = sym.split('.').pop()!.toLowerCase();
        if (names.has(last)) {
          out.add(key);
          break;
        }
      }
    }
  }
  return out;
}
