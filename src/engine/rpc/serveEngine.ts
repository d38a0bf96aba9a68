/**
 * Serves an Engine over a transport, language-server style: requests become handler calls with an
 * AbortSignal, `$/cancelRequest` aborts them, streamed chunks travel as `$/stream` notifications and
 * every failure becomes a JSON-RPC error whose `data` is Keel's WireError.
 *
 * The protocol is bidirectional: the engine may also send requests to its host (`HostRequestMap`, e.g.
 * `host/lm/chat`) through the HostBridge installed here. Responses and `$/stream` chunks arriving from
 * the host belong to those engine → host requests; `$/cancelRequest` from the host cancels its own
 * requests to the engine.
 */
import type { ClientNotificationMap, HostMethod, RequestId, RequestMethod, RpcMessage } from '../../protocol';
import type { Engine } from '../engine';
import { KeelError } from '../../common/errors';
import { HostBridgeKey, type HostBridge } from './hostBridge';
import { IncomingCalls, isNotification, isRequest, isResponse, OutgoingCalls } from '../../common/rpc/peer';
import type { MessageTransport } from '../../common/rpc/transport';

export interface ServeOptions {
  /** Called after `engine/shutdown` has been answered (the host decides how to exit). */
  onShutdown?: () => void;
}

export function serveEngine(engine: Engine, transport: MessageTransport, options: ServeOptions = {}): void {
  const send = (message: RpcMessage): void => transport.send(message);
  const incoming = new IncomingCalls(send, (method, error) =>
    engine.log.error(`${method} failed: ${(error as Error)?.stack ?? String(error)}`),
  );
  const toHost = new OutgoingCalls(send);
  let announced = new Set<string>();

  const bridge: HostBridge = {
    serves: (method) => announced.has(method) && !toHost.closed,
    request: (method, params, requestOptions = {}) => {
      if (!bridge.serves(method)) {
        return Promise.reject(new KeelError('NOT_AVAILABLE', `This host does not provide ${method}.`));
      }
      // A host that ignores cancellation must not hold the engine up: settle locally on abort.
      return toHost.request(method, params, { ...requestOptions, onChunk: requestOptions.onChunk as (c: unknown) => void, settleOnAbort: true }) as never;
    },
  };
  engine.services.set(HostBridgeKey, bridge);

  transport.onMessage((message) => {
    if (isRequest(message)) {
      void incoming.run(
        message,
        (params, ctx) =>
          engine.dispatch(message.method as RequestMethod, params as never, {
            ...ctx,
            notify: (method, notifyParams) => send({ jsonrpc: '2.0', method, params: notifyParams }),
            log: engine.log,
          }),
        message.method === 'engine/shutdown' ? options.onShutdown : undefined,
      );
    } else if (isNotification(message)) {
      if (message.method === '$/cancelRequest') incoming.cancel((message.params as { id?: RequestId } | undefined)?.id);
      else if (message.method === '$/stream') {
        const { id, chunk } = message.params as { id: RequestId; chunk: unknown };
        toHost.chunk(id, chunk);
      } else if (message.method === 'host/methods') {
        const methods = (message.params as Partial<ClientNotificationMap['host/methods']> | undefined)?.methods;
        announced = new Set<HostMethod>(Array.isArray(methods) ? methods : []);
      }
    } else if (isResponse(message)) {
      toHost.settle(message);
    }
  });

  transport.onClose(() => {
    incoming.abortAll();
    toHost.close(new KeelError('NOT_AVAILABLE', 'The host has disconnected.'));
  });
}
