/**
 * Which context chips a chat turn shows, as pure functions (no `vscode` import, unit-tested). What the
 * user attached — above all the selection of "Ask About Selection" — comes first and cannot be crowded
 * out: with an attachment, only the few best retrieved passages follow it, and passages that merely
 * repeat the attached lines are dropped.
 */
import type { ChatAttachment, ContextPassage } from '../protocol';
import type { ContextPill } from '../protocol/webview';

/** Retrieved chips shown after an attachment; without one, every retrieved passage gets a chip. */
export const RETRIEVED_PILLS_WITH_ATTACHMENT = 3;

export function attachmentPills(attachments: readonly ChatAttachment[]): ContextPill[] {
  return attachments.flatMap((a): ContextPill[] => {
    if ((a.kind !== 'selection' && a.kind !== 'file' && a.kind !== 'symbol') || !a.path) return [];
    const startLine = a.startLine ?? 1;
    const endLine = a.kind === 'selection' ? startLine + Math.max(0, a.text.replace(/\n$/, '').split('\n').length - 1) : startLine;
    return [{ id: `${a.kind}:${a.path}:${startLine}-${endLine}`, path: a.path, startLine, endLine, symbol: a.kind === 'selection' ? 'selection' : '', attached: a.kind }];
  });
}

export function toPill(passage: Pick<ContextPassage, 'id' | 'path' | 'startLine' | 'endLine' | 'symbol'>): ContextPill {
  return { id: passage.id, path: passage.path, startLine: passage.startLine, endLine: passage.endLine, symbol: passage.symbol };
}

/** The chips for a turn: attachments first, then retrieved passages (capped when something is attached). */
export function contextPills(passages: readonly Pick<ContextPassage, 'id' | 'path' | 'startLine' | 'endLine' | 'symbol'>[], attached: readonly ContextPill[]): ContextPill[] {
  if (!attached.length) return passages.map(toPill);
  const repeats = (p: { path: string; startLine: number; endLine: number }): boolean =>
    attached.some((a) => a.path === p.path && p.startLine >= a.startLine && p.endLine <= a.endLine);
  return [...attached, ...passages.filter((p) => !repeats(p)).slice(0, RETRIEVED_PILLS_WITH_ATTACHMENT).map(toPill)];
}
