/**
 * Retries with full-jitter exponential backoff that honour the provider's retry-after. The policy is
 * deliberately conservative about duplicated work: the caller decides whether an attempt is safe to
 * repeat (`canRetry`), and streams that already produced output never come back here (see
 * providers/streamRunner.ts).
 */
import { KeelError, throwIfCancelled } from '../errors';

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited out: the error is surfaced with retryAfterS. */
  maxRetryAfterS: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterS: 20 };

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

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new KeelError('CANCELLED', 'The request was cancelled.'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new KeelError('CANCELLED', 'The request was cancelled.'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
