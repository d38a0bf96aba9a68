/**
 * The one interface every model provider implements (OpenAI, Anthropic, OpenAI-compatible servers,
 * later the VS Code LM API). Callers never see an SDK type: requests are Keel's, deltas are Keel's,
 * failures are KeelErrors with stable codes.
 */
import type { ProviderId, Usage } from '../../protocol';
import type { StructuredSchema } from './structured';

export type ChatRole = 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** A tool the model may call (native tool calling: OpenAI `tools`, Anthropic `tool_use`). */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
}

/** One tool call as the model streamed it. `arguments` is the raw JSON text: it may be malformed. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One step of a tool loop: what the model said and called, and what the tools answered. */
export interface ToolTurn {
  text: string;
  calls: ToolCall[];
  results: Array<{ id: string; content: string; isError: boolean }>;
}

/** Why the request leaves the machine — recorded in the egress audit log. */
export type EgressPurpose = 'chat' | 'completion' | 'summarize' | 'structured' | 'rerank' | 'classify' | 'embed' | 'sql-review';

/**
 * A chat request in Keel's terms. The three parts are ordered from most to least stable because both
 * providers cache prompt prefixes: `system` (instructions, identical across turns), then `context`
 * (retrieved code, often identical across follow-ups), then the conversation.
 */
export interface ChatRequest {
  model: string;
  system?: string;
  /** Retrieved context (code excerpts) sent after the instructions and before the conversation. */
  context?: string;
  /** The conversation, oldest first; the last message is normally the new user turn. */
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Audit: why this call is made (default 'chat'). */
  purpose?: EgressPurpose;
  /** Audit: workspace files whose content is inside `context` / `messages`. */
  files?: string[];
  /** Tools the model may call; only adapters with `nativeTools` send them. */
  tools?: ToolSpec[];
  /** 'none': answer now, without calling tools (the tool loop's last step). */
  toolChoice?: 'auto' | 'none';
  /** Earlier steps of a tool loop, sent after `messages`. */
  toolTurns?: ToolTurn[];
}

/** What a finished call reports. `usage` follows Keel's convention, see usage.ts. */
export interface ChatFinal {
  id: string;
  model: string;
  provider: ProviderId;
  usage: Usage;
  /** Provider's stop reason, normalised loosely ('stop', 'length', 'tool_use', …). */
  stopReason: string;
  /** Tool calls the model made (requests with `tools` only), in order. */
  toolCalls?: ToolCall[];
}

export type ChatDelta = { type: 'text'; text: string } | { type: 'done'; final: ChatFinal };

export interface CompleteResult extends ChatFinal {
  text: string;
}

export interface StructuredResult<T> extends ChatFinal {
  value: T;
  /** 1 if the first answer was valid, 2 if the repair retry was needed. */
  attempts: number;
}

export interface LlmProvider {
  readonly id: ProviderId;
  /** True when `chat` honours `tools` / `toolTurns` with the provider's native tool calling. */
  readonly nativeTools?: boolean;
  /**
   * Stream a chat answer. Yields text deltas and ends with exactly one `done` delta. Aborting `signal`
   * closes the socket and rejects the iteration with CANCELLED.
   */
  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatDelta>;
  /** One-shot: the whole answer at once (streams underneath, so the same timeouts apply). */
  complete(request: ChatRequest, signal?: AbortSignal): Promise<CompleteResult>;
  /** JSON-schema constrained output, validated; one repair retry, then SCHEMA_VIOLATION. */
  structured<T>(request: ChatRequest, schema: StructuredSchema<T>, signal?: AbortSignal): Promise<StructuredResult<T>>;
}
