import assert from 'node:assert/strict';
import { KeelError } from '../../../src/common/errors';
import { retryAfterSeconds } from '../../../src/engine/egress/providerErrors';
import { retryDelayMs, withRetry, type RetryPolicy } from '../../../src/engine/egress/retry';
import { countMessageTokens, countTokens } from '../../../src/engine/llm/tokens';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterS: 10 };

describe('llm retry policy', () => {
  it('full-jitter exponential backoff stays within base * 2^(n-1), capped', () => {
    const err = new KeelError('PROVIDER_UNAVAILABLE', 'x');
    assert.equal(retryDelayMs(err, 1, policy, () => 1), 100);
    assert.equal(retryDelayMs(err, 2, policy, () => 1), 200);
    assert.equal(retryDelayMs(err, 3, policy, () => 0.5), 200);
    assert.equal(retryDelayMs(err, 3, { ...policy, maxDelayMs: 300 }, () => 1), 300);
    assert.equal(retryDelayMs(err, 4, policy, () => 1), undefined, 'attempts exhausted');
  });

  it('honours retry-after as a floor, and gives up when it exceeds the cap', () => {
    assert.equal(retryDelayMs(new KeelError('RATE_LIMITED', 'x', { retryAfterS: 2 }), 1, policy, () => 0), 2000);
    assert.equal(retryDelayMs(new KeelError('RATE_LIMITED', 'x', { retryAfterS: 2 }), 1, policy, () => 1), 2200);
    assert.equal(retryDelayMs(new KeelError('RATE_LIMITED', 'x', { retryAfterS: 60 }), 1, policy), undefined);
  });

  it('never retries non-retryable codes', () => {
    for (const code of ['AUTH_FAILED', 'QUOTA_EXCEEDED', 'CONTEXT_TOO_LONG', 'BAD_RESPONSE', 'CANCELLED', 'SCHEMA_VIOLATION'] as const) {
      assert.equal(retryDelayMs(new KeelError(code, 'x'), 1, policy), undefined, code);
    }
  });

  it('withRetry retries retryable failures then returns, sleeping the computed delays', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new KeelError('RATE_LIMITED', 'slow down', { retryAfterS: 0.05 });
        return 'ok';
      },
      policy,
      undefined,
      { sleep: async (ms) => void slept.push(ms), random: () => 0 },
    );
    assert.equal(result, 'ok');
    assert.deepEqual(slept, [50, 50]);
  });

  it('withRetry stops immediately when the signal is aborted during the wait', async () => {
    const controller = new AbortController();
    const promise = withRetry(
      async () => {
        throw new KeelError('PROVIDER_UNAVAILABLE', 'down');
      },
      { ...policy, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      controller.signal,
      { random: () => 1 },
    );
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(promise, (e: KeelError) => e.code === 'CANCELLED');
  });

  it('parses retry-after-ms, retry-after seconds and HTTP dates', () => {
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' })), 1.5);
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': '7' })), 7);
    const now = Date.parse('2026-11-25T10:00:00Z');
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': 'Wed, 25 Nov 2026 10:00:30 GMT' }), now), 30);
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(retryAfterSeconds(undefined), undefined);
  });
});

describe('llm token counting', () => {
  it('uses a BPE tokenizer, not characters / 4', () => {
    assert.equal(countTokens(''), 0);
    assert.equal(countTokens('hello world'), 2);
    const code = 'const total = orders.reduce((sum, o) => sum + o.amount, 0);';
    const n = countTokens(code);
    assert.ok(n > 10 && n < 25, `got ${n}`);
    assert.notEqual(n, Math.ceil(code.length / 4));
  });

  it('counts text that spells a special token as plain text instead of throwing', () => {
    // a workspace file about tokenizers, retrieved into a prompt, must not fail the request
    const n = countTokens('split on <|endoftext|> and <|fim_prefix|> markers');
    assert.ok(n > 10, `got ${n}`);
    assert.equal(countMessageTokens([{ role: 'user', content: '<|endoftext|>' }]), countTokens('<|endoftext|>') + 4);
  });

  it('adds per-message framing overhead', () => {
    const m = [{ role: 'user' as const, content: 'hello world' }, { role: 'assistant' as const, content: 'hi' }];
    assert.equal(countMessageTokens(m), countTokens('hello world') + countTokens('hi') + 8);
  });
});
