/**
 * `search/query`: hybrid search over the open index of a folder (opening it, and building it first
 * when asked and there is none — so `keel search` works in one command on a fresh checkout).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { IndexSummary, SearchHit, SearchQueryParams, SearchQueryResult } from '../../protocol';
import type { Engine, RequestContext } from '../engine';
import { KeelError } from '../../common/errors';
import { IndexServiceKey } from '../index/indexService';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import { hybridSearch } from '../search/hybrid';
import { IndexSource } from '../search/indexSource';
import { rerankerDepsFor } from '../search/rerank/engineDeps';
import { createReranker } from '../search/rerank/registry';
import { ConfigKey } from '../config';
import { EmbedderKey, embedderFor } from '../embed/service';
import { parseStoreLocation } from '../store/location';
import { gitIdentity } from '../store/postgres/publishWorkspace';
import { TeamStoresKey } from '../store/teamStore';
import type { StoreSource } from '../store/types';

const PREVIEW_LINES = 8;

export function registerSearchFeature(engine: Engine): void {
  engine.handle('search/query', async (params, ctx) => {
    validate(params);
    const started = performance.now();
    const { source, indexed } = await openSource(engine, params, ctx);
    const reranker = createReranker(params.rerank, rerankerDepsFor(engine.services));
    const result = await hybridSearch(source, params.query, {
      mode: params.mode,
      top: params.top,
      candidates: params.candidates,
      rrfK: params.rrfK,
      weights: params.weights,
      filters: { language: params.language, path: params.path },
      maxPerFile: params.maxPerFile,
      reranker,
      rerankContext: { openFiles: params.openFiles, recentFiles: params.recentFiles },
      signal: ctx.signal,
    });
    const hits: SearchHit[] = [];
    for (const p of result.passages) {
      const hit: SearchHit = {
        path: source.displayPath(p.root, p.path),
        startLine: p.startLine,
        endLine: p.endLine,
        symbol: p.symbol,
        score: Math.round(p.score * 1e6) / 1e6,
        language: p.language,
      };
      if (p.kind) hit.kind = p.kind;
      if (params.preview) hit.preview = preview(await source.readLines(p.root, p.path, p.startLine, Math.min(p.endLine, p.startLine + PREVIEW_LINES - 1)));
      hits.push(hit);
    }
    for (const warning of result.warnings) ctx.log.warn(warning);
    ctx.log.debug(`search "${params.query.slice(0, 60)}": ${hits.length} hits, ${result.mode}, rerank ${result.reranker ?? 'none'}, ${result.timings.totalMs.toFixed(1)} ms`);
    const out: SearchQueryResult = { hits, mode: result.mode, reranker: result.reranker, ms: Math.round(performance.now() - started) };
    if (indexed) out.indexed = indexed;
    if (result.warnings.length) out.warnings = result.warnings;
    return out;
  });
}

/** The store the search talks to: the local index, or a team store's published branch head. */
async function openSource(engine: Engine, params: SearchQueryParams, ctx: RequestContext): Promise<{ source: StoreSource; indexed?: IndexSummary }> {
  const config = engine.services.get(ConfigKey);
  // `keel.index.store: postgres` points the editor's searches at the team store (the URL is a secret);
  // an explicit `store` (CLI --store) wins.
  const setting = config.get<string>('keel.index.store', 'local');
  const location = parseStoreLocation(params.store ?? (setting === 'postgres' ? 'postgres' : undefined), config.secret('indexStoreUrl') ?? config.secret('databaseUrl'));
  if (location.kind === 'local') {
    const { index, indexed } = await openIndex(engine, params, ctx);
    return { source: new IndexSource(index, engine.services.get(IndexServiceKey).buffers), indexed };
  }
  const store = await engine.services.get(TeamStoresKey).get(location.url, false);
  const { repo, branch } = await gitIdentity(path.resolve(params.dir));
  const head = await store.head(repo, branch);
  let embed;
  if (head?.embedder) {
    try {
      const local = engine.services.get(EmbedderKey);
      const embedder = local.id === head.embedder ? local : embedderFor(engine.services, head.embedder);
      embed = { id: embedder.id, embed: async (text: string, signal?: AbortSignal) => (await embedder.embed([text], signal))[0] };
    } catch (error) {
      ctx.log.warn(`The team index was embedded with ${head.embedder}, which is not available here (${(error as Error).message}); keyword search only.`);
    }
  }
  return { source: await store.source(repo, branch, embed) };
}

async function openIndex(engine: Engine, params: SearchQueryParams, ctx: RequestContext): Promise<{ index: WorkspaceIndex; indexed?: IndexSummary }> {
  const service = engine.services.get(IndexServiceKey);
  const dir = path.resolve(params.dir);
  const open = params.store ? undefined : service.forPath(dir);
  if (open && !params.ensureIndex) return { index: open };
  if (open) {
    // a build may be filling it right now (the editor's first build): answer from the finished index
    const index = await service.settled(open);
    if (index.catalog.fileCount > 0) return { index };
  }
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat) throw new KeelError('FILE_NOT_FOUND', `Folder not found: ${dir}`);
  if (!stat.isDirectory()) throw new KeelError('INVALID_PARAMS', `Not a folder: ${dir}`);
  const index = params.ensureIndex ? await service.settledFor([dir], params.store) : await service.openFor([dir], params.store);
  if (index.catalog.fileCount > 0) return { index };
  if (!params.ensureIndex) throw new KeelError('INDEX_NOT_FOUND', `${dir} has no index yet; build it first (keel index, or Keel: Index Workspace).`);
  const { notices, ...summary } = await service.build({ roots: [dir], store: params.store }, ctx.signal, (progress) =>
    ctx.notify('index/progress', { ...progress, root: dir }),
  );
  for (const message of notices) ctx.notify('index/progress', { phase: 'done', done: 0, total: 0, message });
  return { index: service.forPath(dir) ?? index, indexed: summary };
}

function validate(params: SearchQueryParams): void {
  if (!params || typeof params.query !== 'string' || params.query.trim() === '') throw new KeelError('INVALID_PARAMS', '`query` must be a non-empty string.');
  if (typeof params.dir !== 'string' || params.dir === '') throw new KeelError('INVALID_PARAMS', '`dir` must be the folder to search.');
  for (const key of ['language', 'path', 'openFiles', 'recentFiles'] as const) {
    const v = params[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) throw new KeelError('INVALID_PARAMS', `\`${key}\` must be an array of strings.`);
  }
}

function preview(text: string | undefined): string {
  if (!text) return '';
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0).trimEnd()).join('\n').slice(0, 800);
}
