/**
 * THE contract between Keel's engine and whoever hosts it: the VS Code extension (worker thread,
 * postMessage), other editors (`keel serve --stdio`, LSP-style Content-Length framing) and the CLI
 * (in-process). Messages have JSON-RPC 2.0 shapes.
 *
 * Conventions (language-server style):
 * - A request has an `id`; exactly one response answers it, with `result` or `error`.
 * - Streaming: while a request runs, the engine may send `$/stream` notifications `{ id, chunk }` tied
 *   to that request id; the final response closes the stream.
 * - Cancellation: the client sends `$/cancelRequest { id }`; the engine aborts the handler's
 *   AbortSignal and answers the request with error code CANCELLED.
 * - Errors are `{ code, message, data: WireError }` where `data.code` is Keel's stable string code.
 *
 * This file must never import 'vscode' (a unit test enforces it) and holds types only.
 */
import type { WireError } from './engine/errors';

export type { WireError, ErrorCode } from './engine/errors';

// ---------------------------------------------------------------------------------------------
// JSON-RPC 2.0 envelopes
// ---------------------------------------------------------------------------------------------

export type RequestId = number | string;

export interface RpcRequest<M extends string = string, P = unknown> {
  jsonrpc: '2.0';
  id: RequestId;
  method: M;
  params: P;
}

export interface RpcNotification<M extends string = string, P = unknown> {
  jsonrpc: '2.0';
  method: M;
  params: P;
}

export interface RpcSuccess<R = unknown> {
  jsonrpc: '2.0';
  id: RequestId;
  result: R;
}

/** JSON-RPC numeric codes; Keel's own string code travels in `data`. */
export const RpcErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** LSP's RequestCancelled. */
  RequestCancelled: -32800,
  /** Application-defined: see data.code. */
  KeelError: -32000,
} as const;

export interface RpcFailure {
  jsonrpc: '2.0';
  id: RequestId | null;
  error: { code: number; message: string; data: WireError };
}

export type RpcResponse = RpcSuccess | RpcFailure;
export type RpcMessage = RpcRequest | RpcNotification | RpcResponse;

// ---------------------------------------------------------------------------------------------
// Shared value types (public: the CLI's --json output uses these shapes verbatim)
// ---------------------------------------------------------------------------------------------

/** `keel index --json` */
export interface IndexSummary {
  files: number;
  chunks: number;
  skipped: number;
  ms: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
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
}

export interface IndexProgress {
  phase: 'walk' | 'chunk' | 'embed' | 'write' | 'done';
  done: number;
  total: number;
  message?: string;
}

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
}

export type SearchMode = 'hybrid' | 'bm25' | 'vector';

export type FindingCategory = 'sql-injection' | 'n-plus-one' | 'unbounded-write' | 'destructive-statement' | 'select-star';
export type FindingSeverity = 'error' | 'warning' | 'info';

