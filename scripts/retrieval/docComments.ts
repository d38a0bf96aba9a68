/**
 * JSDoc handling for the repository-level set: find each documented function (its doc comment's
 * summary becomes a query) and strip every doc comment from the indexed text (so a query cannot be
 * answered by matching its own words in a comment). Stripping keeps line numbers: a doc comment turns
 * into as many empty lines as it spanned.
 *
 * A light scanner, not a parser: it tracks string, template and comment state so that `/**` inside a
 * string (glob patterns!) is not mistaken for a comment. Regex literals are not tracked; a quote inside
 * one can confuse the state only until the end of that line, because ' and " strings end at newlines.
 */

export interface DocComment {
  /** Offsets of the comment in the text, end exclusive. */
  start: number;
  end: number;
  /** 1-based line of the comment's first line. */
  line: number;
  body: string;
}

export interface DocumentedFunction {
  name: string;
  /** 1-based line of the declaration that follows the comment. */
  line: number;
  summary: string;
}

export function findDocComments(text: string): DocComment[] {
  const out: DocComment[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      const isDoc = text[i + 2] === '*' && text[i + 3] !== '/';
      if (isDoc) out.push({ start: i, end, line, body: text.slice(i + 3, Math.max(i + 3, end - 2)) });
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i++;
      while (i < n && text[i] !== '`') {
        if (text[i] === '\n') line++;
        i += text[i] === '\\' ? 2 : 1;
      }
      i++;
    } else {
      i++;
    }
  }
  return out;
}

/** The text with every doc comment replaced by the newlines it contained (line numbers are kept). */
export function stripDocComments(text: string, comments: readonly DocComment[] = findDocComments(text)): string {
  let out = '';
  let at = 0;
  for (const c of comments) {
    out += text.slice(at, c.start) + '\n'.repeat(countNewlines(text, c.start, c.end));
    at = c.end;
  }
  return out + text.slice(at);
}

const DECLARATIONS: RegExp[] = [
  /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/,
  /^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>|_curry\d\(|_curryN\(|_dispatchable\(|curryN\()/,
  /^(?:module\.)?exports(?:\.[\w$]+)*\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?function/,
  /^[A-Za-z_$][\w$]*(?:\.prototype)?\.([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?function/,
  /^([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?function/,
  /^(?:(?:public|private|protected|static|async|get|set|override|abstract|readonly)\s+)*\*?\s*(#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\([^)]*\)?\s*(?::[^{;]*)?\{?\s*$/,
  /^(?:(?:public|private|protected|static|async|override|abstract)\s+)*(#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(/,
];

const NOT_A_NAME = new Set(['if', 'for', 'while', 'switch', 'return', 'catch', 'function', 'constructor', 'super', 'new', 'typeof', 'await', 'throw']);

/** Documented functions and methods in `text`, with their summaries (undocumented ones are absent). */
export function findDocumentedFunctions(text: string, comments: readonly DocComment[] = findDocComments(text)): DocumentedFunction[] {
  const out: DocumentedFunction[] = [];
  for (const c of comments) {
    const summary = summarize(c.body);
    if (!summary) continue;
    const rest = text.slice(c.end);
    const skipped = rest.match(/^\s*/)![0];
    const nextLine = rest.slice(skipped.length).split('\n', 1)[0].trim();
    const name = declarationName(nextLine);
    if (!name) continue;
    out.push({ name, line: c.line + countNewlines(text, c.start, c.end) + countNewlines(skipped, 0, skipped.length), summary });
  }
  return out;
}

export function declarationName(line: string): string | undefined {
  for (const re of DECLARATIONS) {
    const m = re.exec(line);
    if (m && !NOT_A_NAME.has(m[1])) return m[1];
  }
  return undefined;
}

/**
 * The first sentence of a doc comment's description, cleaned of markup ({@link}, backticks, HTML,
 * markdown links). Undefined when the comment has no usable description (tags only, a one-word
 * label, or a wall of text).
 */
export function summarize(body: string): string | undefined {
  const lines: string[] = [];
  for (const raw of body.split('\n')) {
    const l = raw.replace(/^\s*\*+ ?/, '').trim();
    if (l.startsWith('@')) break;
    if (l.startsWith('#')) continue; // a markdown heading repeating the signature (chai) is not a description
    if (l === '' && lines.length > 0) break; // first paragraph only
    if (l !== '') lines.push(l);
  }
  let s = lines.join(' ');
  s = s
    .replace(/\[([^\]]*)\]\{@link[^}]*\}/g, '$1')
    .replace(/\{@link(?:code|plain)?\s+([^}|\s]+)(?:[|\s]+([^}]*))?\}/g, (_m, target: string, label?: string) => label?.trim() || target)
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const sentence = /^(.+?(?<!\be\.g|\bi\.e|\betc)[.!?])(?:\s|$)/.exec(s);
  if (sentence) s = sentence[1];
  const words = s.split(' ').filter(Boolean).length;
  if (words < 3 || words > 60) return undefined;
  return s;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
