/**
 * `review/run`: a git change as hunks with their blast-radius areas (and evidence), whether AI wrote
 * them (the provenance ledger) and whether the change touches tests that exercise the changed
 * symbols. A hunk in a high-radius area without such tests is a finding.
 */
import type { ProvenanceEntry, ReviewFinding, ReviewHunk, ReviewResult, ReviewSeverity } from '../../protocol';
import { lineHash } from '../provenance/ledger';
import { indexByLineHash } from '../provenance/map';
import { areasOf, classifyRegion, HIGH_AREAS, isCommentOnly } from './classify';
import { diffChange, resolveChange, type FileDiff } from './diff';
import { gitShow, gitTopLevel } from './git';
import { isTestPath, symbolsOf, testExercises } from './tests';

export const REVIEW_CODES = {
  untestedHigh: 'KEEL-REVIEW-UNTESTED-HIGH-RADIUS',
  untestedMedium: 'KEEL-REVIEW-UNTESTED-MEDIUM-RADIUS',
  model: 'KEEL-REVIEW-MODEL',
} as const;

export interface ReviewInput {
  cwd: string;
  range?: string;
  entries: readonly ProvenanceEntry[];
  signal?: AbortSignal;
}

export interface ReviewWork extends ReviewResult {
  top: string;
  /** The new text of every changed file (for the model review). */
  texts: Map<string, string>;
}

export async function runReview(input: ReviewInput): Promise<ReviewWork> {
  const top = await gitTopLevel(input.cwd, input.signal);
  const change = await resolveChange(top, input.range, input.signal);
  const files = (await diffChange(top, change, input.signal)).filter((f) => !f.binary);
  const index = indexByLineHash(input.entries);
  const rev = (side: string): string => (side === ':' ? '' : side);
  const texts = new Map<string, string>();
  const load = async (f: FileDiff): Promise<{ newText?: string; oldText?: string }> => ({
    newText: f.newPath ? await gitShow(top, rev(change.head), f.newPath, input.signal) : undefined,
    oldText: f.oldPath ? await gitShow(top, change.base, f.oldPath, input.signal) : undefined,
  });
  const loaded = await Promise.all(files.map(async (f) => ({ f, ...(await load(f)) })));
  for (const { f, newText } of loaded) if (f.newPath && newText !== undefined) texts.set(f.newPath, newText);
  const testFiles = loaded.filter(({ f }) => f.newPath && isTestPath(f.newPath) && f.hunks.length > 0);

  const hunks: ReviewHunk[] = [];
  const behavioural: boolean[] = [];
  for (const { f, newText, oldText } of loaded) {
    const filePath = (f.newPath ?? f.oldPath) as string;
    const fileText = newText ?? oldText;
    const isTest = isTestPath(filePath);
    for (const h of f.hunks) {
      const startLine = h.newCount > 0 ? h.newStart : Math.max(1, h.newStart);
      const endLine = h.newCount > 0 ? h.newStart + h.newCount - 1 : startLine;
      const changed = [...h.added, ...h.removed.map((r) => ({ line: startLine, text: r.text }))];
      const evidence = classifyRegion(filePath, fileText, changed);
      const symbols = h.newCount > 0 ? symbolsOf(newText, startLine, h.added) : symbolsOf(oldText, h.oldStart, h.removed);
      const provenance: string[] = [];
      for (const a of h.added) {
        const hash = lineHash(a.text);
        for (const e of (hash && index.get(hash)) || []) if (!provenance.includes(e.id)) provenance.push(e.id);
      }
      const tests = isTest ? [] : testFiles.filter((t) => t.newText !== undefined && testExercises(t.newText, symbols, filePath)).map((t) => t.f.newPath as string);
      hunks.push({
        path: filePath, startLine, endLine, areas: areasOf(evidence), aiGenerated: provenance.length > 0, testsTouched: isTest || tests.length > 0,
        evidence, symbols, tests, provenance,
      });
      behavioural.push(changed.some((l) => !isCommentOnly(l.text)));
    }
  }

  const findings: ReviewFinding[] = [];
  // A hunk that only edits comments or blank lines changes no behaviour: it is listed, never a finding.
  for (const [i, h] of hunks.entries()) {
    if (!behavioural[i]) continue;
    if (h.testsTouched || h.areas.length === 0) continue;
    const high = h.areas.some((a) => HIGH_AREAS.has(a));
    const severity: ReviewSeverity = high ? 'high' : 'medium';
    const what = h.symbols.length ? ` (${h.symbols.slice(0, 3).join(', ')})` : '';
    findings.push({
      path: h.path,
      line: h.startLine,
      severity,
      code: high ? REVIEW_CODES.untestedHigh : REVIEW_CODES.untestedMedium,
      message: `${h.aiGenerated ? 'AI-written change' : 'Change'} in ${h.areas.join(', ')}${what} without tests that exercise it in the same change.`,
    });
  }
  return { range: change.label, hunks, findings, top, texts };
}
