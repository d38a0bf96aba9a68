/**
 * Build the configured provider. Keys come from the caller (VS Code SecretStorage, or the SDKs'
 * standard environment variables for the CLI — see `providerSettingsFromEnv`), never from settings.
 */
import type { ProviderId } from '../../../protocol';
import { KeelError } from '../../../common/errors';
import type { LlmProvider } from '../types';
import { AnthropicProvider } from './anthropic';
import { OpenAIProvider } from './openai';
import type { ProviderRuntime } from './sdkProvider';

export type SdkProviderId = Extract<ProviderId, 'openai' | 'anthropic' | 'openai-compatible'>;

export interface ProviderSettings {
  provider: SdkProviderId;
  apiKey?: string;
  baseURL?: string;
}

export function createProvider(settings: ProviderSettings, runtime: ProviderRuntime): LlmProvider {
  const { provider, apiKey, baseURL } = settings;
  if (provider === 'openai-compatible') {
    if (!baseURL) throw new KeelError('PROVIDER_NOT_CONFIGURED', 'openai-compatible needs a base URL (keel.openaiCompatible.baseUrl).');
    return new OpenAIProvider({ ...runtime, kind: provider, apiKey: apiKey || undefined, baseURL });
  }
  if (!apiKey) {
    const variable = provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY';
    throw new KeelError('PROVIDER_NOT_CONFIGURED', `No API key for ${provider}: run "Keel: Set API Key" or set ${variable}.`, { provider });
  }
  if (provider === 'openai') return new OpenAIProvider({ ...runtime, kind: 'openai', apiKey, baseURL: baseURL || undefined });
  return new AnthropicProvider({ ...runtime, apiKey, baseURL: baseURL || undefined });
}

/**
 * The CLI's view of the SDKs' standard variables. `provider` picks explicitly; otherwise the first
 * configured of Anthropic, OpenAI wins; undefined means "no provider" (offline retrieval answers).
 */
export function providerSettingsFromEnv(env: NodeJS.ProcessEnv, provider?: SdkProviderId): ProviderSettings | undefined {
  const anthropic = { provider: 'anthropic' as const, apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL };
  const openai = { provider: 'openai' as const, apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL };
  if (provider === 'anthropic') return anthropic;
  if (provider === 'openai') return openai;
  if (provider === 'openai-compatible') {
    return { provider, apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL ?? 'http://127.0.0.1:11434/v1' };
  }
  if (anthropic.apiKey) return anthropic;
  if (openai.apiKey) return openai;
  return undefined;
}
