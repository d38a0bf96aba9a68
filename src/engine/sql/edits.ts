/**
 * Applying `TextEditWire` edits to a string — used by fix tests, the eval, and hosts without a
 * native edit API. Edits must not overlap; they are applied back to front so offsets stay valid.
 */
import type { TextEditWire } from '../../protocol';
import { KeelError } from '../../common/errors';

export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl === -1) throw new KeelError('BAD_INPUT', `edit position ${line}:${column} is past the end of the text`);
    offset = nl + 1;
  }
  return offset + column - 1;
}

export function applyEdits(text: string, edits: readonly TextEditWire[]): string {
  const spans = edits
    .map((e) => ({ start: offsetOf(text, e.line, e.column), end: offsetOf(text, e.endLine, e.endColumn), newText: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].end > spans[i - 1].start) throw new KeelError('BAD_INPUT', 'overlapping edits');
  }
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.newText + out.slice(s.end);
  return out;
}
