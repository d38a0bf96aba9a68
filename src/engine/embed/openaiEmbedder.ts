/**
 * Embeddings from OpenAI, or from any server speaking its wire protocol (Ollama, vLLM, LM Studio, TEI —
 * the data-sovereignty path), through the official `openai` SDK.
 *
 * The client comes from the egress door (egress/clients.ts) on the engine's gate, so local-only mode,
 * redaction, the audit log, redirects, time limits and response bounds apply to every batch.
 *
 * Retries are ours (egress/retry.ts; the SDK's maxRetries is 0): the SDK would sleep for whatever
 * retry-after a server sends, even an hour. We honour retry-after up to `maxRetryAfterS` and otherwise
 * give up at once with RATE_LIMITED + retryAfterS, so the caller (indexer, UI) can say when to try again.
 */
import type OpenAI from 'openai';
import { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { openaiClient } from '../egress/clients';
import { EgressGate } from '../egress/gate';
import { isLoopbackHost } from '../egress/hosts';
import { retryPolicy, withRetry, type RetryPolicy } from '../egress/retry';
import { KeelError, throwIfCancelled } from '../../common/errors';
import type { Embedder } from './types';

export type OpenAIEmbedderProvider = 'openai' | 'openai-compatible';

export interface OpenAIEmbedderOptions {
  provider: OpenAIEmbedderProvider;
  model: string;
  /** Output size (text-embedding-3-* can shorten vectors); sent as the `dimensions` parameter. */
  dimensions?: number;
  apiKey?: string;
  baseURL?: string;
  /**
   * The engine's egress gate. Without one (scripts, tests) the embedder gets a private gate built from
   * `localOnly` / `allowHosts` — it still goes through the door, it just writes no audit file.
   */
  gate?: EgressGate;
  /** Only loopback (and allowHosts) endpoints may be contacted (private gate only). */
  localOnly?: boolean;
  allowHosts?: readonly string[];
  /** Per-request limit (ms) until the response arrives; the gate's keel.llm.timeoutS applies too. */
  timeoutMs?: number;
  /** Retries after 429 / 5xx / connection errors. */
  maxRetries?: number;
  /** Longest retry-after we wait out (s); longer ones fail fast with RATE_LIMITED. */
  maxRetryAfterS?: number;
  /** Inputs per request. */
  batchSize?: number;
}

/** Known native sizes, so `dimensions` is right before the first call. */
const NATIVE_DIMS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** OpenAI caps a request at 2,048 inputs and ~300k tokens; stay well inside both. */
const DEFAULT_BATCH = 128;
const MAX_BATCH_CHARS = 400_000;
/** Indexing runs in the background: waiting out a minute of retry-after beats failing the whole build. */
const EMBED_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterS: 60 };

