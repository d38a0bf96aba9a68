/** Shapes shared by the semantic cache's modules. */
import type { Usage } from '../../../protocol';
import type { CacheScope } from './scope';

/** What a feature stores with an answer: enough to replay it and to price the call it avoids. */
export interface CachedAnswer {
  /** The answer payload exactly as the feature will replay it (e.g. an AskResult). */
  answer: unknown;
  model: string;
  usage: Usage;
  costUsd: number;
}

export interface StoredEntry extends CachedAnswer {
  id: string;
  scopeKey: string;
  scope: CacheScope;
  embedderId: string;
  /** The original question, shown with a "cached" label in the UI. */
  question: string;
  vector: Float32Array;
  /** Workspace-relative path → content hash of every file the answer relied on. */
  files: Record<string, string>;
  createdAt: number;
  lastUsedAt: number;
  hits: number;
}

export interface CacheRequest {
  question: string;
  scope: CacheScope;
  /** A selection or an edit context makes an answer specific to that moment: never cached. */
  hasSelection?: boolean;
  hasEditContext?: boolean;
}

/** Current content hashes of files (null: the file no longer exists). */
export type HashFiles = (paths: string[]) => Promise<Record<string, string | null>> | Record<string, string | null>;

export type LookupOutcome =
  | { kind: 'hit'; entry: StoredEntry; similarity: number }
  | { kind: 'miss' }
  | { kind: 'uncacheable'; why: string }
  | { kind: 'disabled' };

/**
 * A cache shared by a team (the team store's answer cache): asked after a local miss, written beside
 * every local put. The same scope, threshold, margin, identifier and cited-file rules apply to its
 * entries (semanticCache.ts); only where they are kept differs.
 */
export interface SharedAnswerCache {
  /** Entries of this scope (and embedder) scoring at or above `floor`, younger than `ttlMs`, best first. */
  candidates(scope: CacheScope, embedderId: string, vector: Float32Array, floor: number, ttlMs: number): Promise<Array<{ entry: StoredEntry; score: number }>>;
  put(entry: StoredEntry): Promise<void>;
}
