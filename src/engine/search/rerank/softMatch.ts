/**
 * Soft term matching for the local re-ranker: how well a candidate's words cover the query's words when
 * a near-synonym counts (query "remove" ↔ code `delete`, "color" ↔ `colour`, "limit the rate" ↔
 * `throttle`), using the sub-token vectors the embedded model (keel-code-v1) learned. Every other
 * re-ranker feature is exact-lexical, so on a corpus where the vector retriever is right and BM25 is not
 * (CoSQA) they could only pull the fused order towards BM25's mistakes; this one carries the vector
 * side's kind of evidence at the level of single words.
 *
 * Reads the model the default embedder already holds in memory (loadModel shares one copy per file);
 * when the model is not available the feature is 0 for every candidate, i.e. it drops out.
 */
import { createEmbedder } from '../../embed/registry';
import type { LoadedModel, StaticEmbedder } from '../../embed/staticEmbedder';
import { modelTokens } from '../../embed/tokenize';
import { analyze } from '../analyzer';

/**
 * Only a candidate's first HEAD_WORDS distinct words are compared: its symbol name (prepended by the
 * caller) and the start of its signature, i.e. what the code SAYS it does; the body's words mostly add
 * near-matches by accident. Chosen on the training packages (re-ranker train MRR@10 with the weights
 * refitted each time: all words 0.702, 64 → 0.702, 24 → 0.708, 12 → 0.722, 6 → 0.726); it also bounds
 * the feature's cost, which is one cosine per (query word, candidate word) pair.
 */
export const HEAD_WORDS = 6;
/** Tokenise only this much of a candidate first (cut back to a word boundary): the head words are there. */
const HEAD_CHARS = 400;

export interface SoftMatcher {
  /**
   * A scorer for one query: the idf-weighted share of the query's words that have a close match
   * (cosine of their learned vectors; a verbatim match counts 1) among a candidate's first HEAD_WORDS words.
   */
  forQuery(query: string): (candidateText: string) => number;
}

export class ModelSoftMatcher implements SoftMatcher {
  private readonly norms: Float32Array;

  constructor(private readonly model: LoadedModel) {
    const { vectors, header, vocab } = model.data;
    const D = header.denseDims;
    this.norms = new Float32Array(vocab.length);
    for (let r = 0; r < vocab.length; r++) {
      let n = 0;
      for (let d = r * D, end = d + D; d < end; d++) n += vectors[d] * vectors[d];
      this.norms[r] = Math.sqrt(n);
    }
  }

  forQuery(query: string): (candidateText: string) => number {
    const { index, data } = this.model;
    // No stop words or single letters: they match everything and say nothing.
    const words = [...new Set(modelTokens(query))].filter((t) => index.has(t) && analyze(t).length > 0);
    const rows = words.map((w) => index.get(w)!);
    const weights = rows.map((r) => data.idf[r]);
    const total = weights.reduce((a, b) => a + b, 0);
    // Candidates of one query share most of their words: each (query word, word) cosine is computed once.
    const memo = rows.map(() => new Map<number, number>());
    return (candidateText) => {
      if (total === 0) return 0;
      const seen = this.headWords(candidateText.slice(0, HEAD_CHARS).replace(/[\p{L}\p{N}_$]+$/u, ''));
      if (seen.size < HEAD_WORDS && candidateText.length > HEAD_CHARS) this.headWords(candidateText, seen);
      let sum = 0;
      rows.forEach((qr, i) => {
        if (seen.has(qr)) {
          sum += weights[i];
          return;
        }
        let best = 0;
        for (const r of seen) {
          let c = memo[i].get(r);
          if (c === undefined) memo[i].set(r, (c = this.cosine(qr, r)));
          if (c > best) best = c;
        }
        sum += weights[i] * best;
      });
      return sum / total;
    };
  }

  /** Vocabulary rows of the first HEAD_WORDS distinct in-vocabulary words of `text`, added to `into`. */
  private headWords(text: string, into = new Set<number>()): Set<number> {
    for (const t of modelTokens(text)) {
      if (into.size >= HEAD_WORDS) break;
      const r = this.model.index.get(t);
      if (r !== undefined && this.norms[r] > 0) into.add(r);
    }
    return into;
  }

  private cosine(a: number, b: number): number {
    const { vectors, header } = this.model.data;
    const D = header.denseDims;
    const na = this.norms[a];
    const nb = this.norms[b];
    if (na === 0 || nb === 0) return 0;
    // Four independent sums: this loop is the feature's whole cost, and the unrolled form runs ~2x faster.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = a * D;
    let j = b * D;
    const end = i + D - (D % 4);
    for (; i < end; i += 4, j += 4) {
      s0 += vectors[i] * vectors[j];
      s1 += vectors[i + 1] * vectors[j + 1];
      s2 += vectors[i + 2] * vectors[j + 2];
      s3 += vectors[i + 3] * vectors[j + 3];
    }
    for (const stop = a * D + D; i < stop; i++, j++) s0 += vectors[i] * vectors[j];
    return (s0 + s1 + s2 + s3) / (na * nb);
  }
}

let shared: SoftMatcher | null | undefined;

/** The matcher over the default embedded model, built once; null when the model cannot be loaded. */
export function defaultSoftMatcher(): SoftMatcher | null {
  if (shared !== undefined) return shared;
  try {
    shared = new ModelSoftMatcher((createEmbedder('keel-code') as StaticEmbedder).load());
  } catch {
    shared = null; // no model file (stripped install): the feature drops out rather than failing search
  }
  return shared;
}
