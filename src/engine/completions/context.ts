/**
 * What a small model needs to complete a line correctly is mostly what is NOT on screen: the
 * signatures of the functions the line is about to call, the shape of the types it touches, how the
 * same thing was done elsewhere. This assembles, within a token budget:
 *   - the prefix/suffix window around the cursor (always; the closest lines win),
 *   - definitions of the identifiers used near the cursor, from the index's chunk symbols,
 *   - the file's imports (when the window no longer shows them),
 *   - similar code elsewhere (BM25 over the lines before the cursor),
 *   - snippets of recently edited files (the host tracks them).
 * Everything is synchronous except reading chunk texts, and bounded: the hot path is a map lookup per
 * identifier and one keyword search.
 */
import { countTokens } from '../llm/tokens';
import { analyze } from '../search/analyzer';
import type { MemorySource, ScoredChunk, SourceChunk } from '../search/source';

/** What the assembler needs from an index: a symbol lookup, keyword search and chunk texts. */
export interface CompletionIndex {
  /** Chunks that define `name` (matched on the last segment of a chunk's symbol). */
  definitions(name: string): readonly SourceChunk[];
  /** `query` as text, or as analyzer terms with weights (as the search sources take it). */
  keywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredChunk[];
  readChunkText(chunk: SourceChunk): Promise<string | undefined> | string | undefined;
  /** Share of indexed chunks containing an analyzer term; lets the similar-code search drop the commonest. */
  termShare?(term: string): number;
}

/** An in-memory source and its symbol table as a CompletionIndex (evals, benchmarks, tests). */
export function memoryCompletionIndex(source: MemorySource, symbols: SymbolTable): CompletionIndex {
  return {
    definitions: (name) => symbols.lookup(name),
    keywordSearch: (query, k, filter) => source.keywordSearch(query, k, filter),
    readChunkText: (chunk) => source.get(chunk.id)?.text,
    termShare: (term) => source.keywords.documentShare(term),
  };
}

export interface AssembleInput {
  /** The document's path as the index names it (workspace-relative, posix), or undefined outside the index. */
  path: string | undefined;
  /** How the prompt names the file. */
  displayPath: string;
  languageId: string;
  text: string;
  offset: number;
  recentEdits?: ReadonlyArray<{ path: string; text: string }>;
}

export interface ContextBudget {
  /** Total tokens for context + prefix + suffix. */
  total: number;
  /** Shares of `total` the windows may take at most; what they leave goes to the other sections. */
  prefixShare: number;
  suffixShare: number;
  /** Share of what the windows leave that definitions may take; lines shown per definition. */
  definitionShare?: number;
  definitionLines?: number;
  /** Lines above the cursor whose identifiers are looked up (closest first), and how many names at most. */
  nearLines?: number;
  maxIdentifiers?: number;
  /** Also look up the names the file imports (most used first). */
  importedNames?: boolean;
  /**
   * Similar-code search leaves out terms found in more than this share of chunks. They score little
   * (low idf) and cost the most (the longest posting lists): at 50k chunks they were most of the
   * search's time. 1 keeps every term.
   */
  similarMaxTermShare?: number;
  /** Sections to use (evals turn them off to measure the prefix-only baseline). */
  sections: { definitions: boolean; imports: boolean; similar: boolean; recent: boolean };
}

export const DEFAULT_BUDGET: ContextBudget = {
  total: 2048,
  prefixShare: 0.5,
  suffixShare: 0.15,
  // Chosen on the eval's dev split (scripts/eval-completions.ts): short signatures of many names beat
  // long bodies of a few; identifiers from 40 lines up beat 12.
  definitionShare: 0.85,
  definitionLines: 6,
  nearLines: 40,
  maxIdentifiers: 40,
  importedNames: true,
  sections: { definitions: true, imports: true, similar: true, recent: true },
};

export interface ContextSection {
  kind: 'definition' | 'imports' | 'similar' | 'recent';
  path?: string;
  text: string;
  tokens: number;
}

export interface AssembledContext {
  prefix: string;
  suffix: string;
  sections: ContextSection[];
  /** Tokens of prefix + suffix + sections. */
  tokens: number;
  /** First line of the prefix window and last line of the suffix window (0-based), for exclusion tests. */
  window: { startLine: number; endLine: number };
}

