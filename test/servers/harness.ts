/**
 * The part of the wire-protocol test servers that is not protocol-specific: a real node:http server on
 * 127.0.0.1 (port 0), a record of every request (so tests assert on what was actually sent), scripted
 * replies, and fault injection selected per request — from a queue (`server.faults.push(…)`) or by the
 * `x-keel-fault` request header (`mode` or `mode;retry-after=2;delay-ms=50;after=3`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAULT_MODES = [
  'rate-limit',
  'server-error',
  'overloaded',
  'auth',
  'quota',
  'context-too-long',
  'malformed-sse',
  'cut-stream',
  'stream-error-event',
  'slow-first-byte',
  'hang',
  'hang-mid-stream',
  'redirect-external',
] as const;

export type FaultMode = (typeof FAULT_MODES)[number];

export interface Fault {
  mode: FaultMode;
  /** rate-limit: value of retry-after (seconds). */
  retryAfterS?: number;
  /** slow-first-byte: delay before headers. */
  delayMs?: number;
  /** Stream faults: how many SSE events go out before the fault. */
  afterEvents?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  at: number;
  /** Set when the exchange ends: 'completed' (response fully sent) or 'client-closed' (socket went away first). */
  end?: 'completed' | 'client-closed';
}

/** What the next answer says. `json` is the structured answer (tool input / response_format content). */
export interface ScriptedReply {
  text?: string;
  json?: unknown;
  /** Raw structured payload as streamed (lets tests send invalid JSON). */
  rawJson?: string;
  /**
   * Native tool calls the model makes (OpenAI `tool_calls`, Anthropic `tool_use` blocks), after `text`
   * if both are set. Several are parallel calls. `arguments` is streamed as given, so it may be malformed.
   */
  toolCalls?: Array<{ id?: string; name: string; arguments: string }>;
}

/** A scripted "model": decides the next reply from the request body (used when no reply is queued). */
export type ReplyPolicy = (body: unknown) => ScriptedReply | undefined;

export interface ExchangeContext {
  req: IncomingMessage;
  res: ServerResponse;
  recorded: RecordedRequest;
  fault: Fault | undefined;
  reply: ScriptedReply | undefined;
}

export interface WireServerOptions {
  /** Gap between SSE events (default 2 ms). */
  gapMs?: number;
}

export class WireServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly replies: ScriptedReply[] = [];
  /** Consulted when `replies` is empty (multi-step conversations whose next step depends on the request). */
  policy: ReplyPolicy | undefined;
  /** Number of TCP connections accepted (lets tests see retries and keep-alive reuse). */
  connections = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly handler: (ctx: ExchangeContext) => Promise<void>,
    readonly options: WireServerOptions = {},
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.exchange(req, res));
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections(); // hung exchanges included
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Bodies of all recorded requests joined — for "must not appear anywhere" assertions. */
  allBodies(): string {
    return this.requests.map((r) => r.body).join('\n');
  }

  private async exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers, body, json, at: Date.now() };
    this.requests.push(recorded);
    res.on('close', () => {
      recorded.end = res.writableFinished ? 'completed' : 'client-closed';
    });
    const fault = parseFaultHeader(headers['x-keel-fault']) ?? this.faults.shift();
    const reply = this.replies.shift() ?? this.policy?.(json);
    try {
      if (fault?.mode === 'hang') return; // never answer; close() or the client's timeout ends it
      if (fault?.mode === 'slow-first-byte') await new Promise((r) => setTimeout(r, fault.delayMs ?? 200));
      if (fault?.mode === 'redirect-external') {
        res.writeHead(307, { location: 'http://203.0.113.7/v1/exfiltrate' }).end();
        return;
      }
      await this.handler({ req, res, recorded, fault, reply });
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`test server error: ${(error as Error).message}`);
    }
  }
}

export function parseFaultHeader(value: string | undefined): Fault | undefined {
  if (!value) return undefined;
  const [mode, ...params] = value.split(';').map((s) => s.trim());
  if (!(FAULT_MODES as readonly string[]).includes(mode!)) return undefined;
  const fault: Fault = { mode: mode as FaultMode };
  for (const p of params) {
    const [k, v] = p.split('=');
    const n = Number(v);
    if (k === 'retry-after') fault.retryAfterS = n;
    if (k === 'delay-ms') fault.delayMs = n;
    if (k === 'after') fault.afterEvents = n;
  }
  return fault;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

let counter = 0;
/** Provider-looking ids: msg_…, chatcmpl-…, req_… */
export function fakeId(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36).padStart(6, '0')}`;
}
