import * as assert from 'node:assert/strict';
import { KeelError } from '../../../src/common/errors';
import { LlmReranker } from '../../../src/engine/search/rerank/llmReranker';
import type { RerankCandidate } from '../../../src/engine/search/rerank/types';
import { anthropicFixture, openaiFixture } from '../llm/helpers';

function cand(path: string, text: string, fusedRank: number): RerankCandidate {
  return { chunk: { id: path, path, language: 'typescript', symbol: path.split('/').pop()!, startLine: 3, endLine: 9 }, text, fusedRank, fusedScore: 1 / (60 + fusedRank) };
}

const CANDS = [cand('src/a.ts', 'function a() {}', 1), cand('src/b.ts', 'function b() {}', 2), cand('src/c.ts', 'function c() {}', 3)];

describe('LlmReranker through the LLM layer (structured output)', () => {
  it('OpenAI wire: grades become scores; the request is a strict json_schema call tagged rerank', async () => {
    const fx = await openaiFixture();
    try {
      fx.server.replies.push({ json: { grades: [{ passage: 1, relevance: 2 }, { passage: 2, relevance: 9 }, { passage: 3, relevance: 5 }] } });
      const scores = await new LlmReranker({ provider: fx.provider, model: 'gpt-4.1-mini' }).rerank('the b function', CANDS);
      assert.deepEqual(scores.map((s) => Math.round(s)), [2, 9, 5]);
      const body = fx.server.requests[0].json as { model: string; response_format: { json_schema: { name: string; strict: boolean } }; messages: Array<{ content: unknown }> };
      assert.equal(body.model, 'gpt-4.1-mini');
      assert.equal(body.response_format.json_schema.name, 'rerank_grades');
      assert.equal(body.response_format.json_schema.strict, true);
      assert.match(JSON.stringify(body.messages), /\[2\] src\/b\.ts:3-9/);
      assert.match(JSON.stringify(body.messages), /Query: the b function/);
    } finally {
      await fx.server.close();
    }
  });

  it('Anthropic wire: ungraded passages fall below graded ones, fused order breaks ties', async () => {
    const fx = await anthropicFixture();
    try {
      fx.server.replies.push({ json: { grades: [{ passage: 3, relevance: 7 }] } });
      const scores = await new LlmReranker({ provider: fx.provider, model: 'claude-haiku-4-5' }).rerank('c', CANDS);
      assert.ok(scores[2] > scores[0] && scores[0] > scores[1], `${scores}`);
    } finally {
      await fx.server.close();
    }
  });

  it('ignores grades for passages that do not exist, fails when none is usable (BAD_RESPONSE) or off-schema (SCHEMA_VIOLATION)', async () => {
    const fx = await openaiFixture();
    try {
      fx.server.replies.push({ json: { grades: [{ passage: 7, relevance: 3 }, { passage: 2, relevance: 8 }] } });
      const scores = await new LlmReranker({ provider: fx.provider, model: 'm' }).rerank('q', CANDS);
      assert.ok(scores[1] > scores[0] && scores[1] > scores[2]);
      fx.server.replies.push({ json: { grades: [{ passage: 7, relevance: 3 }] } });
      await assert.rejects(new LlmReranker({ provider: fx.provider, model: 'm' }).rerank('q', CANDS), (e: KeelError) => e.code === 'BAD_RESPONSE');
      fx.server.replies.push({ json: { grades: 'high' } }, { json: { nope: true } });
      await assert.rejects(new LlmReranker({ provider: fx.provider, model: 'm' }).rerank('q', CANDS), (e: KeelError) => e.code === 'SCHEMA_VIOLATION');
    } finally {
      await fx.server.close();
    }
  });
});