/** Lines of a definition shown: the signature and the start of the body are what a caller needs. */
const DEFINITION_LINES = 14;
const SIMILAR_LINES = 16;
const SIMILAR_TERMS = 8;
const SIMILAR_MAX_TERM_SHARE = 0.1;
const RECENT_LINES = 20;
/** Identifiers near the cursor that are looked up, closest first. */
const MAX_IDENTIFIERS = 16;
/** A name defined in more places than this is too ambiguous to spend tokens on (get, run, init …). */
const MAX_DEFINITION_SITES = 4;
const NEAR_LINES_BEFORE = 12;
const NEAR_LINES_AFTER = 3;
/** Longest line counted exactly; longer ones (minified, data) are estimated. */
const LONG_LINE = 400;

export async function assembleContext(index: CompletionIndex | undefined, input: AssembleInput, budget: ContextBudget = DEFAULT_BUDGET): Promise<AssembledContext> {
  const { text, offset } = input;
  const cursorLineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const cursorLineEnd = lineEnd < 0 ? text.length : lineEnd;
  const before = text.slice(0, cursorLineStart).split('\n');
  before.pop(); // the empty string after the last newline
  const after = text.slice(cursorLineEnd + 1).split('\n');
  if (cursorLineEnd === text.length) after.length = 0;
  const cursorLineNo = before.length;
  const headOfLine = text.slice(cursorLineStart, offset);
  const tailOfLine = text.slice(offset, cursorLineEnd);

  // Windows: nearest lines first, each side within its share; what the suffix leaves goes to the prefix.
  const suffixCap = Math.floor(budget.total * budget.suffixShare);
  const suffixLines: string[] = [];
  let suffixTokens = tokens(tailOfLine);
  for (const line of after) {
    const t = tokens(line) + 1;
    if (suffixTokens + t > suffixCap) break;
    suffixLines.push(line);
    suffixTokens += t;
  }
  const anySection = Object.values(budget.sections).some(Boolean);
  const prefixCap = Math.floor(budget.total * (anySection ? budget.prefixShare : 1)) - (anySection ? 0 : suffixTokens);
  const prefixLines: string[] = [];
  let prefixTokens = tokens(headOfLine);
  for (let i = before.length - 1; i >= 0; i--) {
    const t = tokens(before[i]) + 1;
    if (prefixTokens + t > prefixCap) break;
    prefixLines.push(before[i]);
    prefixTokens += t;
  }
  prefixLines.reverse();
  const windowStart = cursorLineNo - prefixLines.length;
  const windowEnd = cursorLineNo + suffixLines.length;
  const prefix = (prefixLines.length ? `${prefixLines.join('\n')}\n` : '') + headOfLine;
  const suffix = tailOfLine + (suffixLines.length ? `\n${suffixLines.join('\n')}` : '');

  let left = budget.total - prefixTokens - suffixTokens;
  const sections: ContextSection[] = [];
  const add = (section: Omit<ContextSection, 'tokens'>, cap = left): boolean => {
    const t = tokens(section.text) + 8; // path header and separators
    if (t > Math.min(cap, left)) return false;
    sections.push({ ...section, tokens: t });
    left -= t;
    return true;
  };
  const inWindow = (c: SourceChunk): boolean => input.path !== undefined && c.path === input.path && c.endLine - 1 >= windowStart && c.startLine - 1 <= windowEnd;
  const shownChunks = new Set<string>();

  if (index && budget.sections.definitions && left > 0) {
    const near = identifiersNear(before, headOfLine + tailOfLine, after, budget.nearLines ?? NEAR_LINES_BEFORE, budget.maxIdentifiers ?? MAX_IDENTIFIERS);
    if (budget.importedNames ?? true) {
      const seen = new Set(near);
      for (const name of importedNames(importLines(before.slice(0, Math.min(before.length, 300)), input.languageId), text)) if (!seen.has(name)) near.push(name);
    }
    const importedFrom = importSpecifiers(text, input.languageId);
    const cap = Math.floor(left * (budget.definitionShare ?? 0.6));
    let used = 0;
    for (const name of near) {
      if (cap - used < 24) break; // not even a one-line signature fits any more
      const sites = index.definitions(name).filter((c) => !inWindow(c));
      if (sites.length === 0) continue;
      const ranked = rankSites(sites, input.path, importedFrom);
      if (sites.length > MAX_DEFINITION_SITES && ranked[0]!.rank === 0) continue;
      const chunk = ranked[0]!.chunk;
      if (shownChunks.has(chunk.id)) continue;
      const body = await index.readChunkText(chunk);
      if (!body) continue;
      const excerpt = definitionExcerpt(body, name, budget.definitionLines ?? DEFINITION_LINES);
      const before = left;
      if (!add({ kind: 'definition', path: chunk.path, text: excerpt }, cap - used)) continue;
      used += before - left;
      shownChunks.add(chunk.id);
    }
  }

  if (budget.sections.imports && windowStart > 0 && left > 0) {
    const imports = importLines(before.slice(0, windowStart), input.languageId);
    if (imports.length) add({ kind: 'imports', path: input.displayPath, text: imports.join('\n') }, Math.floor(left * 0.5));
  }

  if (index && budget.sections.similar && left > 0) {
    const query = similarTerms(similarQuery(before, headOfLine), index, budget.similarMaxTermShare ?? SIMILAR_MAX_TERM_SHARE);
    if (query) {
      const hits = index.keywordSearch(query, 6, (c) => !(input.path !== undefined && c.path === input.path) && !shownChunks.has(c.id));
      const cap = Math.floor(left * 0.6);
      let used = 0;
      let taken = 0;
      for (const { chunk } of hits) {
        if (taken >= 2) break;
        const body = await index.readChunkText(chunk);
        if (!body) continue;
        const before = left;
        if (!add({ kind: 'similar', path: chunk.path, text: headLines(body, SIMILAR_LINES) }, cap - used)) continue;
        used += before - left;
        taken++;
        shownChunks.add(chunk.id);
      }
    }
  }

  if (budget.sections.recent && input.recentEdits?.length && left > 0) {
    for (const edit of input.recentEdits.slice(0, 3)) {
      if (edit.path === input.path || edit.path === input.displayPath) continue;
      add({ kind: 'recent', path: edit.path, text: headLines(edit.text, RECENT_LINES) });
    }
  }

  const sectionTokens = sections.reduce((n, s) => n + s.tokens, 0);
  return { prefix, suffix, sections, tokens: prefixTokens + suffixTokens + sectionTokens, window: { startLine: windowStart, endLine: windowEnd } };
}

