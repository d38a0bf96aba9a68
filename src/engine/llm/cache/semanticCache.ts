/**
 * The semantic answer cache: before a chat / SQL-review request goes to a model, the normalised
 * question is embedded and compared with earlier questions IN THE SAME SCOPE (scope.ts); an answer
 * whose similarity clears the threshold is served only if every file it relied on still has the same
 * content hash — a cached answer about code that changed is dropped, never served.
 * Bounded by LRU (Map insertion order = recency) and TTL; persisted atomically (cacheFile.ts).
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { TaskKind } from '../../../protocol';
import { cacheMarginFor, cacheThresholdFor } from '../../embed/thresholds';
import type { Embedder } from '../../embed/types';
import { throwIfCancelled } from '../../../common/errors';
import { CACHE_FILE, loadCacheFile, saveCacheFile } from './cacheFile';
import { identifiersOf, sameIdentifiers } from './identifiers';
import { normalizeQuestion, type Normalization } from './normalize';
import { scopeKey } from './scope';
import type { CachedAnswer, CacheRequest, HashFiles, LookupOutcome, SharedAnswerCache, StoredEntry } from './types';
import { unitVector, VectorBucket } from './vectorBucket';

/** Only these task kinds are answers worth replaying (the issue: chat and SQL review). */
export const CACHEABLE_KINDS: ReadonlySet<TaskKind> = new Set<TaskKind>(['chat', 'sql-review']);

/**
 * Default similarity threshold for an embedder: cosine scales differ per model, so the threshold is
 * calibrated per embedder (one table, owned with the embedders; scripts/eval-semcache.ts measures it).
 */
export function defaultThreshold(embedderId: string): number {
  return cacheThresholdFor(embedderId);
}

/** Default ambiguity margin for an embedder (see thresholds.ts: calibrated with the threshold). */
export function defaultMargin(embedderId: string): number {
  return cacheMarginFor(embedderId);
}

export interface SemanticCacheOptions {
  /** Directory for the cache file; omit for a memory-only cache. */
  dir?: string;
  embedder: Embedder;
  threshold?: number;
  /** A hit must beat every other usable candidate by this much cosine (default: calibrated per embedder; 0: off). */
  margin?: number;
  maxEntries?: number;
  ttlMs?: number;
  enabled?: boolean;
  /** Question normalisation before embedding (default: DEFAULT_NORMALIZATION; measured in eval-semcache). */
  normalize?: Normalization;
  now?: () => number;
  /** Delay before a change is written to disk (writes are coalesced); 0 writes immediately. */
  saveDelayMs?: number;
  warn?: (message: string) => void;
  /** Serve only answers whose question names the same code identifiers (identifiers.ts; default true). */
  identifierGuard?: boolean;
  /** A team's shared cache beside this one. */
  shared?: SharedAnswerCache;
}

/**
 * Measured (npm run eval:semcache, keel-code-v1, GPTCache pairs at t = 0.90): light 96.9% precision /
 * 22.3% hit rate; full 96.2% / 21.0% — lower-casing and dropping punctuation loses signal this embedder
 * uses, so only the meaning-preserving light form is applied.
 */
export const DEFAULT_NORMALIZATION: Normalization = 'light';
/** Similarity at which two questions are the same question (float noise aside). */
const SAME_QUESTION = 0.9999;
export const DEFAULT_MAX_ENTRIES = 10_000;
export const DEFAULT_TTL_MS = 14 * 24 * 3600 * 1000;

