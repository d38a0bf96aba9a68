/**
 * A transport is a vscode-jsonrpc reader/writer pair: the worker transport carries whole messages over
 * postMessage (structured clone, no framing); the stdio transport uses LSP-style Content-Length framing
 * (stdioTransport.ts). Everything above this interface — the peer, the client, serveEngine — is
 * transport-agnostic.
 */
import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message, type MessageReader, type MessageWriter } from 'vscode-jsonrpc/node';

export interface MessageTransport {
  readonly reader: MessageReader;
  readonly writer: MessageWriter;
  /** Stop the transport; the peer sees the reader close. */
  close(): void;
}

/** Minimal shape shared by worker_threads' `parentPort` and `Worker`. */
export interface PortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'close' | 'exit' | 'error', listener: (value?: unknown) => void): unknown;
}

/**
 * vscode-jsonrpc's PortMessageReader only knows a MessagePort's 'close'; a Worker seen from its parent
 * reports its end as 'exit' (with a code), so both ends need this one.
 */
class PortReader extends AbstractMessageReader {
  private callback: DataCallback | undefined;
  private closed = false;

  constructor(port: PortLike) {
    super();
    port.on('message', (value) => this.callback?.(value as Message));
    port.on('close', () => this.end());
    port.on('exit', (code) => this.end(code ? new Error(`engine worker exited with code ${String(code)}`) : undefined));
    port.on('error', (error) => this.end(error instanceof Error ? error : new Error(String(error))));
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    return { dispose: () => (this.callback = undefined) };
  }

  end(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.fireError(reason);
    this.fireClose();
  }
}

class PortWriter extends AbstractMessageWriter {
  constructor(private readonly port: PortLike, private readonly isClosed: () => boolean) {
    super();
  }

  async write(message: Message): Promise<void> {
    if (this.isClosed()) return;
    // Throws synchronously (DataCloneError) for values postMessage cannot copy: the caller's request
    // then fails with a coded error instead of hanging.
    this.port.postMessage(message);
  }

  end(): void {}
}

export function portTransport(port: PortLike, terminate?: () => void): MessageTransport {
  let closed = false;
  const reader = new PortReader(port);
  reader.onClose(() => (closed = true));
  return {
    reader,
    writer: new PortWriter(port, () => closed),
    close: () => {
      terminate?.();
      reader.end();
    },
  };
}
