/**
 * Serves an Engine over a transport, language-server style: requests become handler calls with an
 * AbortSignal, `$/cancelRequest` aborts them, streamed chunks travel as `$/stream` notifications and
 * every failure becomes a JSON-RPC error whose `data` is Keel's WireError. Params are checked against
 * the method's schema here, at the boundary (paramSchemas.ts), before any handler sees them.
 *
 * The protocol is bidirectional: the engine may also send requests to its host (`HostRequestMap`, e.g.
 * `host/lm/chat`) through the HostBridge installed here. Responses and `$/stream` chunks arriving from
 * the host belong to those engine → host requests; `$/cancelRequest` from the host cancels its own
 * requests to the engine.
 */
import type { ClientNotificationMap, EngineNotificationMap, HostMethod, RequestMethod } from '../../protocol';
import { KeelError } from '../../common/errors';
import { RpcPeer } from '../../common/rpc/peer';
import type { MessageTransport } from '../../common/rpc/transport';
import type { Engine } from '../engine';
import { HostBridgeKey, type HostBridge } from './hostBridge';
import { checkParams } from './paramSchemas';

export interface ServeOptions {
  /** Called after `engine/shutdown` has been answered (the host decides how to exit). */
  onShutdown?: () => void;
}

export interface ServedEngine {
  /** Send an engine → host notification (logs before any request, for example). */
  notify<N extends keyof EngineNotificationMap>(method: N, params: EngineNotificationMap[N]): void;
  onClose(listener: () => void): void;
}

export function serveEngine(engine: Engine, transport: MessageTransport, options: ServeOptions = {}): ServedEngine {
  const peer = new RpcPeer(transport, {
    closedError: () => new KeelError('NOT_AVAILABLE', 'The host has disconnected.'),
    onInternalError: (method, error) => engine.log.error(`${method} failed: ${(error as Error)?.stack ?? String(error)}`),
    log: (message) => engine.log.debug(`rpc: ${message}`),
  });
  let announced = new Set<string>();

  const bridge: HostBridge = {
    serves: (method) => announced.has(method) && !peer.closed,
    request: (method, params, requestOptions = {}) => {
      if (!bridge.serves(method)) {
        return Promise.reject(new KeelError('NOT_AVAILABLE', `This host does not provide ${method}.`));
      }
      // A host that ignores cancellation must not hold the engine up: settle locally on abort.
      return peer.request(method, params, { ...requestOptions, onChunk: requestOptions.onChunk as (c: unknown) => void, settleOnAbort: true }) as never;
    },
  };
  engine.services.set(HostBridgeKey, bridge);

  peer.handleRequests(async (method, params, ctx) => {
    if (!engine.has(method)) throw new KeelError('METHOD_NOT_FOUND', `Unknown method: ${method}`);
    const checked = checkParams(method as RequestMethod, params);
    if (method === 'engine/shutdown' && options.onShutdown) peer.afterAnswering(ctx.id, options.onShutdown);
    return engine.dispatch(method as RequestMethod, checked as never, {
      ...ctx,
      notify: (m, p) => peer.notify(m, p),
      log: engine.log,
    });
  });
  peer.onNotification('host/methods', (params) => {
    announced = new Set<HostMethod>((params as ClientNotificationMap['host/methods']).methods);
  });

  return {
    notify: (method, params) => peer.notify(method, params),
    onClose: (listener) => peer.onClose(() => listener()),
  };
}
