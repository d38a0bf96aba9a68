/**
 * Turns the evaluation sets into searchable in-memory indexes with the PRODUCT's pieces: the same
 * chunker (tree-sitter), the same BM25 analyzer and boosts, the same embedder. Only the storage is
 * different (MemorySource instead of the on-disk store), which does not change rankings.
 */
import { chunkFile } from '../../src/engine/index/chunker';
import type { Embedder } from '../../src/engine/embed/types';
import { MemorySource, type MemoryChunk } from '../../src/engine/search/source';
import type { CosqaSet } from './cosqa';
import type { RepoSet } from './repoSet';

export interface EvalQuery {
  id: string;
  query: string;
  /** The relevant result key: a corpus path. */
  relevant: string;
}

export interface EvalCorpus {
  name: string;
  source: MemorySource;
  queries: EvalQuery[];
  chunks: number;
  buildMs: number;
}

export async function repoCorpus(set: RepoSet, embedder: Embedder | undefined): Promise<EvalCorpus> {
  const t0 = performance.now();
  const chunks: MemoryChunk[] = [];
  for (const file of set.files) {
    const fileChunks = await chunkFile(file.path, file.text);
    fileChunks.forEach((c, i) =>
      chunks.push({ id: `${file.path}#${i}`, path: file.path, language: c.language, symbol: c.symbol, startLine: c.startLine, endLine: c.endLine, text: c.text }),
    );
  }
  const source = new MemorySource(embedder);
  await source.add(chunks);
  const queries = set.queries.map((q) => ({ id: q.id, query: q.query, relevant: q.target }));
  return { name: 'repo', source, queries, chunks: chunks.length, buildMs: performance.now() - t0 };
}

export async function cosqaCorpus(set: CosqaSet, embedder: Embedder | undefined): Promise<EvalCorpus> {
  const t0 = performance.now();
  const chunks: MemoryChunk[] = set.docs.map((d) => ({
    id: d.id,
    path: `cosqa/${d.id}.py`,
    language: 'python',
    symbol: d.symbol,
    startLine: 1,
    endLine: d.code.split('\n').length,
    text: d.code,
  }));
  const source = new MemorySource(embedder);
  await source.add(chunks);
  const queries = set.queries.map((q) => ({ id: q.id, query: q.query, relevant: `cosqa/${q.relevant}.py` }));
  return { name: 'cosqa', source, queries, chunks: chunks.length, buildMs: performance.now() - t0 };
}
