/**
 * Token counting with a real BPE tokenizer (gpt-tokenizer, o200k_base — the GPT-4o/4.1 encoding).
 * Claude's tokenizer is not public; o200k counts are a close stand-in for budgeting, and exact
 * billing always uses the provider's reported usage, never these counts.
 */
import { countTokens as bpeCount } from 'gpt-tokenizer';
import type { ChatMessage } from './types';

/** Per-message framing overhead in chat formats (role markers, separators). */
const MESSAGE_OVERHEAD = 4;

/**
 * Workspace text is data: a file that mentions `<|endoftext|>` (tokenizer code, docs about models)
 * is counted as the plain characters it is, not refused as a special token (the library's default).
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export function countTokens(text: string): number {
  return text.length === 0 ? 0 : bpeCount(text, PLAIN_TEXT);
}

export function countMessageTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const m of messages) total += countTokens(m.content) + MESSAGE_OVERHEAD;
  return total;
}
