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

const TOP_PASSAGES = 8;
const MAX_PASSAGE_LINES = 120;

export async function retrieveForChat(engine: Engine, root: string, store: string | undefined, question: string, ctx: RequestContext, rerank = 'local'): Promise<Retrieved> {
  const started = performance.now();
  const result = await engine.dispatch('search/query', { query: question, dir: root, store, ensureIndex: true, top: TOP_PASSAGES, rerank }, {
    ...ctx,
    stream: () => undefined,
  });
  const passages: ContextPassageText[] = [];
  for (const hit of result.hits) {
    const text = await readLines(path.resolve(root, hit.path), hit.startLine, Math.min(hit.endLine, hit.startLine + MAX_PASSAGE_LINES - 1));
    if (text === undefined) continue;
    passages.push({
      id: `${hit.path}:${hit.startLine}-${hit.endLine}`,
      path: hit.path,
      startLine: hit.startLine,
      endLine: Math.min(hit.endLine, hit.startLine + MAX_PASSAGE_LINES - 1),
      symbol: hit.symbol,
      language: hit.language ?? '',
      score: hit.score,
      text,
    });
  }
  return { passages, ms: performance.now() - started };
}

async function readLines(file: string, start: number, end: number): Promise<string | undefined> {
  try {
    const text = await fs.readFile(file, 'utf8');
    return text.split(/\r?\n/).slice(start - 1, end).join('\n');
  } catch {
    return undefined;
  }
}

/**
 * Keel's own SQL findings (injection, N+1, unbounded writes …) that fall inside the retrieved passages:
 * with no model, they are the most useful thing the offline answer can add for a backend question.
 */
export async function sqlFindingsIn(root: string, passages: readonly ContextPassageText[]): Promise<PassageFinding[]> {
  const out: PassageFinding[] = [];
  for (const file of new Set(passages.map((p) => p.path))) {
    const text = await fs.readFile(path.resolve(root, file), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const findings = await analyzeSource({ path: file, text }).catch(() => []);
    for (const f of findings) {
      if (f.category === 'select-star') continue; // informational: not worth a line in an answer
      if (passages.some((p) => p.path === file && f.line >= p.startLine && f.line <= p.endLine)) out.push({ path: file, line: f.line, code: f.code, message: f.message });
    }
  }
  return out;
}
