/**
 * Workspace index and embeddings: `index/*` and `embed/*` requests and the shapes `keel index` / `keel status` print.
 */

/** `keel index --json` */
export interface IndexSummary {
  files: number;
  chunks: number;
  skipped: number;
  ms: number;
  /** `skipped` broken down by why (only kinds that occurred). */
  skippedReasons?: Partial<Record<SkipKind, number>>;
  /** Present when the index was published to a team store (`--store postgres://…`). */
  team?: TeamPublish;
}

/** What a publish to the PostgreSQL team store did (the URL is printed with its password redacted). */
export interface TeamPublish {
  store: string;
  repo: string;
  branch: string;
  commit: number;
  /** Files sent (the server lacked their content hash) and files shared with earlier commits. */
  uploaded: number;
  reused: number;
  chunks: number;
  ms: number;
}

/** Why a file was not indexed; stable names (counted in `skippedReasons`). */
export type SkipKind =
  | 'tooLarge' | 'binary' | 'generated' | 'secret' | 'special' | 'outsideWorkspace' | 'loop' | 'unreadable' | 'timeout' | 'other'
  /** A third-party folder (`third_party/`, `extern/` …), listed once as the folder. */
  | 'vendored';

export interface SkippedFile {
  path: string;
  reason: string;
  /** Machine-readable reason; absent in indexes written before it existed. */
  kind?: SkipKind;
}

/** `keel status --json` */
export interface IndexStatus {
  store: string;
  roots: string[];
  files: number;
  chunks: number;
  bytes: number;
  embedder: string | null;
  lastUpdated: string | null;
  skipped: SkippedFile[];
  /** `skipped` counted by kind (only kinds that occurred). */
  skippedReasons?: Partial<Record<SkipKind, number>>;
}

export interface IndexProgress {
  phase: 'walk' | 'chunk' | 'embed' | 'write' | 'done';
  done: number;
  total: number;
  message?: string;
}

// ---------------------------------------------------------------------------------------------
// Embeddings (issue 5; owner: embedder engineer). RequestMap entries added by interface merging.
// ---------------------------------------------------------------------------------------------

/** `embed/texts` result: one L2-normalised vector per input text, same order. */
export interface EmbedResult {
  /** The embedder's versioned id (what an index built with it stores). */
  embedder: string;
  dimensions: number;
  vectors: number[][];
}

// ---------------------------------------------------------------------------------------------
// Workspace index (issue 4; owner: workspace-index engineer). RequestMap entries added by interface merging.
// ---------------------------------------------------------------------------------------------

/** `index/build` params. Progress arrives as `index/progress` notifications; cancel with `$/cancelRequest`. */
export interface IndexBuildParams {
  /** Absolute workspace folders (multi-root workspaces pass several). */
  roots: string[];
  /**
   * Store folder; default: `<storageDir>/index` in the editor, a per-directory folder under the user cache dir otherwise.
   * A `postgres://` URL (or `postgres`: the URL from SecretStorage / KEEL_INDEX_STORE_URL / KEEL_DATABASE_URL) builds
   * the local index as usual and publishes it to that team store.
   */
  store?: string;
  /** Embedder id (`keel-code`, `openai:…`); default the engine's configured embedder. */
  embedder?: string;
  /** Files above this are skipped with a reason. Default 1024. */
  maxFileSizeKB?: number;
  /** Extra excludes in .gitignore syntax. */
  exclude?: string[];
  /** Follow symlinks whose real path is outside every root. Default false: such links are skipped. */
  followSymlinksOutside?: boolean;
  /** Index vendored, minified and generated files too. Default false: they are skipped with a reason. */
  includeGenerated?: boolean;
}

export interface IndexUpdateParams {
  /** Absolute paths created or changed (a rename is the old path in `deleted` plus the new one here). */
  changed: string[];
  deleted: string[];
  /** Which open index; default the only / first open one. */
  store?: string;
}

export interface IndexUpdateResult {
  /** Files added, changed or removed by the batch this request's events were coalesced into. */
  applied: number;
  /** True if the batch was large (a branch switch) or touched ignore files and ran as an incremental re-walk. */
  fullSync: boolean;
}

export interface IndexingRequests {
  /** Embed texts with the configured embedder (`keel.embedder`) or the one named in `embedder`. */
  'embed/texts': { params: { texts: string[]; embedder?: string }; result: EmbedResult };
  /** Build or incrementally update the index of `roots`. */
  'index/build': { params: IndexBuildParams; result: IndexSummary };
  /** What an index holds. `roots` default to the open index's roots; without an open index, `store` is read. */
  'index/status': { params: { store?: string; roots?: string[] }; result: IndexStatus };
  /** File events from a watcher; debounced and coalesced, resolves when the batch is searchable. */
  'index/update': { params: IndexUpdateParams; result: IndexUpdateResult };
}
