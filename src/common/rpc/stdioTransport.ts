/**
 * LSP-style framing over byte streams: `Content-Length: N\r\n\r\n` + N bytes of UTF-8 JSON. Used by
 * `keel serve --stdio` so any editor that can host a language server can host Keel's engine.
 *
 * Writing is vscode-jsonrpc's StreamMessageWriter. Reading is this small reader because the library's
 * cannot recover from a malformed header: it consumes the header, then reads the bad frame's body as
 * the start of the next header and stays out of step for good. This one reports every bad frame as a
 * FrameError (the peer answers it with -32700) and resynchronises on the next `Content-Length:` line.
 */
import type { Readable, Writable } from 'node:stream';
import { AbstractMessageReader, StreamMessageWriter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc/node';
import type { MessageTransport } from './transport';

const HEADER_END = Buffer.from('\r\n\r\n');
const MARKER = 'content-length:';
/** Refuse absurd frames rather than buffering without bound. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** A header block longer than this is not a header. */
const MAX_HEADER_BYTES = 8 * 1024;

/** A frame that could not be read: the peer answers it with a JSON-RPC parse error (-32700). */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Incremental decoder: feed it chunks; it returns each complete frame's message, or a FrameError. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private bodyLength = -1;

  push(chunk: Buffer): Array<unknown | FrameError> {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: Array<unknown | FrameError> = [];
    for (;;) {
      if (this.bodyLength < 0) {
        const headerEnd = this.buffer.indexOf(HEADER_END);
        if (headerEnd < 0) {
          if (this.buffer.length > MAX_HEADER_BYTES) {
            out.push(this.resync('Frame header too long'));
            continue;
          }
          break;
        }
        const length = contentLength(this.buffer.subarray(0, headerEnd).toString('latin1'));
        if (typeof length === 'string') {
          out.push(this.resync(length));
          continue;
        }
        this.buffer = this.buffer.subarray(headerEnd + HEADER_END.length);
        this.bodyLength = length;
      }
      if (this.buffer.length < this.bodyLength) break;
      const body = this.buffer.subarray(0, this.bodyLength);
      this.buffer = this.buffer.subarray(this.bodyLength);
      this.bodyLength = -1;
      out.push(parse(body));
    }
    return out;
  }

  /**
   * The frame at the start of the buffer is bad: skip to the next `Content-Length:` after its first
   * byte (the best guess at where the next frame starts), keeping a tail that may be the start of one.
   */
  private resync(reason: string): FrameError {
    const text = this.buffer.toString('latin1').toLowerCase();
    const next = text.indexOf(MARKER, 1);
    let start = next;
    if (next < 0) {
      let keep = Math.min(MARKER.length - 1, text.length - 1);
      while (keep > 0 && !MARKER.startsWith(text.slice(text.length - keep))) keep--;
      start = text.length - keep;
    }
    this.buffer = this.buffer.subarray(start);
    return new FrameError(reason);
  }
}

function contentLength(header: string): number | string {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) return `Malformed frame header line: ${JSON.stringify(line.slice(0, 80))}`;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d+$/.test(value)) return `Content-Length is not a number: ${JSON.stringify(value.slice(0, 40))}`;
    length = Number(value);
  }
  if (length === undefined) return 'Frame header has no Content-Length';
  if (length > MAX_FRAME_BYTES) return `Frame too large: ${length} bytes (limit ${MAX_FRAME_BYTES})`;
  return length;
}

function parse(body: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new FrameError('Frame body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return new FrameError(`Frame body is not valid JSON: ${(error as Error).message}`);
  }
}

class FrameReader extends AbstractMessageReader {
  private readonly decoder = new FrameDecoder();
  private callback: DataCallback | undefined;
  private closed = false;

  constructor(input: Readable) {
    super();
    input.on('data', (chunk: Buffer) => {
      for (const item of this.decoder.push(chunk)) {
        // Bodies that are not messages (null, 42, [] …) still go up: the peer answers them with -32600.
        if (item instanceof FrameError) this.fireError(item);
        else this.callback?.(item as Message);
      }
    });
    input.on('end', () => this.end());
    input.on('close', () => this.end());
    input.on('error', (error) => {
      this.fireError(error);
      this.end();
    });
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    return { dispose: () => (this.callback = undefined) };
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.fireClose();
  }
}

export function streamTransport(input: Readable, output: Writable): MessageTransport {
  const reader = new FrameReader(input);
  return {
    reader,
    writer: new StreamMessageWriter(output),
    close: () => {
      reader.end();
      input.destroy();
    },
  };
}
