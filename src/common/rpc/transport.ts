/**
 * A message transport carries whole JSON-RPC messages between two peers. The worker transport uses
 * postMessage (structured clone, no framing); the stdio transport uses LSP-style Content-Length
 * framing. Everything above this interface is transport-agnostic.
 */
import type { RpcMessage } from '../../protocol';

export interface MessageTransport {
  send(message: RpcMessage): void;
  onMessage(listener: (message: RpcMessage) => void): void;
  /** Fires once when the other side is gone (worker exit, stdin EOF). */
  onClose(listener: (reason?: Error) => void): void;
  close(): void;
}

/** Minimal shape shared by worker_threads' `parentPort` and `Worker`. */
export interface PortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'close' | 'exit' | 'error', listener: (value?: unknown) => void): unknown;
}

export function portTransport(port: PortLike, terminate?: () => void): MessageTransport {
  const closeListeners: Array<(reason?: Error) => void> = [];
  let closed = false;
  const fireClose = (reason?: Error): void => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener(reason);
  };
  port.on('close', () => fireClose());
  port.on('exit', (code) => fireClose(code ? new Error(`engine worker exited with code ${String(code)}`) : undefined));
  port.on('error', (error) => fireClose(error instanceof Error ? error : new Error(String(error))));
  return {
    send: (message) => {
      if (!closed) port.postMessage(message);
    },
    onMessage: (listener) => {
      port.on('message', (value) => listener(value as RpcMessage));
    },
    onClose: (listener) => {
      closeListeners.push(listener);
    },
    close: () => {
      terminate?.();
      fireClose();
    },
  };
}
