/** Two connected in-memory transports, for protocol tests without a worker or a process. */
import { MessageChannel } from 'node:worker_threads';
import type { MessageTransport, PortLike } from '../../src/common/rpc/transport';
import { portTransport } from '../../src/common/rpc/transport';

/** A MessageChannel's two ports: structured-clone semantics, delivered asynchronously like a worker's. */
export function memoryTransportPair(): [MessageTransport, MessageTransport] {
  const { port1, port2 } = new MessageChannel();
  const close = (): void => {
    port1.close();
    port2.close();
  };
  return [portTransport(port1 as unknown as PortLike, close), portTransport(port2 as unknown as PortLike, close)];
}
