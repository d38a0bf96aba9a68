/**
 * THE egress gate. Every outbound model / embedding / rerank request goes through a fetch handed out
 * by `fetchFor(purpose)` — the SDK clients receive it as their `fetch` option (clients.ts builds every
 * one of them), so enforcement happens at the transport, below anything an SDK or a feature could get
 * wrong:
 *   1. local-only mode: only loopback and allow-listed hosts; anything else → EGRESS_BLOCKED before a
 *      socket is opened, and again on the resolved address at connect time (transport.ts).
 *   2. redirects: followed by hand, and only when they stay on the same origin (or loopback → loopback);
 *      anything else is refused — a local server must not be able to bounce a request, key included,
 *      to another host.
 *   3. redaction: secrets in the body are replaced with stable placeholders (redact.ts).
 *   4. time and size: a first-byte limit and an idle limit (keel.llm.timeoutS), and per-response caps on
 *      bytes and total duration, each failing with its own code.
 *   5. audit: one JSONL line per logical call (auditLog.ts). Callers that know more than the transport
 *      (tokens, files) open a call with `beginCall` and tag its requests with the call header.
 */
import { randomUUID } from 'node:crypto';
import type { Usage } from '../../protocol';
import { KeelError } from '../../common/errors';
import { AuditLog, type AuditEntry } from './auditLog';
import { isAllowListed, isLoopbackHost } from './hosts';
import { Redactor } from './redact';
import { guardedFetch } from './transport';

export const CALL_HEADER = 'x-keel-egress-call';

export interface EgressPolicy {
  localOnly: boolean;
  allowHosts: string[];
  /** First-byte limit (until response headers) and idle limit (silence inside a body), in ms. */
  timeoutMs: number;
}

/** Bounds on one response body, whatever the timeouts say: a server can't stream forever or flood memory. */
export interface ResponseLimits {
  maxBytes: number;
  maxDurationMs: number;
}

/**
 * 30 s: a hosted model sends response headers within a few seconds even for long prompts, and streams
 * tokens far more often than that; a server silent for half a minute is down or hung, and half a
 * minute is about as long as a person waits on a spinner before giving up. Users with slow
 * self-hosted models raise keel.llm.timeoutS / KEEL_TIMEOUT_S / --timeout.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** 64 MiB: a 128-input batch of 3072-d float embeddings is ~8 MB of JSON; a 4k-token answer ~1 MB of SSE. */
export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = { maxBytes: 64 * 1024 * 1024, maxDurationMs: 10 * 60_000 };
const MAX_REDIRECTS = 5;
/** Chunks a metered body reads ahead of its consumer. */
const QUEUE_CHUNKS = 16;

export interface EgressGateOptions extends Partial<EgressPolicy> {
  /** Where egress.jsonl goes (the extension's storage / the CLI's state dir). No dir: no file. */
  storageDir?: string;
  redactor?: Redactor;
  /** Replaces the real transport (transport.ts) — tests of the gate's own logic only. */
  baseFetch?: typeof fetch;
  /** Observes every URL the transport is asked to contact (tests). */
  onTransport?: (url: URL) => void;
  limits?: Partial<ResponseLimits>;
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
  /**
   * The coded error the gate itself raised for this call's latest request (EGRESS_BLOCKED, TIMEOUT,
   * RESPONSE_TOO_LARGE …), cleared by reading. SDKs re-wrap what their fetch throws — the OpenAI SDK
   * even turns any error that mentions a timeout into a retryable APIConnectionTimeoutError — so the
   * caller asks the gate what really happened instead of guessing from the SDK's error.
   */
  takeError(): KeelError | undefined;
  finish(result: { usage?: Usage; error?: KeelError }): void;
}

interface OpenCall {
  meta: CallMeta;
  error?: KeelError;
  host: string;
  bytes: number;
  requests: number;
  redactions: number;
}

export class EgressGate {
  private policy: EgressPolicy;
  private readonly redactor: Redactor;
  private readonly baseFetch: typeof fetch;
  private readonly onTransport: ((url: URL) => void) | undefined;
  private readonly limits: ResponseLimits;
  private readonly now: () => Date;
  private readonly calls = new Map<string, OpenCall>();
  readonly audit: AuditLog | undefined;
  /** Counters for status displays and tests. */
  readonly stats = { requests: 0, blocked: 0, redactions: 0 };

