/**
 * What a search query is, and what in it points at code. A one-word identifier, a question, an error
 * message and a 20,000-character bug report with a traceback need different handling: the bug report
 * is mostly narrative whose every word would otherwise weigh the same as the one function name in its
 * stack trace. The plan keeps the WHOLE query (nothing is cut) and weights its terms: repeated words
 * count sublinearly, identifiers, dotted names and quoted strings more, stack-frame functions and
 * mentioned paths most; paths are also matched against files directly (fileRank.ts).
 */
import { analyze } from './analyzer';

export type QueryClass = 'identifier' | 'question' | 'bug-report' | 'error' | 'config';

export interface StackFrame {
  /** As written in the trace (absolute, relative, or a module path). */
  path?: string;
  func?: string;
  line?: number;
}

export interface QueryPlan {
  text: string;
  class: QueryClass;
  /** BM25 query terms (the analyzer's) with their weights. */
  terms: Map<string, number>;
  /** Identifier-like names: snake_case, camelCase, dotted (`a.b.c`), names before `(`. */
  identifiers: string[];
  /** File paths mentioned (`src/a/b.py`, `b.py`), frames' paths included. */
  paths: string[];
  /**
   * Module paths spelled as dotted names (`astropy.io.ascii.qdp` → `astropy/io/ascii/qdp`, and
   * without its last part, which may be a class or function: `sympy.core.numbers.Float`), without
   * extension; matched against files by path suffix (fileRank.ts).
   */
  modules: string[];
  frames: StackFrame[];
  quoted: string[];
  /** Lines that look like an error message (`TypeError: …`, `Error: …`). */
  errors: string[];
  /** The query asks about documentation rather than code ("readme", "docs", "documented"). */
  docIntent: boolean;
}

