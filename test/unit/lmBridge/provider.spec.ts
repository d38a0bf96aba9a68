/**
 * The vscode-lm provider end to end over the bidirectional protocol (in-memory transport): engine →
 * host `host/lm/chat` requests, streamed chunks, counted usage, cancellation both ways, error codes from
 * the host, structured output with one repair, and the paths where no host can answer.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { createEngine } from '../../../src/engine/createEngine';
import { call } from '../../../src/engine/engine';
import { KeelError } from '../../../src/common/errors';
import { silentLogger } from '../../../src/engine/log';
import { EgressGateKey, LlmProviderKey } from '../../../src/engine/llm/services';
import { defineSchema } from '../../../src/engine/llm/structured';
import { countMessageTokens, countTokens } from '../../../src/engine/llm/tokens';
import { costUsd, priceFor } from '../../../src/engine/llm/pricing';
import type { ChatDelta, ChatRequest } from '../../../src/engine/llm/types';
import { HostBridgeKey } from '../../../src/engine/rpc/hostBridge';
import { lmErrorToKeel } from '../../../src/vscode/lmErrors';
import { serveWithHost, streams, type Served } from './helpers';

const REQUEST: ChatRequest = {
  model: 'gpt-4o-mini',
  system: 'You are Keel.',
  context: 'src/orders.ts:1-3\nexport const orders = [];',
  messages: [{ role: 'user', content: 'Where are orders loaded?' }],
};

async function collect(iterable: AsyncIterable<ChatDelta>): Promise<ChatDelta[]> {
  const out: ChatDelta[] = [];
  for await (const delta of iterable) out.push(delta);
  return out;
}

const isCode = (code: string) => (e: unknown) => e instanceof KeelError && e.code === code;

describe('vscode-lm provider over the engine ⇄ host bridge', () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it('streams the host’s chunks in order and ends with one done delta', async () => {
    served = await serveWithHost(streams(['Orders are ', 'loaded in ', 'src/orders.ts.']));
    const deltas = await collect((await served.provider()).chat(REQUEST));
    const texts = deltas.filter((d) => d.type === 'text').map((d) => (d as { text: string }).text);
    assert.deepEqual(texts, ['Orders are ', 'loaded in ', 'src/orders.ts.']);
    assert.equal(deltas.filter((d) => d.type === 'done').length, 1);
    const done = deltas.at(-1)!;
    assert.equal(done.type, 'done');
    if (done.type !== 'done') return;
    assert.equal(done.final.provider, 'vscode-lm');
    assert.equal(done.final.model, 'copilot/gpt-4o-mini');
    assert.equal(done.final.stopReason, 'stop');
  });

  it('sends instructions and context as leading user messages (vscode.lm has no system role)', async () => {
    served = await serveWithHost(streams(['ok']));
    await (await served.provider()).complete(REQUEST);
    const [sent] = served.received;
    assert.equal(sent!.model, 'gpt-4o-mini');
    assert.deepEqual(sent!.messages.map((m) => m.role), ['user', 'user', 'user']);
    assert.equal(sent!.messages[0]!.content, 'You are Keel.');
    // The retrieved context travels as untrusted data, inside a nonce block it cannot close.
    assert.match(sent!.messages[1]!.content, /<<<UNTRUSTED-DATA ([0-9a-f]{24})>>>\nsrc\/orders\.ts:1-3\nexport const orders = \[\];\n<<<END-UNTRUSTED-DATA \1>>>$/);
    assert.equal(sent!.messages[2]!.content, 'Where are orders loaded?');
  });

  it('counts usage with Keel’s tokenizer, since vscode.lm reports none; cost stays 0 (unpriced)', async () => {
    served = await serveWithHost(streams(['The answer ', 'is 42.']));
    const result = await (await served.provider()).complete(REQUEST);
    const sent = served.received[0]!.messages;
    assert.equal(result.text, 'The answer is 42.');
    assert.deepEqual(result.usage, { input: countMessageTokens(sent), cacheWrite: 0, cacheRead: 0, output: countTokens('The answer is 42.') });
    assert.ok(result.usage.input > 10 && result.usage.output > 2, JSON.stringify(result.usage));
    // The model is reported as vendor/id, which no price key matches: the user's subscription pays.
    assert.equal(priceFor(result.model), undefined);
    assert.equal(costUsd(result.model, result.usage), 0);
  });

  it('uses token counts when the host does report them', async () => {
    served = await serveWithHost(async (_p, ctx) => {
      ctx.stream({ text: 'hi' });
      return { model: 'copilot/gpt-4o', inputTokens: 1234, outputTokens: 56 };
    });
    const result = await (await served.provider()).complete(REQUEST);
    assert.equal(result.usage.input, 1234);
    assert.equal(result.usage.output, 56);
  });

  it('lists the host’s models (host/lm/models), narrowed by family', async () => {
    served = await serveWithHost(streams(['ok']));
    const all = [
      { id: 'gpt-4o-mini', vendor: 'copilot', family: 'gpt-4o-mini', name: 'GPT-4o mini', maxInputTokens: 64000 },
      { id: 'claude-sonnet-4', vendor: 'copilot', family: 'claude-sonnet-4', name: 'Claude Sonnet 4', maxInputTokens: 80000 },
    ];
    served.client.onRequest('host/lm/models', async (params) => all.filter((m) => !params.family || m.family === params.family));
    // The announcement travels like any message: a round trip after it means the engine has it.
    await served.client.request('engine/ping', {});
    const provider = await served.provider();
    assert.deepEqual(await provider.models(), all);
    assert.deepEqual((await provider.models('claude-sonnet-4')).map((m) => m.id), ['claude-sonnet-4']);
  });

  it('cancels end to end: AbortSignal → $/cancelRequest → the host handler’s signal; CANCELLED', async () => {
    let hostSawAbort = false;
    let chunksSent = 0;
    served = await serveWithHost(async (_p, ctx) => {
      while (!ctx.signal.aborted) {
        ctx.stream({ text: 'x' });
        chunksSent++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      hostSawAbort = true;
      throw new Error('stopped by cancellation');
    });
    const provider = await served.provider();
    const controller = new AbortController();
    let received = 0;
    await assert.rejects(
      (async () => {
        for await (const delta of provider.chat(REQUEST, controller.signal)) {
          if (delta.type === 'text' && ++received === 3) controller.abort();
        }
      })(),
      isCode('CANCELLED'),
    );
    await waitFor(() => hostSawAbort);
    assert.ok(chunksSent < 50, `host kept streaming after cancel: ${chunksSent}`);
  });

  it('stops the host request when the consumer stops reading early', async () => {
    let hostSawAbort = false;
    served = await serveWithHost(async (_p, ctx) => {
      while (!ctx.signal.aborted) {
        ctx.stream({ text: 'y' });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      hostSawAbort = true;
      return { model: 'copilot/x' };
    });
    for await (const delta of (await served.provider()).chat(REQUEST)) {
      if (delta.type === 'text') break;
    }
    await waitFor(() => hostSawAbort);
  });

  it('does not hang on a host that ignores cancellation', async () => {
    served = await serveWithHost(() => new Promise(() => undefined)); // never answers, never looks at its signal
    const controller = new AbortController();
    const pending = (await served.provider()).complete(REQUEST, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    await assert.rejects(pending, isCode('CANCELLED'));
    assert.ok(Date.now() - started < 1000);
  });

  it('carries the host’s coded errors (LanguageModelError mapped on the host) to the engine', async () => {
    const cases: Array<[object, string]> = [
      [{ name: 'LanguageModelError', code: 'NoPermissions', message: 'Access denied' }, 'AUTH_FAILED'],
      [{ name: 'LanguageModelError', code: 'NotFound', message: 'model gone' }, 'PROVIDER_NOT_CONFIGURED'],
      [{ name: 'LanguageModelError', code: 'Blocked', message: 'quota exhausted' }, 'QUOTA_EXCEEDED'],
    ];
    for (const [lmError, code] of cases) {
      const s = await serveWithHost(async () => {
        throw lmErrorToKeel(Object.assign(new Error((lmError as { message: string }).message), lmError));
      });
      try {
        await assert.rejects((await s.provider()).complete(REQUEST), (e: KeelError) => {
          assert.equal(e.code, code);
          assert.equal(e.provider, 'vscode-lm');
          return true;
        });
      } finally {
        await s.close();
      }
    }
  });

  it('turns an uncoded host failure into a coded error, never a hang', async () => {
    served = await serveWithHost(async () => {
      throw new Error('socket closed');
    });
    await assert.rejects((await served.provider()).complete(REQUEST), (e: KeelError) => e instanceof KeelError && e.provider === 'vscode-lm');
  });

  describe('structured output (schema in the prompt, validated, one repair)', () => {
    const Verdict = defineSchema('verdict', 'Whether the query is safe', z.object({ safe: z.boolean(), reason: z.string() }));

    it('accepts a valid (even fenced) JSON answer on the first attempt', async () => {
      served = await serveWithHost(streams(['```json\n{"safe": true, ', '"reason": "parameterized"}\n```']));
      const result = await (await served.provider()).structured(REQUEST, Verdict);
      assert.deepEqual(result.value, { safe: true, reason: 'parameterized' });
      assert.equal(result.attempts, 1);
      // The schema travelled in the instructions.
      assert.match(served.received[0]!.messages[0]!.content, /"verdict"[\s\S]*"safe"/);
    });

    it('repairs once, quoting what was wrong, and adds both attempts’ usage', async () => {
      const answers = ['{"safe": "yes"}', '{"safe": false, "reason": "string concatenation"}'];
      served = await serveWithHost(async (_p, ctx) => {
        ctx.stream({ text: answers.shift()! });
        return { model: 'copilot/gpt-4o-mini', inputTokens: 100, outputTokens: 10 };
      });
      const result = await (await served.provider()).structured(REQUEST, Verdict);
      assert.deepEqual(result.value, { safe: false, reason: 'string concatenation' });
      assert.equal(result.attempts, 2);
      assert.deepEqual(result.usage, { input: 200, cacheWrite: 0, cacheRead: 0, output: 20 });
      const repairTurn = served.received[1]!.messages.at(-1)!.content;
      assert.match(repairTurn, /does not match the required "verdict" schema/);
      assert.match(repairTurn, /safe/);
    });

    it('fails with SCHEMA_VIOLATION after the repair also misses', async () => {
      served = await serveWithHost(streams(['I think it is fine.']));
      await assert.rejects((await served.provider()).structured(REQUEST, Verdict), isCode('SCHEMA_VIOLATION'));
      assert.equal(served.received.length, 2);
    });
  });

  describe('policy', () => {
    it('refuses in local-only mode without contacting the host (the models are remote)', async () => {
      served = await serveWithHost(streams(['nope']), { 'keel.localOnly': true });
      await assert.rejects((await served.provider()).complete(REQUEST), isCode('EGRESS_BLOCKED'));
      assert.equal(served.received.length, 0);
    });

    it('redacts secrets before they reach the host, and audits the call', async () => {
      served = await serveWithHost(streams(['ok']));
      const secret = 'sk-proj-' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0';
      await (await served.provider()).complete({ ...REQUEST, messages: [{ role: 'user', content: `why does OPENAI_API_KEY=${secret} fail?` }] });
      const sent = JSON.stringify(served.received[0]);
      assert.ok(!sent.includes(secret), 'the key reached the host');
      assert.match(sent, /\[REDACTED:/);
      const entries = served.engine.services.get(EgressGateKey).audit!.read(10);
      const line = entries.at(-1)!;
      assert.equal(line.provider, 'vscode-lm');
      assert.equal(line.outcome, 'ok');
      assert.ok(line.tokens!.input > 0);
      // Like an HTTP call's line: where it went, how big it was (what the host received), what was redacted.
      assert.equal(line.host, 'vscode.lm');
      assert.equal(line.requests, 1);
      assert.equal(line.redactions, 1);
      assert.equal(line.bytes, Buffer.byteLength(JSON.stringify(served.received[0])));
    });
  });

  describe('when no host can answer', () => {
    it('a host without the handler: PROVIDER_NOT_CONFIGURED at once, and the raw request is NOT_AVAILABLE', async () => {
      served = await serveWithHost(undefined);
      const started = Date.now();
      await assert.rejects((await served.provider()).complete(REQUEST), isCode('PROVIDER_NOT_CONFIGURED'));
      const bridge = served.engine.services.get(HostBridgeKey);
      assert.equal(bridge.serves('host/lm/chat'), false);
      await assert.rejects(bridge.request('host/lm/chat', { model: '', messages: [] }), isCode('NOT_AVAILABLE'));
      assert.ok(Date.now() - started < 1000);
    });

    it('a handler that was disposed is withdrawn from the engine', async () => {
      served = await serveWithHost(undefined);
      const registration = served.client.onRequest('host/lm/chat', streams(['hi']));
      await served.client.request('engine/ping', {}); // the announcement travels ahead of this request
      assert.equal((await (await served.provider()).complete(REQUEST)).text, 'hi');
      registration.dispose();
      await served.client.request('engine/ping', {});
      await assert.rejects((await served.provider()).complete(REQUEST), isCode('PROVIDER_NOT_CONFIGURED'));
    });

    it('a host that disconnects fails pending requests with a coded error', async () => {
      served = await serveWithHost(() => new Promise(() => undefined));
      const pending = (await served.provider()).complete(REQUEST);
      await waitFor(() => served!.received.length === 1);
      served.client.close();
      await assert.rejects(pending, isCode('NOT_AVAILABLE'));
    });

    it('the in-process engine (CLI) refuses vscode-lm with PROVIDER_NOT_CONFIGURED', async () => {
      const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'keel-lm-cli-'));
      const engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: tmp });
      try {
        await call(engine, 'engine/configure', { settings: { 'keel.provider': 'vscode-lm' } });
        assert.throws(() => engine.services.get(LlmProviderKey), isCode('PROVIDER_NOT_CONFIGURED'));
        // chat/ask surfaces the same code instead of answering or hanging.
        await assert.rejects(call(engine, 'chat/ask', { question: 'q', root: tmp }), isCode('PROVIDER_NOT_CONFIGURED'));
      } finally {
        await engine.shutdown();
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
