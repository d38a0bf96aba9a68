/**
 * Builds the remote re-rankers' dependencies inside the engine: the ONE egress gate (egress/service.ts)
 * and the configured chat provider from the LLM layer's services (src/engine/llm/services.ts), and keys / base URLs from
 * secrets (the editor) or environment variables (the CLI). Everything is resolved lazily, so
 * `--rerank local` never touches any of it.
 *
 * Keys:      secret `cohere` | `voyage` | `jina`, else COHERE_API_KEY | VOYAGE_API_KEY | JINA_API_KEY.
 * Base URLs: setting `keel.rerank.<provider>.baseUrl`, else KEEL_<PROVIDER>_BASE_URL.
 * The llm re-ranker uses the fast tier's model (`keel.models.fast`, else the provider's default).
 */
import { ConfigKey } from '../../config';
import { httpClient } from '../../egress/clients';
import { EgressGateKey } from '../../egress/service';
import { LlmProviderKey } from '../../llm/services';
import { defaultTierModels } from '../../llm/router/tierModels';
import type { ServiceRegistry } from '../../services';
import type { RerankerDeps } from './registry';
import { RERANK_WIRES } from './wire';

export function rerankerDepsFor(services: ServiceRegistry, env: NodeJS.ProcessEnv = process.env): RerankerDeps {
  const config = services.has(ConfigKey) ? services.get(ConfigKey) : undefined;
  return {
    get fetch() {
      return services.has(EgressGateKey) ? httpClient(services.get(EgressGateKey), 'rerank', 'rerank') : undefined;
    },
    apiKey: (provider) => config?.secret(provider) ?? env[RERANK_WIRES[provider].keyVariable],
    baseURL: (provider) => config?.get<string>(`keel.rerank.${provider}.baseUrl`, '') || env[`KEEL_${provider.toUpperCase()}_BASE_URL`] || undefined,
    llm: () => {
      const provider = services.has(LlmProviderKey) ? services.get(LlmProviderKey) : undefined;
      if (!provider || provider.id === 'none') return undefined;
      const model = defaultTierModels(provider.id, { fast: config?.get<string>('keel.models.fast', '') }).fast.model;
      return model ? { provider, model } : undefined;
    },
  };
}
