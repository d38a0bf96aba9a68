/**
 * The reasoning-tier review of untested high-radius hunks: one structured call for the change (the
 * hunks with their surrounding code, as untrusted data), answering issues with line, severity,
 * rationale and a suggested test. Routed to the reasoning tier and recorded in the cost ledger like
 * every other model call; issues come back as findings on the lines the model names, clamped to the hunk.
 */
import { z } from 'zod';
import type { ReviewFinding, ReviewHunk, ReviewModelCall } from '../../protocol';
import type { CostLedger } from '../llm/ledger';
import { costUsd, type PriceTable } from '../llm/pricing';
import type { TierModels } from '../llm/router';
import { defineSchema } from '../llm/structured';
import type { LlmProvider } from '../llm/types';
import { fenceFor, untrustedBlock } from '../llm/untrusted';
import { REVIEW_CODES } from './run';

export const REVIEW_SCHEMA = defineSchema(
  'change_review',
  'Issues found in high-blast-radius code changes that have no tests.',
  z.object({
    issues: z.array(
      z.object({
        hunk: z.number().int().describe('The number of the hunk the issue is in, as given.'),
        line: z.number().int().describe('The line number in the file, as shown beside the code.'),
        severity: z.enum(['high', 'medium', 'low']),
        rationale: z.string().describe('What can go wrong and why, in one to three sentences.'),
        suggestedTest: z.string().describe('A concrete test that would catch it.'),
      }),
    ),
  }),
);

const SYSTEM = [
  'You are Keel, a senior backend engineer reviewing a change before it ships.',
  'Each hunk touches authentication, payments, personal data, cryptography, a schema migration or transactions, and no test in the change exercises it.',
  'Look for what is almost right: authorisation bypasses, off-by-one errors, missing transactions, money rounding, leaked personal data, destructive migrations.',
  'Report only real issues (none is a valid answer). Answer with JSON matching the schema.',
].join(' ');

const CONTEXT = 8;

export interface ModelReviewDeps {
  provider: LlmProvider;
  tiers: TierModels;
  ledger?: CostLedger;
  prices?: PriceTable;
}

export async function modelReview(
  hunks: readonly ReviewHunk[],
  texts: ReadonlyMap<string, string>,
  deps: ModelReviewDeps,
  signal?: AbortSignal,
): Promise<{ findings: ReviewFinding[]; call: ReviewModelCall }> {
  const parts = hunks.map((h, i) => {
    const lines = (texts.get(h.path) ?? '').split('\n');
    const from = Math.max(1, h.startLine - CONTEXT);
    const to = Math.min(lines.length, h.endLine + CONTEXT);
    const snippet = lines.slice(from - 1, to).map((l, j) => `${String(from + j).padStart(5)}| ${l}`).join('\n');
    const body = untrustedBlock(`${fenceFor(snippet)}\n${snippet}\n${fenceFor(snippet)}`, `${h.path} lines ${from}–${to}`).text;
    return `Hunk ${i + 1}: ${h.path}, changed lines ${h.startLine}–${h.endLine}, areas: ${h.areas.join(', ')}${h.aiGenerated ? ' (AI-written)' : ''}\n${body}`;
  });
  const model = deps.tiers.reasoning.model;
  const started = performance.now();
  const result = await deps.provider.structured(
    { model, system: SYSTEM, messages: [{ role: 'user', content: parts.join('\n\n') }], maxTokens: 3000, purpose: 'structured', files: hunks.map((h) => h.path) },
    REVIEW_SCHEMA,
    signal,
  );
  const used = result.model || model;
  const cost = costUsd(used, result.usage, { overrides: deps.prices });
  deps.ledger?.record({ feature: 'review', taskKind: 'code-review', provider: deps.provider.id, model: used, tier: 'reasoning', usage: result.usage, latencyMs: performance.now() - started, costUsd: cost });
  const findings: ReviewFinding[] = [];
  for (const issue of result.value.issues) {
    const h = hunks[issue.hunk - 1];
    if (!h) continue;
    const line = Math.min(Math.max(issue.line, h.startLine), h.endLine);
    findings.push({ path: h.path, line, severity: issue.severity, code: REVIEW_CODES.model, message: issue.rationale, rationale: issue.rationale, suggestedTest: issue.suggestedTest });
  }
  return { findings, call: { provider: deps.provider.id, model: used, tier: 'reasoning', usage: result.usage, costUsd: cost, hunks: hunks.length } };
}
