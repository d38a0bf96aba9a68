/**
 * Citations of an answer: the `path:line` references the model wrote that point into passages it was
 * given (a reference to code it was not shown is not a citation, it is a guess). If the model cited
 * nothing, the passages themselves are the citations — the answer was grounded in them.
 */
import type { Citation } from '../../protocol';

const REFERENCE = /(?<![\w/.-])((?:[\w@.-]+\/)*[\w@.-]+\.[A-Za-z0-9]{1,8}):(\d{1,6})(?:-(\d{1,6}))?/g;

export interface CitablePassage {
  path: string;
  startLine: number;
  endLine: number;
}

export function extractCitations(answer: string, passages: readonly CitablePassage[]): Citation[] {
  const out: Citation[] = [];
  const seen = new Set<string>();
  for (const match of answer.matchAll(REFERENCE)) {
    const [, file, start, end] = match;
    const startLine = Number(start);
    const endLine = end ? Math.max(startLine, Number(end)) : startLine;
    const grounded = passages.some((p) => samePath(p.path, file) && startLine <= p.endLine && endLine >= p.startLine);
    if (!grounded) continue;
    const path = passages.find((p) => samePath(p.path, file))!.path;
    const key = `${path}:${startLine}-${endLine}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, startLine, endLine });
  }
  if (out.length) return out;
  return passages.map((p) => ({ path: p.path, startLine: p.startLine, endLine: p.endLine }));
}

/** Models sometimes drop a leading folder (`orders.ts:12` for `src/routes/orders.ts`). */
function samePath(full: string, cited: string): boolean {
  return full === cited || full.endsWith(`/${cited}`);
}