  constructor(options: EgressGateOptions = {}) {
    this.policy = {
      localOnly: options.localOnly ?? false,
      allowHosts: options.allowHosts ?? [],
      timeoutMs: validTimeout(options.timeoutMs) ?? DEFAULT_TIMEOUT_MS,
    };
    this.redactor = options.redactor ?? new Redactor();
    this.baseFetch = options.baseFetch ?? guardedFetch(() => this.policy);
    this.onTransport = options.onTransport;
    this.limits = { ...DEFAULT_RESPONSE_LIMITS, ...definedOnly(options.limits ?? {}) };
    this.now = options.now ?? (() => new Date());
    this.audit = options.storageDir ? new AuditLog(options.storageDir) : undefined;
  }

  get localOnly(): boolean {
    return this.policy.localOnly;
  }

  /** First-byte and idle limit every request through the gate gets (keel.llm.timeoutS). */
  get timeoutMs(): number {
    return this.policy.timeoutMs;
  }

  /** Settings change at runtime (keel.localOnly, keel.egress.allowHosts, keel.llm.timeoutS); takes effect on the next request. */
  setPolicy(policy: Partial<EgressPolicy>): void {
    const next = definedOnly(policy);
    if (next.timeoutMs !== undefined) next.timeoutMs = validTimeout(next.timeoutMs) ?? this.policy.timeoutMs;
    this.policy = { ...this.policy, ...next };
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
      takeError: () => {
        const call = this.calls.get(id);
        const error = call?.error;
        if (call) call.error = undefined;
        return error;
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
    let url = new URL(request ? request.url : input.toString());
    const headers = new Headers(init?.headers ?? request?.headers);
    const callId = headers.get(CALL_HEADER);
    headers.delete(CALL_HEADER);
    const call = callId ? this.calls.get(callId) : undefined;
    if (call) call.error = undefined;
    const raise = (error: KeelError): KeelError => {
      if (call) call.error = error;
      return error;
    };
    try {
      this.check(url);
    } catch (error) {
      this.blocked(call, purpose, provider, url);
      throw error instanceof KeelError ? raise(error) : error;
    }

    const raw = await bodyText(request, init);
    const redaction = raw === undefined ? { text: undefined, count: 0 } : this.redactor.redactBody(raw);
    // The body may have changed length; let the transport compute it.
    headers.delete('content-length');
    const bytes = redaction.text === undefined ? 0 : Buffer.byteLength(redaction.text);
    this.countSent(call, url.hostname, bytes, redaction.count);
    if (!call) this.writeUntagged(purpose, provider, url, bytes, redaction.count, modelOf(redaction.text), 'sent');

    const timeoutMs = this.policy.timeoutMs;
    const callerSignal = init?.signal ?? request?.signal ?? undefined;
    const controller = new AbortController();
    const forwardAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) forwardAbort();
    callerSignal?.addEventListener('abort', forwardAbort, { once: true });
    let timedOut = false;
    const firstByte = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let method = init?.method ?? request?.method ?? 'GET';
    let body = redaction.text;
    try {
      for (let hop = 0; ; hop++) {
        this.onTransport?.(url);
        const response = await this.baseFetch(url, { method, headers, body, signal: controller.signal, redirect: 'manual' });
        if (!isRedirect(response)) {
          clearTimeout(firstByte);
          return bounded(response, { ...this.limits, idleMs: timeoutMs }, url.hostname, raise, () => {
            callerSignal?.removeEventListener('abort', forwardAbort);
            controller.abort();
          });
        }
        await response.body?.cancel().catch(() => undefined);
        const next = redirectTarget(response, url);
        if (!next || hop >= MAX_REDIRECTS || !this.mayFollow(url, next)) {
          this.blocked(call, purpose, provider, next ?? url);
          throw raise(
            new KeelError(
              'EGRESS_BLOCKED',
              `Refused to follow a redirect from ${url.host} to ${next ? next.host : 'an unreadable location'} (HTTP ${response.status}).`,
            ),
          );
        }
        // 303, and 301/302 after a POST, turn into a GET without a body (what browsers and undici do).
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        url = next;
      }
    } catch (error) {
      clearTimeout(firstByte);
      callerSignal?.removeEventListener('abort', forwardAbort);
      // Not retried: the limit is the user's answer to "how long will I wait", for the whole call.
      if (timedOut && !callerSignal?.aborted) {
        throw raise(new KeelError('TIMEOUT', `${url.host} sent no response within ${timeoutMs / 1000} s (keel.llm.timeoutS).`, { provider, retryable: false }));
      }
      if (error instanceof KeelError) throw error;
      // undici wraps what the connect-time check throws: "fetch failed" with the KeelError as cause.
      const cause = (error as { cause?: unknown })?.cause;
      if (cause instanceof KeelError) {
        if (cause.code === 'EGRESS_BLOCKED') this.blocked(call, purpose, provider, url);
        throw raise(cause);
      }
      throw error;
    }
  }

