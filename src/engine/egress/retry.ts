/**
 * THE retry and sleep module for every outbound request (chat streams, embeddings, re-rankers):
 * full-jitter exponential backoff that honours the provider's retry-after up to a cap, and a bounded
 * number of attempts. The policy is deliberately conservative about duplicated work: the caller
 * decides whether an attempt is safe to repeat, and streams that already produced output never come
 * back here (see llm/providers/streamRunner.ts).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { KeelError, throwIfCancelled } from '../../common/errors';

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited out: the error is surfaced with retryAfterS. */
  maxRetryAfterS: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterS: 20 };

/**
 * `DEFAULT_RETRY` with the caller's overrides — an override given as `undefined` (or NaN, or a
 * negative number) keeps the default, so an options object passed through unfilled can never turn
 * "3 attempts" into "forever".
 */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}, base: RetryPolicy = DEFAULT_RETRY): RetryPolicy {
  const pick = (key: keyof RetryPolicy, min: number): number => {
    const v = overrides[key];
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : base[key];
  };
  return {
    maxAttempts: Math.floor(pick('maxAttempts', 1)),
    baseDelayMs: pick('baseDelayMs', 0),
    maxDelayMs: pick('maxDelayMs', 0),
    maxRetryAfterS: pick('maxRetryAfterS', 0),
  };
}

export interface RetryHooks {
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (error: KeelError, attempt: number, delayMs: number) => void;
}

/**
 * Delay before retry number `attempt` (1-based), or undefined when the error must not be retried.
 * retry-after is a floor chosen by the server: we wait exactly that (plus ≤10% jitter so a fleet of
 * clients doesn't return in lock-step), never less.
 */
export function retryDelayMs(error: KeelError, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (!error.retryable || attempt >= policy.maxAttempts) return undefined;
  if (error.retryAfterS !== undefined) {
    if (error.retryAfterS > policy.maxRetryAfterS) return undefined;
    const floor = error.retryAfterS * 1000;
    return Math.round(floor + random() * floor * 0.1);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? abortableSleep;
  for (let n = 1; ; n++) {
    throwIfCancelled(signal);
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof KeelError)) throw error;
      const delay = retryDelayMs(error, n, policy, hooks.random);
      if (delay === undefined || signal?.aborted) throw error;
      hooks.onRetry?.(error, n, delay);
      await sleep(delay, signal);
    }
  }
}

/** Sleeps `ms`, or rejects with CANCELLED as soon as `signal` aborts. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new KeelError('CANCELLED', 'The request was cancelled.');
  try {
    await sleepFor(ms, undefined, { signal });
  } catch (error) {
    if ((error as { name?: string })?.name === 'AbortError') throw new KeelError('CANCELLED', 'The request was cancelled.');
    throw error;
  }
}
