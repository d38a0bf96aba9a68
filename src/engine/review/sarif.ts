/** SARIF 2.1.0 for `keel review --format sarif`: the same log shape as `keel scan` (sql/sarif.ts). */
import type { ReviewResult, ReviewSeverity } from '../../protocol';
import { location, sarifLog, type SarifRule } from '../sql/sarif';
import { REVIEW_CODES } from './run';

const LEVEL: Record<ReviewSeverity, 'error' | 'warning' | 'note'> = { high: 'error', medium: 'warning', low: 'note' };

export const REVIEW_RULES: readonly SarifRule[] = [
  {
    id: REVIEW_CODES.untestedHigh,
    name: 'UntestedHighRadiusChange',
    summary: 'A change to authentication, payments, personal data, cryptography/secrets or a schema migration without tests that exercise it.',
    level: 'error',
    properties: { tags: ['review', 'blast-radius'] },
  },
  {
    id: REVIEW_CODES.untestedMedium,
    name: 'UntestedMediumRadiusChange',
    summary: 'A change to concurrency or transaction handling without tests that exercise it.',
    level: 'warning',
    properties: { tags: ['review', 'blast-radius'] },
  },
  {
    id: REVIEW_CODES.model,
    name: 'ModelReviewIssue',
    summary: 'An issue the reasoning model found in an untested high-radius change.',
    level: 'warning',
    properties: { tags: ['review', 'ai'] },
  },
];

export function reviewToSarif(result: ReviewResult, toolVersion: string): Record<string, unknown> {
  const ruleIndex = new Map(REVIEW_RULES.map((r, i) => [r.id, i]));
  return sarifLog(
    toolVersion,
    REVIEW_RULES,
    result.findings.map((f) => {
      const hunk = result.hunks.find((h) => h.path === f.path && f.line >= h.startLine && f.line <= h.endLine);
      return {
        ruleId: f.code,
        ...(ruleIndex.has(f.code) ? { ruleIndex: ruleIndex.get(f.code) } : {}),
        level: LEVEL[f.severity],
        message: { text: f.suggestedTest ? `${f.message} Suggested test: ${f.suggestedTest}` : f.message },
        locations: [location(f.path, f.line, 1, hunk && f.code !== REVIEW_CODES.model ? hunk.endLine : undefined)],
        partialFingerprints: { primaryLocationLineHash: `${f.code}:${f.path}:${f.line}` },
        ...(hunk ? { properties: { areas: hunk.areas, aiGenerated: hunk.aiGenerated, testsTouched: hunk.testsTouched } } : {}),
      };
    }),
  );
}
