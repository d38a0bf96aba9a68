/**
 * Anthropic Messages API through the official SDK (streaming always, so first-byte and idle timeouts
 * apply uniformly). Structured outputs use a forced tool call: the tool's input_schema is the JSON
 * Schema and the tool input is the answer.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { anthropicClient } from '../../egress/clients';
import { KeelError } from '../../../common/errors';
import { anthropicMessages, anthropicSystem } from '../promptCache';
import type { StructuredSchema } from '../structured';
import { mergeAnthropicUsage, type AnthropicUsageFields } from '../usage';
import type { ChatRequest, ToolCall } from '../types';
import { SdkProvider, type ProviderRuntime } from './sdkProvider';
import { ToolCallDecoder, type StreamDecoder } from './streamRunner';

type StreamEvent = Anthropic.Messages.RawMessageStreamEvent;

export interface AnthropicOptions extends ProviderRuntime {
  apiKey: string;
  baseURL?: string;
}

export const DEFAULT_MAX_TOKENS = 4096;

export class AnthropicProvider extends SdkProvider<StreamEvent> {
  readonly id = 'anthropic' as const;
  private readonly client: Anthropic;

  constructor(options: AnthropicOptions) {
    super(options);
    // Retries are Keel's (streamRunner): the SDK's own would also retry after partial output.
    this.client = anthropicClient(options.gate, {
      purpose: 'chat',
      provider: 'anthropic',
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeoutMs: options.requestTimeoutMs,
    });
  }

  protected async open(request: ChatRequest, schema: StructuredSchema<unknown> | undefined, signal: AbortSignal, headers: Record<string, string>) {
    const params: Anthropic.Messages.MessageCreateParamsStreaming = {
      model: request.model,
      max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      stream: true,
      messages: [...anthropicMessages(request), ...anthropicToolTurns(request)],
    };
    const system = anthropicSystem(request);
    if (system) params.system = system;
    // This SDK's Messages API has no sampling-temperature parameter any more; `temperature` is OpenAI-only.
    if (request.tools?.length && !schema) {
      params.tools = request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema as Anthropic.Messages.Tool.InputSchema }));
      params.tool_choice = { type: request.toolChoice === 'none' ? 'none' : 'auto' };
    }
    if (schema) {
      params.tools = [{ name: schema.name, description: schema.description, input_schema: schema.jsonSchema as Anthropic.Messages.Tool.InputSchema }];
      params.tool_choice = { type: 'tool', name: schema.name };
    }
    const { data, request_id } = await this.client.messages.create(params, { signal, headers }).withResponse();
    return { stream: data, requestId: request_id ?? undefined };
  }

  protected decoder(): StreamDecoder<StreamEvent> {
    return new AnthropicDecoder();
  }

  protected structuredRaw(_text: string, toolInput: string | undefined): unknown {
    if (toolInput === undefined) return undefined;
    // An empty tool input streams no deltas at all; that is the object {}.
    return toolInput.trim() === '' ? {} : toolInput;
  }
}

/** A tool loop's earlier steps as Anthropic turns: assistant text + tool_use blocks, then a user turn of tool_result blocks. */
function anthropicToolTurns(request: ChatRequest): Anthropic.Messages.MessageParam[] {
  return (request.toolTurns ?? []).flatMap((turn): Anthropic.Messages.MessageParam[] => [
    {
      role: 'assistant',
      content: [
        ...(turn.text ? [{ type: 'text' as const, text: turn.text }] : []),
        ...turn.calls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: parseToolInput(c.arguments) })),
      ],
    },
    { role: 'user', content: turn.results.map((r) => ({ type: 'tool_result' as const, tool_use_id: r.id, content: r.content, is_error: r.isError })) },
  ]);
}

/** tool_use input must be an object; a malformed one (already answered with an error result) is sent as {}. */
function parseToolInput(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

class AnthropicDecoder extends ToolCallDecoder<StreamEvent> {
  private stopReason = '';
  private startUsage: AnthropicUsageFields | undefined;
  private deltaUsage: AnthropicUsageFields | undefined;
  private toolInput: string | undefined;
  private stopped = false;

  push(event: StreamEvent): string | undefined {
    switch (event.type) {
      case 'message_start':
        this.id = event.message.id;
        this.model = event.message.model;
        this.startUsage = event.message.usage;
        return undefined;
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') {
          this.toolInput = this.toolInput ?? '';
          this.toolCalls.set(event.index, { id: event.content_block.id, name: event.content_block.name, arguments: '' });
        }
        return undefined;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') return event.delta.text;
        if (event.delta.type === 'input_json_delta') {
          this.toolInput = (this.toolInput ?? '') + event.delta.partial_json;
          const call = this.toolCalls.get(event.index);
          if (call) call.arguments += event.delta.partial_json;
        }
        return undefined;
      case 'message_delta':
        this.stopReason = event.delta.stop_reason ?? this.stopReason;
        this.deltaUsage = event.usage;
        return undefined;
      case 'message_stop':
        this.stopped = true;
        return undefined;
      default:
        return undefined;
    }
  }

  finish() {
    if (!this.stopped || !this.id) {
      throw new KeelError('BAD_RESPONSE', 'The Anthropic stream ended before message_stop.', { provider: 'anthropic' });
    }
    return {
      id: this.id,
      model: this.model,
      usage: mergeAnthropicUsage(this.startUsage, this.deltaUsage),
      stopReason: this.stopReason || 'end_turn',
      toolInput: this.toolInput,
      ...this.orderedToolCalls(),
    };
  }
}
