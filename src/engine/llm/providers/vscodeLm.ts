/**
 * The VS Code Language Model API (`vscode.lm`, e.g. the user's Copilot models) as a Keel provider.
 * `vscode.lm` exists only on the extension host, and the engine runs in a worker that must never
 * import `vscode`, so every call is an engine → host request (`host/lm/chat`, see src/vscode/lmBridge.ts)
 * whose text arrives as streamed chunks. The host maps LanguageModelError to KeelError codes.
 *
 * What differs from the SDK providers:
 * - vscode.lm reports no token usage, so usage is COUNTED here with Keel's BPE tokenizer (tokens.ts,
 *   o200k_base) over exactly what was sent and received — an estimate, good for budgets and the
 *   status bar, not a bill.
 * - Cost is 0 / unpriced: the models are paid by the user's Copilot subscription. The answering model
 *   is reported as `vendor/id` (e.g. `copilot/gpt-4o-mini`), which no price-table key matches.
 * - There is no structured-output mode: the schema goes into the prompt, the answer is validated with
 *   the same zod schema, one repair turn, then SCHEMA_VIOLATION.
 * - The request does not pass the gate's fetch, so this class applies the gate's policy itself:
 *   refused in local-only mode (the models are remote), secrets redacted, each call audited.
 */
import type { HostLmChatParams, HostLmModel } from '../../../protocol';
import { KeelError, throwIfCancelled } from '../../../common/errors';
import type { HostBridge } from '../../rpc/hostBridge';
import { Redactor } from '../../egress/redact';
import { contextBlock } from '../promptCache';
import { repairRequest, schemaViolation, validate, type StructuredSchema } from '../structured';
import { countMessageTokens, countTokens } from '../tokens';
import type { ChatDelta, ChatMessage, ChatRequest, CompleteResult, LlmProvider, StructuredResult } from '../types';
import { addUsage } from '../usage';
import type { ProviderRuntime } from './sdkProvider';

const PROVIDER = 'vscode-lm';

export interface VscodeLmOptions extends Pick<ProviderRuntime, 'gate' | 'guard'> {
  host: HostBridge;
  /** Shown by VS Code when it asks the user to let Keel use a model. */
  justification?: string;
}

/** The CLI has no VS Code to ask: refuse when the provider is chosen, like a missing API key. */
export function createVscodeLmProvider(host: HostBridge | undefined, runtime: Pick<ProviderRuntime, 'gate' | 'guard'>): VscodeLmProvider {
  if (!host) throw notInVscode();
  return new VscodeLmProvider({ ...runtime, host });
}

export class VscodeLmProvider implements LlmProvider {
  readonly id = PROVIDER;
  // Its own key: placeholders stay stable across this provider's turns, like the gate's.
  private readonly redactor = new Redactor();

  constructor(private readonly options: VscodeLmOptions) {}