/**
 * Line → token count. Typing changes one line at a time, so nearly every line of the window and every
 * definition excerpt was counted on the previous keystroke; BPE is the bulk of assembly time otherwise.
 */
const tokenCache = new Map<string, number>();
const TOKEN_CACHE_ENTRIES = 50_000;

function tokens(text: string): number {
  if (text.length === 0) return 0;
  const hit = tokenCache.get(text);
  if (hit !== undefined) return hit;
  const n = countUncached(text);
  if (tokenCache.size >= TOKEN_CACHE_ENTRIES) tokenCache.clear();
  tokenCache.set(text, n);
  return n;
}

function countUncached(text: string): number {
  // Exact BPE counts for normal lines; a rough 3 chars/token for giant ones keeps the hot path bounded.
  return text.length > LONG_LINE ? Math.ceil(text.length / 3) : countTokens(text);
}

/** Where `name` is defined inside a chunk (chunks hold several definitions): n lines from there. */
export function definitionExcerpt(body: string, name: string, n: number): string {
  const lines = body.split('\n');
  const def = definitionPattern(name);
  // Substring first: the regex on every line of a 300-line chunk was most of assembly time.
  let at = lines.findIndex((l) => l.includes(name) && def.test(l));
  if (at < 0) at = lines.findIndex((l) => l.includes(name));
  if (at <= 0) return headLines(body, n);
  return headLines(lines.slice(at).join('\n'), n);
}

