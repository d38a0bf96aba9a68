/** Semantic answer cache: never pay twice for the same question about the same code. */
export { SemanticCache, CACHEABLE_KINDS, defaultThreshold, defaultMargin, DEFAULT_MAX_ENTRIES, DEFAULT_NORMALIZATION, DEFAULT_TTL_MS, type SemanticCacheOptions } from './semanticCache';
export { normalizeQuestion, type Normalization } from './normalize';
export { identifiersOf, sameIdentifiers } from './identifiers';
export { scopeKey, contentHash, type CacheScope } from './scope';
export { CACHE_FILE } from './cacheFile';
export type { CachedAnswer, CacheRequest, HashFiles, LookupOutcome, StoredEntry } from './types';
