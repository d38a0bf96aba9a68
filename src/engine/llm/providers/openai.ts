/**
 * OpenAI Chat Completions through the official SDK — also the adapter for OpenAI-compatible
 * self-hosted servers (Ollama, vLLM, LM Studio, NIM) via baseURL. Streaming with
 * stream_options.include_usage so the final chunk carries exact usage; servers that ignore that option
 * get an estimate from the tokenizer instead of a silent zero.
 */
import { createHash } from 'node:crypto';
import type OpenAI from 'openai';
import { openaiClient } from '../../egress/clients';
import { KeelError } from '../../../common/errors';
import { openaiMessages } from '../promptCache';
import type { StructuredSchema } from '../structured';
import { countMessageTokens, countTokens } from '../tokens';
import { fromOpenAIUsage, type OpenAIUsageFields } from '../usage';
import type { ChatRequest, ToolCall } from '../types';
import { SdkProvider, type ProviderRuntime } from './sdkProvider';
import { ToolCallDecoder, type StreamDecoder } from './streamRunner';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export interface OpenAIOptions extends ProviderRuntime {
  /** 'openai-compatible' for self-hosted servers: no key required, `max_tokens` instead of max_completion_tokens. */
  kind: 'openai' | 'openai-compatible';
  apiKey?: string;
  baseURL?: string;
}

export class OpenAIProvider extends SdkProvider<Chunk> {
  readonly id: 'openai' | 'openai-compatible';
  private readonly client: OpenAI;

  constructor(options: OpenAIOptions) {
    super(options);
    this.id = options.kind;
    // Self-hosted servers usually ignore the key, but the SDK requires one.
    this.client = openaiClient(options.gate, {
      purpose: 'chat',
      provider: options.kind,
      apiKey: options.apiKey ?? 'keel-no-key',
      baseURL: options.baseURL,
      timeoutMs: options.requestTimeoutMs,
    });
  }

  protected async open(request: ChatRequest, schema: StructuredSchema<unknown> | undefined, signal: AbortSignal, headers: Record<string, string>) {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [...openaiMessages(request), ...openaiToolTurns(request)];
    const params: OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming = {
      model: request.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    };
    const maxTokens = request.maxTokens;
    if (maxTokens !== undefined) {
      if (this.id === 'openai') params.max_completion_tokens = maxTokens;
      else params.max_tokens = maxTokens;
    }
    if (request.temperature !== undefined) params.temperature = request.temperature;
    // Routes requests that share the instructions to the same cache shard (OpenAI only: self-hosted
    // servers may reject unknown fields). Derived from the instructions alone — never from user content.
    if (this.id === 'openai' && request.system) {
      params.prompt_cache_key = `keel-${createHash('sha256').update(request.system).digest('hex').slice(0, 16)}`;
    }
    if (request.tools?.length && !schema) {
      params.tools = request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
      params.tool_choice = request.toolChoice ?? 'auto';
    }
    if (schema) {
      params.response_format = {
        type: 'json_schema',
        json_schema: { name: schema.name, description: schema.description, schema: schema.jsonSchema, strict: true },
      };
    }
    const { data, request_id } = await this.client.chat.completions.create(params, { signal, headers }).withResponse();
    return { stream: data, requestId: request_id ?? undefined };
  }

  protected decoder(request: ChatRequest): StreamDecoder<Chunk> {
    return new OpenAIDecoder(this.id, request);
  }

  protected structuredRaw(text: string): unknown {
    return text;
  }
}

/** A tool loop's earlier steps as OpenAI messages: the assistant's tool_calls, then one `tool` message per result. */
function openaiToolTurns(request: ChatRequest): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
  return (request.toolTurns ?? []).flatMap((turn) => [
    {
      role: 'assistant' as const,
      content: turn.text || null,
      tool_calls: turn.calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
    },
    ...turn.results.map((r) => ({ role: 'tool' as const, tool_call_id: r.id, content: r.content })),
  ]);
}

class OpenAIDecoder extends ToolCallDecoder<Chunk> {
  private finishReason = '';
  private usage: OpenAIUsageFields | undefined;
  private text = '';
  private refusal = '';

  constructor(
    private readonly provider: 'openai' | 'openai-compatible',
    private readonly request: ChatRequest,
  ) {
    super();
  }

  push(chunk: Chunk): string | undefined {
    this.id = chunk.id || this.id;
    this.model = chunk.model || this.model;
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return undefined;
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    if (choice.delta?.refusal) this.refusal += choice.delta.refusal;
    for (const call of choice.delta?.tool_calls ?? []) {
      const current = this.toolCalls.get(call.index) ?? { id: '', name: '', arguments: '' };
      if (call.id) current.id = call.id;
      if (call.function?.name) current.name += call.function.name;
      if (call.function?.arguments) current.arguments += call.function.arguments;
      this.toolCalls.set(call.index, current);
    }
    const text = choice.delta?.content ?? undefined;
    if (text) this.text += text;
    return text || undefined;
  }

  finish() {
    // finish_reason is the completion marker; [DONE] alone can't be observed through the SDK.
    if (!this.finishReason) {
      throw new KeelError('BAD_RESPONSE', 'The stream ended before a finish_reason.', { provider: this.provider });
    }
    if (this.refusal && !this.text && !this.toolCalls.size) {
      throw new KeelError('BAD_RESPONSE', `The model refused: ${this.refusal}`, { provider: this.provider, retryable: false });
    }
    return {
      id: this.id,
      model: this.model || this.request.model,
      usage: this.usage ? fromOpenAIUsage(this.usage) : this.estimate(),
      stopReason: this.finishReason,
      ...this.orderedToolCalls(),
    };
  }

  private estimate() {
    const lead = openaiMessages({ ...this.request, messages: [] }).map((m) => String(m.content));
    const prompt = countMessageTokens(this.request.messages) + lead.reduce((n, text) => n + countTokens(text) + 4, 0);
    return { input: prompt, cacheWrite: 0, cacheRead: 0, output: countTokens(this.text) };
  }
}
