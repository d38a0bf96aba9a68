/**
 * Experiment (issue 7, retrieval-quality follow-up): measures hybrid-retrieval variants on the DEV split —
 * the re-ranker's training packages (webpack, eslint, ioredis) at file level ("train-repo") and at function
 * level ("train-fn", CoSQA-shaped) — so that nothing is tuned on the evaluation sets. `--eval` runs the same
 * variants on the evaluation sets afterwards, for confirmation only.
 *
 * Variants: RRF k and per-retriever weights; BM25 query expansion with the embedder's nearest-neighbour
 * sub-tokens (down-weighted); pseudo-relevance feedback (terms of the top BM25 chunks).
 *
 *   tsx scripts/retrieval/experiments/hybridDev.ts [--eval] [--only NAME,NAME]
 */
import { parseArgs } from 'node:util';
import { analyze } from '../../../src/engine/search/analyzer';
import { createEmbedder } from '../../../src/engine/embed/registry';
import type { StaticEmbedder } from '../../../src/engine/embed/staticEmbedder';
import { modelTokens } from '../../../src/engine/embed/tokenize';
import type { HybridOptions } from '../../../src/engine/search/hybrid';
import { MemorySource, type ScoredChunk, type SearchSource, type SourceChunk } from '../../../src/engine/search/source';
import { cosqaCorpus, repoCorpus, type EvalCorpus } from '../corpora';
import { defaultCosqaPath, loadCosqa } from '../cosqa';
import { buildFunctionSet } from '../functionSet';
import { defaultCacheDir, loadOrBuildRepoSet } from '../repoSet';
import { evaluate } from '../runEval';

interface Variant {
  name: string;
  options?: Partial<HybridOptions>;
  /** Wraps the corpus's source (query expansion, PRF). */
  wrap?: (source: MemorySource) => SearchSource;
}

