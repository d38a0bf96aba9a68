/**
 * The request behind "Explain & fix with AI": the finding, the code around it and a JSON schema
 * for structured output ({ explanation, risk, patchedCode, testSuggestion }), for the reasoning tier.
 * This module only builds the request; sending it through the LLM layer (router, egress gate, cost
 * ledger) and showing the diff preview of `patchedCode` over `range` is the caller's job.
 */
import type { Finding, SqlAiFixRequest } from '../../protocol';
import { z } from 'zod';
import { KeelError } from '../../common/errors';
import { defineSchema } from '../llm/structured';
import { fenceFor, untrustedBlock } from '../llm/untrusted';

/** Lines of context either side of the finding. */
const CONTEXT_LINES = 20;

/** Defined once with zod; the JSON Schema each provider constrains generation with is derived from it. */
export const AI_FIX_SCHEMA = defineSchema(
  'sql_fix',
  'An explanation of the finding and a patch for exactly the given lines.',
  z.object({
    explanation: z.string().describe('Why this code is dangerous or slow, in two to four sentences, for the engineer who wrote it.'),
    risk: z.enum(['low', 'medium', 'high', 'critical']).describe('Impact if shipped as is.'),
    patchedCode: z.string().describe('The replacement for exactly the lines given as the snippet (same range), complete and compilable.'),
    testSuggestion: z.string().describe('A concrete test that fails before and passes after the fix.'),
  }),
);

export type AiFix = z.infer<typeof AI_FIX_SCHEMA.zod>;

const SYSTEM = [
  'You are Keel, a senior backend engineer reviewing data-access code.',
  'You fix SQL injection with bound parameters of the library in use (never with escaping by hand),',
  'N+1 queries with eager loading or one batched query, and unbounded writes with an explicit filter.',
  'Keep behaviour otherwise identical, keep the code style, and change only the lines you are given.',
  'Answer with JSON matching the schema; no prose outside it.',
].join(' ');

export function buildAiFixRequest(finding: Finding, text: string): SqlAiFixRequest {
  if (!finding || typeof finding.line !== 'number' || typeof text !== 'string') {
    throw new KeelError('INVALID_PARAMS', 'sql/aiFixRequest needs { finding: Finding, text: string }');
  }
  const lines = text.split('\n');
  if (finding.line < 1 || finding.line > lines.length) throw new KeelError('BAD_INPUT', `finding line ${finding.line} is outside the text (${lines.length} lines)`);
  const startLine = Math.max(1, finding.line - CONTEXT_LINES);
  const endLine = Math.min(lines.length, Math.max(finding.endLine, finding.line) + CONTEXT_LINES);
  const snippet = lines
    .slice(startLine - 1, endLine)
    .map((l, i) => `${String(startLine + i).padStart(5)}| ${l}`)
    .join('\n');
  const related = (finding.related ?? []).map((r) => `- ${r.path}:${r.line}:${r.column} ${r.message}`).join('\n');
  const prompt = [
    `File: ${finding.path}`,
    `Finding ${finding.code} (${finding.category}, ${finding.severity}) at line ${finding.line}, column ${finding.column}:`,
    finding.message,
    related ? `Related locations:\n${related}` : '',
    `Code (lines ${startLine}–${endLine}; line numbers are not part of the code):`,
    // Workspace code is data: inside an untrusted block, in a fence no line of it can close.
    untrustedBlock(`${fenceFor(snippet)}\n${snippet}\n${fenceFor(snippet)}`, `lines ${startLine}–${endLine} of ${finding.path}`).text,
    `Return patchedCode as the full replacement for lines ${startLine}–${endLine}, without line numbers.`,
  ]
    .filter(Boolean)
    .join('\n');
  return { tier: 'reasoning', taskKind: 'sql-review', system: SYSTEM, prompt, schema: AI_FIX_SCHEMA.jsonSchema, range: { startLine, endLine } };
}
