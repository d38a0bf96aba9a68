/**
 * Map whatever an SDK (or the socket under it) throws into a KeelError with a stable code. Both
 * official SDKs share the same error shapes (status, headers, requestID, error body), so one mapper
 * serves both; provider-specific wording is matched only where no status or type exists.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { KeelError, isAbortError, type ErrorCode } from '../../common/errors';

export interface ErrorContext {
  provider: string;
  /** Set when the caller aborted: whatever the SDK threw, the answer is CANCELLED. */
  cancelled?: boolean;
  /** Set when Keel's own idle/first-byte timer fired. */
  timedOut?: boolean;
  /** The response's request id, once headers arrived — so mid-stream failures can be traced too. */
  requestId?: string;
}

interface SdkLikeError {
  status?: number;
  headers?: Headers | Record<string, string>;
  requestID?: string | null;
  error?: unknown;
  type?: string | null;
  name?: string;
  message?: string;
  cause?: unknown;
}

export function toProviderError(error: unknown, ctx: ErrorContext): KeelError {
  const mapped = mapError(error, ctx);
  return ctx.requestId && !mapped.requestId ? withProvider(mapped, ctx.provider, ctx.requestId) : mapped;
}

function mapError(error: unknown, ctx: ErrorContext): KeelError {
  const provider = ctx.provider;
  if (ctx.cancelled) return new KeelError('CANCELLED', 'The request was cancelled.', { provider });
  if (ctx.timedOut) return new KeelError('TIMEOUT', `${provider} stopped responding (timed out).`, { provider, retryable: true });
  if (error instanceof KeelError) return withProvider(error, provider);

  const e = (error ?? {}) as SdkLikeError;
  // The SDKs wrap anything our fetch throws (e.g. EGRESS_BLOCKED) in APIConnectionError: unwrap.
  if (e.cause instanceof KeelError) return withProvider(e.cause, provider);
  if (isAbortError(error)) return new KeelError('CANCELLED', 'The request was cancelled.', { provider });

  const requestId = e.requestID ?? header(e.headers, 'x-request-id') ?? header(e.headers, 'request-id') ?? undefined;
  const opts = { provider, requestId: requestId ?? undefined, cause: error };
  const message = e.message ?? String(error);
  const body = errorBody(e.error);
  const type = e.type ?? body.type ?? '';
  const code = body.code ?? '';

  // instanceof, not error.name: OpenAI's classes report name "Error", and bundlers rename classes.
  if (error instanceof OpenAI.APIUserAbortError || error instanceof Anthropic.APIUserAbortError) {
    return new KeelError('CANCELLED', 'The request was cancelled.', { provider });
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof Anthropic.APIConnectionTimeoutError) {
    return new KeelError('TIMEOUT', `${provider} timed out before answering.`, opts);
  }
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError) {
    return new KeelError('PROVIDER_UNAVAILABLE', `Could not reach ${provider}: ${causeMessage(e) ?? message}`, opts);
  }
  if (error instanceof SyntaxError) return new KeelError('BAD_RESPONSE', `${provider} sent a malformed response (${error.message}).`, opts);

  const status = e.status;
  if (typeof status === 'number') return fromStatus(status, type, code, message, e.headers, opts);
  // Errors delivered inside a 200 stream (`event: error` / `data: {"error": …}`) carry a type only.
  if (type) return fromStatus(statusForType(type), type, code, message, e.headers, opts);

  if (isSocketFailure(error)) {
    return new KeelError('PROVIDER_UNAVAILABLE', `The connection to ${provider} broke: ${causeMessage(e) ?? message}`, opts);
  }
  return new KeelError('BAD_RESPONSE', `${provider}: ${message}`, opts);
}

