/**
 * The LLM layer as engine services: the configured chat provider, on the engine's one egress gate
 * (egress/service.ts), built lazily from settings + secrets (VS Code) or environment variables (CLI)
 * and rebuilt when any of them changes. Keys are read from EngineConfig secrets only — never from settings.
 */
import { ConfigKey, resetOnSettingChange, type EngineConfig } from '../config';
import type { ServiceRegistry } from '../services';
import { serviceKey } from '../services';
import { EgressGateKey, provideEgressGate } from '../egress/service';
import { createProvider, providerSettingsFromEnv, type ProviderSettings, type SdkProviderId } from './providers/factory';
import type { ProviderRuntime } from './providers/sdkProvider';
import { createVscodeLmProvider } from './providers/vscodeLm';
import { hostBridgeOf } from '../rpc/hostBridge';
import type { LlmProvider } from './types';

export { EgressGateKey };
/** Undefined when no provider is configured (keel.provider = none): callers answer offline. */
export const LlmProviderKey = serviceKey<LlmProvider | undefined>('llm.provider');

const PROVIDER_SETTINGS = ['keel.provider', 'keel.openai.baseUrl', 'keel.anthropic.baseUrl', 'keel.openaiCompatible.baseUrl'];

export interface LlmServiceOptions {
  /** Where egress.jsonl is written (the engine's storage dir). */
  storageDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra runtime options for providers (the cost ledger's budget guard, timeouts). */
  runtime?: Omit<ProviderRuntime, 'gate'>;
}

export function provideLlmServices(services: ServiceRegistry, options: LlmServiceOptions = {}): void {
  const env = options.env ?? process.env;
  const configOf = (registry: ServiceRegistry): EngineConfig | undefined => (registry.has(ConfigKey) ? registry.get(ConfigKey) : undefined);

  if (!services.has(EgressGateKey)) provideEgressGate(services, { storageDir: options.storageDir, env });

  services.provide(LlmProviderKey, (registry) => {
    const config = configOf(registry);
    const settings = providerSettings(config, env);
    const runtime = { ...options.runtime, gate: registry.get(EgressGateKey) };
    // Built before subscribing: a factory that throws (PROVIDER_NOT_CONFIGURED) leaves no listener behind.
    // vscode-lm is reached through the engine's host (VS Code), not an SDK: see providers/vscodeLm.ts.
    const provider = usesVscodeLm(config)
      ? createVscodeLmProvider(hostBridgeOf(registry), runtime)
      : settings
        ? createProvider(settings, runtime)
        : undefined;
    resetOnSettingChange(config, registry, LlmProviderKey, (k) => PROVIDER_SETTINGS.includes(k) || k.startsWith('secret:'));
    return provider;
  });
}

function usesVscodeLm(config: EngineConfig | undefined): boolean {
  return config?.get<string>('keel.provider', '') === 'vscode-lm';
}

/** Settings (extension) win over the environment (CLI); `keel.provider = none` means no provider (vscode-lm: no SDK provider). */
export function providerSettings(config: EngineConfig | undefined, env: NodeJS.ProcessEnv): ProviderSettings | undefined {
  const chosen = config?.get<string>('keel.provider', '') ?? '';
  if (chosen === 'none' || chosen === 'vscode-lm') return undefined;
  if (!chosen) return providerSettingsFromEnv(env);
  const provider = chosen as SdkProviderId;
  const fromEnv = providerSettingsFromEnv(env, provider);
  const baseUrlSetting = provider === 'openai-compatible' ? 'keel.openaiCompatible.baseUrl' : `keel.${provider}.baseUrl`;
  return {
    provider,
    apiKey: config?.secret(provider) ?? fromEnv?.apiKey,
    baseURL: config?.get<string>(baseUrlSetting, '') || fromEnv?.baseURL,
  };
}
