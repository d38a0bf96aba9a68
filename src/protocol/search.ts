/**
 * Hybrid search: `search/query` and the hits `keel search --json` prints.
 */

import type { IndexSummary } from './indexing';

/** One element of `keel search --json`, best first. */
export interface SearchHit {
  path: string;
  startLine: number;
  endLine: number;
  symbol: string;
  score: number;
  /** Not part of the CLI contract's required fields; present for previews. */
  language?: string;
  preview?: string;
  /** What the file is (source, test, docs, config …), when search ranked files; optional and additive. */
  kind?: string;
}

export type SearchMode = 'hybrid' | 'bm25' | 'vector';

// ---------------------------------------------------------------------------------------------
// Hybrid search (issue 7; owner: retrieval engineer). RequestMap entries added by interface merging.
// ---------------------------------------------------------------------------------------------

/** `none`, `local` (default), or a remote re-ranker: `cohere[:model]`, `voyage[:model]`, `jina[:model]`, `llm`. */
export type RerankerName = string;

export interface SearchQueryParams {
  query: string;
  /** Folder whose index is searched (absolute): a workspace root, or any folder inside an open index's roots. */
  dir: string;
  /** Index folder override (CLI `--store`), or a team store: `postgres://…` / `postgres` (URL from the secret). */
  store?: string;
  /** Index `dir` first when it has no index yet (the CLI sets this: one command on a fresh checkout). */
  ensureIndex?: boolean;
  /** Passages to return (default 10, at most 100). */
  top?: number;
  mode?: SearchMode;
  rerank?: RerankerName;
  /** Fused candidates handed to the re-ranker (default 50, at most 200). */
  candidates?: number;
  /** RRF k (default 60) and per-retriever weights (default 1 each). */
  rrfK?: number;
  weights?: { bm25?: number; vector?: number };
  /** At most this many passages per file lead the results (default 1; 0: no limit); the rest follow. */
  maxPerFile?: number;
  /** Keep only these languages / paths matching these globs (a leading `!` excludes). */
  language?: string[];
  path?: string[];
  /** Editor signals for the local re-ranker: workspace-relative paths. */
  openFiles?: string[];
  recentFiles?: string[];
  /** Include `preview` (the passage's first lines) in each hit. */
  preview?: boolean;
}

export interface SearchQueryResult {
  hits: SearchHit[];
  /** The mode actually used (an index without vectors answers bm25). */
  mode: SearchMode;
  reranker: string | null;
  ms: number;
  /** Set when this request had to build the index first. */
  indexed?: IndexSummary;
  /** Why the answer is degraded, when it is (e.g. the embedder failed: keyword-only results). */
  warnings?: string[];
}

export interface SearchRequests {
  /** Hybrid search over an index: BM25 + vectors fused by RRF, re-ranked, merged into passages. */
  'search/query': { params: SearchQueryParams; result: SearchQueryResult };
}