function fromStatus(
  status: number,
  type: string,
  code: string,
  message: string,
  headers: SdkLikeError['headers'],
  opts: { provider: string; requestId?: string; cause: unknown },
): KeelError {
  const p = opts.provider;
  const contextTooLong =
    code === 'context_length_exceeded' || /prompt is too long|context length|maximum context|too many tokens/i.test(message);
  const quota = code === 'insufficient_quota' || type === 'insufficient_quota' || type === 'billing_error' || /credit balance|quota/i.test(message);
  let result: { code: ErrorCode; text: string; retryable?: boolean };
  if (status === 401 || status === 403) result = { code: 'AUTH_FAILED', text: `${p} rejected the API key (HTTP ${status}).` };
  else if (status === 402 || (status === 429 && quota) || (status === 400 && quota)) {
    result = { code: 'QUOTA_EXCEEDED', text: `${p} account is out of quota or credit.`, retryable: false };
  } else if (status === 413 || contextTooLong) result = { code: 'CONTEXT_TOO_LONG', text: `The prompt is too long for the model (${p}).` };
  else if (status === 429) result = { code: 'RATE_LIMITED', text: `${p} is rate limiting requests.` };
  else if (status === 408 || status === 504) result = { code: 'TIMEOUT', text: `${p} timed out (HTTP ${status}).`, retryable: true };
  else if (status >= 500 || type === 'overloaded_error' || type === 'api_error') {
    result = { code: 'PROVIDER_UNAVAILABLE', text: `${p} is unavailable or overloaded (HTTP ${status}).` };
  } else result = { code: 'BAD_RESPONSE', text: `${p} refused the request (HTTP ${status}): ${message}`, retryable: false };
  return new KeelError(result.code, result.text, { ...opts, retryable: result.retryable, retryAfterS: retryAfterSeconds(headers) });
}

function statusForType(type: string): number {
  switch (type) {
    case 'overloaded_error':
      return 529;
    case 'rate_limit_error':
    case 'rate_limit_exceeded':
      return 429;
    case 'authentication_error':
      return 401;
    case 'permission_error':
      return 403;
    case 'billing_error':
      return 402;
    case 'request_too_large':
      return 413;
    case 'timeout_error':
      return 504;
    case 'api_error':
    case 'server_error':
      return 500;
    default:
      return 400;
  }
}

/** retry-after-ms (OpenAI) wins over retry-after (seconds or HTTP date). Undefined if absent/invalid. */
export function retryAfterSeconds(headers: SdkLikeError['headers'], now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const raw = header(headers, 'retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, (date - now) / 1000) : undefined;
}

function header(headers: SdkLikeError['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string>;
  return record[name] ?? record[name.toLowerCase()];
}

function errorBody(raw: unknown): { type?: string; code?: string } {
  if (!raw || typeof raw !== 'object') return {};
  const outer = raw as { type?: unknown; code?: unknown; error?: { type?: unknown; code?: unknown } };
  const inner = outer.error && typeof outer.error === 'object' ? outer.error : outer;
  return {
    type: typeof inner.type === 'string' ? inner.type : undefined,
    code: typeof inner.code === 'string' ? inner.code : undefined,
  };
}

function causeMessage(e: SdkLikeError): string | undefined {
  const cause = e.cause as { message?: string; cause?: { message?: string; code?: string } } | undefined;
  return cause?.cause?.code ?? cause?.cause?.message ?? cause?.message;
}

/** undici reports a dropped body as TypeError('terminated') with a SocketError cause. */
function isSocketFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: { code?: string; name?: string } }).cause;
  return (
    error.message === 'terminated' ||
    /ECONNRESET|EPIPE|socket|other side closed/i.test(error.message) ||
    cause?.name === 'SocketError' ||
    /ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(cause?.code ?? '')
  );
}

function withProvider(error: KeelError, provider: string, requestId?: string): KeelError {
  if (error.provider && (error.requestId || !requestId)) return error;
  return new KeelError(error.code, error.message, {
    retryable: error.retryable,
    retryAfterS: error.retryAfterS,
    requestId: error.requestId ?? requestId,
    provider: error.provider ?? provider,
    cause: error.cause,
  });
}