  /** The chat models VS Code offers (empty without Copilot or another model extension). */
  async models(family?: string, signal?: AbortSignal): Promise<HostLmModel[]> {
    if (!this.options.host.serves('host/lm/models')) throw notInVscode();
    return this.options.host.request('host/lm/models', family ? { family } : {}, { signal });
  }

  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatDelta> {
    return this.run(request, signal);
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<CompleteResult> {
    let text = '';
    for await (const delta of this.run(request, signal)) {
      if (delta.type === 'text') text += delta.text;
      else return { ...delta.final, text };
    }
    throw new KeelError('BAD_RESPONSE', 'The stream ended without a result.', { provider: PROVIDER });
  }

  async structured<T>(request: ChatRequest, schema: StructuredSchema<T>, signal?: AbortSignal): Promise<StructuredResult<T>> {
    const base: ChatRequest = { ...request, purpose: request.purpose ?? 'structured', system: withSchema(request.system, schema) };
    const first = await this.complete(base, signal);
    const firstCheck = validate(schema, extractJson(first.text));
    if (firstCheck.ok) return { ...first, value: firstCheck.value, attempts: 1 };

    const second = await this.complete(repairRequest(base, schema as StructuredSchema<unknown>, first.text, firstCheck.problem), signal);
    const usage = addUsage(first.usage, second.usage);
    const secondCheck = validate(schema, extractJson(second.text));
    if (secondCheck.ok) return { ...second, usage, value: secondCheck.value, attempts: 2 };
    throw schemaViolation(schema as StructuredSchema<unknown>, secondCheck.problem, PROVIDER, usage);
  }

  private async *run(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatDelta> {
    validateRequest(request);
    throwIfCancelled(signal);
    const { host, gate } = this.options;
    if (gate.localOnly) {
      throw new KeelError('EGRESS_BLOCKED', 'Local-only mode: VS Code language models run remotely (keel.provider = vscode-lm).', { provider: PROVIDER });
    }
    if (!host.serves('host/lm/chat')) throw notInVscode();
    await this.options.guard?.(request);

    const { messages, redactions } = this.hostMessages(request);
    const call = gate.beginCall({ provider: PROVIDER, model: request.model || '(host default)', purpose: request.purpose ?? 'chat', files: request.files });
    // Our own controller: a consumer that stops reading early must stop the host's request too.
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const stream = new ChunkQueue();
    let answer = '';
    let finished = false;
    try {
      const params: HostLmChatParams = { model: request.model, messages, justification: this.options.justification };
      call.sent({ host: LM_HOST, bytes: Buffer.byteLength(JSON.stringify(params)), redactions });
      const result = host.request('host/lm/chat', params, { signal: controller.signal, onChunk: (chunk) => stream.push(chunk.text) });
      result.then(() => stream.end(), (error: unknown) => stream.fail(error));
      for await (const text of stream) {
        if (typeof text !== 'string' || !text) continue;
        answer += text;
        yield { type: 'text', text };
      }
      const final = await result;
      const usage = {
        input: final.inputTokens ?? countMessageTokens(messages),
        cacheWrite: 0,
        cacheRead: 0,
        output: final.outputTokens ?? countTokens(answer),
      };
      finished = true;
      call.finish({ usage });
      yield { type: 'done', final: { id: `vscode-lm-${Date.now().toString(36)}`, model: final.model, provider: PROVIDER, usage, stopReason: 'stop' } };
    } catch (error) {
      finished = true;
      const keelError = signal?.aborted ? new KeelError('CANCELLED', 'The request was cancelled.', { provider: PROVIDER }) : withProvider(error);
      call.finish({ error: keelError });
      throw keelError;
    } finally {
      signal?.removeEventListener('abort', abort);
      if (!finished) {
        controller.abort();
        call.finish({ error: new KeelError('CANCELLED', 'The consumer stopped reading.') });
      }
    }
  }

  /** vscode.lm has no system role: instructions, then the retrieved context as untrusted data, lead as user messages. */
  private hostMessages(request: ChatRequest): { messages: ChatMessage[]; redactions: number } {
    const lead: ChatMessage[] = [];
    if (request.system) lead.push({ role: 'user', content: request.system });
    const context = contextBlock(request);
    if (context) lead.push({ role: 'user', content: context });
    let redactions = 0;
    const messages = [...lead, ...request.messages].map((m) => {
      const redacted = this.redactor.redactText(m.content);
      redactions += redacted.count;
      return { role: m.role, content: redacted.text };
    });
    return { messages, redactions };
  }
}

/** What the audit log names as the destination: the model is reached through VS Code, not a URL. */
export const LM_HOST = 'vscode.lm';

function notInVscode(): KeelError {
  return new KeelError(
    'PROVIDER_NOT_CONFIGURED',
    'keel.provider "vscode-lm" needs VS Code: the VS Code Language Model API is only reachable from the Keel extension.',
    { provider: PROVIDER },
  );
}

function withProvider(error: unknown): KeelError {
  if (error instanceof KeelError) {
    if (error.provider) return error;
    return new KeelError(error.code, error.message, { provider: PROVIDER, retryable: error.retryable, retryAfterS: error.retryAfterS, requestId: error.requestId });
  }
  return new KeelError('BAD_RESPONSE', `VS Code language model failed: ${(error as Error)?.message ?? String(error)}`, { provider: PROVIDER });
}

/** Bad input is refused here with INVALID_PARAMS, before anything reaches the host. */
function validateRequest(request: ChatRequest): void {
  const fail = (why: string): never => {
    throw new KeelError('INVALID_PARAMS', `Invalid chat request: ${why}.`, { provider: PROVIDER });
  };
  // An empty model is allowed: the host picks its first available model.
  if (!request || typeof request.model !== 'string') fail('`model` must be a string');
  if (!Array.isArray(request.messages) || request.messages.length === 0) fail('`messages` must contain at least one message');
  request.messages.forEach((m, i) => {
    if (!m || (m.role !== 'user' && m.role !== 'assistant')) fail(`messages[${i}].role must be "user" or "assistant"`);
    if (typeof m.content !== 'string') fail(`messages[${i}].content must be a string`);
  });
  if (request.messages[0]!.role !== 'user') fail('the conversation must start with a user message');
}

function withSchema(system: string | undefined, schema: StructuredSchema<unknown>): string {
  const contract =
    `Answer with ONLY one JSON value matching the JSON Schema "${schema.name}" (${schema.description}). ` +
    `No prose, no Markdown fences.\n${JSON.stringify(schema.jsonSchema)}`;
  return system ? `${system}\n\n${contract}` : contract;
}

/** Models often wrap JSON in a Markdown fence despite being told not to; accept that, nothing looser. */
export function extractJson(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  return fenced ? fenced[1]!.trim() : trimmed;
}

/** Bridges the host's chunk callbacks to an async iterator, keeping order and the first failure. */
class ChunkQueue implements AsyncIterable<string> {
  private readonly items: string[] = [];
  private done = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  push(text: string): void {
    this.items.push(text);
    this.notify();
  }

  end(): void {
    this.done = true;
    this.notify();
  }

  fail(error: unknown): void {
    this.error = error ?? new Error('failed');
    this.done = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
        continue;
      }
      if (this.error !== undefined) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
