/**
 * Turns a re-ranker name (`--rerank`, the `rerank` request param) into a Reranker:
 *   none | local (default) | cohere[:model] | voyage[:model] | jina[:model] | llm
 * Remote ones need their dependencies injected — the egress gate's fetch, keys, the fast-tier
 * provider — and fail with a coded error when one is missing rather than falling back silently.
 */
import { KeelError } from '../../../common/errors';
import type { LlmProvider } from '../../llm/types';
import { ApiReranker } from './apiReranker';
import { LlmReranker } from './llmReranker';
import { LocalReranker } from './local';
import type { Reranker } from './types';
import { RERANK_WIRES, type RerankProvider } from './wire';

export const DEFAULT_RERANKER = 'local';

export interface RerankerDeps {
  /** The egress gate's fetch for purpose 'rerank'. Required for API re-rankers. */
  fetch?: typeof fetch;
  /** API key by provider name (SecretStorage in the editor, environment variables in the CLI). */
  apiKey?: (provider: RerankProvider) => string | undefined;
  /** Base URL override by provider (self-hosted gateways, tests). */
  baseURL?: (provider: RerankProvider) => string | undefined;
  /** The fast tier, for `llm`. */
  llm?: () => { provider: LlmProvider; model: string } | undefined;
}

export function createReranker(name: string | undefined, deps: RerankerDeps = {}): Reranker | undefined {
  const spec = (name ?? DEFAULT_RERANKER).trim();
  if (spec === 'none' || spec === '') return undefined;
  if (spec === 'local') return new LocalReranker();
  const [kind, ...rest] = spec.split(':');
  const model = rest.join(':') || undefined;
  if (kind in RERANK_WIRES) {
    const provider = kind as RerankProvider;
    if (!deps.fetch) throw new KeelError('NOT_AVAILABLE', `The ${provider} re-ranker needs the egress layer, which is not available here.`);
    return new ApiReranker({ provider, model, fetch: deps.fetch, apiKey: deps.apiKey?.(provider) ?? '', baseURL: deps.baseURL?.(provider) });
  }
  if (kind === 'llm') {
    const fast = deps.llm?.();
    if (!fast) throw new KeelError('PROVIDER_NOT_CONFIGURED', 'The llm re-ranker needs a chat provider (keel.provider).');
    return new LlmReranker({ provider: fast.provider, model: model ?? fast.model });
  }
  throw new KeelError('INVALID_PARAMS', `Unknown re-ranker "${spec}". Use none, local, cohere[:model], voyage[:model], jina[:model] or llm.`);
}
