/**
 * The fault suite: hundreds of injected wire faults against both official SDKs through the local
 * servers. Every one must surface as the right KeelError code — no crash, no unhandled rejection, no
 * retry after output was produced — and the counts table is printed as part of the test output.
 */
import assert from 'node:assert/strict';
import { KeelError, type ErrorCode } from '../../../src/common/errors';
import type { LlmProvider } from '../../../src/engine/llm/types';
import type { Fault, FaultMode, WireServer } from '../../servers/harness';
import { anthropicFixture, openaiFixture } from './helpers';

interface Case {
  mode: FaultMode | 'cancel-mid-stream';
  fault: (provider: 'openai' | 'anthropic', rep: number) => Fault | undefined;
  expect: ErrorCode;
  /** HTTP requests the server should see: retryable faults before output are retried once (maxAttempts 2). */
  requests: (rep: number) => number;
}

// Stream faults fire after this many SSE events — late enough that text has already been yielded.
const AFTER_OUTPUT = { openai: 3, anthropic: 5 };

const CASES: Case[] = [
  // Even reps: retry-after 0 → retried (and fails again); odd reps: retry-after 30 > cap → surfaced at once.
  { mode: 'rate-limit', fault: (_p, rep) => ({ mode: 'rate-limit', retryAfterS: rep % 2 ? 30 : 0 }), expect: 'RATE_LIMITED', requests: (rep) => (rep % 2 ? 1 : 2) },
  { mode: 'server-error', fault: () => ({ mode: 'server-error' }), expect: 'PROVIDER_UNAVAILABLE', requests: () => 2 },
  { mode: 'overloaded', fault: () => ({ mode: 'overloaded' }), expect: 'PROVIDER_UNAVAILABLE', requests: () => 2 },
  { mode: 'auth', fault: () => ({ mode: 'auth' }), expect: 'AUTH_FAILED', requests: () => 1 },
  { mode: 'quota', fault: () => ({ mode: 'quota' }), expect: 'QUOTA_EXCEEDED', requests: () => 1 },
  { mode: 'context-too-long', fault: () => ({ mode: 'context-too-long' }), expect: 'CONTEXT_TOO_LONG', requests: () => 1 },
  { mode: 'malformed-sse', fault: (p) => ({ mode: 'malformed-sse', afterEvents: AFTER_OUTPUT[p] }), expect: 'BAD_RESPONSE', requests: () => 1 },
  { mode: 'cut-stream', fault: (p) => ({ mode: 'cut-stream', afterEvents: AFTER_OUTPUT[p] }), expect: 'PROVIDER_UNAVAILABLE', requests: () => 1 },
  { mode: 'stream-error-event', fault: (p) => ({ mode: 'stream-error-event', afterEvents: AFTER_OUTPUT[p] }), expect: 'PROVIDER_UNAVAILABLE', requests: () => 1 },
  { mode: 'slow-first-byte', fault: () => ({ mode: 'slow-first-byte', delayMs: 400 }), expect: 'TIMEOUT', requests: () => 2 },
  { mode: 'hang', fault: () => ({ mode: 'hang' }), expect: 'TIMEOUT', requests: () => 2 },
  { mode: 'hang-mid-stream', fault: (p) => ({ mode: 'hang-mid-stream', afterEvents: AFTER_OUTPUT[p] }), expect: 'TIMEOUT', requests: () => 1 },
  { mode: 'redirect-external', fault: () => ({ mode: 'redirect-external' }), expect: 'EGRESS_BLOCKED', requests: () => 1 },
  { mode: 'cancel-mid-stream', fault: () => undefined, expect: 'CANCELLED', requests: () => 1 },
];

const REPS = 8;

describe('llm fault suite (≥ 200 injected faults, both SDKs)', function () {
  this.timeout(120_000);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  before(() => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
  });
  after(() => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  it('surfaces every fault as the right code, never crashing and never retrying after output', async () => {
    const runtime = { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterS: 5 }, requestTimeoutMs: 150, idleTimeoutMs: 150 };
    const openai = await openaiFixture({ ...runtime, server: { gapMs: 1 } });
    const anthropic = await anthropicFixture({ ...runtime, server: { gapMs: 1 } });
    const table: Record<string, { expected: ErrorCode; injected: number; surfacedAsExpected: number; other: number; requests: number }> = {};
    const mismatches: string[] = [];
    let injected = 0;
    try {
      for (const [name, fx] of [
        ['openai', openai],
        ['anthropic', anthropic],
      ] as Array<['openai' | 'anthropic', { provider: LlmProvider; server: WireServer }]>) {
        for (const c of CASES) {
          const row = (table[`${name} ${c.mode}`] = { expected: c.expect, injected: 0, surfacedAsExpected: 0, other: 0, requests: 0 });
          for (let rep = 0; rep < REPS; rep++) {
            fx.server.faults.length = 0;
            const fault = c.fault(name, rep);
            // Enough copies that every allowed attempt meets the fault.
            if (fault) fx.server.faults.push(fault, fault);
            fx.server.replies.push({ text: 'streamed answer text long enough to span several events '.repeat(4) });
            const before = fx.server.requests.length;
            const error = await run(fx.provider, c.mode === 'cancel-mid-stream');
            injected++;
            row.injected++;
            const code = error instanceof KeelError ? error.code : `not a KeelError: ${String(error)}`;
            if (code === c.expect) row.surfacedAsExpected++;
            else {
              row.other++;
              mismatches.push(`${name} ${c.mode} #${rep}: ${code} (${(error as Error)?.message})`);
            }
            const sent = fx.server.requests.length - before;
            row.requests += sent;
            if (sent !== c.requests(rep)) mismatches.push(`${name} ${c.mode} #${rep}: ${sent} requests, expected ${c.requests(rep)}`);
            if (error instanceof KeelError) {
              if (error.provider !== name) mismatches.push(`${name} ${c.mode}: provider field ${error.provider}`);
              if (c.mode === 'rate-limit' && rep % 2 && error.retryAfterS !== 30) mismatches.push(`${name} rate-limit: retryAfterS ${error.retryAfterS}`);
              // Every fault that got a response — HTTP errors and mid-stream failures alike — is traceable.
              const answered = !['hang', 'slow-first-byte', 'redirect-external'].includes(c.mode);
              if (answered && !error.requestId) {
                mismatches.push(`${name} ${c.mode}: no requestId`);
              }
            }
          }
        }
      }
    } finally {
      await openai.server.close();
      await anthropic.server.close();
    }
    console.log(`\n  fault suite: ${injected} injected faults`);
    console.table(table);
    // Let any stray late rejection surface before judging.
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(injected >= 200, `only ${injected} faults`);
    assert.deepEqual(mismatches, []);
    assert.deepEqual(unhandled, [], 'no unhandled rejections or exceptions');
  });
});

/** Drive one chat to its end; return what it threw (undefined = success, which counts as a mismatch). */
async function run(provider: LlmProvider, cancelMidStream: boolean): Promise<unknown> {
  const controller = new AbortController();
  try {
    for await (const d of provider.chat({ model: provider.id === 'anthropic' ? 'claude-haiku-4-5' : 'gpt-4.1-mini', messages: [{ role: 'user', content: 'go' }] }, controller.signal)) {
      if (cancelMidStream && d.type === 'text') controller.abort();
    }
    return undefined;
  } catch (error) {
    return error;
  }
}
