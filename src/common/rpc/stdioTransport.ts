/**
 * LSP-style framing over byte streams: `Content-Length: N\r\n\r\n` + N bytes of UTF-8 JSON.
 * Used by `keel serve --stdio` so any editor that can host a language server can host Keel's engine.
 */
import type { Readable, Writable } from 'node:stream';
import type { RpcMessage } from '../../protocol';
import type { MessageTransport } from './transport';

const HEADER_END = Buffer.from('\r\n\r\n');
/** Refuse absurd frames rather than buffering without bound. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(message: RpcMessage): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Incremental decoder: feed it chunks, it returns the complete messages found so far. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RpcMessage[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const messages: RpcMessage[] = [];
    for (;;) {
      const headerEnd = this.buffer.indexOf(HEADER_END);
      if (headerEnd < 0) break;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /content-length:\s*(\d+)/i.exec(header);
      if (!match) throw new Error(`Malformed frame header: ${JSON.stringify(header.slice(0, 80))}`);
      const length = Number(match[1]);
      if (length > MAX_FRAME_BYTES) throw new Error(`Frame too large: ${length} bytes`);
      const start = headerEnd + HEADER_END.length;
      if (this.buffer.length < start + length) break;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      messages.push(JSON.parse(body) as RpcMessage);
    }
    return messages;
  }
}

export function streamTransport(input: Readable, output: Writable): MessageTransport {
  const decoder = new FrameDecoder();
  const messageListeners: Array<(message: RpcMessage) => void> = [];
  const closeListeners: Array<(reason?: Error) => void> = [];
  let closed = false;
  const fireClose = (reason?: Error): void => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener(reason);
  };
  input.on('data', (chunk: Buffer) => {
    let messages: RpcMessage[];
    try {
      messages = decoder.push(chunk);
    } catch (error) {
      fireClose(error as Error);
      return;
    }
    for (const message of messages) for (const listener of messageListeners) listener(message);
  });
  input.on('end', () => fireClose());
  input.on('close', () => fireClose());
  input.on('error', (error) => fireClose(error));
  return {
    send: (message) => {
      if (!closed) output.write(encodeFrame(message));
    },
    onMessage: (listener) => {
      messageListeners.push(listener);
    },
    onClose: (listener) => {
      closeListeners.push(listener);
    },
    close: () => {
      fireClose();
      input.destroy();
    },
  };
}
