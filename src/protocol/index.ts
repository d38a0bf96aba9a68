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
 * One file per feature; this one joins their requests into the one RequestMap and re-exports every
 * part, so `import … from '…/protocol'` sees the whole contract. Types only: no file in this folder
 * imports a runtime module or 'vscode' (ESLint enforces both).
 */
import type { ApiRequests } from './api';
import type { BufferRequests } from './buffers';
import type { ChatRequests } from './chat';
import type { CostRequests } from './cost';
import type { CompletionRequests } from './completions';
import type { DbRequests } from './db';
import type { IndexingRequests } from './indexing';
import type { EngineRequests } from './rpc';
import type { SearchRequests } from './search';
import type { SqlRequests } from './sql';
import type { TeamStoreRequests } from './teamStore';
import type { ToolRequests } from './tools';
import type { TrustRequests } from './trust';

export type * from './rpc';
export type * from './indexing';
export type * from './search';
export type * from './sql';
export type * from './chat';
export type * from './cost';
export type * from './host';
export type * from './webview';
export type * from './tools';
export type * from './db';
export type * from './trust';
export type * from './api';
export type * from './buffers';
export type * from './completions';
export type * from './teamStore';

/** Client → engine requests: every feature's, in one map (one feature per line: branches add lines). */
export interface RequestMap
  extends EngineRequests,
    IndexingRequests,
    SearchRequests,
    SqlRequests,
    ChatRequests,
    CostRequests,
    ToolRequests,
    DbRequests,
    TrustRequests,
    ApiRequests,
    BufferRequests,
    CompletionRequests,
    TeamStoreRequests {}

export type RequestMethod = keyof RequestMap;
export type ParamsOf<M extends RequestMethod> = RequestMap[M]['params'];
export type ResultOf<M extends RequestMethod> = RequestMap[M]['result'];
export type ChunkOf<M extends RequestMethod> = RequestMap[M] extends { chunk: infer C } ? C : never;