export interface TextEditWire {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface FixWire {
  title: string;
  kind: 'parameterize' | 'eager-load' | 'batch' | 'suppress' | 'ai';
  isPreferred?: boolean;
  edits: TextEditWire[];
}

export interface RelatedLocation {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** One element of `keel scan --format json`. Lines and columns are 1-based. */
export interface Finding {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  category: FindingCategory;
  code: string;
  severity: FindingSeverity;
  message: string;
  fixes: FixWire[];
  related?: RelatedLocation[];
}

export interface Usage {
  input: number;
  cacheWrite: number;
  cacheRead: number;
  output: number;
}

export interface Citation {
  path: string;
  startLine: number;
  endLine: number;
}

export type Tier = 'fast' | 'reasoning';
export type ProviderId = 'openai' | 'anthropic' | 'openai-compatible' | 'vscode-lm' | 'none';

/** `keel ask --json` */
export interface AskResult {
  answer: string;
  citations: Citation[];
  provider: ProviderId;
  model: string;
  tier: Tier | 'none';
  reason: string;
  usage: Usage;
  costUsd: number;
  cached: boolean;
}

// ---------------------------------------------------------------------------------------------
// Methods. Each entry: params, result, and (for streaming requests) the chunk type.
// ---------------------------------------------------------------------------------------------

export interface EngineInfo {
  name: 'keel-engine';
  version: string;
  pid: number;
  uptimeMs: number;
  host: 'worker' | 'stdio' | 'in-process';
}

/** Client → engine requests. */
export interface RequestMap {
  /** Liveness and version; `echo` comes back unchanged. */
  'engine/ping': { params: { echo?: string }; result: EngineInfo & { echo?: string } };
  /** Push settings and secrets from the host. Secrets are kept in memory only; `changed` never echoes them. */
  'engine/configure': {
    params: { settings?: Record<string, unknown>; secrets?: Record<string, string | null> };
    result: { changed: string[] };
  };
  /** Graceful stop: flush stores, then answer; the host may terminate the worker afterwards. */
  'engine/shutdown': { params: Record<string, never>; result: { ok: true } };
  /** Test helper for cancellation and streaming: emits `count` chunks `delayMs` apart. */
  'engine/countdown': { params: { count: number; delayMs: number }; result: { completed: number }; chunk: { n: number } };
}

/** Client → engine notifications. */
export interface ClientNotificationMap {
  '$/cancelRequest': { id: RequestId };
}

/** Engine → client notifications. */
export interface EngineNotificationMap {
  '$/stream': { id: RequestId; chunk: unknown };
  'index/progress': IndexProgress & { root?: string };
  'log': { level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string };
}

export type RequestMethod = keyof RequestMap;
export type ParamsOf<M extends RequestMethod> = RequestMap[M]['params'];
export type ResultOf<M extends RequestMethod> = RequestMap[M]['result'];
export type ChunkOf<M extends RequestMethod> = RequestMap[M] extends { chunk: infer C } ? C : never;

// ---------------------------------------------------------------------------------------------
// Routing, semantic answer cache, cost ledger and budgets (issue 9; owner: routing-and-cost engineer).
// Kept in one block; RequestMap entries are added by interface merging below so other blocks stay untouched.
// ---------------------------------------------------------------------------------------------

/** What a model call is for. The router starts from this; the ledger aggregates by it. */
export type TaskKind =
  | 'completion'
  | 'chat'
  | 'summarize'
  | 'rerank'
  | 'classify'
  | 'extract'
  | 'commit-message'
  | 'sql-review'
  | 'code-review';

export type RoutingMode = 'auto' | 'fast' | 'reasoning';
export type BudgetAction = 'warn' | 'downgrade' | 'block';

/** What every ledger line and every report of a call share. */
export interface CostCall {
  /** The Keel feature that made the call: 'chat', 'sql-fix', 'commit-message' … */
  feature: string;
  taskKind: TaskKind;
  provider: ProviderId;
  model: string;
  tier: Tier;
  usage: Usage;
  latencyMs: number;
}

/** One model call as reported by the feature that made it (`cost/record`). */
export interface CostRecordInput extends CostCall {
  /** ISO time; default now. */
  time?: string;
  /** Served from the semantic answer cache: no call was made; `avoidedUsage`/`avoidedModel` say what it would have cost. */
  cacheHit?: boolean;
  avoidedUsage?: Usage;
  avoidedModel?: string;
  /** Set when the router chose the fast tier on its own (not a forced mode): the model it would otherwise have used. */
  routedFrom?: string;
  /** Explicit cost (e.g. a provider-reported figure); default: the price table. */
  costUsd?: number;
}

/** One persisted ledger line. */
export interface CostEntry extends CostCall {
  v: 1;
  id: string;
  time: string;
  costUsd: number;
  cacheHit: boolean;
  savings: CostSavings;
}

/** USD not spent thanks to each mechanism. Prompt caching may be negative (cache writes cost extra). */
export interface CostSavings {
  semanticCache: number;
  routing: number;
  promptCaching: number;
}

export interface CostBucket {
  key: string;
  costUsd: number;
  calls: number;
  cacheHits: number;
  usage: Usage;
}

export interface BudgetLine {
  limitUsd: number | null;
  spentUsd: number;
  /** spent / limit, null without a limit. */
  fraction: number | null;
  state: 'none' | 'ok' | 'warning' | 'exceeded';
}

export interface BudgetState {
  action: BudgetAction;
  daily: BudgetLine;
  monthly: BudgetLine;
  /** The worse of the two lines. */
  state: BudgetLine['state'];
}

/** `keel cost --json` */
export interface CostSummary {
  currency: 'USD';
  /** Day keys are the machine's local calendar days, YYYY-MM-DD. */
  day: string;
  month: string;
  today: number;
  monthToDate: number;
  total: number;
  calls: { today: number; month: number; total: number };
  savings: CostSavings & { total: number };
  perDay: CostBucket[];
  perModel: CostBucket[];
  perFeature: CostBucket[];
  budget: BudgetState;
  /** Ledger lines that could not be read (a torn last line after a crash, hand edits); they are skipped. */
  skippedLines: number;
  ledger: string;
}

export interface CostStoreParams {
  /** Storage directory override (CLI `--store`); default: the engine's storage dir. */
  store?: string;
}

export interface RequestMap {
  /** Ledger totals, savings, breakdowns and budget state. */
  'cost/summary': { params: CostStoreParams; result: CostSummary };
  /** Record one model call (features record in-process; this method serves tests and the CLI). */
  'cost/record': { params: CostStoreParams & { call: CostRecordInput }; result: { entry: CostEntry; budget: BudgetState } };
  /** Drop every semantic-cache entry (`Keel: Clear Answer Cache`). */
  'cache/clear': { params: CostStoreParams; result: { removed: number } };
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

export interface RequestMap {
  /** Embed texts with the configured embedder (`keel.embedder`) or the one named in `embedder`. */
  'embed/texts': { params: { texts: string[]; embedder?: string }; result: EmbedResult };
}

// ---------------------------------------------------------------------------------------------
// Workspace index (issue 4; owner: workspace-index engineer). RequestMap entries added by interface merging.
// ---------------------------------------------------------------------------------------------

/** `index/build` params. Progress arrives as `index/progress` notifications; cancel with `$/cancelRequest`. */
export interface IndexBuildParams {
  /** Absolute workspace folders (multi-root workspaces pass several). */
  roots: string[];
  /** Store folder; default: `<storageDir>/index` in the editor, a per-directory folder under the user cache dir otherwise. */
  store?: string;
  /** Embedder id (`keel-code`, `openai:…`); default the engine's configured embedder. */
  embedder?: string;
  /** Files above this are skipped with a reason. Default 1024. */
  maxFileSizeKB?: number;
  /** Extra excludes in .gitignore syntax. */
  exclude?: string[];
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

export interface RequestMap {
  /** Build or incrementally update the index of `roots`. */
  'index/build': { params: IndexBuildParams; result: IndexSummary };
  /** What an index holds. `roots` default to the open index's roots; without an open index, `store` is read. */
  'index/status': { params: { store?: string; roots?: string[] }; result: IndexStatus };
  /** File events from a watcher; debounced and coalesced, resolves when the batch is searchable. */
  'index/update': { params: IndexUpdateParams; result: IndexUpdateResult };
}

// ---------------------------------------------------------------------------------------------
// SQL safety and N+1 detection (issue 6; owner: SQL-safety engineer). RequestMap entries added by
// interface merging. Rule codes: KEEL-SQL-INJECTION, KEEL-SQL-N-PLUS-ONE, KEEL-SQL-UNBOUNDED-WRITE,
// KEEL-SQL-DESTRUCTIVE, KEEL-SQL-SELECT-STAR (src/engine/sql/rules.ts).
// ---------------------------------------------------------------------------------------------

/** `keel.sql.rules`: rule code → severity, or 'off'. */
export type SqlRuleSettings = Record<string, FindingSeverity | 'off'>;

export interface SqlAnalyzeParams {
  /** Used for the language (by extension) and echoed in findings. */
  path: string;
  text: string;
  /** VS Code language id (typescript, typescriptreact, javascript, javascriptreact, python); wins over the extension. */
  languageId?: string;
  rules?: SqlRuleSettings;
}

export interface SqlScanParams {
  /** Files or folders, absolute or relative to `cwd`; folders are walked with the index's ignore rules. */
  paths: string[];
  cwd: string;
  rules?: SqlRuleSettings;
}

/** `sql/scan` result: finding paths are relative to `cwd` (posix separators). */
export interface SqlScanResult {
  findings: Finding[];
  files: number;
  ms: number;
  /** Files that could not be analysed, with the reason (unreadable, too large, binary). */
  skipped: SkippedFile[];
}

/** Structured-output request for "Explain & fix with AI" (built by the engine, sent by the LLM layer). */
export interface SqlAiFixRequest {
  tier: 'reasoning';
  taskKind: 'sql-review';
  system: string;
  prompt: string;
  /** JSON schema of the answer: { explanation, risk, patchedCode, testSuggestion }. */
  schema: Record<string, unknown>;
  /** The 1-based line range of `patchedCode` in the file (what the diff preview replaces). */
  range: { startLine: number; endLine: number };
}

export interface RequestMap {
  /** Analyse one open document (on open / debounced edit). < 20 ms for a 1,000-line file. */
  'sql/analyze': { params: SqlAnalyzeParams; result: { findings: Finding[] } };
  /** Scan files/folders (Keel: Scan SQL in Workspace, `keel scan`). */
  'sql/scan': { params: SqlScanParams; result: SqlScanResult };
  /** Build the "Explain & fix with AI" request for one finding (the caller sends it through the LLM layer). */
  'sql/aiFixRequest': { params: { finding: Finding; text: string }; result: SqlAiFixRequest };
}

// ---------------------------------------------------------------------------------------------
// Chat (issue 10; owner: lead). The chat view, `keel ask` and the @keel participant all use this.
// ---------------------------------------------------------------------------------------------

/** Content the user attached explicitly (@file, #selection, #problems), resolved by the host. */
export interface ChatAttachment {
  kind: 'file' | 'selection' | 'problems' | 'symbol';
  path?: string;
  startLine?: number;
  text: string;
}

export interface ChatHistoryTurn {
  question: string;
  answer: string;
}

/** A passage of retrieved context as the UI shows it (a "pill") and as citations refer to it. */
export interface ContextPassage {
  id: string;
  path: string;
  startLine: number;
  endLine: number;
  symbol: string;
  score: number;
}

export interface ChatAskParams {
  question: string;
  /** Workspace root to retrieve from (absolute). */
  root: string;
  store?: string;
  history?: ChatHistoryTurn[];
  attachments?: ChatAttachment[];
  /** Passage ids the user removed from the context. */
  excludedPassages?: string[];
  tier?: Tier | 'auto';
  bypassCache?: boolean;
  provider?: ProviderId;
  model?: string;
  localOnly?: boolean;
}

export type ChatChunk =
  /** `warnings`: what went wrong on the way but did not stop the answer (e.g. a remote embedder unreachable, keyword-only retrieval). */
  | { type: 'context'; passages: ContextPassage[]; ms: number; warnings?: string[] }
  | { type: 'route'; tier: Tier | 'none'; model: string; reason: string }
  | { type: 'delta'; text: string };

export interface ChatAskResult extends AskResult {
  /** True for the offline retrieval answer (no provider configured, or local-only without a local model). */
  offline: boolean;
  passages: ContextPassage[];
  /** For a cache hit: the earlier question whose answer was served. */
  cachedQuestion?: string;
}

export interface RequestMap {
  /** Answer a question grounded in the workspace; streams context, routing and answer deltas. */
  'chat/ask': { params: ChatAskParams; result: ChatAskResult; chunk: ChatChunk };
}

// ---------------------------------------------------------------------------------------------
// Hybrid search (issue 7; owner: retrieval engineer). RequestMap entries added by interface merging.
// ---------------------------------------------------------------------------------------------

/** `none`, `local` (default), or a remote re-ranker: `cohere[:model]`, `voyage[:model]`, `jina[:model]`, `llm`. */
export type RerankerName = string;

export interface SearchQueryParams {
  query: string;
  /** Folder whose index is searched (absolute): a workspace root, or any folder inside an open index's roots. */
  dir: string;
  /** Index folder override (CLI `--store`). */
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

export interface RequestMap {
  /** Hybrid search over an index: BM25 + vectors fused by RRF, re-ranked, merged into passages. */
  'search/query': { params: SearchQueryParams; result: SearchQueryResult };
}

// ---------------------------------------------------------------------------------------------
// Egress audit log (issue 8). What left the machine and why — never payloads or keys.
// ---------------------------------------------------------------------------------------------

export interface EgressLogEntry {
  time: string;
  provider: string;
  host: string;
  model: string | null;
  purpose: string;
  bytes: number;
  requests: number;
  tokens: Usage | null;
  redactions: number;
  files: string[];
  outcome: string;
}

export interface RequestMap {
  /** The newest egress audit entries, oldest first (`Keel: Show Egress Log`). */
  'egress/log': { params: { limit?: number }; result: { file: string | null; localOnly: boolean; entries: EgressLogEntry[] } };
}

// ---------------------------------------------------------------------------------------------
// Engine → host requests (issue 8, `vscode.lm`; owner: lm-bridge engineer). The same conventions in the
// other direction: the engine sends `{ id, method, params }`, the host answers once, streams chunks as
// `$/stream { id, chunk }` and the engine cancels with `$/cancelRequest { id }`. Each direction has its
// own id space. A host announces the methods it serves with `host/methods`; the engine fails a request
// for an unannounced method at once with NOT_AVAILABLE instead of waiting on a host that can't answer.
// ---------------------------------------------------------------------------------------------

/** One chat model the editor offers (VS Code: `vscode.lm.selectChatModels()`). */
export interface HostLmModel {
  id: string;
  vendor: string;
  family: string;
  name: string;
  maxInputTokens: number;
}

export interface HostLmChatParams {
  /** A model family or id (e.g. "gpt-4o-mini", "claude-sonnet-4"); empty: the host's first available model. */
  model: string;
  /** Oldest first. vscode.lm has no system role: instructions arrive as leading user messages. */
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** Shown by VS Code when it asks the user to allow Keel to use the model. */
  justification?: string;
}

export interface HostLmChatResult {
  /** The model that answered, as `vendor/id`. */
  model: string;
  /** Only when the host can count them; the engine counts with its own tokenizer otherwise. */
  inputTokens?: number;
  outputTokens?: number;
}

export interface HostRequestMap {
  /** The chat models the host can reach; `family` narrows the list. Empty when none (no Copilot). */
  'host/lm/models': { params: { family?: string }; result: HostLmModel[] };
  /** Stream one model answer as `{ text }` chunks. */
  'host/lm/chat': { params: HostLmChatParams; result: HostLmChatResult; chunk: { text: string } };
}

export interface ClientNotificationMap {
  /** The full list of engine → host methods this host answers (sent again whenever it changes). */
  'host/methods': { methods: HostMethod[] };
}

export type HostMethod = keyof HostRequestMap;
export type HostParamsOf<M extends HostMethod> = HostRequestMap[M]['params'];
export type HostResultOf<M extends HostMethod> = HostRequestMap[M]['result'];
export type HostChunkOf<M extends HostMethod> = HostRequestMap[M] extends { chunk: infer C } ? C : never;

// ---------------------------------------------------------------------------------------------
// "Explain & fix with AI" for a SQL finding (issue 6, through the LLM layer of issue 8).
// ---------------------------------------------------------------------------------------------

export interface SqlAiFixResult {
  explanation: string;
  risk: 'low' | 'medium' | 'high' | 'critical';
  /** Replacement for lines `range.startLine..range.endLine` of the file. */
  patchedCode: string;
  testSuggestion: string;
  range: { startLine: number; endLine: number };
  provider: ProviderId;
  model: string;
  tier: Tier;
  usage: Usage;
  costUsd: number;
}

export interface RequestMap {
  /** Send the finding and its surrounding code to the reasoning tier with a structured-output schema. */
  'sql/aiFix': { params: { finding: Finding; text: string }; result: SqlAiFixResult };
}
