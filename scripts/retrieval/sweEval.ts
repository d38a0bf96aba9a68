/**
 * File-level evaluation on the bug-report set: for each task, index its workspace, run every variant
 * with the issue text as the query, and score the distinct files of the result list against the
 * fixed files. Recall@k = share of a task's gold files in the first k distinct files; MRR@10 = 1 /
 * rank of the first gold file (0 beyond 10).
 */
import type { Embedder } from '../../src/engine/embed/types';
import { hybridSearch, type HybridOptions } from '../../src/engine/search/hybrid';
import type { Reranker } from '../../src/engine/search/rerank/types';
import type { SearchMode } from '../../src/protocol';
import { allFiles, CorpusBuilder, workspaceFor, type SweTask, type WorkspaceCorpus } from './sweDev';
import { wholeFileBm25 } from './wholeFileBm25';

export interface SweVariant {
  name: string;
  /** 'reference' is the whole-file BM25 baseline; everything else goes through hybridSearch. */
  kind: 'reference' | 'search';
  mode?: SearchMode;
  reranker?: Reranker;
  options?: Partial<HybridOptions>;
  /** Rewrites the query first (the "before" variants cut it as the old 4,000-character limit forced). */
  query?: (q: string) => string;
}

export interface TaskScore {
  id: string;
  repo: string;
  language: string;
  split: 'A' | 'B';
  r1: number;
  r5: number;
  r10: number;
  mrr10: number;
  top: string[];
}

export function scoreFiles(files: readonly string[], gold: readonly string[]): Omit<TaskScore, 'id' | 'repo' | 'language' | 'split' | 'top'> {
  const g = new Set(gold);
  const distinct = [...new Set(files)];
  const recall = (k: number): number => distinct.slice(0, k).filter((f) => g.has(f)).length / g.size;
  const first = distinct.slice(0, 10).findIndex((f) => g.has(f));
  return { r1: recall(1), r5: recall(5), r10: recall(10), mrr10: first < 0 ? 0 : 1 / (first + 1) };
}

export async function runSwe(
  dataDir: string,
  tasks: readonly SweTask[],
  variants: readonly SweVariant[],
  embedder: Embedder | undefined,
  log: (line: string) => void,
): Promise<{ scores: Map<string, TaskScore[]>; msPerQuery: Map<string, number>; chunks: number }> {
  const builder = new CorpusBuilder(embedder);
  const scores = new Map<string, TaskScore[]>(variants.map((v) => [v.name, []]));
  const ms = new Map<string, number>(variants.map((v) => [v.name, 0]));
  let chunks = 0;
  let repo = '';
  for (const [i, task] of tasks.entries()) {
    const ws = workspaceFor(dataDir, task.id, log);
    if (task.repo !== repo) builder.reset();
    repo = task.repo;
    const t0 = performance.now();
    const corpus = await builder.build(ws);
    chunks += corpus.chunks;
    log(`[${i + 1}/${tasks.length}] ${task.id}: ${corpus.files.length} files, ${corpus.chunks} chunks (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    for (const v of variants) {
      const t = performance.now();
      const top = await runVariant(v, ws, corpus, task.query);
      ms.set(v.name, ms.get(v.name)! + performance.now() - t);
      scores.get(v.name)!.push({ id: task.id, repo: task.repo, language: task.language, split: task.split, ...scoreFiles(top, task.gold), top: top.slice(0, 10) });
    }
    // per-task figures as they come, so a long run's progress is readable (and survives an interrupted run)
    log(`    ${variants.map((v) => { const r = scores.get(v.name)!.at(-1)!; return `${v.name} ${r.r10.toFixed(2)}/${r.mrr10.toFixed(2)}`; }).join(' · ')}`);
  }
  for (const v of variants) ms.set(v.name, Math.round((ms.get(v.name)! / Math.max(1, tasks.length)) * 10) / 10);
  return { scores, msPerQuery: ms, chunks };
}

async function runVariant(v: SweVariant, ws: string, corpus: WorkspaceCorpus, query: string): Promise<string[]> {
  const q = v.query ? v.query(query) : query;
  if (v.kind === 'reference') return wholeFileBm25(ws, allFiles(ws), q, 10);
  const result = await hybridSearch(corpus.source, q, { mode: v.mode, top: 30, reranker: v.reranker, ...v.options });
  return result.passages.map((p) => p.path);
}
