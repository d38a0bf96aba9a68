/**
 * Conversation compression. When the history no longer fits its token budget, the older turns are
 * replaced by a summary (written by a fast-tier model) and the most recent turns stay verbatim — the
 * model keeps the thread of the conversation, the prompt stops growing without bound.
 */
import { countMessageTokens } from './tokens';
import type { ChatMessage, LlmProvider } from './types';

export type Summarizer = (transcript: string, signal?: AbortSignal) => Promise<string>;

export interface CompressOptions {
  budgetTokens: number;
  /** Messages kept verbatim at the end (rounded so the kept part starts with a user turn). Default 4. */
  keepLast?: number;
  summarize: Summarizer;
  signal?: AbortSignal;
}

export interface CompressResult {
  messages: ChatMessage[];
  compressed: boolean;
  /** How many original messages the summary replaced. */
  summarized: number;
  tokensBefore: number;
  tokensAfter: number;
}

export const SUMMARY_PREFIX = 'Summary of the earlier conversation:';

export async function compressHistory(messages: readonly ChatMessage[], options: CompressOptions): Promise<CompressResult> {
  const tokensBefore = countMessageTokens(messages);
  const unchanged = { messages: [...messages], compressed: false, summarized: 0, tokensBefore, tokensAfter: tokensBefore };
  if (tokensBefore <= options.budgetTokens) return unchanged;

  let split = Math.max(0, messages.length - (options.keepLast ?? 4));
  // Keep the verbatim tail starting on a user turn so roles still alternate after the summary pair.
  while (split > 0 && messages[split]?.role !== 'user') split--;
  if (split === 0) return unchanged; // nothing old enough to summarise

  const older = messages.slice(0, split);
  const transcript = older.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`).join('\n\n');
  const summary = (await options.summarize(transcript, options.signal)).trim();
  const compressed: ChatMessage[] = [
    { role: 'user', content: `${SUMMARY_PREFIX}\n${summary}` },
    { role: 'assistant', content: 'Understood — I will use that summary as context.' },
    ...messages.slice(split),
  ];
  return { messages: compressed, compressed: true, summarized: older.length, tokensBefore, tokensAfter: countMessageTokens(compressed) };
}

const SUMMARY_INSTRUCTIONS =
  'You compress conversations between a developer and a coding assistant. Summarise the transcript in at most 200 words: ' +
  'keep decisions, facts about the code (file names, functions, errors), open questions and the user\'s goals; drop pleasantries.';

/** A Summarizer that runs on the given provider's fast-tier model. */
export function fastTierSummarizer(provider: LlmProvider, fastModel: string): Summarizer {
  return async (transcript, signal) => {
    const result = await provider.complete(
      { model: fastModel, system: SUMMARY_INSTRUCTIONS, messages: [{ role: 'user', content: transcript }], maxTokens: 400, purpose: 'summarize' },
      signal,
    );
    return result.text;
  };
}
