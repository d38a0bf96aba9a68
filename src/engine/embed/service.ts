/**
 * The active embedder as an engine service: built from settings on first use, rebuilt when a setting
 * or key it depends on changes. The indexer, search and the semantic cache all get it from here, so
 * they always agree on one vector space.
 */
import { ConfigKey, resetOnSettingChange, type EngineConfig } from '../config';
import type { ServiceRegistry } from '../services';
import { serviceKey } from '../services';
import { EgressGateKey } from '../egress/service';
import { createEmbedder, DEFAULT_EMBEDDER_ALIAS, type CreateEmbedderOptions } from './registry';
import type { Embedder } from './types';

export const EmbedderKey = serviceKey<Embedder>('embedder');

/** Settings the embedder depends on; a change to any of them rebuilds it. */
export const EMBEDDER_SETTINGS = ['keel.embedder', 'keel.openai.baseUrl', 'keel.openaiCompatible.baseUrl', 'keel.localOnly', 'keel.egress.allowHosts'];

/** The embedder `id` names, built on the engine's egress gate with the host's settings and secrets. */
export function embedderFor(registry: ServiceRegistry, id: string, env: NodeJS.ProcessEnv = process.env): Embedder {
  const config = registry.has(ConfigKey) ? registry.get(ConfigKey) : undefined;
  return createEmbedder(id, embedderOptionsFromConfig(id, config, registry, env));
}

/**
 * Options for createEmbedder from the host's settings and secrets (CLI: environment variables). The
 * gate — and with it local-only mode, from the setting or KEEL_LOCAL_ONLY — comes from the registry.
 */
export function embedderOptionsFromConfig(
  id: string,
  config: EngineConfig | undefined,
  registry: ServiceRegistry,
  env: NodeJS.ProcessEnv = process.env,
): CreateEmbedderOptions {
  const compatible = id.startsWith('openai-compatible:');
  const baseURL = compatible
    ? config?.get<string>('keel.openaiCompatible.baseUrl', '') || env.KEEL_OPENAI_COMPATIBLE_BASE_URL || undefined
    : config?.get<string>('keel.openai.baseUrl', '') || env.OPENAI_BASE_URL || undefined;
  return {
    apiKey: config?.secret(compatible ? 'openai-compatible' : 'openai') ?? (compatible ? env.KEEL_OPENAI_COMPATIBLE_API_KEY : env.OPENAI_API_KEY),
    baseURL,
    gate: registry.get(EgressGateKey),
    env,
  };
}

export function configuredEmbedderId(config: EngineConfig | undefined): string {
  return config?.get<string>('keel.embedder', DEFAULT_EMBEDDER_ALIAS) || DEFAULT_EMBEDDER_ALIAS;
}

/** Registers the service; call once per engine (the embed feature does). */
export function provideEmbedder(services: ServiceRegistry): void {
  services.provide(EmbedderKey, (registry) => {
    const config = registry.has(ConfigKey) ? registry.get(ConfigKey) : undefined;
    const id = configuredEmbedderId(config);
    // Built first: if this throws (bad id, blocked endpoint) nothing is cached and the next get() retries.
    const embedder = embedderFor(registry, id);
    resetOnSettingChange(config, registry, EmbedderKey, (key) => EMBEDDER_SETTINGS.includes(key) || key.startsWith('secret:openai'));
    return embedder;
  });
}
