/**
 * Experiment: query-adaptive RRF weights — each retriever's weight grows with how decisively its own top
 * hit beats its runner-up (relative score gap), so a query BM25 nails trusts BM25 and a query only the
 * vectors understand trusts them. Dev = training packages; `--eval` confirms on the evaluation sets.
 *   tsx scripts/retrieval/experiments/adaptiveFusion.ts [--eval]
 */
import { parseArgs } from 'node:util';
import { createEmbedder } from '../../../src/engine/embed/registry';
import { hybridSearch } from '../../../src/engine/search/hybrid';
import { MemorySource } from '../../../src/engine/search/source';
import { cosqaCorpus, repoCorpus, type EvalCorpus } from '../corpora';
import { defaultCosqaPath, loadCosqa } from '../cosqa';
import { buildFunctionSet } from '../functionSet';
import { rankOf, summarize } from '../metrics';
import { defaultCacheDir, loadOrBuildRepoSet } from '../repoSet';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { eval: { type: 'boolean', default: false } } });
  const embedder = createEmbedder('keel-code');
  const corpora: EvalCorpus[] = [];
  if (values.eval) {
    corpora.push(await cosqaCorpus(loadCosqa(defaultCosqaPath()), embedder));
    corpora.push(await repoCorpus(loadOrBuildRepoSet(defaultCacheDir(), () => {}), embedder));
  } else {
    corpora.push({ ...(await repoCorpus(loadOrBuildRepoSet(defaultCacheDir(), () => {}, 'train'), embedder)), name: 'train-repo' });
    const docs = buildFunctionSet(defaultCacheDir());
    const source = new MemorySource(embedder);
    await source.add(docs.map((d) => ({ id: d.path, path: d.path, language: 'javascript', symbol: '', startLine: 1, endLine: d.code.split('\n').length, text: d.code })));
    corpora.push({ name: 'train-fn', source, queries: docs.map((d, i) => ({ id: `fn-${i}`, query: d.query, relevant: d.path })), chunks: docs.length, buildMs: 0 });
  }
  const gap = (s: number[]): number => (s.length >= 2 && s[0] > 0 ? (s[0] - s[1]) / s[0] : 0);
  for (const corpus of corpora) {
    console.log(`\n${corpus.name}`);
    for (const a of [0, 2, 5, 10]) {
      const ranks: Array<number | undefined> = [];
      for (const q of corpus.queries) {
        const kb = corpus.source.keywordSearch(q.query, 2).map((h) => h.score);
        const kv = (await corpus.source.vectorSearch(q.query, 2)).map((h) => h.score);
        const weights = { bm25: 1 + a * gap(kb), vector: 1 + a * gap(kv) };
        const r = await hybridSearch(corpus.source, q.query, { weights });
        ranks.push(rankOf(r.passages.map((p) => p.path), q.relevant));
      }
      const m = summarize(ranks);
      console.log(`a=${a}`.padEnd(8), `MRR ${m.mrr10.toFixed(4)}  R@1 ${m.recall1.toFixed(4)}  R@5 ${m.recall5.toFixed(4)}  R@10 ${m.recall10.toFixed(4)}`);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
