/**
 * A re-ranker that asks a chat model on the fast tier to grade each candidate, through the LLM layer's
 * `structured()` (JSON-schema constrained output, validated, one repair turn). Useful when no rerank
 * API is configured but a chat provider is; the egress gate sees it like any other model call.
 */
import { z } from 'zod';
import { KeelError } from '../../../common/errors';
import { defineSchema } from '../../llm/structured';
import type { LlmProvider } from '../../llm/types';
import type { RerankCandidate, RerankContext, Reranker } from './types';

const GRADES = defineSchema(
  'rerank_grades',
  'Relevance grade (0 = unrelated … 10 = exactly what was asked) for each numbered code passage.',
  z.object({
    grades: z.array(z.object({ passage: z.number().int(), relevance: z.number().min(0).max(10) })),
  }),
);

const SYSTEM =
  'You grade code search results. For every numbered passage, judge how well it answers the query: 10 = it is ' +
  'exactly the code asked for, 5 = related, 0 = unrelated. Grade every passage; answer only with the JSON.';

export interface LlmRerankerOptions {
  provider: LlmProvider;
  /** The fast tier's model id. */
  model: string;
  /** Passage text cut to this many characters each (default 1200) — grading needs the gist, not all of it. */
  maxPassageChars?: number;
}

export class LlmReranker implements Reranker {
  readonly id: string;

  constructor(private readonly options: LlmRerankerOptions) {
    this.id = `llm:${options.model}`;
  }

  async rerank(query: string, candidates: readonly RerankCandidate[], context: RerankContext = {}): Promise<number[]> {
    if (candidates.length === 0) return [];
    const max = this.options.maxPassageChars ?? 1200;
    const passages = candidates
      .map((c, i) => `[${i + 1}] ${c.chunk.path}:${c.chunk.startLine}-${c.chunk.endLine}${c.chunk.symbol ? ` (${c.chunk.symbol})` : ''}\n${c.text.slice(0, max)}`)
      .join('\n\n');
    const result = await this.options.provider.structured(
      {
        model: this.options.model,
        system: SYSTEM,
        context: passages,
        messages: [{ role: 'user', content: `Query: ${query}\nGrade passages 1 to ${candidates.length}.` }],
        maxTokens: 30 + candidates.length * 20,
        temperature: 0,
        purpose: 'rerank',
        files: [...new Set(candidates.map((c) => c.chunk.path))],
      },
      GRADES,
      context.signal,
    );
    // Grades for passages that do not exist are ignored (a model miscounting should not fail the
    // search); an answer with no usable grade at all is a bad response.
    const grades = new Map<number, number>();
    for (const g of result.value.grades) {
      if (g.passage >= 1 && g.passage <= candidates.length) grades.set(g.passage - 1, g.relevance);
    }
    if (grades.size === 0) throw new KeelError('BAD_RESPONSE', `The model graded none of the ${candidates.length} passages.`);
    // Ungraded passages sit below graded ones; the fused order breaks ties (and orders the ungraded).
    return candidates.map((c, i) => (grades.get(i) ?? -1) + 1 / (1000 + c.fusedRank));
  }
}