export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly local: boolean;
  private dims: number;
  private readonly client: OpenAI;
  private readonly gate: EgressGate;
  private readonly retry: RetryPolicy;
  private readonly batchSize: number;

  constructor(private readonly options: OpenAIEmbedderOptions) {
    // Field by field: an option passed as `undefined` keeps its default (it once meant "retry forever").
    this.retry = retryPolicy({ maxAttempts: options.maxRetries === undefined ? undefined : options.maxRetries + 1, maxRetryAfterS: options.maxRetryAfterS }, EMBED_RETRY);
    this.batchSize = Number.isInteger(options.batchSize) && options.batchSize! > 0 ? options.batchSize! : DEFAULT_BATCH;
    const { provider, model, dimensions } = options;
    if (!model) throw new KeelError('INVALID_PARAMS', 'An embedding model name is required.');
    if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0)) {
      throw new KeelError('INVALID_PARAMS', `Embedding dimensions must be a positive integer, got ${dimensions}.`);
    }
    const baseURL = options.baseURL || (provider === 'openai' ? 'https://api.openai.com/v1' : undefined);
    if (!baseURL) throw new KeelError('PROVIDER_NOT_CONFIGURED', 'openai-compatible embedder needs a base URL (keel.openaiCompatible.baseUrl).');
    const url = endpointURL(baseURL);
    const gate = options.gate ?? new EgressGate({ localOnly: options.localOnly ?? false, allowHosts: [...(options.allowHosts ?? [])] });
    this.gate = gate;
    // Refused here with a clear message rather than mid-index; the gate checks every request again.
    gate.check(url);
    const apiKey = options.apiKey || (provider === 'openai-compatible' ? 'not-needed' : '');
    if (!apiKey) throw new KeelError('PROVIDER_NOT_CONFIGURED', 'No OpenAI API key is set (Keel: Set API Key, or OPENAI_API_KEY).', { provider });
    this.id = `${provider}:${model}${dimensions ? `@${dimensions}` : ''}`;
    this.local = isLoopbackHost(url.hostname);
    this.dims = dimensions ?? NATIVE_DIMS[model] ?? 0;
    this.client = openaiClient(gate, { purpose: 'embed', provider, apiKey, baseURL, timeoutMs: options.timeoutMs });
  }

  /** For self-hosted models of unknown size this is 0 until the first response arrives. */
  get dimensions(): number {
    return this.dims;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const batch of batches(texts, this.batchSize)) {
      throwIfCancelled(signal);
      out.push(...(await this.embedBatchWithRetry(batch, signal)));
    }
    return out;
  }

  private embedBatchWithRetry(batch: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    return withRetry(
      async () => {
        // One audit line per batch attempt, and the gate's own verdict on any failure.
        const call = this.gate.beginCall({ provider: this.options.provider, model: this.options.model, purpose: 'embed' });
        try {
          const { vectors, inputTokens } = await this.embedBatch(batch, signal, call.headers);
          call.finish({ usage: inputTokens === undefined ? undefined : { input: inputTokens, output: 0, cacheRead: 0, cacheWrite: 0 } });
          return vectors;
        } catch (error) {
          const keel = this.toKeelError(call.takeError() ?? error);
          call.finish({ error: keel });
          throw keel;
        }
      },
      this.retry,
      signal,
    );
  }

  private async embedBatch(batch: string[], signal: AbortSignal | undefined, headers: Record<string, string>): Promise<{ vectors: Float32Array[]; inputTokens?: number }> {
    const { model, dimensions, provider } = this.options;
    // The API rejects empty strings; a single space embeds as "nothing" just as well.
    const input = batch.map((t) => (t.length === 0 ? ' ' : t));
    const response = await this.client.embeddings.create(
      {
        model,
        input,
        ...(dimensions ? { dimensions } : {}),
        // Self-hosted servers do not all support base64; OpenAI's own API gets the SDK's compact default.
        ...(provider === 'openai-compatible' ? { encoding_format: 'float' as const } : {}),
      },
      { signal, headers },
    );
    const data = Array.isArray(response?.data) ? response.data : undefined;
    if (!data || data.length !== batch.length) {
      throw new KeelError('BAD_RESPONSE', `Embedding response has ${data?.length ?? 'no'} vectors for ${batch.length} inputs.`, { provider });
    }
    const vectors: Float32Array[] = new Array(batch.length);
    for (let i = 0; i < data.length; i++) {
      const item = data[i];
      const index = typeof item?.index === 'number' ? item.index : i;
      const raw = item?.embedding as unknown;
      if (!Array.isArray(raw) || raw.length === 0 || index < 0 || index >= batch.length || vectors[index]) {
        throw new KeelError('BAD_RESPONSE', 'Embedding response holds a malformed vector.', { provider });
      }
      vectors[index] = normalise(raw, provider);
    }
    const size = vectors[0].length;
    if (vectors.some((v) => v.length !== size)) throw new KeelError('BAD_RESPONSE', 'Embedding vectors differ in size.', { provider });
    if (this.dims === 0) this.dims = size;
    else if (size !== this.dims) throw new KeelError('BAD_RESPONSE', `Expected ${this.dims}-d vectors, got ${size}-d.`, { provider });
    const tokens = (response as { usage?: { prompt_tokens?: unknown } }).usage?.prompt_tokens;
    return { vectors, inputTokens: typeof tokens === 'number' ? tokens : undefined };
  }

  private toKeelError(error: unknown): KeelError {
    const provider = this.options.provider;
    if (error instanceof KeelError) return error;
    // What the gate throws (EGRESS_BLOCKED, TIMEOUT, RESPONSE_TOO_LARGE) reaches us wrapped by the SDK.
    const cause = (error as { cause?: unknown })?.cause;
    if (cause instanceof KeelError) return cause;
    if (error instanceof APIUserAbortError) return new KeelError('CANCELLED', 'The request was cancelled.');
    if (error instanceof APIConnectionTimeoutError) {
      return new KeelError('TIMEOUT', `The embeddings endpoint did not answer within ${this.options.timeoutMs ?? 60_000} ms.`, { provider, cause: error });
    }
    if (error instanceof APIError) {
      const requestId = error.requestID ?? undefined;
      const status = error.status;
      const opts = { provider, requestId, cause: error };
      if (status === undefined) return new KeelError('PROVIDER_UNAVAILABLE', `Cannot reach the embeddings endpoint: ${error.message}`, opts);
      if (status === 401 || status === 403) return new KeelError('AUTH_FAILED', 'The embeddings provider rejected the API key.', opts);
      if (status === 429) {
        const body = JSON.stringify(error.error ?? '');
        if (body.includes('insufficient_quota')) return new KeelError('QUOTA_EXCEEDED', 'The provider account is out of quota.', opts);
        return new KeelError('RATE_LIMITED', 'The embeddings provider is rate limiting requests.', { ...opts, retryAfterS: retryAfterSeconds(error.headers) });
      }
      if (status >= 500) return new KeelError('PROVIDER_UNAVAILABLE', `The embeddings provider failed (HTTP ${status}).`, opts);
      if (status === 400 && /context length|maximum.*tokens|too long/i.test(error.message)) {
        return new KeelError('CONTEXT_TOO_LONG', 'An input is too long for the embedding model.', opts);
      }
      return new KeelError('BAD_INPUT', `The embeddings provider refused the request (HTTP ${status}): ${error.message}`, opts);
    }
    // The SDK throws plain SyntaxError/TypeError on a body that is not the JSON it expects.
    if (error instanceof SyntaxError || error instanceof TypeError) {
      return new KeelError('BAD_RESPONSE', `The embeddings endpoint sent an unreadable response: ${error.message}`, { provider, cause: error });
    }
    return new KeelError('INTERNAL', error instanceof Error ? error.message : String(error), { provider, cause: error });
  }
}

function normalise(raw: unknown[], provider: string): Float32Array {
  const v = new Float32Array(raw.length);
  let s = 0;
  for (let i = 0; i < raw.length; i++) {
    const x = raw[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new KeelError('BAD_RESPONSE', 'Embedding vector holds a non-number.', { provider });
    v[i] = x;
    s += x * x;
  }
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

function* batches(texts: readonly string[], size: number): Generator<string[]> {
  let batch: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (batch.length > 0 && (batch.length >= size || chars + text.length > MAX_BATCH_CHARS)) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(text);
    chars += text.length;
  }
  if (batch.length > 0) yield batch;
}

function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(parseFloat(ms))) return parseFloat(ms) / 1000;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const s = parseFloat(value);
  if (Number.isFinite(s)) return Math.max(0, s);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - Date.now()) / 1000) : undefined;
}

function endpointURL(baseURL: string): URL {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new KeelError('INVALID_PARAMS', `Not a valid embeddings base URL: ${baseURL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new KeelError('INVALID_PARAMS', `Embeddings base URL must be http(s): ${baseURL}`);
  return url;
}
