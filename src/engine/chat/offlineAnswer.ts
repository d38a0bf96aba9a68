/**
 * The answer Keel gives with no model: the most relevant passages with citations, led by a short
 * extractive summary — sentences lifted verbatim from the passages' doc comments and comments (never
 * invented), chosen by overlap with the question. Clearly labelled so nobody mistakes it for a model.
 */
import { analyze } from '../search/analyzer';

export interface AnswerPassage {
  path: string;
  startLine: number;
  endLine: number;
  symbol: string;
  language: string;
  text: string;
}

/** A SQL finding inside one of the passages (Keel's own analysis: no model needed). */
export interface PassageFinding {
  path: string;
  line: number;
  code: string;
  message: string;
}

const MAX_SUMMARY_SENTENCES = 3;
const MAX_LISTED = 6;
const MAX_FINDINGS = 5;

export function offlineAnswer(question: string, passages: readonly AnswerPassage[], findings: readonly PassageFinding[] = []): string {
  passages = [...passages];
  const lines: string[] = ['**Retrieval answer** — no model is configured, so this is what the index found (nothing left this machine).', ''];
  if (!passages.length) {
    lines.push('No indexed code matched the question. Try the names of functions, tables or error messages you expect to be involved, or index the workspace first.');
    return lines.join('\n');
  }
  const summary = extractiveSummary(question, passages);
  if (summary.length) {
    lines.push('In short, from the code’s own comments:', '');
    for (const s of summary) lines.push(`> ${s.sentence} (${s.cite})`);
    lines.push('');
  }
  const relevant = relevantFindings(question, passages, findings);
  if (relevant.length) {
    // The passages that hold what the question asks about (an N+1 when it asks about N+1) lead the list.
    const holds = (p: AnswerPassage): boolean => relevant.some((f) => f.path === p.path && f.line >= p.startLine && f.line <= p.endLine);
    passages = [...passages.filter(holds), ...passages.filter((p) => !holds(p))];
  }
  if (relevant.length) {
    lines.push('Keel’s SQL checks flag these passages:', '');
    for (const f of relevant.slice(0, MAX_FINDINGS)) lines.push(`- ${f.path}:${f.line} — ${firstSentence(f.message)} (\`${f.code}\`)`);
    lines.push('');
  }
  lines.push(`Most relevant passages:`, '');
  for (const p of passages.slice(0, MAX_LISTED)) {
    const what = p.symbol ? `\`${p.symbol}\`` : 'code';
    const line = describe(p);
    lines.push(`- ${cite(p)} — ${what}${line ? `: ${line}` : ''}`);
  }
  lines.push('', 'Configure a provider (OpenAI, Anthropic or a local Ollama server) for a written answer grounded in these passages.');
  return lines.join('\n');
}

/** Finding codes by what a question calls them. */
const TOPICS: Array<{ asks: RegExp; code: RegExp }> = [
  { asks: /\bn\s*\+\s*1\b|\bn plus one\b|\bper[- ](?:row|item)\b|\bin a loop\b|\bround[- ]trips?\b/i, code: /N-PLUS-ONE/ },
  { asks: /\binject|\bsanitiz|\bescap|\bparameteri[sz]|\bunsafe sql|\bsql safety\b/i, code: /INJECTION/ },
  { asks: /\bunbounded\b|\bwhere clause\b|\bmass (?:update|delete)\b/i, code: /UNBOUNDED/ },
  { asks: /\bdestructive\b|\bdrop table\b|\btruncate\b/i, code: /DESTRUCTIVE/ },
];

/**
 * Findings worth a line: those of the kind the question asks about (anywhere in the passages), or,
 * when it asks about none, those inside the first three cited passages. An unrelated injection in a
 * file that merely came up is noise in an answer about something else.
 */
export function relevantFindings(question: string, passages: readonly AnswerPassage[], findings: readonly PassageFinding[]): PassageFinding[] {
  const asked = TOPICS.filter((t) => t.asks.test(question));
  if (asked.length) return findings.filter((f) => asked.some((t) => t.code.test(f.code)));
  const head = passages.slice(0, 3);
  return findings.filter((f) => head.some((p) => p.path === f.path && f.line >= p.startLine && f.line <= p.endLine));
}

function cite(p: AnswerPassage): string {
  return p.endLine > p.startLine ? `${p.path}:${p.startLine}-${p.endLine}` : `${p.path}:${p.startLine}`;
}

/** The first doc sentence, else the first signature-looking line. */
function describe(p: AnswerPassage): string {
  const doc = commentSentences(p.text)[0];
  if (doc) return truncate(doc, 140);
  const signature = p.text.split('\n').map((l) => l.trim()).find((l) => l && !isCommentLine(l));
  return signature ? `\`${truncate(signature.replace(/`/g, "'"), 120)}\`` : '';
}

function extractiveSummary(question: string, passages: readonly AnswerPassage[]): Array<{ sentence: string; cite: string }> {
  const wanted = new Set(analyze(question));
  if (!wanted.size) return [];
  const scored: Array<{ sentence: string; cite: string; score: number; rank: number }> = [];
  passages.slice(0, MAX_LISTED).forEach((p, rank) => {
    for (const sentence of commentSentences(p.text)) {
      const terms = new Set(analyze(sentence));
      let overlap = 0;
      for (const t of wanted) if (terms.has(t)) overlap++;
      if (overlap) scored.push({ sentence: truncate(sentence, 220), cite: cite(p), score: overlap / Math.sqrt(terms.size + 1), rank });
    }
  });
  scored.sort((a, b) => b.score - a.score || a.rank - b.rank);
  const seen = new Set<string>();
  return scored.filter((s) => !seen.has(s.sentence) && seen.add(s.sentence)).slice(0, MAX_SUMMARY_SENTENCES);
}

const COMMENT_LINE = /^\s*(?:\/\/+|#+(?!!)|\/\*+|\*+(?!\/)|"""|''')\s?/;

function isCommentLine(line: string): boolean {
  // a block comment's closing line (`*/`, `**/`) is comment too: never a preview on its own
  return COMMENT_LINE.test(line) || /^\s*\*+\/\s*$/.test(line);
}

/** Sentences from comment lines and docstrings, markup stripped. */
export function commentSentences(text: string): string[] {
  const out: string[] = [];
  let inDocstring = false;
  let buffer: string[] = [];
  const flush = (): void => {
    const joined = buffer.join(' ').replace(/\s+/g, ' ').trim();
    buffer = [];
    for (const s of joined.split(/(?<=[.!?])\s+(?=[A-Z`])/)) {
      const clean = s.replace(/^[@*\s]+/, '').trim();
      if (clean.length >= 12 && /[a-z]/i.test(clean) && !clean.startsWith('@') && !/^eslint|^ts-|^istanbul|^keel-ignore/.test(clean)) out.push(clean);
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const docDelims = (line.match(/"""|'''/g) ?? []).length;
    if (inDocstring || docDelims) {
      buffer.push(line.replace(/"""|'''/g, ''));
      if (docDelims % 2 === 1) inDocstring = !inDocstring;
      if (!inDocstring) flush();
      continue;
    }
    if (isCommentLine(line)) {
      const body = line.replace(COMMENT_LINE, '').replace(/\*\/\s*$/, '').trim();
      if (body.startsWith('@')) {
        flush();
        continue;
      }
      if (body) buffer.push(body);
      else flush();
    } else if (buffer.length) flush();
  }
  flush();
  return out;
}

function firstSentence(text: string): string {
  return truncate(text.split(/(?<=[.!?])\s/)[0] ?? text, 200);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
