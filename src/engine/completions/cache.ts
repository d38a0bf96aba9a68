/**
 * Completions keyed by the text before the cursor. Typing the characters of a shown suggestion must
 * not cost a new request: a lookup walks back over what was typed since a cached prefix and, if the
 * typed characters are the start of that entry's completion, answers with the rest of it.
 * Keys hold the document, the end of the prefix and the start of the suffix — enough to tell two
 * positions apart without hashing whole files on every keystroke.
 */

const PREFIX_KEY_CHARS = 1000;
const SUFFIX_KEY_CHARS = 200;

export interface CacheHit {
  text: string;
  /** Characters typed through since the entry was stored. */
  typed: number;
}

export class CompletionCache {
  private readonly map = new Map<string, string>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly capacity = 300,
    /** Longest typed-through run that is checked (the longest completion worth walking). */
    private readonly maxWalk = 400,
  ) {}

  static key(doc: string, prefix: string, suffix: string): string {
    return `${doc}\u0000${prefix.slice(-PREFIX_KEY_CHARS)}\u0000${suffix.slice(0, SUFFIX_KEY_CHARS)}`;
  }

  set(doc: string, prefix: string, suffix: string, completion: string): void {
    const key = CompletionCache.key(doc, prefix, suffix);
    this.map.delete(key);
    this.map.set(key, completion);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  /** The completion for this position, exactly or by typing through a cached one; undefined on a miss. */
  get(doc: string, prefix: string, suffix: string): CacheHit | undefined {
    const walk = Math.min(this.maxWalk, prefix.length);
    for (let typed = 0; typed <= walk; typed++) {
      const key = CompletionCache.key(doc, prefix.slice(0, prefix.length - typed), suffix);
      const entry = this.map.get(key);
      if (entry === undefined) continue;
      const typedText = prefix.slice(prefix.length - typed);
      if (!entry.startsWith(typedText)) continue;
      const rest = entry.slice(typed);
      // Fully typed through: nothing left to offer from this entry.
      if (rest === '') continue;
      this.map.delete(key);
      this.map.set(key, entry); // most recently used
      this.hits++;
      return { text: rest, typed };
    }
    this.misses++;
    return undefined;
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
