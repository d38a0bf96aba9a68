/** search_code: the hybrid index (BM25 + vectors, fused, re-ranked) as passages with path:line and a snippet. */
import { z } from 'zod';
import { ConfigKey } from '../config';
import { call } from '../engine';
import { clip, LIMITS } from './limits';
import { defineTool } from './types';
import { FileLines, PathGate } from './workspaceAccess';

const input = z
  .object({
    query: z.string().trim().min(1).max(500).describe('What to look for: identifiers, a behaviour, an error message, a question.'),
    top: z.number().int().min(1).max(LIMITS.searchTop).optional().describe(`How many passages (default 8, at most ${LIMITS.searchTop}).`),
    language: z.array(z.string().max(40)).max(10).optional().describe('Only these languages, e.g. ["python"] or ["typescript"].'),
    path: z.array(z.string().max(200)).max(10).optional().describe('Only paths matching these globs, e.g. ["src/**"]; a leading ! excludes.'),
    mode: z.enum(['hybrid', 'bm25', 'vector']).optional().describe('hybrid (default), bm25 (exact identifiers) or vector (meaning).'),
  })
  .strict();

const passage = z.object({
  path: z.string(),
  startLine: z.number().int(),
  endLine: z.number().int(),
  symbol: z.string(),
  language: z.string(),
  score: z.number(),
  snippet: z.string(),
  snippetTruncated: z.boolean(),
});

const output = z.object({
  passages: z.array(passage),
  mode: z.enum(['hybrid', 'bm25', 'vector']),
  reranker: z.string().nullable(),
  /** Engine time for the search, ms. */
  ms: z.number(),
  indexedFirst: z.boolean(),
  warnings: z.array(z.string()),
});

export const searchCode = defineTool({
  name: 'search_code',
  title: 'Search code',
  description:
    'Search this workspace\'s code with Keel\'s hybrid index (keywords + meaning). Returns the best passages as path:startLine-endLine with the enclosing symbol and a snippet. Use it first to find where something is implemented; then read_code for more lines.',
  input,
  output,
  async run(args, ctx) {
    const config = ctx.engine.services.get(ConfigKey);
    const result = await call(
      ctx.engine,
      'search/query',
      {
        query: args.query,
        dir: ctx.roots[0],
        store: ctx.store,
        ensureIndex: true,
        top: args.top ?? 8,
        mode: args.mode,
        language: args.language,
        path: args.path,
        rerank: config.get('keel.search.rerank', 'local'),
      },
      { signal: ctx.signal },
    );
    const files = new FileLines(ctx.roots);
    const gate = new PathGate(ctx);
    const passages: z.infer<typeof passage>[] = [];
    for (const hit of result.hits) {
      if (!(await gate.allows(hit.path))) continue;
      const lines = (await files.lines(hit.path)) ?? [];
      const last = Math.min(hit.endLine, hit.startLine + LIMITS.searchSnippetLines - 1);
      const { text, truncated } = clip(lines.slice(hit.startLine - 1, last).join('\n'), LIMITS.searchSnippetChars);
      passages.push({
        path: hit.path,
        startLine: hit.startLine,
        endLine: hit.endLine,
        symbol: hit.symbol,
        language: hit.language ?? '',
        score: hit.score,
        snippet: text,
        snippetTruncated: truncated || last < hit.endLine,
      });
    }
    const structured = { passages, mode: result.mode, reranker: result.reranker, ms: result.ms, indexedFirst: result.indexed !== undefined, warnings: result.warnings ?? [] };
    const text = passages.length
      ? passages.map((p) => `${p.path}:${p.startLine}-${p.endLine}${p.symbol ? ` ${p.symbol}` : ''}\n${fence(p.snippet)}${p.snippetTruncated ? '\n(snippet cut; read_code for the rest)' : ''}`).join('\n\n')
      : `No passages match "${args.query}".`;
    return { structured, text };
  },
});

/** A fence longer than any backtick run inside, so code cannot close it early. */
export function fence(code: string): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}\n${code}\n${ticks}`;
}
