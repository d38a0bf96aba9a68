/**
 * JSON-RPC 2.0 envelopes, the engine's lifecycle requests and the notification maps: the core of the
 * contract every host speaks. The other files in this folder add their feature's requests; index.ts joins
 * them into the one RequestMap.
 */

import type { IndexProgress } from './indexing';
import type { HostMethod } from './host';

/**
 * Keel's stable error codes. Users script against them (`keel … --json` prints them), so codes are only
 * ever added, never renamed. src/common/errors.ts lists them at run time (checked against this type).
 */
export type ErrorCode =
  | 'INTERNAL'
  | 'INVALID_PARAMS'
  | 'METHOD_NOT_FOUND'
  | 'NOT_AVAILABLE'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'ENGINE_UNAVAILABLE'
  | 'BAD_INPUT'
  | 'FILE_NOT_FOUND'
  | 'FILE_TOO_LARGE'
  | 'FILE_BINARY'
  | 'FILE_UNREADABLE'
  | 'INDEX_CORRUPT'
  | 'INDEX_NOT_FOUND'
  | 'INDEX_LOCKED'
  | 'EMBEDDER_MISMATCH'
  | 'RATE_LIMITED'
  | 'AUTH_FAILED'
  | 'QUOTA_EXCEEDED'
  | 'CONTEXT_TOO_LONG'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_NOT_CONFIGURED'
  | 'BAD_RESPONSE'
  | 'SCHEMA_VIOLATION'
  | 'BUDGET_EXCEEDED'
  | 'EGRESS_BLOCKED'
  | 'STORE_CORRUPT'
  | 'DISK_FULL'
  | 'READ_ONLY'
  | 'PERMISSION_DENIED'
  | 'PATH_INVALID'
  | 'ACCESS_DENIED'
  | 'RESPONSE_TOO_LARGE'
  | 'RESPONSE_TOO_LONG'
  | 'SQL_INVALID'
  | 'DB_UNAVAILABLE'
  | 'DB_AUTH_FAILED'
  | 'DB_UNKNOWN_TABLE'
  // review and provenance (issue 19)
  | 'GIT_FAILED'
  | 'LEDGER_TAMPERED';

/** The wire shape of an error: what the protocol, the CLI's `--json` and the UI all see. */
export interface WireError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  retryAfterS?: number;
  requestId?: string;
  provider?: string;
}

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

/**
 * JSON-RPC numeric codes Keel answers with; Keel's own string code travels in `data`. -32700 parse
 * error, -32600 invalid request, -32601 method not found, -32602 invalid params, -32603 internal,
 * -32800 cancelled (LSP's RequestCancelled), -32000 application error (see data.code).
 */
export type RpcErrorCode = -32700 | -32600 | -32601 | -32602 | -32603 | -32800 | -32000;

export interface RpcFailure {
  jsonrpc: '2.0';
  id: RequestId | null;
  error: { code: number; message: string; data: WireError };
}

export type RpcResponse = RpcSuccess | RpcFailure;
export type RpcMessage = RpcRequest | RpcNotification | RpcResponse;

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
export interface EngineRequests {
  /** Liveness and version; `echo` comes back unchanged. */
  'engine/ping': { params: { echo?: string }; result: EngineInfo & { echo?: string } };
  /** Push settings and secrets from the host. Secrets are kept in memory only; `changed` never echoes them. */
  'engine/configure': {
    params: { settings?: Record<string, unknown>; secrets?: Record<string, string | null> };
    result: { changed: string[] };
  };
  /** Graceful stop: flush stores, then answer; the host may terminate the worker afterwards. */
  'engine/shutdown': { params: Record<string, never>; result: { ok: true } };
}

/** Client → engine notifications. */
export interface ClientNotificationMap {
  '$/cancelRequest': { id: RequestId };
  /** The full list of engine → host methods this host answers (sent again whenever it changes). */
  'host/methods': { methods: HostMethod[] };
}

/** Engine → client notifications. */
export interface EngineNotificationMap {
  '$/stream': { id: RequestId; chunk: unknown };
  'index/progress': IndexProgress & { root?: string };
  'log': { level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string };
}
