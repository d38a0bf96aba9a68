/**
 * The LLM layer as engine services: ONE egress gate per engine (every outbound model, embedding and
 * rerank request goes through `get(EgressGateKey).fetchFor(purpose)`), and the configured chat
 * provider, built lazily from settings + secrets (VS Code) or environment variables (CLI) and rebuilt
 * when any of them changes. Keys are read from EngineConfig secrets only — never from settings.
 */
import { ConfigKey, type EngineConfig } from '../config';
import type { ServiceRegistry } from '../services';
import { serviceKey } from '../services';
import { EgressGate } from '../egress/gate';
import { createProvider, localOnlyFromEnv, providerSettingsFromEnv, type ProviderSettings, type SdkProviderId } from './providers/factory';
import type { ProviderRuntime } from './providers/sdkProvider';
import { createVscodeLmProvider } from './providers/vscodeLm';
import { hostBridgeOf } from '../rpc/hostBridge';
import type { LlmProvider } from './types';

export const EgressGateKey = serviceKey<EgressGate>('llm.egressGate');
/** Undefined when no provider is configured (keel.provider = none): callers answer offline. */
export const LlmProviderKey = serviceKey<LlmProvider | undefined>('llm.provider');

const EGRESS_SETTINGS = ['keel.localOnly', 'keel.egress.allowHosts'];
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

  services.provide(EgressGateKey, (registry) => {
    const config = configOf(registry);
    const gate = new EgressGate({ storageDir: options.storageDir, ...egressPolicy(config, env) });
    // Policy changes apply in place: the gate (and its redaction key, so placeholders stay stable) lives on.
    config?.onDidChange((changed) => {
      if (changed.some((k) => EGRESS_SETTINGS.includes(k))) gate.setPolicy(egressPolicy(config, env));
    });
    return gate;
  });

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
    if (config) {
      const dispose = config.onDidChange((changed) => {
        if (changed.some((k) => PROVIDER_SETTINGS.includes(k) || k.startsWith('secret:'))) {
          dispose();
          registry.reset(LlmProviderKey);
        }
      });
    }
    return provider;
  });
}

function usesVscodeLm(config: EngineConfig | undefined): boolean {
  return config?.get<string>('keel.provider', '') === 'vscode-lm';
}

export function egressPolicy(config: EngineConfig | undefined, env: NodeJS.ProcessEnv): { localOnly: boolean; allowHosts: string[] } {
  return {
    localOnly: (config?.get<boolean>('keel.localOnly', false) ?? false) || localOnlyFromEnv(env),
    allowHosts: config?.get<string[]>('keel.egress.allowHosts', []) ?? [],
  };
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