export class SemanticCache {
  private readonly entries = new Map<string, StoredEntry>(); // oldest use first
  private readonly buckets = new Map<string, VectorBucket>();
  /** Each entry's identifiers, parsed once: a lookup may check hundreds of candidates (the margin's rivals too). */
  private readonly identifiersOfEntry = new WeakMap<StoredEntry, string[]>();
  private loaded = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private dirty = false;
  threshold: number;
  margin: number;
  enabled: boolean;
  maxEntries: number;
  ttlMs: number;
  /** The team's shared cache (team store), when the store is postgres: asked after a local miss. */
  shared: SharedAnswerCache | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SemanticCacheOptions) {
    this.threshold = options.threshold ?? defaultThreshold(options.embedder.id);
    this.margin = options.margin ?? defaultMargin(options.embedder.id);
    this.enabled = options.enabled ?? true;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.now = options.now ?? Date.now;
    this.shared = options.shared;
  }

  get embedderId(): string {
    return this.options.embedder.id;
  }

  get file(): string | undefined {
    return this.options.dir ? path.join(this.options.dir, CACHE_FILE) : undefined;
  }

  get size(): number {
    this.load();
    return this.entries.size;
  }

  /** Why a request may not use the cache, or undefined if it may. */
  uncacheableReason(request: CacheRequest): string | undefined {
    if (request.hasSelection) return 'the request carries a selection';
    if (request.hasEditContext) return 'the request carries an edit context';
    if (!CACHEABLE_KINDS.has(request.scope.taskKind)) return `${request.scope.taskKind} answers are not cached`;
    if (!normalizeQuestion(request.question)) return 'empty question';
    return undefined;
  }

  async embedQuestion(question: string, signal?: AbortSignal): Promise<Float32Array> {
    const text = normalizeQuestion(question, this.options.normalize ?? DEFAULT_NORMALIZATION);
    const [vector] = await this.options.embedder.embed([text], signal);
    // The search's early exit relies on unit length; embedders promise it, this makes sure.
    return unitVector(vector);
  }

  async lookup(request: CacheRequest, hashFiles: HashFiles, signal?: AbortSignal): Promise<LookupOutcome> {
    if (!this.enabled) return { kind: 'disabled' };
    const why = this.uncacheableReason(request);
    if (why) return { kind: 'uncacheable', why };
    const vector = await this.embedQuestion(request.question, signal);
    throwIfCancelled(signal);
    const guard = this.options.identifierGuard === false ? undefined : identifiersOf(request.question);
    const local = await this.lookupVector(vector, scopeKey(request.scope, this.embedderId), hashFiles, guard);
    if (local.kind !== 'miss' || !this.shared) return local;
    return this.lookupShared(this.shared, request, vector, hashFiles, guard);
  }

  /**
   * The team's cache, under the local rules: at or above the threshold, same identifiers, every cited
   * file unchanged in this checkout, and no usable rival within the margin. A stale team entry is
   * only skipped, not deleted: it may be right for a teammate's branch.
   */
  private async lookupShared(shared: SharedAnswerCache, request: CacheRequest, vector: Float32Array, hashFiles: HashFiles, identifiers?: readonly string[]): Promise<LookupOutcome> {
    let rows: Array<{ entry: StoredEntry; score: number }>;
    try {
      rows = await shared.candidates(request.scope, this.embedderId, vector, this.threshold - Math.max(0, this.margin), this.ttlMs);
    } catch (error) {
      this.options.warn?.(`shared answer cache: lookup failed (${(error as Error).message}); asking the model`);
      return { kind: 'miss' };
    }
    let best: { entry: StoredEntry; score: number } | undefined;
    for (const row of rows) {
      if (row.score < this.threshold) break;
      if (await this.usable(row.entry, hashFiles, identifiers, false)) {
        best = row;
        break;
      }
    }
    if (!best) return { kind: 'miss' };
    if (this.margin > 0) {
      for (const rival of rows) {
        if (rival.entry === best.entry || rival.score <= best.score - this.margin) continue;
        if (await this.usable(rival.entry, hashFiles, identifiers, false)) return { kind: 'miss' };
      }
    }
    return { kind: 'hit', entry: best.entry, similarity: best.score };
  }

  /**
   * The search itself, for a unit vector already embedded (benchmarked on its own). `identifiers`: the
   * query's code identifiers; candidates naming other identifiers are skipped (not deleted — they are
   * right answers to their own question).
   *
   * Ambiguity rule: the best usable candidate is served only if no other usable candidate scores within
   * `margin` of it. Measured on GPTCache's pairs (scripts/eval-semcache.ts), wrong hits are mostly a
   * paraphrase of A landing on a B that shares A's topic words — B and A then score close together —
   * while right hits stand clear. A near-miss rival (below the threshold, within the margin) counts too.
   * Two scans rather than one deep one: most lookups miss, and a scan at the threshold exits early on
   * far more rows than one at threshold − margin; the rival scan only runs for a would-be hit, from
   * best − margin (see test/bench/semcache.bench.ts).
   */
  async lookupVector(vector: Float32Array, key: string, hashFiles: HashFiles, identifiers?: readonly string[]): Promise<LookupOutcome> {
    let best: { entry: StoredEntry; score: number } | undefined;
    const aboveThreshold = this.candidates(vector, key);
    for (const candidate of aboveThreshold) {
      if (await this.usable(candidate.entry, hashFiles, identifiers)) {
        best = candidate;
        break;
      }
    }
    if (!best) return { kind: 'miss' };
    if (this.margin > 0) {
      // Rivals within the margin of a clear hit are all at or above the threshold, i.e. already in hand;
      // only a hit close to the threshold needs the deeper scan.
      const floor = best.score - this.margin;
      const rivals = floor >= this.threshold ? aboveThreshold : this.candidates(vector, key, floor);
      for (const rival of rivals) {
        if (rival.entry === best.entry || rival.score <= best.score - this.margin) continue;
        if (await this.usable(rival.entry, hashFiles, identifiers)) return { kind: 'miss' }; // ambiguous: not served
      }
    }
    this.touch(best.entry);
    return { kind: 'hit', entry: best.entry, similarity: best.score };
  }

  private entryIdentifiers(entry: StoredEntry): string[] {
    let ids = this.identifiersOfEntry.get(entry);
    if (!ids) this.identifiersOfEntry.set(entry, (ids = identifiersOf(entry.question)));
    return ids;
  }

  /** Whether an entry may answer this query: same identifiers, and every file it relied on unchanged. */
  private async usable(entry: StoredEntry, hashFiles: HashFiles, identifiers?: readonly string[], dropStale = true): Promise<boolean> {
    if (identifiers && !sameIdentifiers(identifiers, this.entryIdentifiers(entry))) return false;
    const paths = Object.keys(entry.files);
    if (!paths.length) return true;
    const current = await hashFiles(paths);
    if (paths.every((p) => current[p] === entry.files[p])) return true;
    // The code this answer was about has changed: the answer must never be served again.
    if (dropStale) this.delete(entry.id);
    return false;
  }

  /** Entries in scope at or above `floor` (default: the threshold), best first, expired ones evicted on the way. */
  candidates(vector: Float32Array, key: string, floor = this.threshold): Array<{ entry: StoredEntry; score: number }> {
    this.load();
    const bucket = this.buckets.get(key);
    if (!bucket) return [];
    const out: Array<{ entry: StoredEntry; score: number }> = [];
    const cutoff = this.now() - this.ttlMs;
    for (const { id, score } of bucket.search(vector, floor)) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      if (entry.createdAt < cutoff) {
        this.delete(id);
        continue;
      }
      out.push({ entry, score });
    }
    return out;
  }

  /** Store an answer. Returns false (storing nothing) for uncacheable requests or a disabled cache. */
  async put(request: CacheRequest, answer: CachedAnswer, files: Record<string, string>, signal?: AbortSignal): Promise<boolean> {
    if (!this.enabled || this.uncacheableReason(request)) return false;
    const vector = await this.embedQuestion(request.question, signal);
    throwIfCancelled(signal);
    this.load();
    const key = scopeKey(request.scope, this.embedderId);
    // Re-asking the same question (e.g. "bypass cache") replaces the old answer instead of piling up copies.
    for (const { id } of this.buckets.get(key)?.search(vector, SAME_QUESTION) ?? []) this.delete(id);
    const now = this.now();
    const entry: StoredEntry = {
      ...answer,
      id: randomUUID(),
      scopeKey: key,
      scope: request.scope,
      embedderId: this.embedderId,
      question: request.question,
      vector,
      files: { ...files },
      createdAt: now,
      lastUsedAt: now,
      hits: 0,
    };
    this.insert(entry);
    this.evict();
    this.changed();
    if (this.shared) {
      await this.shared.put(entry).catch((error: Error) => this.options.warn?.(`shared answer cache: could not store the answer (${error.message})`));
    }
    return true;
  }

  /** Drop every entry (Keel: Clear Answer Cache). */
  clear(): number {
    this.load();
    const removed = this.entries.size;
    this.entries.clear();
    this.buckets.clear();
    this.changed();
    return removed;
  }

  /** Write pending changes now (engine shutdown, tests). */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.dirty && this.file) saveCacheFile(this.file, this.entries.values());
    this.dirty = false;
  }

  private insert(entry: StoredEntry): void {
    this.entries.set(entry.id, entry);
    let bucket = this.buckets.get(entry.scopeKey);
    if (!bucket) this.buckets.set(entry.scopeKey, (bucket = new VectorBucket(entry.vector.length)));
    bucket.add(entry.id, entry.vector);
  }

  private delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const bucket = this.buckets.get(entry.scopeKey);
    bucket?.remove(id);
    if (bucket && bucket.size === 0) this.buckets.delete(entry.scopeKey);
    this.changed();
  }

  private touch(entry: StoredEntry): void {
    entry.lastUsedAt = this.now();
    entry.hits++;
    // Re-insert so Map order stays least-recently-used first.
    this.entries.delete(entry.id);
    this.entries.set(entry.id, entry);
    this.changed();
  }

  private evict(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const entry of [...this.entries.values()]) if (entry.createdAt < cutoff) this.delete(entry.id);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!this.file) return;
    const stored = loadCacheFile(this.file, this.options.warn ?? (() => undefined));
    stored.sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    // Vectors from another embedder live in another space: unusable, so not loaded.
    for (const entry of stored) if (entry.embedderId === this.embedderId) this.insert(entry);
  }

  private changed(): void {
    if (!this.file) return;
    this.dirty = true;
    const delay = this.options.saveDelayMs ?? 2000;
    if (delay <= 0) return this.flush();
    if (!this.saveTimer) {
      this.saveTimer = setTimeout(() => this.flush(), delay);
      this.saveTimer.unref();
    }
  }
}
