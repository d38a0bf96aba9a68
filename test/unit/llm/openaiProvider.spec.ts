import assert from 'node:assert/strict';
import { z } from 'zod';
import { OpenAIProvider } from '../../../src/engine/llm/providers/openai';
import { OpenAIChatServer as LocalServer } from '../../servers/openaiChat';
import { countTokens } from '../../../src/engine/llm/tokens';
import { defineSchema, SchemaViolationError } from '../../../src/engine/llm/structured';
import type { ChatDelta } from '../../../src/engine/llm/types';
import { costUsd } from '../../../src/engine/llm/pricing';
import { openaiFixture, rejection, TEST_OPENAI_KEY, waitFor, fixtureForEachTest } from './helpers';

const Review = defineSchema(
  'sql_review',
  'Verdict on one SQL statement',
  z.object({ safe: z.boolean(), reason: z.string(), fix: z.string().nullable() }),
);

async function collect(stream: AsyncIterable<ChatDelta>): Promise<{ text: string; done?: Extract<ChatDelta, { type: 'done' }> }> {
  let text = '';
  let done: Extract<ChatDelta, { type: 'done' }> | undefined;
  for await (const d of stream) {
    if (d.type === 'text') text += d.text;
    else done = d;
  }
  return { text, done };
}

describe('llm OpenAI provider (official SDK ⇄ local Chat Completions server)', () => {
  const fx = fixtureForEachTest(openaiFixture);

  it('streams text deltas and ends with exact usage, id and model', async () => {
    fx.server.replies.push({ text: 'Use a JOIN with include: { items: true } to avoid the N+1.' });
    const { text, done } = await collect(
      fx.provider.chat({ model: 'gpt-4.1-mini', system: 'You are Keel.', context: 'file: orders.ts', messages: [{ role: 'user', content: 'why slow?' }] }),
    );
    assert.equal(text, 'Use a JOIN with include: { items: true } to avoid the N+1.');
    assert.ok(done);
    assert.match(done.final.id, /^chatcmpl-/);
    assert.equal(done.final.model, 'gpt-4.1-mini');
    assert.equal(done.final.provider, 'openai');
    assert.equal(done.final.stopReason, 'stop');
    assert.ok(done.final.usage.input > 0 && done.final.usage.output > 0);

    const body = fx.server.requests[0]!.json as { stream: boolean; stream_options: unknown; messages: Array<{ role: string; content: string }> };
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    // Stable content first: one system message with instructions only, then the retrieved context as
    // untrusted user-role data (workspace text never goes in the system role).
    assert.deepEqual(body.messages[0], { role: 'system', content: 'You are Keel.' });
    assert.equal(body.messages[1]!.role, 'user');
    assert.match(body.messages[1]!.content, /<<<UNTRUSTED-DATA ([0-9a-f]{24})>>>\nfile: orders\.ts\n<<<END-UNTRUSTED-DATA \1>>>$/);
    assert.equal(fx.server.requests[0]!.headers.authorization, `Bearer ${TEST_OPENAI_KEY}`);
  });

  it('complete() returns the whole answer', async () => {
    fx.server.replies.push({ text: 'forty-two' });
    const r = await fx.provider.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'answer?' }] });
    assert.equal(r.text, 'forty-two');
    assert.equal(r.usage.output > 0, true);
  });

  it('cancellation aborts the socket mid-stream and surfaces CANCELLED', async () => {
    await fx.replace(await openaiFixture({ server: { gapMs: 25 } }));
    fx.server.replies.push({ text: 'x'.repeat(2400) });
    const controller = new AbortController();
    const error = await rejection(async () => {
      for await (const d of fx.provider.chat({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'long' }] }, controller.signal)) {
        if (d.type === 'text') controller.abort();
      }
    });
    assert.equal(error.code, 'CANCELLED');
    await waitFor(() => fx.server.requests[0]?.end !== undefined);
    assert.equal(fx.server.requests[0]!.end, 'client-closed', 'the server saw the connection close before the stream finished');
    assert.equal(fx.server.requests.length, 1, 'a cancelled request is never retried');
  });

  it('honours retry-after on 429 and then succeeds', async () => {
    fx.server.faults.push({ mode: 'rate-limit', retryAfterS: 1 });
    const started = Date.now();
    const r = await fx.provider.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(r.text.length > 0);
    assert.equal(fx.server.requests.length, 2);
    const gap = fx.server.requests[1]!.at - fx.server.requests[0]!.at;
    assert.ok(gap >= 1000, `second attempt after ${gap} ms, retry-after was 1 s`);
    assert.ok(Date.now() - started < 5000);
    assert.equal(fx.retries, 1);
  });

  it('retries a stream that broke before any output, but never one that already produced text', async () => {
    fx.server.faults.push({ mode: 'cut-stream', afterEvents: 1 }); // only the role chunk went out
    const ok = await fx.provider.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'retry me' }] });
    assert.match(ok.text, /retry me/);
    assert.equal(fx.server.requests.length, 2);

    fx.server.faults.push({ mode: 'cut-stream', afterEvents: 3 });
    fx.server.replies.push({ text: 'a fairly long answer that gets cut off in the middle of streaming' });
    const seen: string[] = [];
    const error = await rejection(async () => {
      for await (const d of fx.provider.chat({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] })) if (d.type === 'text') seen.push(d.text);
    });
    assert.equal(error.code, 'PROVIDER_UNAVAILABLE');
    assert.ok(seen.length > 0, 'output had been yielded');
    assert.equal(fx.server.requests.length, 3, 'no silent retry after output');
  });

  it('structured output: strict json_schema response_format, validated with the same zod schema', async () => {
    fx.server.replies.push({ json: { safe: false, reason: 'string concatenation', fix: 'use $1' } });
    const r = await fx.provider.structured({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'review: SELECT ...' }] }, Review);
    assert.deepEqual(r.value, { safe: false, reason: 'string concatenation', fix: 'use $1' });
    assert.equal(r.attempts, 1);
    const body = fx.server.requests[0]!.json as { response_format: { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[]; additionalProperties: boolean } } } };
    assert.equal(body.response_format.type, 'json_schema');
    assert.equal(body.response_format.json_schema.name, 'sql_review');
    assert.equal(body.response_format.json_schema.strict, true);
    assert.deepEqual(body.response_format.json_schema.schema.required.sort(), ['fix', 'reason', 'safe']);
    assert.equal(body.response_format.json_schema.schema.additionalProperties, false);
  });

  it('structured output: one repair retry quoting the problem, then success', async () => {
    fx.server.replies.push({ rawJson: '{"safe": "nope"' }, { json: { safe: true, reason: 'parameterised', fix: null } });
    const r = await fx.provider.structured({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'review' }] }, Review);
    assert.equal(r.attempts, 2);
    assert.equal(r.value.safe, true);
    const second = fx.server.requests[1]!.json as { messages: Array<{ role: string; content: string }> };
    assert.equal(second.messages.at(-2)!.content, '{"safe": "nope"');
    assert.match(second.messages.at(-1)!.content, /does not match the required "sql_review" schema: not valid JSON/);
    assert.ok(r.usage.output > 0);
  });

  it('structured output: invalid twice → SCHEMA_VIOLATION', async () => {
    fx.server.replies.push({ json: { safe: 'maybe' } }, { json: { safe: true } });
    const error = await rejection(() => fx.provider.structured({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'review' }] }, Review));
    assert.equal(error.code, 'SCHEMA_VIOLATION');
    assert.equal(error.provider, 'openai');
    assert.match(error.message, /reason: Required/);
    assert.ok(error instanceof SchemaViolationError && error.usage.output > 0, 'both attempts are still accounted for');
    assert.equal(fx.server.requests.length, 2);
  });

  it('automatic prefix caching: stable system prompt first → cached_tokens on the next turn, priced at the cached rate', async () => {
    const system = 'You are Keel, a careful reviewer of backend code. '.repeat(120);
    const turn1 = await fx.provider.complete({ model: 'gpt-4.1', system, messages: [{ role: 'user', content: 'first question' }] });
    const turn2 = await fx.provider.complete({
      model: 'gpt-4.1',
      system,
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: turn1.text },
        { role: 'user', content: 'second question' },
      ],
    });
    assert.equal(turn1.usage.cacheRead, 0);
    assert.ok(turn2.usage.cacheRead >= 1024, `cacheRead ${turn2.usage.cacheRead}`);
    const uncachedCost = costUsd('gpt-4.1', { ...turn2.usage, input: turn2.usage.input + turn2.usage.cacheRead, cacheRead: 0 });
    assert.ok(costUsd('gpt-4.1', turn2.usage) < uncachedCost);
    const keys = fx.server.requests.map((r) => (r.json as { prompt_cache_key?: string }).prompt_cache_key);
    assert.match(keys[0]!, /^keel-[0-9a-f]{16}$/);
    assert.equal(keys[0], keys[1], 'same instructions, same cache routing key');
  });

  it('self-hosted OpenAI-compatible servers: no key needed, max_tokens, usage estimated when not reported', async () => {
    const server = await new LocalServer({ reportUsage: false }).start();
    try {
      const local = new OpenAIProvider({ kind: 'openai-compatible', baseURL: server.baseURL, gate: fx.gate, retry: { maxAttempts: 1 } });
      server.replies.push({ text: 'local answer' });
      const r = await local.complete({ model: 'llama3.1', system: 'be brief', maxTokens: 50, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.text, 'local answer');
      assert.equal(r.provider, 'openai-compatible');
      assert.equal(r.usage.output, countTokens('local answer'), 'estimated with the tokenizer');
      assert.ok(r.usage.input > 0);
      const body = server.requests[0]!.json as Record<string, unknown>;
      assert.equal(body.max_tokens, 50);
      assert.equal(body.max_completion_tokens, undefined);
      assert.equal(body.prompt_cache_key, undefined, 'no OpenAI-only fields for self-hosted servers');
    } finally {
      await server.close();
    }
  });
});
