/**
 * Retrieval for chat: the same hybrid search `keel search` runs (through the engine's own
 * `search/query` handler, indexing first if the folder has none), then the passages' text read from
 * disk. A file that vanished since indexing is dropped, not fatal.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RequestContext } from '../engine';
import type { Engine } from '../engine';
import type { Retrieved } from './askPipeline';
import type { ContextPassageText } from './prompt';
import type { PassageFinding } from './offlineAnswer';
import { analyzeSource } from '../sql/analyze';
import { IndexServiceKey } from '../index/indexService';
import type { BufferOverlay } from '../workspace/buffers';

const TOP_PASSAGES = 8;
const MAX_PASSAGE_LINES = 120;

export async function retrieveForChat(engine: Engine, root: string, store: string | undefined, question: string, ctx: RequestContext, rerank = 'local'): Promise<Retrieved> {
  const started = performance.now();
  const result = await engine.dispatch('search/query', { query: question, dir: root, store, ensureIndex: true, top: TOP_PASSAGES, rerank }, {
    ...ctx,
    stream: () => undefined,
  });
  const passages: ContextPassageText[] = [];
  const unsaved = engine.services.get(IndexServiceKey).buffers;
  // Two passages of one file (not adjacent, so not merged) read it once.
  const files = new Map<string, Promise<string[] | undefined>>();
  for (const hit of result.hits) {
    let lines = files.get(hit.path);
    if (!lines) files.set(hit.path, (lines = readFileLines(path.resolve(root, hit.path), unsaved)));
    const endLine = Math.min(hit.endLine, hit.startLine + MAX_PASSAGE_LINES - 1);
    const text = (await lines)?.slice(hit.startLine - 1, endLine).join('\n');
    if (text === undefined) continue;
    passages.push({
      id: `${hit.path}:${hit.startLine}-${hit.endLine}`,
      path: hit.path,
      startLine: hit.startLine,
      endLine,
      symbol: hit.symbol,
      language: hit.language ?? '',
      score: hit.score,
      text,
    });
  }
  return { passages, ms: performance.now() - started, warnings: result.warnings };
}

/** The file's lines, or undefined if it vanished since indexing (dropped, not fatal). */
async function readFileLines(file: string, unsaved: BufferOverlay): Promise<string[] | undefined> {
  return (await readFileText(file, unsaved))?.split(/\r?\n/);
}

/** The editor's unsaved text of the file, else the disk's; undefined if it is gone. */
async function readFileText(file: string, unsaved: BufferOverlay | undefined): Promise<string | undefined> {
  const text = unsaved?.get(file);
  if (text !== undefined) return text;
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

/**
 * Keel's own SQL findings (injection, N+1, unbounded writes …) that fall inside the retrieved passages:
 * with no model, they are the most useful thing the offline answer can add for a backend question.
 * Analysed on the text the passages were read from (the unsaved buffer, if the editor has one), so a
 * finding's line is the passage's line.
 */
export async function sqlFindingsIn(root: string, passages: readonly ContextPassageText[], unsaved?: BufferOverlay): Promise<PassageFinding[]> {
  const out: PassageFinding[] = [];
  for (const file of new Set(passages.map((p) => p.path))) {
    const text = await readFileText(path.resolve(root, file), unsaved);
    if (text === undefined) continue;
    const findings = await analyzeSource({ path: file, text }).catch(() => []);
    for (const f of findings) {
      if (f.category === 'select-star') continue; // informational: not worth a line in an answer
      if (passages.some((p) => p.path === file && f.line >= p.startLine && f.line <= p.endLine)) out.push({ path: file, line: f.line, code: f.code, message: f.message });
    }
  }
  return out;
}
