/**
 * What both SDK adapters share: chat/complete/structured built on one stream runner, egress-call
 * bookkeeping for the audit log, and the repair loop for structured outputs. An adapter only says how
 * to open its SDK stream and how to decode its events.
 */
import type { ProviderId } from '../../../protocol';
import { KeelError, toKeelError } from '../../../common/errors';
import type { EgressGate } from '../../egress/gate';
import { retryPolicy, type RetryHooks, type RetryPolicy } from '../../egress/retry';
import { repairRequest, schemaViolation, validate, type StructuredSchema } from '../structured';
import { addUsage } from '../usage';
import type { ChatDelta, ChatRequest, CompleteResult, LlmProvider, StructuredResult } from '../types';
import { runStream, type OpenedStream, type RunnerDelta, type StreamDecoder } from './streamRunner';

export interface ProviderRuntime {
  gate: EgressGate;
  retry?: Partial<RetryPolicy>;
  /** Until response headers (connect + first byte). Default: the gate's keel.llm.timeoutS. */
  requestTimeoutMs?: number;
  /** Longest silence between stream events once streaming. Default: the gate's keel.llm.timeoutS. */
  idleTimeoutMs?: number;
  /** Tests: deterministic jitter / instant sleeps / retry observation. */
  retryHooks?: RetryHooks;
  /**
   * Runs before anything leaves the machine; throw to refuse the call (the cost ledger throws
   * BUDGET_EXCEEDED here when the budget action is "block").
   */
  guard?: (request: ChatRequest) => void | Promise<void>;
}

export abstract class SdkProvider<E> implements LlmProvider {
  abstract readonly id: ProviderId;
  readonly nativeTools = true;
  protected readonly retry: RetryPolicy;

  constructor(protected readonly runtime: ProviderRuntime) {
    this.retry = retryPolicy(runtime.retry);
  }

  /** Read per request, so a changed keel.llm.timeoutS applies without rebuilding the provider. */
  protected get idleTimeoutMs(): number {
    return this.runtime.idleTimeoutMs ?? this.runtime.gate.timeoutMs;
  }

  /** Start the SDK's streaming request. `headers` must be sent with it (egress call tag). */
  protected abstract open(
    request: ChatRequest,
    schema: StructuredSchema<unknown> | undefined,
    signal: AbortSignal,
    headers: Record<string, string>,
  ): Promise<OpenedStream<E>>;

  protected abstract decoder(request: ChatRequest): StreamDecoder<E>;

  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatDelta> {
    return this.run(request, undefined, signal);
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<CompleteResult> {
    let text = '';
    for await (const delta of this.run(request, undefined, signal)) {
      if (delta.type === 'text') text += delta.text;
      else return { ...delta.final, text };
    }
    throw new KeelError('BAD_RESPONSE', 'The stream ended without a result.', { provider: this.id });
  }

  async structured<T>(request: ChatRequest, schema: StructuredSchema<T>, signal?: AbortSignal): Promise<StructuredResult<T>> {
    const base: ChatRequest = { ...request, purpose: request.purpose ?? 'structured' };
    const first = await this.structuredOnce(base, schema, signal);
    const firstCheck = validate(schema, first.raw);
    if (firstCheck.ok) return { ...first.final, value: firstCheck.value, attempts: 1 };

    const repair = repairRequest(base, schema as StructuredSchema<unknown>, first.rawText, firstCheck.problem);
    const second = await this.structuredOnce(repair, schema, signal);
    const usage = addUsage(first.final.usage, second.final.usage);
    const secondCheck = validate(schema, second.raw);
    if (secondCheck.ok) return { ...second.final, usage, value: secondCheck.value, attempts: 2 };
    throw schemaViolation(schema as StructuredSchema<unknown>, secondCheck.problem, this.id, usage);
  }

  /** Adapter hook: how the raw structured answer is read from the finished stream. */
  protected abstract structuredRaw(text: string, toolInput: string | undefined): unknown;

  private async structuredOnce<T>(request: ChatRequest, schema: StructuredSchema<T>, signal?: AbortSignal) {
    let text = '';
    for await (const delta of this.run(request, schema as StructuredSchema<unknown>, signal)) {
      if (delta.type === 'text') text += delta.text;
      else {
        const raw = this.structuredRaw(text, delta.toolInput);
        return { final: delta.final, raw, rawText: delta.toolInput ?? text };
      }
    }
    throw new KeelError('BAD_RESPONSE', 'The stream ended without a result.', { provider: this.id });
  }

  private async *run(request: ChatRequest, schema: StructuredSchema<unknown> | undefined, signal?: AbortSignal): AsyncGenerator<RunnerDelta> {
    validateRequest(request, this.id);
    await this.runtime.guard?.(request);
    const call = this.runtime.gate.beginCall({
      provider: this.id,
      model: request.model,
      purpose: request.purpose ?? 'chat',
      files: request.files,
    });
    let finished = false;
    try {
      for await (const delta of runStream<E>({
        provider: this.id,
        retry: this.retry,
        idleTimeoutMs: this.idleTimeoutMs,
        hooks: this.runtime.retryHooks,
        signal,
        open: (attemptSignal) => this.open(request, schema, attemptSignal, call.headers),
        gateError: () => call.takeError(),
        decoder: () => this.decoder(request),
      })) {
        if (delta.type === 'done') {
          finished = true;
          call.finish({ usage: delta.final.usage });
        }
        yield delta;
      }
    } catch (error) {
      finished = true;
      call.finish({ error: toKeelError(error) });
      throw error;
    } finally {
      // The consumer stopped reading before the end (e.g. the user closed the panel).
      if (!finished) call.finish({ error: new KeelError('CANCELLED', 'The consumer stopped reading.') });
    }
  }
}

/** Bad input is refused here with INVALID_PARAMS, not sent to be rejected (and billed) by the provider. */
function validateRequest(request: ChatRequest, provider: ProviderId): void {
  const fail = (why: string): never => {
    throw new KeelError('INVALID_PARAMS', `Invalid chat request: ${why}.`, { provider });
  };
  if (!request || typeof request.model !== 'string' || !request.model.trim()) fail('`model` must be a non-empty string');
  if (!Array.isArray(request.messages) || request.messages.length === 0) fail('`messages` must contain at least one message');
  request.messages.forEach((m, i) => {
    if (!m || (m.role !== 'user' && m.role !== 'assistant')) fail(`messages[${i}].role must be "user" or "assistant"`);
    if (typeof m.content !== 'string') fail(`messages[${i}].content must be a string`);
  });
  if (request.messages[0]!.role !== 'user') fail('the conversation must start with a user message');
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) fail('`maxTokens` must be a positive integer');
}
