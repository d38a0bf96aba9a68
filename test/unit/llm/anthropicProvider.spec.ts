import assert from 'node:assert/strict';
import { z } from 'zod';
import { AnthropicProvider } from '../../../src/engine/llm/providers/anthropic';
import { KeelError } from '../../../src/common/errors';
import { costUsd, priceFor } from '../../../src/engine/llm/pricing';
import { defineSchema } from '../../../src/engine/llm/structured';
import type { ChatMessage } from '../../../src/engine/llm/types';
import { anthropicFixture, rejection, waitFor, fixtureForEachTest } from './helpers';

const Rerank = defineSchema(
  'rerank',
  'Relevance of each candidate, best first',
  z.object({ ranking: z.array(z.object({ id: z.string(), score: z.number().min(0).max(1) })) }),
);

const SYSTEM = 'You are Keel, an AI pair for backend engineers. Cite files as path:line. '.repeat(90);
const CONTEXT = Array.from({ length: 40 }, (_, i) => `// src/orders/service${i}.ts\nexport async function load${i}(id: string) { return db.order.findUnique({ where: { id } }); }`).join('\n');

describe('llm Anthropic provider (official SDK ⇄ local Messages server)', () => {
  const fx = fixtureForEachTest(anthropicFixture);

  it('streams text and maps usage from message_start + message_delta', async () => {
    fx.server.replies.push({ text: 'The loop in service3.ts issues one query per order.' });
    let text = '';
    let final;
    for await (const d of fx.provider.chat({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'where is the N+1?' }] })) {
      if (d.type === 'text') text += d.text;
      else final = d.final;
    }
    assert.equal(text, 'The loop in service3.ts issues one query per order.');
    assert.ok(final);
    assert.match(final.id, /^msg_/);
    assert.equal(final.provider, 'anthropic');
    assert.equal(final.stopReason, 'end_turn');
    assert.ok(final.usage.input > 0);
    assert.ok(final.usage.output > 5);
    const body = fx.server.requests[0]!.json as { max_tokens: number; stream: boolean };
    assert.equal(body.stream, true);
    assert.equal(body.max_tokens, 4096);
  });

  it('places cache breakpoints on instructions, retrieved context and the newest message', async () => {
    await fx.provider.complete({ model: 'claude-sonnet-4-6', system: 'rules', context: 'code', messages: [{ role: 'user', content: 'q' }] });
    const body = fx.server.requests[0]!.json as {
      system: Array<{ text: string; cache_control?: unknown }>;
      messages: Array<{ role: string; content: Array<{ text: string; cache_control?: unknown }> }>;
    };
    // Instructions in `system`; the retrieved context leads the first user turn as untrusted data.
    assert.deepEqual(body.system, [{ type: 'text', text: 'rules', cache_control: { type: 'ephemeral' } }]);
    const [context, question] = body.messages[0]!.content;
    assert.equal(body.messages[0]!.role, 'user');
    assert.match(context!.text, /<<<UNTRUSTED-DATA ([0-9a-f]{24})>>>\ncode\n<<<END-UNTRUSTED-DATA \1>>>$/);
    assert.deepEqual(context!.cache_control, { type: 'ephemeral' });
    assert.equal(question!.text, 'q');
    assert.deepEqual(body.messages.at(-1)!.content.at(-1)!.cache_control, { type: 'ephemeral' });
  });

  it('5-turn conversation: cache reads from turn 2 on, and costUsd prices them at the cache rate', async () => {
    const model = 'claude-sonnet-4-6';
    const history: ChatMessage[] = [];
    const turns = [];
    for (let turn = 1; turn <= 5; turn++) {
      history.push({ role: 'user', content: `Question ${turn}: what does load${turn} do, and is it called in a loop anywhere?` });
      const r = await fx.provider.complete({ model, system: SYSTEM, context: CONTEXT, messages: history });
      history.push({ role: 'assistant', content: r.text });
      turns.push(r);
    }
    const rows = turns.map((t, i) => ({ turn: i + 1, ...t.usage, costUsd: costUsd(model, t.usage) }));
    console.table(rows);
    assert.equal(turns[0]!.usage.cacheRead, 0, 'turn 1 has nothing to read');
    assert.ok(turns[0]!.usage.cacheWrite > 2000, 'turn 1 writes instructions + context');
    for (const t of turns.slice(1)) {
      assert.ok(t.usage.cacheRead >= turns[0]!.usage.cacheWrite, `turn reads at least the turn-1 prefix (${t.usage.cacheRead})`);
      assert.ok(t.usage.cacheWrite > 0 && t.usage.cacheWrite < 200, 'only the new turn is written');
    }
    for (let i = 2; i < turns.length; i++) assert.ok(turns[i]!.usage.cacheRead > turns[i - 1]!.usage.cacheRead, 'the cached conversation prefix grows');

    // Cost at cache rates: reads at 0.1×, writes at 1.25× of the $3/MTok input price.
    const price = priceFor(model)!;
    const t3 = turns[2]!.usage;
    const expected = (t3.input * 3 + t3.cacheWrite * 3.75 + t3.cacheRead * 0.3 + t3.output * 15) / 1e6;
    assert.ok(Math.abs(costUsd(model, t3) - expected) < 1e-9);
    assert.equal(price.cacheRead, 0.3);
    const uncached = costUsd(model, { input: t3.input + t3.cacheRead + t3.cacheWrite, cacheWrite: 0, cacheRead: 0, output: t3.output });
    assert.ok(costUsd(model, t3) < uncached * 0.25, 'caching makes a follow-up turn far cheaper');
  });

  it('structured output through a forced tool call; the tool input is the answer', async () => {
    fx.server.replies.push({ json: { ranking: [{ id: 'b', score: 0.9 }, { id: 'a', score: 0.2 }] } });
    const r = await fx.provider.structured({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'rank a, b' }] }, Rerank);
    assert.deepEqual(r.value.ranking.map((x) => x.id), ['b', 'a']);
    assert.equal(r.stopReason, 'tool_use');
    const body = fx.server.requests[0]!.json as { tools: Array<{ name: string; input_schema: { type: string } }>; tool_choice: unknown };
    assert.equal(body.tools[0]!.name, 'rerank');
    assert.equal(body.tools[0]!.input_schema.type, 'object');
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'rerank' });
  });

  it('structured output: out-of-range value → repair turn → valid; twice invalid → SCHEMA_VIOLATION', async () => {
    fx.server.replies.push({ json: { ranking: [{ id: 'a', score: 7 }] } }, { json: { ranking: [{ id: 'a', score: 0.7 }] } });
    const r = await fx.provider.structured({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'rank' }] }, Rerank);
    assert.equal(r.attempts, 2);
    const repair = fx.server.requests[1]!.json as { messages: Array<{ content: string | Array<{ text: string }> }> };
    const last = repair.messages.at(-1)!.content;
    assert.match(typeof last === 'string' ? last : last[0]!.text, /ranking\.0\.score/);

    fx.server.replies.push({ rawJson: '{"ranking": [' }, { json: { ranking: 'none' } });
    const error = await rejection(() => fx.provider.structured({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'rank' }] }, Rerank));
    assert.equal(error.code, 'SCHEMA_VIOLATION');
  });

  it('an overloaded (529) answer is retried; cancellation during the wait is honoured', async () => {
    fx.server.faults.push({ mode: 'overloaded' });
    const r = await fx.provider.complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(r.text.length > 0);
    assert.equal(fx.server.requests.length, 2);

    fx.server.faults.push({ mode: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(() => fx.provider.complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }, controller.signal));
    assert.equal(error.code, 'CANCELLED');
    await waitFor(() => fx.server.requests[2]?.end === 'client-closed');
  });

  it('bad requests get INVALID_PARAMS and are never sent', async () => {
    const bad = [
      { model: '', messages: [{ role: 'user', content: 'x' }] },
      { model: 'claude-haiku-4-5', messages: [] },
      { model: 'claude-haiku-4-5', messages: [{ role: 'assistant', content: 'x' }] },
      { model: 'claude-haiku-4-5', messages: [{ role: 'system', content: 'x' }] },
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 42 }] },
      { model: 'claude-haiku-4-5', maxTokens: -1, messages: [{ role: 'user', content: 'x' }] },
    ];
    for (const request of bad) {
      const error = await rejection(() => fx.provider.complete(request as never));
      assert.equal(error.code, 'INVALID_PARAMS', JSON.stringify(request));
    }
    assert.equal(fx.server.requests.length, 0);
  });

  it('a guard (the budget check) refuses the call before anything is sent', async () => {
    const guarded = new AnthropicProvider({
      apiKey: 'sk-ant-api03-guard',
      baseURL: fx.server.baseURL,
      gate: fx.gate,
      guard: () => {
        throw new KeelError('BUDGET_EXCEEDED', 'Daily budget of $1.00 reached.');
      },
    });
    const error = await rejection(() => guarded.complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }));
    assert.equal(error.code, 'BUDGET_EXCEEDED');
    assert.equal(fx.server.requests.length, 0);
  });
});
