/**
 * The one place that turns an embedder id (a setting, a CLI flag, the id stored in an index) into an
 * Embedder. Ids:
 *   keel-code / keel-code-v1           the embedded static model (offline, default)
 *   openai:<model>[@<dims>]            OpenAI, e.g. openai:text-embedding-3-small@512
 *   openai-compatible:<model>[@<dims>] a self-hosted server at options.baseURL (Ollama, vLLM, TEI …)
 * Construction is cheap and never loads the model or touches the network.
 */
import { KeelError } from '../../common/errors';
import { OpenAIEmbedder, type OpenAIEmbedderOptions } from './openaiEmbedder';
import { StaticEmbedder } from './staticEmbedder';
import type { Embedder } from './types';

/** The embedded model's versioned id. Bump the version whenever the artifact's vectors change. */
export const DEFAULT_EMBEDDER_ID = 'keel-code-v1';
/** The alias users write in settings; always means the current embedded version. */
export const DEFAULT_EMBEDDER_ALIAS = 'keel-code';
export const DEFAULT_MODEL_FILE = `${DEFAULT_EMBEDDER_ID}.bin`;
export const DEFAULT_OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';
/** Ollama's default OpenAI-compatible endpoint (matches the keel.openaiCompatible.baseUrl default). */
export const DEFAULT_COMPATIBLE_BASE_URL = 'http://127.0.0.1:11434/v1';

/**
 * Provider options as the OpenAI embedder takes them (the id names provider, model and dimensions).
 * `apiKey` falls back to OPENAI_API_KEY for `openai:`; `baseURL` to DEFAULT_COMPATIBLE_BASE_URL for
 * `openai-compatible:`.
 */
export interface CreateEmbedderOptions extends Omit<OpenAIEmbedderOptions, 'provider' | 'model' | 'dimensions'> {
  /** Embedded model: override the model file (tests, evaluating a freshly trained artifact). */
  modelFile?: string;
  env?: NodeJS.ProcessEnv;
}

export function createEmbedder(id: string = DEFAULT_EMBEDDER_ID, options: CreateEmbedderOptions = {}): Embedder {
  const trimmed = id.trim();
  if (trimmed === '' || trimmed === DEFAULT_EMBEDDER_ALIAS || trimmed === DEFAULT_EMBEDDER_ID) {
    return new StaticEmbedder({ id: DEFAULT_EMBEDDER_ID, file: options.modelFile ?? DEFAULT_MODEL_FILE });
  }
  const provider = trimmed.startsWith('openai:') ? 'openai' : trimmed.startsWith('openai-compatible:') ? 'openai-compatible' : undefined;
  if (!provider) {
    throw new KeelError(
      'INVALID_PARAMS',
      `Unknown embedder "${trimmed}". Use ${DEFAULT_EMBEDDER_ALIAS}, openai:<model>[@dims] or openai-compatible:<model>[@dims].`,
    );
  }
  const { model, dimensions } = parseModelSpec(trimmed.slice(provider.length + 1), trimmed);
  const env = options.env ?? process.env;
  return new OpenAIEmbedder({
    provider,
    model: model || (provider === 'openai' ? DEFAULT_OPENAI_EMBEDDING_MODEL : ''),
    dimensions,
    apiKey: options.apiKey ?? (provider === 'openai' ? env.OPENAI_API_KEY : undefined),
    baseURL: options.baseURL || (provider === 'openai-compatible' ? DEFAULT_COMPATIBLE_BASE_URL : undefined),
    gate: options.gate,
    localOnly: options.localOnly,
    allowHosts: options.allowHosts,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    maxRetryAfterS: options.maxRetryAfterS,
    batchSize: options.batchSize,
  });
}

/** "text-embedding-3-small@512" → model + dims. Model names may contain ':' (Ollama tags), never '@'. */
function parseModelSpec(spec: string, id: string): { model: string; dimensions?: number } {
  const at = spec.lastIndexOf('@');
  if (at < 0) return { model: spec };
  const dims = Number(spec.slice(at + 1));
  if (!Number.isInteger(dims) || dims <= 0) throw new KeelError('INVALID_PARAMS', `Bad dimensions in embedder id "${id}".`);
  return { model: spec.slice(0, at), dimensions: dims };
}
