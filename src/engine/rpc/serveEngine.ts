/**
 * Serves an Engine over a transport, language-server style: requests become handler calls with an
 * AbortSignal, `$/cancelRequest` aborts them, streamed chunks travel as `$/stream` notifications and
 * every failure becomes a JSON-RPC error whose `data` is Keel's WireError.
 */
import {
  RpcErrorCodes,
  type RequestId,
  type RequestMethod,
  type RpcFailure,
  type RpcMessage,
  type RpcRequest,
} from '../../protocol';
import type { Engine } from '../engine';
import { KeelError, toKeelError } from '../errors';
import type { MessageTransport } from './transport';

export interface ServeOptions {
  /** Called after `engine/shutdown` has been answered (the host decides how to exit). */
  onShutdown?: () => void;
}

export function serveEngine(engine: Engine, transport: MessageTransport, options: ServeOptions = {}): void {
  const running = new Map<RequestId, AbortController>();

  transport.onMessage((message) => {
    if (!isRequestOrNotification(message)) return; // responses are not expected by a server
    if (!('id' in message) || message.id === undefined || message.id === null) {
      if (message.method === '$/cancelRequest') {
        const id = (message.params as { id?: RequestId } | undefined)?.id;
        if (id !== undefined) running.get(id)?.abort();
      }
      return;
    }
    void handleRequest(message as RpcRequest);
  });

  transport.onClose(() => {
    for (const controller of running.values()) controller.abort();
    running.clear();
  });

  async function handleRequest(request: RpcRequest): Promise<void> {
    const controller = new AbortController();
    running.set(request.id, controller);
    try {
      const result = await engine.dispatch(request.method as RequestMethod, request.params as never, {
        id: request.id,
        signal: controller.signal,
        stream: (chunk) => transport.send({ jsonrpc: '2.0', method: '$/stream', params: { id: request.id, chunk } }),
        notify: (method, params) => transport.send({ jsonrpc: '2.0', method, params }),
        log: engine.log,
      });
      transport.send({ jsonrpc: '2.0', id: request.id, result: result ?? null });
      if (request.method === 'engine/shutdown') options.onShutdown?.();
    } catch (error) {
      const keelError = controller.signal.aborted ? new KeelError('CANCELLED', 'The request was cancelled.') : toKeelError(error);
      if (keelError.code === 'INTERNAL') engine.log.error(`${request.method} failed: ${(error as Error)?.stack ?? String(error)}`);
      transport.send(failure(request.id, keelError));
    } finally {
      running.delete(request.id);
    }
  }
}

function failure(id: RequestId, error: KeelError): RpcFailure {
  const code =
    error.code === 'METHOD_NOT_FOUND'
      ? RpcErrorCodes.MethodNotFound
      : error.code === 'CANCELLED'
        ? RpcErrorCodes.RequestCancelled
        : error.code === 'INVALID_PARAMS'
          ? RpcErrorCodes.InvalidParams
          : RpcErrorCodes.KeelError;
  return { jsonrpc: '2.0', id, error: { code, message: error.message, data: error.toWire(String(id)) } };
}

function isRequestOrNotification(message: RpcMessage): message is RpcRequest {
  return typeof (message as { method?: unknown }).method === 'string';
}
