/**
 * Incremental parsing for documents being edited: the last tree of each document is kept, the new
 * text is diffed against the old one (common prefix/suffix — an edit is usually one contiguous
 * change), the old tree is told about the edit and tree-sitter reparses only what changed. A full
 * parse of a 1,000-line file costs ~10–20 ms here; an incremental one well under 2 ms.
 * The cache owns its trees (callers must not delete them) and keeps the most recent documents only.
 */
import { Edit } from 'web-tree-sitter';
import { parserFor, type GrammarLanguage, type SyntaxTree } from '../syntax/treeSitter';

interface Entry {
  language: GrammarLanguage;
  text: string;
  tree: SyntaxTree;
}

const MAX_DOCUMENTS = 16;
const entries = new Map<string, Entry>();

/** Parse `text` for document `key`, reusing its previous tree. Use the tree synchronously; do not delete it. */
export async function parseCached(key: string, language: GrammarLanguage, text: string): Promise<SyntaxTree> {
  const parser = await parserFor(language);
  const old = entries.get(key);
  let tree: SyntaxTree | null;
  if (old && old.language === language && old.text === text) {
    tree = old.tree;
  } else if (old && old.language === language) {
    old.tree.edit(editBetween(old.text, text));
    tree = parser.parse(text, old.tree);
    old.tree.delete();
  } else {
    old?.tree.delete();
    tree = parser.parse(text);
  }
  entries.delete(key);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${language}`);
  entries.set(key, { language, text, tree });
  while (entries.size > MAX_DOCUMENTS) {
    const [firstKey, first] = entries.entries().next().value as [string, Entry];
    first.tree.delete();
    entries.delete(firstKey);
  }
  return tree;
}

/** Forget every cached tree (tests, engine shutdown). */
export function clearTreeCache(): void {
  for (const e of entries.values()) e.tree.delete();
  entries.clear();
}

interface Point {
  row: number;
  column: number;
}

/** The single edit turning `before` into `after`: common prefix and suffix kept. */
export function editBetween(before: string, after: string): Edit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  return new Edit({
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, oldEnd),
    newEndPosition: pointAt(after, newEnd),
  });
}

function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * Trees parsed during a workspace scan only to summarise an imported module (summaries.ts), kept a
 * moment so that when the scan reaches that module its analysis takes the tree instead of parsing the
 * same text again. Files of one folder import each other and are scanned close together, so a few
 * dozen trees catch most of them; the bound keeps the WASM heap small (it never shrinks). A tree is
 * only handed out for the exact text it was parsed from, and whoever takes one owns (deletes) it.
 */
interface Kept {
  language: GrammarLanguage;
  text: string;
  tree: SyntaxTree;
}

const MAX_KEPT_TREES = 48;
const MAX_KEPT_CHARS = 3_000_000;
const kept = new Map<string, Kept>();
let keptChars = 0;

export function keepScanTree(abs: string, language: GrammarLanguage, text: string, tree: SyntaxTree): void {
  dropKept(abs);
  if (text.length > MAX_KEPT_CHARS) {
    tree.delete();
    return;
  }
  kept.set(abs, { language, text, tree });
  keptChars += text.length;
  while (kept.size > MAX_KEPT_TREES || keptChars > MAX_KEPT_CHARS) dropKept(kept.keys().next().value!);
}

/** The kept tree of `abs` when it was parsed from exactly `text`; the caller must delete it. */
export function takeScanTree(abs: string, language: GrammarLanguage, text: string): SyntaxTree | undefined {
  const hit = kept.get(abs);
  if (!hit) return undefined;
  kept.delete(abs);
  keptChars -= hit.text.length;
  if (hit.language === language && hit.text === text) return hit.tree;
  hit.tree.delete();
  return undefined;
}

/** Files with a kept tree, oldest first. */
export function keptScanPaths(): IterableIterator<string> {
  return kept.keys();
}

/** Delete every kept scan tree (end of a scan). */
export function clearScanTrees(): void {
  for (const k of [...kept.keys()]) dropKept(k);
}

function dropKept(abs: string): void {
  const hit = kept.get(abs);
  if (!hit) return;
  hit.tree.delete();
  kept.delete(abs);
  keptChars -= hit.text.length;
}
