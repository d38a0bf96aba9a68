/** Two connected in-memory transports, for protocol tests without a worker or a process. */
import type { RpcMessage } from '../../src/protocol';
import type { MessageTransport } from '../../src/common/rpc/transport';

export function memoryTransportPair(): [MessageTransport, MessageTransport] {
  const make = () => ({ listeners: [] as Array<(m: RpcMessage) => void>, close: [] as Array<() => void>, closed: false });
  const a = make();
  const b = make();
  const side = (self: ReturnType<typeof make>, other: ReturnType<typeof make>): MessageTransport => ({
    // Structured-clone semantics, delivered asynchronously like postMessage.
    send: (message) => {
      if (self.closed) return;
      const copy = structuredClone(message);
      queueMicrotask(() => other.listeners.forEach((l) => l(copy)));
    },
    onMessage: (l) => void self.listeners.push(l),
    onClose: (l) => void self.close.push(l),
    close: () => {
      for (const s of [self, other]) {
        if (s.closed) continue;
        s.closed = true;
        s.close.forEach((l) => l());
      }
    },
  });
  return [side(a, b), side(b, a)];
}
