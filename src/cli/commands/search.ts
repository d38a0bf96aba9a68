/**
 * `keel search "<query>" [--dir DIR] [--store DIR] [--top N] [--mode hybrid|bm25|vector]
 *   [--rerank none|local|cohere|voyage|jina|llm] [--json]`
 * --json prints exactly an array of { path, startLine, endLine, symbol, score } (plus an optional `kind`), best first, paths
 * relative to DIR. Indexes DIR first when it has no index yet (progress on stderr).
 */
import * as path from 'node:path';
import type { IndexProgress, SearchMode } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CliCommand } from '../command';
import { stringArg } from '../args';
import { dirOption, STORE_OPTION, storeArg } from '../dirArg';

const MODES: readonly SearchMode[] = ['hybrid', 'bm25', 'vector'];

export const searchCommand: CliCommand = {
  name: 'search',
  network: true,
  summary: 'Hybrid search of a directory (indexes it first if needed)',
  usage: 'keel search "<query>" [--dir DIR] [--store DIR] [--top N] [--mode hybrid|bm25|vector] [--rerank none|local|cohere|voyage|jina|llm] [--local-only] [--timeout S] [--json]',
  options: {
    dir: dirOption('search', false),
    store: STORE_OPTION,
    top: { type: 'string', description: 'Number of results (default 10, at most 100).' },
    mode: { type: 'string', description: 'hybrid (default), bm25 or vector.' },
    rerank: { type: 'string', description: 'none, local (default), cohere[:model], voyage[:model], jina[:model] or llm.' },
    lang: { type: 'string', multiple: true, description: 'Only chunks of this language (repeatable).' },
    path: { type: 'string', multiple: true, description: 'Only paths matching this glob; !glob excludes (repeatable).' },
  },
  async run(args, io) {
    const query = args.positionals.join(' ').trim();
    if (!query) throw new KeelError('INVALID_PARAMS', `A query is required.\nusage: ${searchCommand.usage}`);
    const json = args.values.json === true;
    const dir = path.resolve(io.cwd, stringArg(args, 'dir') ?? '.');
    const mode = stringArg(args, 'mode') as SearchMode | undefined;
    if (mode !== undefined && !MODES.includes(mode)) throw new KeelError('INVALID_PARAMS', `--mode must be one of ${MODES.join(', ')}.`);
    const topText = stringArg(args, 'top');
    const top = topText === undefined ? undefined : Number(topText);
    if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new KeelError('INVALID_PARAMS', '--top must be a positive integer.');
    const store = storeArg(args, io.cwd);

    const result = await io.call(
      'search/query',
      {
        query,
        dir,
        store,
        ensureIndex: true,
        top,
        mode,
        rerank: stringArg(args, 'rerank'),
        language: list(args.values.lang),
        path: list(args.values.path),
        preview: !json,
      },
      {
        onNotify: (method, params) => {
          if (method !== 'index/progress') return;
          const p = params as IndexProgress;
          if (p.message) io.err(`${p.message}\n`);
          else if (p.phase === 'done') io.err(`indexed ${dir}\n`);
        },
      },
    );
    for (const warning of result.warnings ?? []) io.err(`warning: ${warning}\n`);
    if (json) {
      io.out(`${JSON.stringify(result.hits.map((h) => ({ path: h.path, startLine: h.startLine, endLine: h.endLine, symbol: h.symbol, score: h.score, ...(h.kind ? { kind: h.kind } : {}) })))}\n`);
      return 0;
    }
    if (result.indexed) io.err(`Indexed ${result.indexed.files} files (${result.indexed.chunks} chunks) first.\n`);
    if (result.hits.length === 0) {
      io.out('No results.\n');
      return 0;
    }
    for (const [i, h] of result.hits.entries()) {
      io.out(`${i + 1}. ${h.path}:${h.startLine}-${h.endLine}${h.symbol ? `  ${h.symbol}` : ''}  (${h.score.toFixed(4)})\n`);
      for (const line of (h.preview ?? '').split('\n').slice(0, 4)) if (line.trim()) io.out(`     ${line}\n`);
    }
    io.err(`${result.mode}${result.reranker ? ` + ${result.reranker} re-rank` : ''}, ${result.ms} ms\n`);
    return 0;
  },
};

function list(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : undefined;
}
