/**
 * A model's raw completion is rarely what should be shown: it runs past the end of the block, closes
 * brackets the suffix already closes, repeats the text after the cursor, wraps itself in markdown
 * fences, or leaks template tokens. This turns it into ghost text, or into nothing when it is junk —
 * showing nothing costs the user nothing, showing garbage costs attention.
 */
import { ALL_SENTINELS } from './templates';

export interface Position {
  /** Text of the cursor line before the cursor. */
  head: string;
  /** Text of the cursor line after the cursor. */
  tail: string;
  /** The lines after the cursor line (only the first few are looked at). */
  nextLines: readonly string[];
  /** The prefix (for open-bracket context); only its end is looked at. */
  prefix: string;
}

/** Multiline only where a block is being written: on an empty line, or right after a block opener. */
export function wantsMultiline(pos: Position): boolean {
  if (pos.tail.trim() !== '' && !/^[\s)\]}>;,'"`]*$/.test(pos.tail)) return false;
  const head = pos.head.trimEnd();
  if (head.trim() === '') return true;
  return /[{([:]$|=>$|\b(?:do|then|else)$/.test(head);
}

/** Junk: empty after cleaning, template tokens, prose instead of code, or the prefix's last line repeated. */
export function isJunk(text: string, pos: Position): boolean {
  if (text.trim() === '') return true;
  if (ALL_SENTINELS.some((s) => text.includes(s))) return true;
  if (/^\s*(?:sure|here(?:'s| is)|i (?:can|cannot|can't)|the (?:code|completion)|certainly)\b/i.test(text)) return true;
  // The text just typed, again (models echo the end of the prefix; right after an accept this would
  // offer the same completion a second time).
  const head = pos.head.trimEnd();
  if (head.trim() !== '' && text.trim().length >= 3 && !text.includes('\n') && head.endsWith(text.trim())) return true;
  const lastPrefixLine = pos.head.trim() === '' ? lastNonEmpty(pos.prefix) : '';
  if (lastPrefixLine && text.trim() === lastPrefixLine.trim() && lastPrefixLine.trim().length > 3) return true;
  return false;
}

export interface CleanOptions {
  multiline: boolean;
  /** Chat-model answers come with fences and <CURSOR> echoes. */
  fromChat?: boolean;
  maxLines?: number;
}

export function postProcess(raw: string, pos: Position, options: CleanOptions): string {
  let text = raw.replace(/\r\n/g, '\n');
  for (const s of ALL_SENTINELS) {
    const at = text.indexOf(s);
    if (at >= 0) text = text.slice(0, at);
  }
  if (options.fromChat) text = unwrapChat(text, pos);
  // A completion that restates the text before the cursor on this line (common from chat models).
  const head = pos.head.trimStart();
  if (head.length > 2 && text.startsWith(head)) text = text.slice(head.length);
  if (!options.multiline) {
    // Single line: a leading newline means the model wants a new line here; nothing to show inline.
    const nl = text.indexOf('\n');
    text = nl < 0 ? text : text.slice(0, nl);
  } else {
    text = stopAtBlockEnd(text, pos, options.maxLines ?? 40);
  }
  text = balanceBrackets(text, pos.prefix);
  text = dropSuffixOverlap(text, pos);
  text = text.replace(/[ \t]+$/gm, '').replace(/\n+$/, '');
  if (isJunk(text, pos)) return '';
  return text;
}

function unwrapChat(text: string, pos: Position): string {
  let t = text;
  const fence = /```[\w+-]*\n([\s\S]*?)(?:```|$)/.exec(t);
  if (fence) t = fence[1]!;
  t = t.replace(/<\/?CURSOR>/g, '').replace(/<\/?CODE>/g, '');
  // Some chat models echo the whole line, cursor marker removed: keep what follows the head.
  const head = pos.head.trimStart();
  if (head.trim() && t.trimStart().startsWith(head)) t = t.trimStart().slice(head.length);
  else if (head.trim() && t.trimStart().startsWith(head.trimEnd())) t = t.trimStart().slice(head.trimEnd().length).trimStart();
  return t.replace(/\n$/, '');
}

function indentOf(line: string): number {
  const m = /^[ \t]*/.exec(line)![0];
  return m.replace(/\t/g, '    ').length;
}

/**
 * Cut a multi-line completion where the block the cursor is in ends: the first line indented less than
 * the block (a closing bracket of the block itself is kept when the suffix does not already close it),
 * or a blank line followed by a dedent. Python has no closing brackets: a dedent ends it.
 */
function stopAtBlockEnd(text: string, pos: Position, maxLines: number): string {
  const lines = text.split('\n');
  const headIndent = indentOf(pos.head);
  const opensBlock = /[{([:]\s*$|=>\s*$/.test(pos.head.trimEnd()) && pos.head.trim() !== '';
  // The indentation lines of this block have: the cursor line's own, or one level in when it opens one.
  const firstBody = lines.findIndex((l, i) => i > 0 && l.trim() !== '');
  const base = opensBlock ? (firstBody > 0 ? indentOf(lines[firstBody]!) : headIndent + 1) : pos.head.trim() === '' ? pos.head.length : headIndent;
  const nextCode = pos.nextLines.find((l) => l.trim() !== '');
  const suffixCloses = nextCode !== undefined && /^\s*[}\])]/.test(nextCode) && indentOf(nextCode) < base;
  const out: string[] = [lines[0]!];
  for (let i = 1; i < lines.length && out.length < maxLines; i++) {
    const line = lines[i]!;
    if (line.trim() === '') {
      out.push(line);
      continue;
    }
    const indent = indentOf(line);
    if (indent < base) {
      // The closer of the block the completion itself opened on the cursor line belongs to it.
      if (opensBlock && /^\s*[}\])]/.test(line) && indent >= headIndent && !suffixCloses) out.push(line);
      break;
    }
    out.push(line);
  }
  while (out.length > 1 && out[out.length - 1]!.trim() === '') out.pop();
  return out.join('\n');
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** The brackets of `text` outside string literals (strings are skipped roughly), with their offsets. */
function* bracketsOutsideStrings(text: string): Generator<[ch: string, at: number]> {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote || (ch === '\n' && quote !== '`')) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (OPEN[ch] || CLOSE[ch]) yield [ch, i];
  }
}

