/**
 * Where Anthropic cache breakpoints go. Anthropic caches the prompt prefix up to each `cache_control`
 * block (order: tools → system → messages; at most 4 breakpoints). We place three, from most to least
 * stable, so a change in one part only invalidates what comes after it:
 *   1. the instructions (system prompt + tool definitions before it) — identical for every request;
 *   2. the retrieved-context block — identical across follow-ups about the same code;
 *   3. the newest message — so the NEXT turn reads the whole conversation so far from cache.
 * OpenAI caches prefixes automatically (≥ 1024 tokens); there the same ordering — stable content
 * first, one system message that never changes between turns — is all that is needed.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ChatRequest } from './types';

type TextBlockParam = Anthropic.Messages.TextBlockParam;
type MessageParam = Anthropic.Messages.MessageParam;

const EPHEMERAL = { type: 'ephemeral' as const };

export function anthropicSystem(request: ChatRequest): TextBlockParam[] | undefined {
  const blocks: TextBlockParam[] = [];
  if (request.system) blocks.push({ type: 'text', text: request.system, cache_control: EPHEMERAL });
  if (request.context) blocks.push({ type: 'text', text: request.context, cache_control: EPHEMERAL });
  return blocks.length ? blocks : undefined;
}

export function anthropicMessages(request: ChatRequest): MessageParam[] {
  const last = request.messages.length - 1;
  return request.messages.map((m, i) =>
    i === last
      ? { role: m.role, content: [{ type: 'text', text: m.content, cache_control: EPHEMERAL }] }
      : { role: m.role, content: m.content },
  );
}

/** OpenAI: one system message, instructions then context, so the longest stable prefix comes first. */
export function openaiSystemText(request: ChatRequest): string | undefined {
  const parts = [request.system, request.context].filter((p): p is string => Boolean(p));
  return parts.length ? parts.join('\n\n') : undefined;
}
