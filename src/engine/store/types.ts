/**
 * The store seam: what the search feature talks to, whichever backend holds the index. The local
 * store (src/engine/index/, one person's checkout) and the PostgreSQL team store (./postgres/, one
 * index built in CI and queried by everyone) both answer as a StoreSource; search, chat and the
 * re-ranker never learn which one is in use.
 */
import type { SearchSource } from '../search/source';

export interface StoreSource extends SearchSource {
  /** Where results come from, safe to print (a database URL has its password redacted). */
  readonly label: string;
  /** How a path is shown to the user. */
  displayPath(root: number, rel: string): string;
  /** Lines [startLine, endLine] of an indexed file (passages span several chunks). */
  readLines(root: number, rel: string, startLine: number, endLine: number): Promise<string | undefined>;
}

export type StoreLocation =
  | { kind: 'local'; /** Index folder; undefined: the default per-directory folder. */ dir?: string }
  | { kind: 'postgres'; url: string };
