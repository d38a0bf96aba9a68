/**
 * Keel's token-usage convention, and the two provider mappings into it.
 *
 * Keel `Usage` partitions the prompt so that every token is billed exactly once:
 *   input      = input tokens billed at the full input rate (NOT cached, NOT written to cache)
 *   cacheWrite = input tokens written to the prompt cache (Anthropic's cache_creation_input_tokens;
 *                OpenAI caches implicitly at no surcharge, so always 0 there)
 *   cacheRead  = input tokens served from the prompt cache
 *   output     = generated tokens (incl. reasoning tokens, which both providers bill as output)
 * Total prompt size = input + cacheWrite + cacheRead.
 *
 * The providers disagree on what "input" means, which is a classic source of wrong totals:
 * Anthropic's input_tokens already EXCLUDES cached tokens; OpenAI's prompt_tokens INCLUDES
 * prompt_tokens_details.cached_tokens, so the cached part must be subtracted.
 */
import type { Usage } from '../../protocol';

export const ZERO_USAGE: Usage = Object.freeze({ input: 0, cacheWrite: 0, cacheRead: 0, output: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    cacheRead: a.cacheRead + b.cacheRead,
    output: a.output + b.output,
  };
}

export interface AnthropicUsageFields {
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens?: number | null;
}

export function fromAnthropicUsage(u: AnthropicUsageFields | null | undefined): Usage {
  return {
    input: nonNegative(u?.input_tokens),
    cacheWrite: nonNegative(u?.cache_creation_input_tokens),
    cacheRead: nonNegative(u?.cache_read_input_tokens),
    output: nonNegative(u?.output_tokens),
  };
}

/**
 * Anthropic streams usage twice: message_start carries the input side, message_delta carries
 * cumulative counts (output always; input/cache fields on newer API versions). Later non-null values
 * win because they are cumulative, never increments.
 */
export function mergeAnthropicUsage(start: AnthropicUsageFields | null | undefined, delta: AnthropicUsageFields | null | undefined): Usage {
  const pick = (key: keyof AnthropicUsageFields): number | null | undefined => delta?.[key] ?? start?.[key];
  return fromAnthropicUsage({
    input_tokens: pick('input_tokens'),
    cache_creation_input_tokens: pick('cache_creation_input_tokens'),
    cache_read_input_tokens: pick('cache_read_input_tokens'),
    output_tokens: pick('output_tokens'),
  });
}

export interface OpenAIUsageFields {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

export function fromOpenAIUsage(u: OpenAIUsageFields | null | undefined): Usage {
  const prompt = nonNegative(u?.prompt_tokens);
  const cached = Math.min(prompt, nonNegative(u?.prompt_tokens_details?.cached_tokens));
  return { input: prompt - cached, cacheWrite: 0, cacheRead: cached, output: nonNegative(u?.completion_tokens) };
}

function nonNegative(n: number | null | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
