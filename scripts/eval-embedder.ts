/**
 * `npm run eval:embedder` — how good the embedded model's vectors are, on data it was never trained on:
 *   - CoSQA dev (corpus = all 604 snippets, queries = `doc` of label-1 rows): MRR@10, R@1/5/10 for the
 *     project's BM25 alone, vectors alone, and both fused with RRF (k = 60, equal weights);
 *   - QQP dev 12k: ROC-AUC of cosine for duplicate vs non-duplicate questions (plus the TF-IDF floor);
 *   - GPTCache replay: insert every origin, query with every paraphrase, count own hit / wrong hit / miss
 *     at the embedder's calibrated cache threshold.
 * Last line: one JSON object. Flags: --model FILE (a candidate artifact), --embedder ID,
 * --lexical-share X / --lexical-share-long X --share-ramp A,B / --tf raw|log (override the artifact's, for experiments), --data DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbedder } from '../src/engine/embed/registry';
import { StaticEmbedder } from '../src/engine/embed/staticEmbedder';
import { cacheThresholdFor } from '../src/engine/embed/thresholds';
import { modelTokens } from '../src/engine/embed/tokenize';
import type { Embedder } from '../src/engine/embed/types';
import { Bm25Index } from '../src/engine/search/bm25';
import { reciprocalRankFusion } from '../src/engine/search/rrf';
import { cosine, rankMetrics, rocAuc, round } from './lib/retrievalMetrics';

const ROOT = path.resolve(__dirname, '..');
const { values: flags } = parseArgs({
  options: {
    model: { type: 'string' },
    embedder: { type: 'string' },
    'lexical-share': { type: 'string' },
    tf: { type: 'string' },
    'lexical-share-long': { type: 'string' },
    'share-ramp': { type: 'string' },
    threshold: { type: 'string' },
    data: { type: 'string', default: path.resolve(ROOT, '..', 'shared', 'data') },
  },
});
const say = (s: string): void => void process.stdout.write(s + '\n');

async function main(): Promise<void> {
  const embedder = createEmbedder(flags.embedder, flags.model ? { modelFile: path.resolve(flags.model) } : {});
  if (flags['lexical-share'] !== undefined) {
    if (!(embedder instanceof StaticEmbedder)) throw new Error('--lexical-share applies to the embedded model only');
    embedder.load().data.header.lexicalShare = Number(flags['lexical-share']);
  }
  if (flags['lexical-share-long'] !== undefined) {
    if (!(embedder instanceof StaticEmbedder)) throw new Error('--lexical-share-long applies to the embedded model only');
    const header = embedder.load().data.header;
    header.lexicalShareLong = Number(flags['lexical-share-long']);
    header.shareRamp = (flags['share-ramp'] ?? '16,64').split(',').map(Number) as [number, number];
  }
  if (flags.tf !== undefined) {
    if (!(embedder instanceof StaticEmbedder) || (flags.tf !== 'raw' && flags.tf !== 'log')) throw new Error('--tf raw|log applies to the embedded model only');
    embedder.load().data.header.tf = flags.tf;
  }
  say(`embedder ${embedder.id} (${embedder.dimensions} dims)`);
  const cosqa = await evalCosqa(embedder);
  const qqp = await evalQqp(embedder);
  const threshold = flags.threshold !== undefined ? Number(flags.threshold) : cacheThresholdFor(embedder.id);
  const gptcache = await evalGptCache(embedder, threshold);
  say(JSON.stringify({ ...cosqa, qqpAuc: qqp.auc, gptcache }));
}

async function evalCosqa(embedder: Embedder): Promise<Record<'bm25' | 'vector' | 'hybrid', ReturnType<typeof rankMetrics>>> {
  const rows = JSON.parse(fs.readFileSync(path.join(flags.data!, 'retrieval', 'cosqa-dev.json'), 'utf8')) as Array<{ idx: string; doc: string; code: string; label: number }>;
  const queries = rows.filter((r) => r.label === 1);
  const bm25 = new Bm25Index();
  // As the indexer would: the chunk's text plus its symbol (the function name).
  for (const r of rows) bm25.add(r.idx, { text: r.code, symbol: /def\s+(\w+)/.exec(r.code)?.[1] });
  const docVecs = await embedder.embed(rows.map((r) => r.code));
  const queryVecs = await embedder.embed(queries.map((q) => q.doc));
  const ranks = { bm25: [] as number[], vector: [] as number[], hybrid: [] as number[] };
  const rankOf = (ids: readonly string[], id: string): number => {
    const i = ids.indexOf(id);
    return i < 0 ? Infinity : i + 1;
  };
  queries.forEach((q, qi) => {
    const bmIds = bm25.search(q.doc, rows.length).map((h) => h.docId);
    const vecIds = rows
      .map((r, i) => ({ id: r.idx, s: cosine(queryVecs[qi], docVecs[i]) }))
      .sort((a, b) => b.s - a.s)
      .map((h) => h.id);
    const fused = reciprocalRankFusion([{ ids: bmIds }, { ids: vecIds }]).map((h) => h.id);
    ranks.bm25.push(rankOf(bmIds, q.idx));
    ranks.vector.push(rankOf(vecIds, q.idx));
    ranks.hybrid.push(rankOf(fused, q.idx));
  });
  const out = { bm25: rankMetrics(ranks.bm25), vector: rankMetrics(ranks.vector), hybrid: rankMetrics(ranks.hybrid) };
  say(`CoSQA dev: ${queries.length} queries over ${rows.length} snippets`);
  for (const [name, m] of Object.entries(out)) say(`  ${name.padEnd(7)} MRR@10 ${m.mrr10.toFixed(4)}  R@1 ${m.r1.toFixed(3)}  R@5 ${m.r5.toFixed(3)}  R@10 ${m.r10.toFixed(3)}`);
  say(`  hybrid / bm25 = ${(out.hybrid.mrr10 / out.bm25.mrr10).toFixed(3)} (bar: 1.10)`);
  return out;
}

async function evalQqp(embedder: Embedder): Promise<{ auc: number; tfidfAuc: number }> {
  const pairs = readJsonl<{ a: string; b: string; duplicate: boolean }>(path.join(flags.data!, 'semcache', 'qqp-dev-12k.jsonl'));
  const a = await embedder.embed(pairs.map((p) => p.a));
  const b = await embedder.embed(pairs.map((p) => p.b));
  const scores = pairs.map((_, i) => cosine(a[i], b[i]));
  const labels = pairs.map((p) => p.duplicate);
  const auc = rocAuc(scores, labels);
  const tfidfAuc = rocAuc(tfidfCosines(pairs), labels);
  say(`QQP dev: ${pairs.length} pairs; ROC-AUC ${auc.toFixed(4)} (TF-IDF cosine floor ${tfidfAuc.toFixed(4)}; goal 0.80)`);
  for (const t of [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]) {
    const tp = scores.filter((s, i) => s >= t && labels[i]).length;
    const fp = scores.filter((s, i) => s >= t && !labels[i]).length;
    const pos = labels.filter(Boolean).length;
    say(`  cos ≥ ${t.toFixed(2)}: precision ${(tp / (tp + fp || 1)).toFixed(3)} recall ${(tp / pos).toFixed(3)}`);
  }
  return { auc, tfidfAuc };
}

/** The no-learning baseline: TF-IDF cosine with idf from the QQP questions themselves. */
function tfidfCosines(pairs: Array<{ a: string; b: string }>): number[] {
  const docs = pairs.flatMap((p) => [modelTokens(p.a), modelTokens(p.b)]);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const vec = (toks: string[]): Map<string, number> => {
    const v = new Map<string, number>();
    for (const t of toks) v.set(t, (v.get(t) ?? 0) + Math.log(docs.length / (df.get(t) ?? 1)));
    return v;
  };
  return pairs.map((_, i) => {
    const x = vec(docs[2 * i]);
    const y = vec(docs[2 * i + 1]);
    let dot = 0;
    let nx = 0;
    let ny = 0;
    for (const [t, w] of x) {
      nx += w * w;
      dot += w * (y.get(t) ?? 0);
    }
    for (const w of y.values()) ny += w * w;
    return nx && ny ? dot / Math.sqrt(nx * ny) : 0;
  });
}

