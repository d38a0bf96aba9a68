/**
 * THE egress gate. Every outbound model / embedding / rerank request goes through a fetch handed out
 * by `fetchFor(purpose)` — the SDK clients receive it as their `fetch` option, so enforcement happens at
 * the transport, below anything an SDK or a feature could get wrong:
 *   1. local-only mode: only loopback and allow-listed hosts; anything else → EGRESS_BLOCKED before a
 *      socket is opened. Redirects are never followed (a local server could bounce us elsewhere).
 *   2. redaction: secrets in the body are replaced with stable placeholders (redact.ts).
 *   3. audit: one JSONL line per logical call (auditLog.ts). Callers that know more than the transport
 *      (tokens, files) open a call with `beginCall` and tag its requests with the call header.
 */
import { randomUUID } from 'node:crypto';
import type { Usage } from '../../protocol';
import { KeelError } from '../errors';
import { AuditLog, type AuditEntry } from './auditLog';
import { isAllowListed, isLoopbackHost } from './hosts';
import { Redactor } from './redact';

export const CALL_HEADER = 'x-keel-egress-call';

export interface EgressPolicy {
  localOnly: boolean;
  allowHosts: string[];
}

export interface EgressGateOptions extends Partial<EgressPolicy> {
  /** Where egress.jsonl goes (the extension's storage / the CLI's state dir). No dir: no file. */
  storageDir?: string;
  redactor?: Redactor;
  /** The real transport; tests pass a recording wrapper. */
  baseFetch?: typeof fetch;
  now?: () => Date;
}

export interface CallMeta {
  provider: string;
  model: string;
  purpose: string;
  files?: string[];
}

export interface EgressCall {
  /** Add to the SDK request's headers; the gate strips it before sending. */
  readonly headers: Record<string, string>;
  /**
   * For calls that do not go through the gate's fetch (VS Code's language models travel over the
   * extension host): record what was sent, as the fetch would have — the audit line then shows where
   * the payload went and how big it was, like every other line.
   */
  sent(request: { host: string; bytes: number; redactions: number }): void;
  finish(result: { usage?: Usage; error?: KeelError }): void;
}

interface OpenCall {
  meta: CallMeta;
  host: string;
  bytes: number;
  requests: number;
  redactions: number;
}

export class EgressGate {
  private policy: EgressPolicy;
  private readonly redactor: Redactor;
  private readonly baseFetch: typeof fetch;
  private readonly now: () => Date;
  private readonly calls = new Map<string, OpenCall>();
  readonly audit: AuditLog | undefined;
  /** Counters for status displays and tests. */
  readonly stats = { requests: 0, blocked: 0, redactions: 0 };

  constructor(options: EgressGateOptions = {}) {
    this.policy = { localOnly: options.localOnly ?? false, allowHosts: options.allowHosts ?? [] };
    this.redactor = options.redactor ?? new Redactor();
    this.baseFetch = options.baseFetch ?? globalThis.fetch.bind(globalThis);
    this.now = options.now ?? (() => new Date());
    this.audit = options.storageDir ? new AuditLog(options.storageDir) : undefined;
  }

  get localOnly(): boolean {
    return this.policy.localOnly;
  }

  /** Settings change at runtime (keel.localOnly, keel.egress.allowHosts); takes effect on the next request. */
  setPolicy(policy: Partial<EgressPolicy>): void {
    this.policy = { ...this.policy, ...policy };
  }

