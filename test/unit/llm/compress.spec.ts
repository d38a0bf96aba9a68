import assert from 'node:assert/strict';
import { compressHistory, fastTierSummarizer, SUMMARY_PREFIX } from '../../../src/engine/llm/compress';
import { countMessageTokens } from '../../../src/engine/llm/tokens';
import type { ChatMessage } from '../../../src/engine/llm/types';
import { anthropicFixture } from './helpers';

function conversation(turns: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 1; i <= turns; i++) {
    out.push({ role: 'user', content: `Turn ${i}: why does OrderService.load${i} run one query per line item? ${'details '.repeat(40)}` });
    out.push({ role: 'assistant', content: `Answer ${i}: it awaits inside a for loop; batch with findMany({ where: { id: { in: ids } } }). ${'more '.repeat(40)}` });
  }
  return out;
}

describe('llm conversation compression', () => {
  it('leaves a history within budget untouched (no summariser call)', async () => {
    const messages = conversation(2);
    let calls = 0;
    const r = await compressHistory(messages, { budgetTokens: 10_000, summarize: async () => `${calls++}` });
    assert.equal(r.compressed, false);
    assert.deepEqual(r.messages, messages);
    assert.equal(calls, 0);
  });

  it('summarises older turns, keeps the last turns verbatim and alternating, and fits the budget', async () => {
    const messages = conversation(10);
    const budget = Math.floor(countMessageTokens(messages) / 3);
    let transcript = '';
    const r = await compressHistory(messages, {
      budgetTokens: budget,
      keepLast: 4,
      summarize: async (t) => {
        transcript = t;
        return 'User is fixing N+1 queries in OrderService.load1..load8; advice: batch with findMany.';
      },
    });
    assert.equal(r.compressed, true);
    assert.equal(r.summarized, 16);
    assert.deepEqual(r.messages.slice(2), messages.slice(-4), 'last turns verbatim');
    assert.ok(r.messages[0]!.content.startsWith(SUMMARY_PREFIX));
    assert.equal(r.messages[0]!.role, 'user');
    assert.equal(r.messages[1]!.role, 'assistant');
    r.messages.forEach((m, i) => assert.equal(m.role, i % 2 === 0 ? 'user' : 'assistant'));
    assert.match(transcript, /^User: Turn 1:/);
    assert.ok(!transcript.includes('Turn 9'), 'kept turns are not in the summary input');
    assert.ok(r.tokensAfter <= budget && r.tokensAfter < r.tokensBefore, `${r.tokensAfter} > ${budget}`);
  });

  it('rounds the kept tail back to a user turn', async () => {
    const r = await compressHistory(conversation(6), { budgetTokens: 10, keepLast: 3, summarize: async () => 'summary' });
    assert.equal(r.messages[2]!.role, 'user');
    assert.equal(r.messages.length, 2 + 4);
  });

  it('the fast-tier summariser runs on the given provider and model, audited as "summarize"', async () => {
    const fx = await anthropicFixture();
    try {
      fx.server.replies.push({ text: 'Summary: batching advice given for load1-load8.' });
      const r = await compressHistory(conversation(10), {
        budgetTokens: 500,
        summarize: fastTierSummarizer(fx.provider, 'claude-haiku-4-5'),
      });
      assert.equal(r.messages[0]!.content, `${SUMMARY_PREFIX}\nSummary: batching advice given for load1-load8.`);
      const body = fx.server.requests[0]!.json as { model: string; max_tokens: number };
      assert.equal(body.model, 'claude-haiku-4-5');
      assert.equal(body.max_tokens, 400);
      assert.equal(fx.gate.audit!.read()[0]!.purpose, 'summarize');
    } finally {
      await fx.server.close();
    }
  });
});