/** Brackets still open at the end of `prefix` (its last few thousand characters), innermost last. Strings are skipped roughly. */
export function openBrackets(prefix: string): string[] {
  const stack: string[] = [];
  const text = prefix.length > 4000 ? prefix.slice(-4000) : prefix;
  for (const [ch] of bracketsOutsideStrings(text)) {
    if (OPEN[ch]) stack.push(ch);
    else if (stack[stack.length - 1] === CLOSE[ch]) stack.pop();
  }
  return stack;
}

/**
 * Cut the completion at the first closing bracket that matches nothing — neither a bracket it opened
 * nor one still open in the prefix. Past that point the model is closing scopes that do not exist.
 */
export function balanceBrackets(text: string, prefix: string): string {
  const outer = openBrackets(prefix);
  const own: string[] = [];
  for (const [ch, i] of bracketsOutsideStrings(text)) {
    if (OPEN[ch]) own.push(ch);
    else if (own.length) {
      if (own[own.length - 1] !== CLOSE[ch]) return text.slice(0, i).trimEnd();
      own.pop();
    } else if (outer.length && outer[outer.length - 1] === CLOSE[ch]) {
      outer.pop();
    } else {
      return text.slice(0, i).trimEnd();
    }
  }
  return text;
}

/**
 * Drop what the text after the cursor already says: the rest of the line (`)` or `);` the editor
 * auto-closed), and whole lines at the end that repeat the next lines of the file.
 */
export function dropSuffixOverlap(text: string, pos: Position): string {
  let out = text;
  const tail = pos.tail.trim();
  if (tail) {
    const lines = out.split('\n');
    const last = lines[lines.length - 1]!;
    // The completion's last line ends with what follows the cursor: keep the part before it.
    for (let k = Math.min(tail.length, last.length); k > 0; k--) {
      if (last.trimEnd().endsWith(tail.slice(0, k)) && tail.slice(0, k).trim().length === k) {
        if (k === tail.length || /^[)\]};,'"`]+$/.test(tail.slice(0, k))) {
          lines[lines.length - 1] = last.trimEnd().slice(0, last.trimEnd().length - k);
          out = lines.join('\n');
        }
        break;
      }
    }
  }
  const next = pos.nextLines.slice(0, 8).map((l) => l.trim());
  const lines = out.split('\n');
  if (lines.length > 1 && next.length) {
    // Longest run of trailing completion lines equal to the first non-empty lines after the cursor.
    const wanted = next.filter((l) => l !== '');
    for (let n = Math.min(lines.length - 1, wanted.length); n > 0; n--) {
      const tailLines = lines.slice(lines.length - n).map((l) => l.trim()).filter((l) => l !== '');
      if (tailLines.length && tailLines.every((l, i) => l === wanted[i])) {
        return lines.slice(0, lines.length - n).join('\n').replace(/\s+$/, '');
      }
    }
  }
  return out;
}

function lastNonEmpty(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim()) return lines[i]!;
  return '';
}