  /** Throws EGRESS_BLOCKED if `url` may not be contacted under the current policy. */
  check(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new KeelError('EGRESS_BLOCKED', `Refused to send to a ${url.protocol} URL.`);
    }
    if (!this.policy.localOnly) return;
    if (isLoopbackHost(url.hostname) || isAllowListed(url, this.policy.allowHosts)) return;
    throw new KeelError(
      'EGRESS_BLOCKED',
      `Local-only mode: ${url.hostname} is not loopback or allow-listed (keel.egress.allowHosts).`,
    );
  }

  beginCall(meta: CallMeta): EgressCall {
    const id = randomUUID();
    this.calls.set(id, { meta, host: '', bytes: 0, requests: 0, redactions: 0 });
    let finished = false;
    return {
      headers: { [CALL_HEADER]: id },
      sent: ({ host, bytes, redactions }) => {
        const call = this.calls.get(id);
        if (call) this.countSent(call, host, bytes, redactions);
      },
      finish: ({ usage, error }) => {
        if (finished) return;
        finished = true;
        const call = this.calls.get(id);
        this.calls.delete(id);
        if (!call) return;
        this.write({
          provider: call.meta.provider,
          host: call.host,
          model: call.meta.model,
          purpose: call.meta.purpose,
          bytes: call.bytes,
          requests: call.requests,
          tokens: usage ?? null,
          redactions: call.redactions,
          files: call.meta.files ?? [],
          outcome: error ? error.code : 'ok',
        });
      },
    };
  }

  /** A fetch bound to this gate. `provider` names the audit lines of untagged requests (embedders). */
  fetchFor(purpose: string, provider = 'unknown'): typeof fetch {
    const gated = async (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
      this.send(purpose, provider, input, init);
    return gated as typeof fetch;
  }

  private async send(purpose: string, provider: string, input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input.toString());
    const headers = new Headers(init?.headers ?? request?.headers);
    const callId = headers.get(CALL_HEADER);
    headers.delete(CALL_HEADER);
    const call = callId ? this.calls.get(callId) : undefined;
    try {
      this.check(url);
    } catch (error) {
      this.stats.blocked++;
      if (call) call.host = url.hostname;
      else this.writeUntagged(purpose, provider, url, 0, 0, null, 'EGRESS_BLOCKED');
      throw error;
    }

    const raw = await bodyText(request, init);
    const redaction = raw === undefined ? { text: undefined, count: 0 } : this.redactor.redactBody(raw);
    // The body may have changed length; let the transport compute it.
    headers.delete('content-length');
    const bytes = redaction.text === undefined ? 0 : Buffer.byteLength(redaction.text);
    this.countSent(call, url.hostname, bytes, redaction.count);
    if (!call) this.writeUntagged(purpose, provider, url, bytes, redaction.count, modelOf(redaction.text), 'sent');

    const response = await this.baseFetch(url, {
      method: init?.method ?? request?.method ?? 'GET',
      headers,
      body: redaction.text,
      signal: init?.signal ?? request?.signal,
      redirect: 'manual',
    });
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel().catch(() => undefined);
      throw new KeelError('EGRESS_BLOCKED', `Refused to follow a redirect from ${url.hostname} (HTTP ${response.status}).`);
    }
    return response;
  }

  /** One request sent: the gate's counters, and the open call's audit figures when it belongs to one. */
  private countSent(call: OpenCall | undefined, host: string, bytes: number, redactions: number): void {
    this.stats.requests++;
    this.stats.redactions += redactions;
    if (!call) return;
    call.host = host;
    call.bytes += bytes;
    call.requests++;
    call.redactions += redactions;
  }

  private writeUntagged(purpose: string, provider: string, url: URL, bytes: number, redactions: number, model: string | null, outcome: string): void {
    this.write({ provider, host: url.hostname, model, purpose, bytes, requests: 1, tokens: null, redactions, files: [], outcome });
  }

  private write(entry: Omit<AuditEntry, 'time'>): void {
    this.audit?.append({ time: this.now().toISOString(), ...entry });
  }
}

async function bodyText(request: Request | undefined, init: RequestInit | undefined): Promise<string | undefined> {
  const body = init?.body ?? (request ? await request.clone().text() : undefined);
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return Buffer.from(body as ArrayBuffer).toString('utf8');
  if (body instanceof Blob) return body.text();
  if (body instanceof URLSearchParams) return body.toString();
  // Streams and form data can't be inspected before sending, so they can't be redacted: refuse.
  throw new KeelError('EGRESS_BLOCKED', 'Refused to send a request body that cannot be inspected for secrets.');
}

function modelOf(body: string | undefined): string | null {
  if (!body) return null;
  try {
    const model = (JSON.parse(body) as { model?: unknown }).model;
    return typeof model === 'string' ? model : null;
  } catch {
    return null;
  }
}
