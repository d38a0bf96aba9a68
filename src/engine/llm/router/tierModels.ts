/**
 * Default models per tier for each provider, matching the `keel.models.fast` / `keel.models.reasoning`
 * setting descriptions. Empty settings fall back to these.
 */
import type { ProviderId } from '../../../protocol';
import type { TierModels } from './types';

const DEFAULTS: Partial<Record<ProviderId, { fast: string; reasoning: string }>> = {
  openai: { fast: 'gpt-4.1-mini', reasoning: 'gpt-4.1' },
  // claude-sonnet-4-5 reaches end-of-life on 2026-11-30 (the SDK warns on every call); 4.6 is the same price.
  anthropic: { fast: 'claude-haiku-4-5', reasoning: 'claude-sonnet-4-6' },
};

export function defaultTierModels(provider: ProviderId, overrides: { fast?: string; reasoning?: string } = {}): TierModels {
  const d = DEFAULTS[provider];
  // Self-hosted servers have no sensible default model names: the user's settings must name them.
  const fast = overrides.fast || d?.fast || '';
  const reasoning = overrides.reasoning || d?.reasoning || fast;
  return { fast: { provider, model: fast || reasoning }, reasoning: { provider, model: reasoning } };
}