async function evalGptCache(embedder: Embedder, threshold: number): Promise<{ threshold: number; ownHit: number; wrongHit: number; miss: number }> {
  const pairs = readJsonl<{ origin: string; paraphrase: string }>(path.join(flags.data!, 'semcache', 'gptcache-mock-pairs.jsonl'));
  const origins = await embedder.embed(pairs.map((p) => p.origin));
  const queries = await embedder.embed(pairs.map((p) => p.paraphrase));
  let ownHit = 0;
  let wrongHit = 0;
  let miss = 0;
  const best: number[] = [];
  const bestIndex: number[] = [];
  queries.forEach((q, i) => {
    let top = -1;
    let topScore = -Infinity;
    origins.forEach((o, j) => {
      const s = cosine(q, o);
      if (s > topScore) [top, topScore] = [j, s];
    });
    best.push(topScore);
    bestIndex.push(top);
    if (topScore < threshold) miss++;
    else if (top === i) ownHit++;
    else wrongHit++;
  });
  say(`GPTCache replay (${pairs.length} paraphrases) at threshold ${threshold}: own hit ${ownHit}, wrong hit ${wrongHit}, miss ${miss}`);
  for (const t of [0.7, 0.75, 0.8, 0.85, 0.9, 0.95]) {
    let own = 0;
    let wrong = 0;
    best.forEach((score, i) => {
      if (score >= t) (bestIndex[i] === i ? own++ : wrong++);
    });
    say(`  at ${t.toFixed(2)}: own hit ${own}, wrong hit ${wrong}, miss ${pairs.length - own - wrong}`);
  }
  const sorted = best.slice().sort((x, y) => x - y);
  say(`  median best cosine ${round(sorted[sorted.length >> 1])} (50% hit rate would fall there)`);
  return { threshold, ownHit, wrongHit, miss };
}

function readJsonl<T>(file: string): T[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval failed: ${(error as Error).message}\n`);
  process.exit(1);
});
