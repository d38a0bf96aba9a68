/**
 * One completion request to the model, through the egress gate (local-only, redaction, audit, time
 * limits): `/v1/completions` streamed for FIM and `suffix` templates, the configured chat provider for
 * chat-only models. The caller's signal aborts the HTTP request itself; `stopWhen` ends a stream early
 * once the answer is long enough to show (a single line is done at its first newline), which both cuts
 * latency and stops paying for tokens nobody will see.
 */
import type { ProviderId, Usage } from '../../protocol';
import { KeelError, toKeelError } from '../../common/errors';
import { httpClient } from '../egress/clients';
import type { EgressGate } from '../egress/gate';
import type { LlmProvider } from '../llm/types';
import { countTokens } from '../llm/tokens';
import { completionsBody, type TemplateId } from './templates';

export interface ModelAnswer {
  text: string;
  usage: Usage;
  /** Whether usage came from the server (false: counted here with gpt-tokenizer). */
  reportedUsage: boolean;
  stoppedEarly: boolean;
}

export interface FimRequest {
  gate: EgressGate;
  provider: ProviderId;
  baseURL: string;
  apiKey?: string;
  model: string;
  template: Exclude<TemplateId, 'chat'>;
  prefix: string;
  suffix: string;
  maxTokens: number;
  stop: string[];
  files: string[];
  /** Whole-request limit (keel.completions.timeoutMs): a ghost text that arrives late is useless. */
  timeoutMs: number;
  stopWhen?: (text: string) => boolean;
}

/** The caller's signal joined with the whole-request limit, and the coded reason when either stopped the call. */
function requestLimit(signal: AbortSignal, timeoutMs: number): { controller: AbortController; stopped(): KeelError | undefined; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  return {
    controller,
    stopped: () =>
      signal.aborted
        ? new KeelError('CANCELLED', 'The completion was cancelled.')
        : timedOut
          ? new KeelError('TIMEOUT', `The completion took longer than ${timeoutMs} ms (keel.completions.timeoutMs).`, { retryable: false })
          : undefined,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

export async function requestFim(r: FimRequest, signal: AbortSignal): Promise<ModelAnswer> {
  const body = completionsBody(r.template, { model: r.model, prefix: r.prefix, suffix: r.suffix, maxTokens: r.maxTokens, stop: r.stop });
  const call = r.gate.beginCall({ provider: r.provider, model: r.model, purpose: 'completion', files: r.files });
  const limit = requestLimit(signal, r.timeoutMs);
  const controller = limit.controller;
  let text = '';
  let usage: Usage | undefined;
  let stoppedEarly = false;
  try {
    const send = httpClient(r.gate, 'completion', r.provider);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream', ...call.headers };
    if (r.apiKey) headers.authorization = `Bearer ${r.apiKey}`;
    const response = await send(`${r.baseURL.replace(/\/+$/, '')}/completions`, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      const code = response.status === 401 || response.status === 403 ? 'AUTH_FAILED' : response.status === 429 ? 'RATE_LIMITED' : response.status >= 500 ? 'PROVIDER_UNAVAILABLE' : 'BAD_RESPONSE';
      throw new KeelError(code, `Completion request failed: HTTP ${response.status} ${detail}`, { provider: r.provider, retryable: false });
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('event-stream')) {
      // Servers that ignore `stream` answer with one JSON object.
      const json = (await response.json()) as CompletionJson;
      text = json.choices?.[0]?.text ?? '';
      usage = usageOf(json.usage);
    } else {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      read: for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') break read;
          let json: CompletionJson;
          try {
            json = JSON.parse(data) as CompletionJson;
          } catch {
            throw new KeelError('BAD_RESPONSE', 'The completion stream sent malformed data.', { provider: r.provider });
          }
          if (json.error) throw new KeelError('PROVIDER_UNAVAILABLE', `The completion stream failed: ${String(json.error.message ?? 'error').slice(0, 200)}`, { provider: r.provider });
          text += json.choices?.[0]?.text ?? '';
          if (json.usage) usage = usageOf(json.usage);
          if (r.stopWhen?.(text)) {
            stoppedEarly = true;
            await reader.cancel().catch(() => undefined);
            break read;
          }
        }
      }
    }
    const reported = usage !== undefined;
    const final: Usage = usage ?? { input: countTokens(String(body.prompt ?? '')) + countTokens(String(body.suffix ?? '')), cacheWrite: 0, cacheRead: 0, output: countTokens(text) };
    call.finish({ usage: final });
    return { text, usage: final, reportedUsage: reported, stoppedEarly };
  } catch (error) {
    const gateError = call.takeError();
    const keel = limit.stopped() ?? gateError ?? toKeelError(error);
    call.finish({ error: keel });
    throw keel;
  } finally {
    limit.dispose();
  }
}

export interface ChatCompletionRequest {
  provider: LlmProvider;
  model: string;
  system: string;
  user: string;
  maxTokens: number;
  files: string[];
  timeoutMs: number;
  stopWhen?: (text: string) => boolean;
}

/** Chat-only models: the provider's streaming chat (it runs through the same gate). */
export async function requestChat(r: ChatCompletionRequest, signal: AbortSignal): Promise<ModelAnswer> {
  const limit = requestLimit(signal, r.timeoutMs);
  const controller = limit.controller;
  let text = '';
  try {
    for await (const delta of r.provider.chat({ model: r.model, system: r.system, messages: [{ role: 'user', content: r.user }], maxTokens: r.maxTokens, temperature: 0.1, purpose: 'completion', files: r.files }, controller.signal)) {
      if (delta.type === 'text') {
        text += delta.text;
        if (r.stopWhen?.(text)) {
          controller.abort();
          const usage = { input: countTokens(r.system) + countTokens(r.user), cacheWrite: 0, cacheRead: 0, output: countTokens(text) };
          return { text, usage, reportedUsage: false, stoppedEarly: true };
        }
      } else {
        return { text, usage: delta.final.usage, reportedUsage: true, stoppedEarly: false };
      }
    }
    throw new KeelError('BAD_RESPONSE', 'The completion stream ended without a result.');
  } catch (error) {
    throw limit.stopped() ?? toKeelError(error);
  } finally {
    limit.dispose();
  }
}

interface CompletionJson {
  choices?: Array<{ text?: string; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } } | null;
  error?: { message?: string };
}

function usageOf(u: CompletionJson['usage']): Usage | undefined {
  if (!u) return undefined;
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  return { input: Math.max(0, (u.prompt_tokens ?? 0) - cached), cacheWrite: 0, cacheRead: cached, output: u.completion_tokens ?? 0 };
}
