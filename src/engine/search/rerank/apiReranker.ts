/**
 * Hosted re-rankers (Cohere, Voyage, Jina) over plain HTTP. The `fetch` is injected and must be the
 * egress gate's (`gate.fetchFor('rerank')`): that is where local-only mode, secret redaction and the
 * audit log are enforced, so this class never opens a socket on its own. Failures become KeelErrors
 * with the LLM layer's codes (AUTH_FAILED, RATE_LIMITED with retryAfterS, PROVIDER_UNAVAILABLE …) and
 * transient ones are retried with its backoff policy.
 */
import { KeelError } from '../../../common/errors';
import { toProviderError } from '../../egress/providerErrors';
import { retryPolicy, withRetry, type RetryPolicy } from '../../egress/retry';
import type { RerankCandidate, RerankContext, Reranker } from './types';
import { RERANK_WIRES, type RerankProvider } from './wire';

export interface ApiRerankerOptions {
  provider: RerankProvider;
  apiKey: string;
  fetch: typeof fetch;
  model?: string;
  baseURL?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Documents are cut to this many characters (APIs bill and limit by tokens). */
  maxDocumentChars?: number;
}

export class ApiReranker implements Reranker {
  readonly id: string;
  private readonly wire;
  private readonly model: string;
  private readonly url: string;

  constructor(private readonly options: ApiRerankerOptions) {
    this.wire = RERANK_WIRES[options.provider];
    if (!this.wire) throw new KeelError('INVALID_PARAMS', `Unknown rerank provider "${options.provider}".`);
    if (!options.apiKey) {
      throw new KeelError('PROVIDER_NOT_CONFIGURED', `No API key for ${options.provider}: set ${this.wire.keyVariable} or store it with Keel: Set API Key.`, { provider: options.provider });
    }
    this.model = options.model || this.wire.defaultModel;
    this.url = `${(options.baseURL || this.wire.defaultBaseURL).replace(/\/+$/, '')}${this.wire.path}`;
    this.id = `${options.provider}:${this.model}`;
  }

  async rerank(query: string, candidates: readonly RerankCandidate[], context: RerankContext = {}): Promise<number[]> {
    if (candidates.length === 0) return [];
    const max = this.options.maxDocumentChars ?? 4000;
    const documents = candidates.map((c) => document(c, max));
    const body = JSON.stringify(this.wire.body(this.model, query, documents));
    const results = await withRetry(() => this.post(body, context.signal), retryPolicy(this.options.retry), context.signal);
    // Candidates the API left out (top_n smaller than asked) rank below every scored one.
    const scores = new Array<number>(candidates.length).fill(Number.NEGATIVE_INFINITY);
    for (const r of results) {
      if (r.index < 0 || r.index >= candidates.length) {
        throw new KeelError('BAD_RESPONSE', `${this.wire.provider} returned index ${r.index} for ${candidates.length} documents.`, { provider: this.wire.provider });
      }
      scores[r.index] = r.score;
    }
    const floor = Math.min(0, ...scores.filter(Number.isFinite)) - 1;
    return scores.map((s, i) => (Number.isFinite(s) ? s : floor - i * 1e-6));
  }

  private async post(body: string, signal: AbortSignal | undefined): Promise<Array<{ index: number; score: number }>> {
    const provider = this.wire.provider;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(this.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: combined,
      });
      text = await response.text();
    } catch (error) {
      throw toProviderError(error, { provider, cancelled: signal?.aborted, timedOut: timeout.aborted && !signal?.aborted });
    }
    if (!response.ok) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      throw toProviderError(
        { status: response.status, headers: response.headers, error: parsed, message: `HTTP ${response.status}: ${messageOf(parsed) ?? text.slice(0, 200)}` },
        { provider },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new KeelError('BAD_RESPONSE', `${provider} sent a response that is not JSON.`, { provider, cause: error });
    }
    const results = this.wire.results(parsed);
    if (!results) throw new KeelError('BAD_RESPONSE', `${provider} sent a rerank response without scored results.`, { provider });
    return results;
  }
}

/** What the API sees of a candidate: where it is and its code, cut to the budget. */
function document(c: RerankCandidate, max: number): string {
  const head = `${c.chunk.path}:${c.chunk.startLine}-${c.chunk.endLine}${c.chunk.symbol ? ` ${c.chunk.symbol}` : ''}\n`;
  return (head + c.text).slice(0, max);
}

function messageOf(body: unknown): string | undefined {
  const b = body as { message?: unknown; detail?: unknown; error?: { message?: unknown } } | undefined;
  const m = b?.message ?? b?.detail ?? b?.error?.message;
  return typeof m === 'string' ? m : undefined;
}
