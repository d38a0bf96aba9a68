/**
 * `npm run eval:retrieval` — retrieval quality of bm25, vector, hybrid and hybrid + local re-ranker on
 *   (a) the bug-report set ../shared/data/retrieval-swe-dev/ ("swe", the one that decides): real issues
 *       as queries, the files their fixes changed as answers, file-level Recall@1/5/10 and MRR@10 per
 *       language and per repository, next to the plain whole-file BM25 reference computed in the same
 *       run, with paired-bootstrap 95% intervals (scripts/lib/bootstrap.ts) for every comparison;
 *   (b) CoSQA dev (../shared/data/retrieval/), a report-only regression line (nothing is tuned on it);
 *   (c) on request (--corpus repo), the older npm repository-level set (scripts/retrieval/repoSet.ts).
 * Last line: one JSON object.
 *
 * Flags: --embedder ID (default keel-code) · --model-file PATH · --corpus swe,cosqa (default) | repo | all
 *        · --limit N · --split A|B|all (swe tasks to run; default all, reported per split)
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbedder } from '../src/engine/embed/registry';
import type { Embedder } from '../src/engine/embed/types';
import { LocalReranker } from '../src/engine/search/rerank/local';
import { cosqaCorpus, repoCorpus, type EvalCorpus } from './retrieval/corpora';
import { loadCosqa } from './retrieval/cosqa';
import { sharedDataDir } from './retrieval/sweDev';
import { summarize, type Metrics } from './retrieval/metrics';
import { defaultCacheDir, loadOrBuildRepoSet } from './retrieval/repoSet';
import { evaluate, type EvalConfig, type EvalRun } from './retrieval/runEval';
import { runSweSection } from './retrieval/sweReport';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      embedder: { type: 'string', default: 'keel-code' },
      'model-file': { type: 'string' },
      corpus: { type: 'string', default: 'swe,cosqa' },
      limit: { type: 'string' },
      split: { type: 'string', default: 'all' },
    },
  });
  const limit = values.limit ? Number(values.limit) : undefined;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const embedder = tryEmbedder(values.embedder!, values['model-file'], log);

  const wanted = new Set(values.corpus === 'all' ? ['swe', 'cosqa', 'repo'] : values.corpus!.split(','));
  const swe = wanted.has('swe') ? await runSweSection(embedder, values.split!, limit, log) : undefined;

  const corpora: EvalCorpus[] = [];
  if (wanted.has('cosqa')) corpora.push(await cosqaCorpus(loadCosqa(path.join(sharedDataDir('retrieval'), 'cosqa-dev.json')), embedder));
  if (wanted.has('repo')) corpora.push(await repoCorpus(loadOrBuildRepoSet(defaultCacheDir(), log), embedder));

  const configs: EvalConfig[] = [
    { name: 'bm25', mode: 'bm25' },
    ...(embedder ? [{ name: 'vector', mode: 'vector' } as EvalConfig, { name: 'hybrid', mode: 'hybrid' } as EvalConfig] : []),
    { name: embedder ? 'hybrid+local' : 'bm25+local', mode: embedder ? 'hybrid' : 'bm25', reranker: new LocalReranker() },
  ];

  const results: Record<string, Record<string, Omit<EvalRun, 'ranks'>>> = {};
  const rankLists: Record<string, Record<string, Array<number | undefined>>> = {};
  const pooled = new Map<string, Array<number | undefined>>();
  for (const corpus of corpora) {
    console.log(`\n${corpus.name}: ${corpus.queries.length} queries over ${corpus.chunks} chunks (indexed in ${(corpus.buildMs / 1000).toFixed(1)} s)`);
    console.log(row(['config', 'MRR@10', 'R@1', 'R@5', 'R@10', 'ms/query']));
    results[corpus.name] = {};
    for (const config of configs) {
      const { ranks, ...run } = await evaluate(corpus, config, limit);
      results[corpus.name][config.name] = run;
      (rankLists[corpus.name] ??= {})[config.name] = ranks;
      pooled.set(config.name, [...(pooled.get(config.name) ?? []), ...ranks]);
      console.log(row([config.name, fmt(run.mrr10), fmt(run.recall1), fmt(run.recall5), fmt(run.recall10), run.msPerQuery.toFixed(2)]));
    }
  }
  const overall: Record<string, Metrics> = {};
  console.log(`\noverall (query-weighted over ${corpora.map((c) => c.name).join(' + ')})`);
  console.log(row(['config', 'MRR@10', 'R@1', 'R@5', 'R@10', '']));
  for (const [name, ranks] of pooled) {
    overall[name] = summarize(ranks);
    const m = overall[name];
    console.log(row([name, fmt(m.mrr10), fmt(m.recall1), fmt(m.recall5), fmt(m.recall10), '']));
  }

  const bars = barChecks(results, embedder !== undefined);
  const ceiling = rankLists.repo?.vector ? unionCeiling(rankLists.repo.bm25, rankLists.repo.vector) : undefined;
  if (ceiling !== undefined) {
    console.log(`\nrepo: the target is in the bm25 OR the vector top 10 for ${(ceiling * 100).toFixed(1)}% of queries — the most any`);
    console.log(`fusion of the two top-10 lists could reach (${(ceiling / Math.max(1e-9, results.repo.bm25.recall10)).toFixed(3)}x bm25 R@10)`);
  }
  console.log('\nbars');
  for (const b of bars) console.log(`  ${b.pass ? 'PASS' : 'FAIL'}  ${b.name}: ${b.detail}`);
  console.log(JSON.stringify({ embedder: embedder?.id ?? null, limit: limit ?? null, swe: swe ?? null, corpora: results, overall, bars, repoTop10UnionRecall: ceiling ?? null }));
}

/** Share of queries whose target is in the top 10 of either list. */
function unionCeiling(a: ReadonlyArray<number | undefined>, b: ReadonlyArray<number | undefined>): number {
  let hit = 0;
  a.forEach((r, i) => {
    if ((r !== undefined && r <= 10) || (b[i] !== undefined && b[i]! <= 10)) hit++;
  });
  return Math.round((hit / Math.max(1, a.length)) * 10000) / 10000;
}

