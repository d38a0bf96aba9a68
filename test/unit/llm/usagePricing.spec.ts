import assert from 'node:assert/strict';
import { costUsd, priceFor } from '../../../src/engine/llm/pricing';
import { fromAnthropicUsage, fromOpenAIUsage, mergeAnthropicUsage } from '../../../src/engine/llm/usage';

describe('llm usage convention and pricing', () => {
  it('OpenAI: prompt_tokens INCLUDES cached_tokens, so input = prompt - cached', () => {
    const u = fromOpenAIUsage({ prompt_tokens: 2000, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1536 } });
    assert.deepEqual(u, { input: 464, cacheWrite: 0, cacheRead: 1536, output: 300 });
  });

  it('Anthropic: input_tokens EXCLUDES cache reads and writes, which are reported separately', () => {
    const u = fromAnthropicUsage({ input_tokens: 50, cache_creation_input_tokens: 1200, cache_read_input_tokens: 3000, output_tokens: 400 });
    assert.deepEqual(u, { input: 50, cacheWrite: 1200, cacheRead: 3000, output: 400 });
  });

  it('Anthropic streaming: message_delta counts are cumulative and win over message_start', () => {
    const start = { input_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 3000, output_tokens: 1 };
    assert.deepEqual(mergeAnthropicUsage(start, { output_tokens: 412 }), { input: 50, cacheWrite: 0, cacheRead: 3000, output: 412 });
    assert.deepEqual(mergeAnthropicUsage(start, { output_tokens: 412, input_tokens: 52, cache_read_input_tokens: null }), {
      input: 52,
      cacheWrite: 0,
      cacheRead: 3000,
      output: 412,
    });
  });

  it('tolerates missing or garbage usage fields as zero', () => {
    assert.deepEqual(fromOpenAIUsage(undefined), { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 });
    assert.deepEqual(fromOpenAIUsage({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 99 } }).input, 0);
    assert.deepEqual(fromAnthropicUsage({ input_tokens: -5, output_tokens: Number.NaN }), { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 });
  });

  it('resolves dated snapshots to their family without mixing up mini / full models', () => {
    assert.equal(priceFor('claude-sonnet-4-5-20250929')?.input, 3);
    assert.equal(priceFor('gpt-4.1-mini-2025-04-14')?.input, 0.4);
    assert.equal(priceFor('gpt-4.1-2025-04-14')?.input, 2);
    assert.equal(priceFor('gpt-4o-mini')?.output, 0.6);
    assert.equal(priceFor('llama3.1:8b'), undefined);
  });

  it('prices each token class at its own rate (Anthropic cache write 1.25x, read 0.1x)', () => {
    // Sonnet: 3 in / 3.75 write / 0.30 read / 15 out per MTok.
    const usage = { input: 1_000_000, cacheWrite: 1_000_000, cacheRead: 1_000_000, output: 1_000_000 };
    assert.equal(costUsd('claude-sonnet-4-5', usage), 3 + 3.75 + 0.3 + 15);
    assert.equal(costUsd('claude-sonnet-4-5', usage, { cacheTtl: '1h' }), 3 + 6 + 0.3 + 15);
    assert.equal(costUsd('claude-haiku-4-5', { input: 0, cacheWrite: 0, cacheRead: 10_000, output: 0 }), 0.001);
  });

  it('OpenAI cached input is priced at the cached rate, never double counted', () => {
    const usage = fromOpenAIUsage({ prompt_tokens: 1_000_000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 400_000 } });
    // gpt-4.1: 600k uncached at $2 + 400k cached at $0.50 = 1.2 + 0.2
    assert.equal(costUsd('gpt-4.1', usage), 1.4);
  });

  it('unknown (self-hosted) models cost 0 and user overrides replace list prices', () => {
    assert.equal(costUsd('llama3.1', { input: 5000, cacheWrite: 0, cacheRead: 0, output: 5000 }), 0);
    const overrides = { 'gpt-4.1': { input: 1, cacheWrite: 1, cacheWrite1h: 1, cacheRead: 0.25, output: 4 } };
    assert.equal(costUsd('gpt-4.1', { input: 1_000_000, cacheWrite: 0, cacheRead: 0, output: 0 }, { overrides }), 1);
  });
});
