/**
 * A real HTTP server on 127.0.0.1 speaking OpenAI's embeddings wire protocol (`POST /v1/embeddings`),
 * for testing the embedder through the real `openai` SDK. Vectors are deterministic functions of the
 * input text, so tests can check order and batching. Faults are scripted per request from a queue:
 * 429 with retry-after, 500, 401, malformed JSON, a wrong number of vectors, a hung connection.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type EmbeddingsFault =
  | { kind: 'rate-limit'; retryAfterS?: number }
  | { kind: 'server-error' }
  | { kind: 'auth' }
  | { kind: 'malformed-json' }
  | { kind: 'wrong-count' }
  | { kind: 'hang' };

export interface EmbeddingsRequest {
  headers: Record<string, string | string[] | undefined>;
  body: { model?: string; input?: unknown; dimensions?: number; encoding_format?: string };
  at: number;
}

/** Native size when the request has no `dimensions` (OpenAI's real sizes for its model names). */
export const DEFAULT_DIMS = 16;
const NATIVE_DIMS: Record<string, number> = { 'text-embedding-3-small': 1536, 'text-embedding-3-large': 3072 };

/** The server's vector for a text (unnormalised, so tests see the client normalise). */
export function fakeVector(text: string, dims: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < dims; i++) {
    const h = createHash('sha256').update(`${i}:${text}`).digest();
    for (let j = 0; j + 4 <= h.length && out.length < dims; j += 4) out.push((h.readUInt32LE(j) / 0xffffffff - 0.5) * 3);
  }
  return out;
}

export class EmbeddingsServer {
  readonly requests: EmbeddingsRequest[] = [];
  readonly faults: EmbeddingsFault[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly apiKey?: string) {}

  /** Base URL to hand the SDK, e.g. http://127.0.0.1:PORT/v1. */
  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: EmbeddingsRequest['body'] = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
    }
    this.requests.push({ headers: req.headers, body, at: Date.now() });
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(res, 404, { error: { message: 'not found' } });
    const fault = this.faults.shift();
    if (fault?.kind === 'hang') return; // never answer: the client's timeout must cut it
    if (fault?.kind === 'auth' || (this.apiKey && req.headers.authorization !== `Bearer ${this.apiKey}`)) {
      return send(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    if (fault?.kind === 'rate-limit') {
      const headers: Record<string, string> = fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {};
      return send(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, headers);
    }
    if (fault?.kind === 'server-error') return send(res, 500, { error: { message: 'The server had an error', type: 'server_error' } });
    if (fault?.kind === 'malformed-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"object":"list","data":[{"object":"embedding","embedding":[0.1,');
    }
    const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input : undefined;
    if (!inputs || inputs.some((x) => typeof x !== 'string' || x === '')) {
      return send(res, 400, { error: { message: "'input' must be a non-empty string or array of non-empty strings", type: 'invalid_request_error' } });
    }
    const dims = body.dimensions ?? NATIVE_DIMS[body.model ?? ''] ?? DEFAULT_DIMS;
    const used = fault?.kind === 'wrong-count' ? inputs.slice(1) : inputs;
    const data = used.map((text, index) => {
      const v = fakeVector(text as string, dims);
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
      return { object: 'embedding', index, embedding };
    });
    const tokens = inputs.reduce((s: number, x) => s + String(x).split(/\s+/).length, 0);
    send(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, { 'x-request-id': `req_${this.requests.length}` });
  }
}

function send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(json));
}