  /**
   * A redirect is followed only to where the request may go anyway (the policy check) and only if it
   * stays on its origin, or moves between loopback origins: a credentialed API request never changes hosts.
   */
  private mayFollow(from: URL, to: URL): boolean {
    try {
      this.check(to);
    } catch {
      return false;
    }
    return to.origin === from.origin || (isLoopbackHost(from.hostname) && isLoopbackHost(to.hostname));
  }

  private blocked(call: OpenCall | undefined, purpose: string, provider: string, url: URL): void {
    this.stats.blocked++;
    if (call) call.host = url.hostname;
    else this.writeUntagged(purpose, provider, url, 0, 0, null, 'EGRESS_BLOCKED');
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

function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400 && response.status !== 304);
}

function redirectTarget(response: Response, base: URL): URL | undefined {
  const location = response.headers.get('location');
  if (!location) return undefined;
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/**
 * The response with its body metered: more than `maxBytes`, a body that runs longer than
 * `maxDurationMs`, or `idleMs` without a byte fails the read with a coded KeelError and releases the
 * socket. The SDKs surface a failed read as the error itself.
 */
function bounded(
  response: Response,
  limits: ResponseLimits & { idleMs: number },
  host: string,
  raise: (error: KeelError) => KeelError,
  release: () => void,
): Response {
  const init = { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) };
  if (!response.body) {
    release();
    return new Response(null, init);
  }
  const reader = response.body.getReader();
  let bytes = 0;
  let done = false;
  let cancelled = false;
  let idle: NodeJS.Timeout | undefined;
  let total: NodeJS.Timeout | undefined;
  const finish = (): void => {
    done = true;
    clearTimeout(idle);
    clearTimeout(total);
    release();
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: KeelError): void => {
    if (done) return;
    finish();
    controller.error(raise(error));
    reader.cancel(error).catch(() => undefined);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      total = setTimeout(
        () => fail(controller, new KeelError('RESPONSE_TOO_LONG', `The response from ${host} ran longer than ${limits.maxDurationMs / 1000} s; it was cut off.`, { retryable: false })),
        limits.maxDurationMs,
      );
    },
    async pull(controller) {
      idle = setTimeout(
        () => fail(controller, new KeelError('TIMEOUT', `${host} sent nothing for ${limits.idleMs / 1000} s (keel.llm.timeoutS).`, { retryable: false })),
        limits.idleMs,
      );
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (!done) {
          finish();
          // Hand over what already arrived before the failure (a stream cut after some output must
          // surface that output first): error the stream only once the reader has drained it.
          const errorWhenDrained = (): void => {
            if (cancelled) return;
            if ((controller.desiredSize ?? 0) >= QUEUE_CHUNKS) controller.error(error);
            else setImmediate(errorWhenDrained);
          };
          errorWhenDrained();
        }
        return;
      } finally {
        clearTimeout(idle);
      }
      if (done) return;
      if (chunk.done) {
        finish();
        controller.close();
        return;
      }
      bytes += chunk.value.byteLength;
      if (bytes > limits.maxBytes) {
        fail(controller, new KeelError('RESPONSE_TOO_LARGE', `The response from ${host} exceeded ${limits.maxBytes} bytes; it was cut off.`, { retryable: false }));
        return;
      }
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      cancelled = true;
      finish();
      return reader.cancel(reason);
    },
    // Read ahead of the consumer like a direct reader would, so bytes move off the socket as they come.
  }, { highWaterMark: QUEUE_CHUNKS });
  return new Response(body, init);
}

/** A usable timeout in ms, or undefined (non-numbers, zero and negatives keep the previous value). */
function validTimeout(ms: number | undefined): number | undefined {
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The object without its undefined values: an explicit `undefined` never overrides a default. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
