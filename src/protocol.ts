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