/** Lines that define `name`: declarations, methods, assignments of functions, Python/Go definitions. */
export function definitionPattern(name: string): RegExp {
  const n = name.replace(/[$]/g, '\\$');
  return new RegExp(
    `(?:\\b(?:function\\*?|def|class|func|interface|type|enum|struct|trait|const|let|var)\\s+(?:\\([^)]*\\)\\s*)?${n}(?![\\w$]))` +
      `|(?:^\\s*(?:export\\s+)?(?:default\\s+)?(?:(?:public|private|protected|static|async|override|readonly|abstract|get|set)\\s+)*#?${n}\\s*(?:<[^>]*>)?\\s*\\()` +
      `|(?:^\\s*(?:this\\.|self\\.|exports\\.|module\\.exports\\.)?${n}\\s*[:=]\\s*(?:async\\s+)?(?:function\\b|\\(|[A-Za-z_$][\\w$]*\\s*=>))`,
  );
}

function headLines(text: string, n: number): string {
  const lines = text.split('\n');
  return (lines.length > n ? [...lines.slice(0, n), '…'] : lines).join('\n').trimEnd();
}

const IDENT = /[A-Za-z_$][\w$]*/g;

const KEYWORDS = new Set(
  (
    'abstract as async await boolean break byte case catch char class const continue debugger default delete do double else enum export extends false final finally float for from function goto if implements import in instanceof int interface let long native new null of package private protected public return short static super switch synchronized this throw throws transient true try type typeof undefined var void volatile while with yield ' +
    'and assert def del elif except exec global is lambda nonlocal not or pass print raise self None True False cls ' +
    'func go chan defer fallthrough map range select struct string error nil make len append cap err ' +
    'number any unknown never object symbol readonly keyof declare namespace module require console log string Promise Array Object String Number Boolean Map Set Error JSON Math Date'
  ).split(' '),
);

/** Identifiers around the cursor, closest first: the cursor line, then lines above and below alternately. */
export function identifiersNear(before: readonly string[], cursorLine: string, after: readonly string[], nearLines = NEAR_LINES_BEFORE, max = MAX_IDENTIFIERS): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const take = (line: string | undefined): void => {
    if (!line) return;
    for (const m of line.matchAll(IDENT)) {
      const name = m[0];
      if (name.length < 2 || KEYWORDS.has(name) || seen.has(name) || /^\d/.test(name)) continue;
      seen.add(name);
      out.push(name);
    }
  };
  take(cursorLine);
  for (let d = 1; d <= nearLines && out.length < max; d++) {
    take(before[before.length - d]);
    if (d <= NEAR_LINES_AFTER) take(after[d - 1]);
  }
  return out.slice(0, max);
}

/**
 * The keyword query for similar code: the distinct non-keyword identifiers of the last lines before the
 * cursor, at most SIMILAR_TERMS — every extra term (split into sub-words by the analyzer) is another
 * posting list to walk at 50k chunks; past ~8 identifiers the hits barely change.
 */
/** The query's analyzer terms, each once, without the commonest; undefined when nothing is left to search for. */
function similarTerms(query: string, index: CompletionIndex, maxShare: number): ReadonlyMap<string, number> | undefined {
  if (!query) return undefined;
  const terms = new Map<string, number>();
  for (const term of analyze(query)) {
    if (maxShare < 1 && index.termShare && index.termShare(term) > maxShare) continue;
    terms.set(term, 1);
  }
  return terms.size ? terms : undefined;
}

function similarQuery(before: readonly string[], head: string): string {
  const names: string[] = [];
  const seen = new Set<string>();
  const lines = [head, ...before.slice(Math.max(0, before.length - 3)).reverse()];
  for (const line of lines) {
    for (const m of line.matchAll(IDENT)) {
      const name = m[0];
      if (name.length < 3 || KEYWORDS.has(name) || seen.has(name)) continue;
      seen.add(name);
      names.push(name);
      if (names.length >= SIMILAR_TERMS) return names.join(' ');
    }
  }
  return names.length >= 2 ? names.join(' ') : '';
}

