/**
 * Experiment: hybrid vs hybrid + local re-ranker with weights from a JSON file (written by
 * `trainReranker.ts --out-json`), on the evaluation sets — for CONFIRMING a change chosen on the training
 * packages, never for choosing one.   tsx scripts/retrieval/experiments/rerankEval.ts WEIGHTS.json [rrfK] [bm25Weight]
 */
import * as fs from 'node:fs';
import { createEmbedder } from '../../../src/engine/embed/registry';
import { LocalReranker } from '../../../src/engine/search/rerank/local';
import { cosqaCorpus, repoCorpus } from '../corpora';
import { defaultCosqaPath, loadCosqa } from '../cosqa';
import { defaultCacheDir, loadOrBuildRepoSet } from '../repoSet';
import { evaluate } from '../runEval';

async function main(): Promise<void> {
  const [file, k, wb] = process.argv.slice(2);
  const weights = file && file !== '-' ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>) : undefined;
  const options = { ...(k ? { rrfK: Number(k) } : {}), ...(wb ? { weights: { bm25: Number(wb), vector: 1 } } : {}) };
  const embedder = createEmbedder('keel-code');
  for (const corpus of [await cosqaCorpus(loadCosqa(defaultCosqaPath()), embedder), await repoCorpus(loadOrBuildRepoSet(defaultCacheDir(), () => {}), embedder)]) {
    for (const [name, reranker] of [['hybrid', undefined], ['hybrid+local', new LocalReranker(weights)]] as const) {
      const run = await evaluate(corpus, { name, mode: 'hybrid', reranker, options });
      console.log(`${corpus.name.padEnd(6)} ${name.padEnd(13)} MRR ${run.mrr10.toFixed(4)}  R@1 ${run.recall1.toFixed(4)}  R@5 ${run.recall5.toFixed(4)}  R@10 ${run.recall10.toFixed(4)}`);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
