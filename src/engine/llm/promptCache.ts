/**
 * Where Anthropic cache breakpoints go. Anthropic caches the prompt prefix up to each `cache_control`
 * block (order: tools → system → messages; at most 4 breakpoints). We place three, from most to least
 * stable, so a change in one part only invalidates what comes after it:
 *   1. the instructions (system prompt + tool definitions before it) — identical for every request;
 *   2. the retrieved-context block — identical across follow-ups about the same code;
 *   3. the newest message — so the NEXT turn reads the whole conversation so far from cache.
 * OpenAI caches prefixes automatically (≥ 1024 tokens); there the same ordering — stable content
 * first, one system message that never changes between turns — is all that is needed.
 *
 * The retrieved context is workspace text, so it never goes in the system role: it leads the
 * conversation as user-role content, wrapped as untrusted data (untrusted.ts).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import type { ChatRequest } from './types';
import { untrustedBlock } from './untrusted';

type TextBlockParam = Anthropic.Messages.TextBlockParam;
type MessageParam = Anthropic.Messages.MessageParam;

const EPHEMERAL = { type: 'ephemeral' as const };

/** What the workspace context is called inside its untrusted block. */
const CONTEXT_SOURCE = "code excerpts and other text from the user's workspace";

/** The context as the user-role block every provider sends (fresh nonce per request). */
export function contextBlock(request: ChatRequest): string | undefined {
  return request.context ? untrustedBlock(request.context, CONTEXT_SOURCE).text : undefined;
}

export function anthropicSystem(request: ChatRequest): TextBlockParam[] | undefined {
  return request.system ? [{ type: 'text', text: request.system, cache_control: EPHEMERAL }] : undefined;
}

/**
 * The conversation, the context leading the first user turn as its own content block (Anthropic
 * wants alternating roles, so it joins that turn rather than adding one).
 */
export function anthropicMessages(request: ChatRequest, context = contextBlock(request)): MessageParam[] {
  const last = request.messages.length - 1;
  return request.messages.map((m, i) => {
    const blocks: TextBlockParam[] = [];
    if (i === 0 && context) blocks.push({ type: 'text', text: context, cache_control: EPHEMERAL });
    if (i === last) blocks.push({ type: 'text', text: m.content, cache_control: EPHEMERAL });
    else if (blocks.length) blocks.push({ type: 'text', text: m.content });
    return { role: m.role, content: blocks.length ? blocks : m.content };
  });
}

/** OpenAI: one system message (instructions only), then the context as a user message, then the conversation. */
export function openaiMessages(request: ChatRequest, context = contextBlock(request)): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
  return [
    ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
    ...(context ? [{ role: 'user' as const, content: context }] : []),
    ...request.messages.map((m) => ({ role: m.role, content: m.content })),
  ];
}
