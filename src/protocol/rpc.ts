/**
 * JSON-RPC 2.0 envelopes, the engine's lifecycle requests and the notification maps: the core of the
 * contract every host speaks. The other files in this folder add their feature's requests; index.ts joins
 * them into the one RequestMap.
 */

import type { WireError } from '../common/errors';
import type { IndexProgress } from './indexing';
import type { HostMethod } from './host';

export type { WireError, ErrorCode } from '../common/errors';

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
  /** Test helper for cancellation and streaming: emits `count` chunks `delayMs` apart. */
  'engine/countdown': { params: { count: number; delayMs: number }; result: { completed: number }; chunk: { n: number } };
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