/** Names a file's import lines bring in, the ones the file uses most first. */
export function importedNames(imports: readonly string[], text: string): string[] {
  const names = new Set<string>();
  const joined = imports.join('\n');
  for (const m of joined.matchAll(/\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+|\s*:\s*/).pop()!.trim();
      if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
    }
  }
  for (const m of joined.matchAll(/\bimport\s+(?:type\s+)?([A-Za-z_$][\w$]*)\s*(?:,|from)/g)) names.add(m[1]!);
  for (const m of joined.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(/g)) names.add(m[1]!);
  for (const m of joined.matchAll(/^\s*from\s+\S+\s+import\s+(.+)$/gm)) {
    for (const part of m[1]!.replace(/[()]/g, '').split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()!.trim();
      if (/^[A-Za-z_]\w*$/.test(name)) names.add(name);
    }
  }
  const body = text.length > 50_000 ? text.slice(0, 50_000) : text;
  const uses = (name: string): number => {
    let n = 0;
    for (let at = body.indexOf(name); at >= 0 && n < 50; at = body.indexOf(name, at + name.length)) n++;
    return n;
  };
  return [...names].filter((n) => n.length > 1 && !KEYWORDS.has(n)).map((n) => ({ n, u: uses(n) })).sort((a, b) => b.u - a.u).map((x) => x.n);
}

/** Module specifiers the file imports from, as path fragments ('./db/users' → 'db/users'). */
export function importSpecifiers(text: string, languageId: string): string[] {
  const out: string[] = [];
  const head = text.length > 20_000 ? text.slice(0, 20_000) : text;
  for (const m of head.matchAll(/(?:from\s+|require\(\s*|import\s+)['"]([^'"]+)['"]/g)) out.push(m[1]!.replace(/^(\.\.?\/)+/, '').replace(/\.[jt]sx?$/, ''));
  if (languageId === 'python') for (const m of head.matchAll(/^\s*from\s+([\w.]+)\s+import/gm)) out.push(m[1]!.replace(/^\.+/, '').replace(/\./g, '/'));
  return out.filter((s) => s.length > 0);
}

const IMPORT_LINE = /^\s*(?:import\b|from\s+\S+\s+import\b|export\s+(?:\*|\{[^}]*\})\s+from\b|(?:const|let|var)\s+[\w${}\s,:]+=\s*require\(|using\s+[\w.]+;|package\s+\w|#include\b|use\s+[\w:]+)/;

export function importLines(lines: readonly string[], _languageId: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(lines.length, 300); i++) {
    const line = lines[i]!;
    if (!IMPORT_LINE.test(line)) continue;
    out.push(line);
    // Multi-line imports: keep lines until the statement closes.
    if (/\{[^}]*$/.test(line) || /\($/.test(line.trim())) {
      while (++i < lines.length && out.length < 80) {
        out.push(lines[i]!);
        if (/[})]/.test(lines[i]!)) break;
      }
    }
  }
  return out;
}

/** Definition sites by how likely they are the one meant: same file, then an imported module, then anywhere. */
function rankSites(sites: readonly SourceChunk[], path: string | undefined, imported: readonly string[]): Array<{ chunk: SourceChunk; rank: number }> {
  const ranked = sites.map((chunk) => {
    const noExt = chunk.path.replace(/\.[^./]+$/, '').replace(/\/(index|__init__)$/, '');
    const rank = chunk.path === path ? 2 : imported.some((s) => noExt.endsWith(s)) ? 1 : 0;
    return { chunk, rank };
  });
  return ranked.sort((a, b) => b.rank - a.rank || (a.chunk.endLine - a.chunk.startLine) - (b.chunk.endLine - b.chunk.startLine));
}

/** name → chunks defining it, from chunk symbols (`Class.method, helper`). Built once per index version. */
export class SymbolTable {
  private readonly byName = new Map<string, SourceChunk[]>();

  constructor(chunks: Iterable<SourceChunk>) {
    for (const chunk of chunks) {
      if (!chunk.symbol) continue;
      for (const qualified of chunk.symbol.split(', ')) {
        if (!qualified || qualified === '…') continue;
        const name = qualified.split(/\.|::|#/).pop()!;
        let list = this.byName.get(name);
        if (!list) this.byName.set(name, (list = []));
        list.push(chunk);
      }
    }
  }

  get size(): number {
    return this.byName.size;
  }

  lookup(name: string): readonly SourceChunk[] {
    return this.byName.get(name) ?? [];
  }
}