const CODE_EXT = 'py|pyi|js|jsx|mjs|cjs|ts|tsx|go|java|kt|rb|rs|php|cs|c|cc|cpp|h|hpp|swift|scala|sql|json|ya?ml|toml|cfg|ini|md|rst|txt|html|css|scss|vue|svelte|sh';
const PATH_RE = new RegExp(`(?:[A-Za-z]:)?(?:[\\w.@~-]+[\\\\/])*[\\w.@-]+\\.(?:${CODE_EXT})\\b`, 'g');
const PY_FRAME = /File "([^"]+)", line (\d+)(?:, in ([\w<>.]+))?/g;
const NODE_FRAME = /\bat (?:(?:async |new )?([\w$.<>[\] ]+?) \()?((?:file:\/\/)?[^\s():]+\.[cm]?[jt]sx?):(\d+)(?::\d+)?\)?/g;
const JAVA_FRAME = /\bat ((?:[\w$]+\.)+[\w$<>]+)\((\w+\.(?:java|kt|scala)):(\d+)\)/g;
const GO_FRAME = /^\s*(\/?(?:[\w.-]+\/)*[\w.-]+\.go):(\d+)/gm;
const GO_FUNC = /^((?:[\w.-]+\/)*[\w-]+\.(?:\(\*?\w+\)\.)?\w+)\(/gm;
const ERROR_LINE = /^\s*(?:[\w.]*(?:Error|Exception|Warning|Fault)|panic|fatal|FAIL|E\d{3,})\b[^\n]{0,300}/gm;
const DOC_INTENT = /\b(readme|documentation|docs?|documented|changelog|tutorial|guide|docstring)\b/i;
const CONFIG_INTENT = /\b(where|which|how)\b[^?]{0,80}\b(configured?|configuration|config|settings?|set up|env(?:ironment)? var(?:iable)?s?|options?|flags?)\b/i;

/** Weights, relative to one occurrence of a narrative word. Chosen on split A of the bug-report set. */
export interface PlanWeights {
  /** How a narrative word repeated n times counts: 'log' 1 + ln n, 'flat' once. */
  tf: 'log' | 'flat';
  identifier: number;
  frame: number;
  path: number;
  quoted: number;
  /**
   * Where documentation intent is read: 'prose' (default) — a bug report's title, any other query's
   * words, never URLs, code or compound names (`github-readme-stats`, `docs_url`); 'anywhere' — the
   * whole text, as before (every issue that links the project's README counted as asking for docs).
   */
  docIntent?: 'prose' | 'anywhere';
}

/**
 * Split A (scripts/retrieval/README.md): log tf and quoted-string boosts lost R@10 (.551 / .491 vs .607);
 * flat tf with identifiers +1 and frames / paths +2 was at or above the plain bag of words (.607 vs .587
 * at the same vector weight).
 */
export const DEFAULT_PLAN_WEIGHTS: PlanWeights = { tf: 'flat', identifier: 1, frame: 2, path: 2, quoted: 0 };

export function planQuery(text: string, weights: PlanWeights = DEFAULT_PLAN_WEIGHTS): QueryPlan {
  const frames = stackFrames(text);
  const quoted = quotedStrings(text);
  const paths = [...new Set([...text.matchAll(PATH_RE)].map((m) => m[0].replace(/\\/g, '/')).filter((p) => !/^\d/.test(p)).concat(frames.flatMap((f) => (f.path ? [f.path] : []))))];
  const identifiers = identifiersOf(text);
  const errors = [...new Set([...text.matchAll(ERROR_LINE)].map((m) => m[0].trim()))].slice(0, 20);
  const cls = classify(text, identifiers, frames, errors);

  // Narrative words: 1 + ln(count), so a word the reporter repeats counts more, but not linearly.
  const counts = new Map<string, number>();
  for (const t of analyze(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const terms = new Map<string, number>();
  for (const [t, c] of counts) terms.set(t, cls === 'bug-report' && weights.tf === 'log' ? 1 + Math.log(c) : 1);
  const add = (source: string, w: number): void => {
    if (w <= 0) return;
    for (const t of new Set(analyze(source))) terms.set(t, (terms.get(t) ?? 0) + w);
  };
  if (cls === 'bug-report' || cls === 'error') {
    for (const id of identifiers) add(id, weights.identifier);
    for (const q of quoted) if (q.length <= 200) add(q, weights.quoted);
  }
  for (const f of frames) if (f.func) add(f.func.split('.').pop()!, weights.frame);
  for (const p of paths) add(p.split('/').pop()!.replace(/\.\w+$/, ''), weights.path);
  const docIntent = weights.docIntent === 'anywhere' ? DOC_INTENT.test(text) : asksForDocs(text, cls);
  return { text, class: cls, terms, identifiers, paths, modules: modulePaths(identifiers), frames, quoted, errors, docIntent };
}

/** Dotted names whose parts look like module names (lower-case words) as slash paths: see QueryPlan.modules. */
export function modulePaths(identifiers: readonly string[]): string[] {
  const out = new Set<string>();
  for (const id of identifiers) {
    const parts = id.split('.');
    if (parts.length < 2 || parts.some((p) => !p)) continue;
    const moduleLike = (p: string): boolean => /^[a-z_][a-z0-9_]*$/.test(p);
    if (parts.slice(0, -1).every(moduleLike)) {
      if (moduleLike(parts[parts.length - 1])) out.add(parts.join('/'));
      if (parts.length >= 3) out.add(parts.slice(0, -1).join('/'));
    }
  }
  return [...out];
}

/**
 * Whether the query asks about documentation. A bug report is about behaviour: its body quotes
 * READMEs, links docs and names the project (`github-readme-stats`), none of which asks for a doc, so
 * only its title (first line) counts. URLs, code and compound names never count.
 */
export function asksForDocs(text: string, cls: QueryClass): boolean {
  let prose = cls === 'bug-report' ? (text.trim().split('\n')[0] ?? '') : text;
  prose = prose
    .replace(/```[\s\S]*?```|`[^`\n]*`/g, ' ')
    .replace(/\b(?:[a-z][\w+.-]*:\/\/|www\.)\S+/gi, ' ')
    .replace(/\S*[\w][-_./][\w]\S*/g, ' ');
  return DOC_INTENT.test(prose);
}

function classify(text: string, identifiers: string[], frames: StackFrame[], errors: string[]): QueryClass {
  const words = text.trim().split(/\s+/);
  if (frames.length > 0 || text.length > 400 || text.split('\n').length > 4) return 'bug-report';
  if (errors.length > 0) return 'error';
  if (CONFIG_INTENT.test(text)) return 'config';
  if (words.length <= 3 && identifiers.length > 0) return 'identifier';
  return 'question';
}

export function stackFrames(text: string): StackFrame[] {
  const out: StackFrame[] = [];
  for (const m of text.matchAll(PY_FRAME)) out.push({ path: m[1], line: Number(m[2]), func: m[3] && !m[3].startsWith('<') ? m[3] : undefined });
  for (const m of text.matchAll(NODE_FRAME)) out.push({ path: m[2].replace(/^file:\/\//, ''), line: Number(m[3]), func: m[1]?.trim().split(' ').pop() || undefined });
  for (const m of text.matchAll(JAVA_FRAME)) {
    const parts = m[1].split('.');
    out.push({ path: [...parts.slice(0, -2), m[2]].join('/'), line: Number(m[3]), func: parts[parts.length - 1] });
  }
  for (const m of text.matchAll(GO_FRAME)) out.push({ path: m[1], line: Number(m[2]) });
  for (const m of text.matchAll(GO_FUNC)) out.push({ func: m[1].split('.').pop() });
  // Frames inside installed packages or the runtime are not the project's code.
  return out.filter((f) => !f.path || !/(?:site-packages|dist-packages|node_modules|node:internal|\/lib\/python\d|<frozen|internal\/)/.test(f.path));
}

export function quotedStrings(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/```[\w-]*\n?([\s\S]*?)```|`([^`\n]+)`|"([^"\n]{2,200})"|'([^'\n]{2,200})'/g)) {
    const s = (m[1] ?? m[2] ?? m[3] ?? m[4]).trim();
    if (s) out.push(s);
  }
  return out;
}

/** Names that look like code: snake_case, camelCase / PascalCase with an inner capital, dotted, or called. */
export function identifiersOf(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|[A-Za-z_$][\w$]*/g)) {
    const token = m[0];
    const next = text[m.index! + token.length];
    const dotted = token.includes('.') && !/^[a-z]+\.(?:com|org|io|net|md|txt|png|jpg|html?)$/i.test(token);
    const shaped = /_/.test(token.replace(/^_+|_+$/g, '')) || /[a-z][A-Z]/.test(token) || /^[A-Z][a-z]+[A-Z]/.test(token);
    if (dotted || shaped || (next === '(' && token.length > 2)) out.add(token);
  }
  return [...out].slice(0, 200);
}
