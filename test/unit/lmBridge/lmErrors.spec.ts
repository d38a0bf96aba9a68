/** LanguageModelError → KeelError on the host side (src/vscode/lmErrors.ts has no vscode import). */
import * as assert from 'node:assert/strict';
import { KeelError } from '../../../src/common/errors';
import { lmErrorToKeel } from '../../../src/vscode/lmErrors';

/** What vscode.LanguageModelError looks like: name 'LanguageModelError', code = the factory's name. */
function lmError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'LanguageModelError', code });
}

describe('lmErrorToKeel', () => {
  const cases: Array<[string, unknown, string, boolean]> = [
    ['NoPermissions', lmError('NoPermissions', 'The user did not consent'), 'AUTH_FAILED', false],
    ['NotFound', lmError('NotFound', 'Model not found'), 'PROVIDER_NOT_CONFIGURED', false],
    ['Blocked (quota)', lmError('Blocked', 'You have exceeded your monthly quota'), 'QUOTA_EXCEEDED', false],
    ['Blocked (rate)', lmError('Blocked', 'Too many requests, try again later'), 'RATE_LIMITED', true],
    ['code only in the message (older hosts)', Object.assign(new Error('NoPermissions: denied'), { name: 'LanguageModelError' }), 'AUTH_FAILED', false],
    ['context window', lmError('', 'Message exceeds token limit'), 'CONTEXT_TOO_LONG', false],
    ['vscode.CancellationError', Object.assign(new Error('Canceled'), { name: 'Canceled' }), 'CANCELLED', false],
    ['anything else', new Error('fetch failed'), 'PROVIDER_UNAVAILABLE', true],
    ['a thrown string', 'boom', 'PROVIDER_UNAVAILABLE', true],
  ];
  for (const [name, error, code, retryable] of cases) {
    it(`${name} → ${code}`, () => {
      const keel = lmErrorToKeel(error);
      assert.equal(keel.code, code);
      assert.equal(keel.retryable, retryable);
      assert.equal(keel.provider, 'vscode-lm');
    });
  }

  it('reports CANCELLED whatever the error when our token was cancelled', () => {
    assert.equal(lmErrorToKeel(new Error('stream closed'), true).code, 'CANCELLED');
  });

  it('passes KeelErrors through unchanged', () => {
    const original = new KeelError('PROVIDER_NOT_CONFIGURED', 'No models');
    assert.equal(lmErrorToKeel(original), original);
  });
});