interface Bar {
  name: string;
  pass: boolean;
  detail: string;
}

function barChecks(results: Record<string, Record<string, Omit<EvalRun, 'ranks'>>>, vectors: boolean): Bar[] {
  const bars: Bar[] = [];
  const repo = results.repo;
  if (repo && vectors) {
    const ratio = repo.hybrid.recall10 / Math.max(1e-9, repo.bm25.recall10);
    // Recall cannot exceed 1: where bm25 already finds more than 1/1.15 = 87.0% of targets, no retriever
    // could meet the bar on this set, and the line says so rather than reading as a near miss.
    const best = 1 / Math.max(1e-9, repo.bm25.recall10);
    const reachable = best >= 1.15 ? '' : `; unreachable on this set: even R@10 = 1 would be ${best.toFixed(3)}x`;
    bars.push({
      name: 'repo hybrid R@10 >= 1.15 x bm25',
      pass: ratio >= 1.15,
      detail: `${fmt(repo.hybrid.recall10)} / ${fmt(repo.bm25.recall10)} = ${ratio.toFixed(3)}x${reachable}`,
    });
  } else if (repo) {
    bars.push({ name: 'repo hybrid R@10 >= 1.15 x bm25', pass: false, detail: 'no embedder available: vector and hybrid were not measured' });
  }
  for (const [name, runs] of Object.entries(results)) {
    const base = vectors ? runs.hybrid : runs.bm25;
    const reranked = vectors ? runs['hybrid+local'] : runs['bm25+local'];
    bars.push({
      name: `${name}: local re-ranker improves MRR@10`,
      pass: reranked.mrr10 > base.mrr10,
      detail: `${fmt(reranked.mrr10)} vs ${fmt(base.mrr10)} (${signed(reranked.mrr10 - base.mrr10)})`,
    });
  }
  return bars;
}

function tryEmbedder(id: string, modelFile: string | undefined, log: (line: string) => void): Embedder | undefined {
  try {
    const embedder = createEmbedder(id, modelFile ? { modelFile } : {});
    if (embedder.dimensions > 0) return embedder; // loads the model now, so a missing file is reported here
  } catch (error) {
    log(`embedder ${id} is not available (${(error as Error).message}); measuring keyword retrieval only`);
  }
  return undefined;
}

const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(8))).join(' ');
const fmt = (x: number): string => x.toFixed(4);
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

main().catch((error) => {
  process.stderr.write(`eval-retrieval failed: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