/** Nearest neighbours of a model sub-token among the embedder's learned dense rows (cosine). */
class Neighbours {
  private readonly unit: Float32Array;
  private readonly D: number;
  private readonly cache = new Map<string, Array<{ token: string; cos: number }>>();
  constructor(private readonly model: ReturnType<StaticEmbedder['load']>) {
    const { header, vectors, rowScale, vocab } = model.data;
    const D = (this.D = header.denseDims);
    this.unit = new Float32Array(vocab.length * D);
    for (let r = 0; r < vocab.length; r++) {
      let n = 0;
      for (let d = 0; d < D; d++) n += (vectors[r * D + d] * rowScale[r]) ** 2;
      const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
      for (let d = 0; d < D; d++) this.unit[r * D + d] = vectors[r * D + d] * rowScale[r] * inv;
    }
  }
  of(token: string, n: number): Array<{ token: string; cos: number }> {
    const key = `${token}/${n}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const row = this.model.index.get(token);
    const out: Array<{ token: string; cos: number }> = [];
    if (row !== undefined) {
      const { vocab } = this.model.data;
      const D = this.D;
      const best: Array<{ r: number; c: number }> = [];
      for (let r = 0; r < vocab.length; r++) {
        if (r === row) continue;
        let c = 0;
        for (let d = 0; d < D; d++) c += this.unit[row * D + d] * this.unit[r * D + d];
        if (best.length < n || c > best[best.length - 1].c) {
          best.push({ r, c });
          best.sort((a, b) => b.c - a.c);
          if (best.length > n) best.pop();
        }
      }
      for (const b of best) out.push({ token: vocab[b.r], cos: b.c });
    }
    this.cache.set(key, out);
    return out;
  }
}

/** score = bm25(query) + Σ_e alpha·w_e·bm25(e) over expansion terms e not already in the query. */
function expandedSource(inner: MemorySource, expand: (query: string) => Array<{ term: string; weight: number }>): SearchSource {
  return {
    get chunkCount() { return inner.chunkCount; },
    get hasVectors() { return inner.hasVectors; },
    vectorSearch: (q, k, signal, filter) => inner.vectorSearch(q, k, signal, filter),
    readChunkText: (c) => inner.readChunkText(c),
    keywordSearch(query: string, k: number, filter?: (chunk: SourceChunk) => boolean): ScoredChunk[] {
      const deep = Math.max(k, 200);
      const scores = new Map<string, ScoredChunk>();
      for (const h of inner.keywordSearch(query, deep, filter)) scores.set(h.chunk.id, { ...h });
      for (const { term, weight } of expand(query)) {
        for (const h of inner.keywords.search(term, deep)) {
          const chunk = inner.get(h.docId)!;
          if (filter && !filter(chunk)) continue;
          const s = scores.get(h.docId);
          if (s) s.score += weight * h.score;
          else scores.set(h.docId, { chunk, score: weight * h.score });
        }
      }
      return [...scores.values()].sort((a, b) => b.score - a.score).slice(0, k);
    },
  };
}

function nnExpansion(nb: Neighbours, perTerm: number, minCos: number, alpha: number) {
  return (query: string): Array<{ term: string; weight: number }> => {
    const qTerms = new Set(analyze(query));
    const out = new Map<string, number>();
    for (const tok of new Set(modelTokens(query))) {
      if (analyze(tok).length === 0) continue; // stop words, single letters
      for (const { token, cos } of nb.of(tok, perTerm)) {
        if (cos < minCos) continue;
        for (const term of analyze(token)) {
          if (qTerms.has(term)) continue;
          out.set(term, Math.max(out.get(term) ?? 0, alpha * cos));
        }
      }
    }
    return [...out].map(([term, weight]) => ({ term, weight }));
  };
}

/** RM-style PRF: the most frequent-and-rare terms of the top `docs` BM25 chunks, weight alpha. */
function prfExpansion(inner: MemorySource, docs: number, terms: number, alpha: number) {
  return (query: string): Array<{ term: string; weight: number }> => {
    const qTerms = new Set(analyze(query));
    const top = inner.keywordSearch(query, docs);
    const df = new Map<string, number>();
    for (const h of top) {
      const text = (inner.get(h.chunk.id)?.text ?? '') + ' ' + h.chunk.symbol;
      for (const t of new Set(analyze(text))) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const n = inner.chunkCount;
    const scored = [...df]
      .filter(([t, c]) => !qTerms.has(t) && c >= 2)
      .map(([t, c]) => ({ t, s: c * Math.log(n / (1 + inner.keywords.search(t, n).length)) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, terms);
    return scored.map(({ t }) => ({ term: t, weight: alpha }));
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { eval: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const embedder = createEmbedder('keel-code') as StaticEmbedder;
  const nb = new Neighbours(embedder.load());
  const corpora: EvalCorpus[] = [];
  if (values.eval) {
    corpora.push(await cosqaCorpus(loadCosqa(defaultCosqaPath()), embedder));
    corpora.push(await repoCorpus(loadOrBuildRepoSet(defaultCacheDir(), () => {}), embedder));
  } else {
    const train = await repoCorpus(loadOrBuildRepoSet(defaultCacheDir(), () => {}, 'train'), embedder);
    corpora.push({ ...train, name: 'train-repo' });
    const docs = buildFunctionSet(defaultCacheDir());
    const source = new MemorySource(embedder);
    await source.add(docs.map((d) => ({ id: d.path, path: d.path, language: 'javascript', symbol: '', startLine: 1, endLine: d.code.split('\n').length, text: d.code })));
    corpora.push({ name: 'train-fn', source, queries: docs.map((d, i) => ({ id: `fn-${i}`, query: d.query, relevant: d.path })), chunks: docs.length, buildMs: 0 });
  }

  const variants: Variant[] = [{ name: 'bm25', options: { mode: 'bm25' } }, { name: 'vector', options: { mode: 'vector' } }, { name: 'hybrid' }];
  for (const k of [10, 30]) variants.push({ name: `rrf-k${k}`, options: { rrfK: k } });
  for (const wb of [1.5, 2]) variants.push({ name: `w-bm25-${wb}`, options: { weights: { bm25: wb, vector: 1 } } });
  for (const [k, wb] of [[10, 1.5], [10, 2], [20, 1.5], [20, 2]] as const) variants.push({ name: `k${k}-w${wb}`, options: { rrfK: k, weights: { bm25: wb, vector: 1 } } });
  for (const [per, minCos, alpha] of [[3, 0.5, 0.3], [5, 0.4, 0.2], [3, 0.6, 0.5], [10, 0.5, 0.1]] as const) {
    const name = `nn-${per}-${minCos}-${alpha}`;
    variants.push({ name: `bm25+${name}`, options: { mode: 'bm25' }, wrap: (s) => expandedSource(s, nnExpansion(nb, per, minCos, alpha)) });
    variants.push({ name: `hyb+${name}`, wrap: (s) => expandedSource(s, nnExpansion(nb, per, minCos, alpha)) });
  }
  for (const [docs, terms, alpha] of [[3, 10, 0.1], [5, 10, 0.2]] as const) {
    const name = `prf-${docs}-${terms}-${alpha}`;
    variants.push({ name: `bm25+${name}`, options: { mode: 'bm25' }, wrap: (s) => expandedSource(s, prfExpansion(s, docs, terms, alpha)) });
    variants.push({ name: `hyb+${name}`, wrap: (s) => expandedSource(s, prfExpansion(s, docs, terms, alpha)) });
  }
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  for (const corpus of corpora) {
    console.log(`\n${corpus.name}: ${corpus.queries.length} queries, ${corpus.chunks} chunks`);
    for (const v of variants) {
      if (only && !only.has(v.name)) continue;
      const c = v.wrap ? { ...corpus, source: v.wrap(corpus.source) as MemorySource } : corpus;
      const run = await evaluate(c, { name: v.name, mode: v.options?.mode ?? 'hybrid', options: v.options });
      console.log(`${v.name.padEnd(24)} MRR ${run.mrr10.toFixed(4)}  R@1 ${run.recall1.toFixed(4)}  R@5 ${run.recall5.toFixed(4)}  R@10 ${run.recall10.toFixed(4)}  ${run.msPerQuery} ms/q`);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
