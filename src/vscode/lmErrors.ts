/**
 * LanguageModelError (and friends) → KeelError, on the host side of the vscode.lm bridge, so the engine
 * only ever sees Keel's stable codes. Deliberately free of a `vscode` import (errors are recognised by
 * their `name`/`code`, which is how they look after crossing extension boundaries anyway), so the
 * mapping is unit-tested in plain Node.
 */
import { KeelError, isAbortError } from '../common/errors';

const PROVIDER = 'vscode-lm';

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

export function lmErrorToKeel(error: unknown, cancelled = false): KeelError {
  if (error instanceof KeelError) return error;
  const e = (error ?? {}) as ErrorLike;
  const message = typeof e.message === 'string' && e.message ? e.message : String(error);
  // vscode.CancellationError is named 'Canceled'.
  if (cancelled || e.name === 'Canceled' || isAbortError(error)) return new KeelError('CANCELLED', 'The request was cancelled.', { provider: PROVIDER });
  const code = typeof e.code === 'string' ? e.code : '';
  const is = (name: string): boolean => code === name || (e.name === 'LanguageModelError' && message.includes(name));
  if (is('NoPermissions')) {
    return new KeelError('AUTH_FAILED', `VS Code did not allow Keel to use the language model (${message}). Allow it when VS Code asks, or pick another keel.provider.`, { provider: PROVIDER });
  }
  if (is('NotFound')) {
    return new KeelError('PROVIDER_NOT_CONFIGURED', `The VS Code language model is not available (${message}). Check keel.models.fast / keel.models.reasoning.`, { provider: PROVIDER });
  }
  if (is('Blocked')) {
    // Blocked covers both "too many requests right now" and "quota used up"; only the former is worth a retry.
    return /rate|too many|try again/i.test(message)
      ? new KeelError('RATE_LIMITED', `VS Code rate-limited the language model: ${message}`, { provider: PROVIDER })
      : new KeelError('QUOTA_EXCEEDED', `VS Code blocked the language model request: ${message}`, { provider: PROVIDER });
  }
  if (/context|token limit|too long|maximum.*tokens/i.test(message)) {
    return new KeelError('CONTEXT_TOO_LONG', `The prompt is too long for the VS Code language model: ${message}`, { provider: PROVIDER });
  }
  return new KeelError('PROVIDER_UNAVAILABLE', `The VS Code language model failed: ${message}`, { provider: PROVIDER });
}
