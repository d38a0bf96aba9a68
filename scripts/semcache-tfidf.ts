/**
 * A TF-IDF baseline embedder for the semantic-cache evaluation (no learning): words of the normalised
 * text, weighted tf × idf (idf fitted on a corpus given up front — unsupervised, no labels), hashed with
 * a sign bit into a fixed number of dimensions so the cache can store it like any dense vector.
 * It is the floor any learned embedder has to beat on paraphrase detection.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from '../src/engine/embed/types';
import { normalizeQuestion } from '../src/engine/llm/cache';

export class TfIdfEmbedder implements Embedder {
  readonly id: string;
  readonly local = true;
  private readonly idf = new Map<string, number>();
  private readonly defaultIdf: number;

  constructor(corpus: readonly string[], readonly dimensions = 2048) {
    const df = new Map<string, number>();
    for (const text of corpus) for (const w of new Set(words(text))) df.set(w, (df.get(w) ?? 0) + 1);
    for (const [w, n] of df) this.idf.set(w, Math.log((1 + corpus.length) / (1 + n)) + 1);
    this.defaultIdf = Math.log(1 + corpus.length) + 1; // unseen words are the rarest
    this.id = `tfidf-baseline-${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  private embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    const tf = new Map<string, number>();
    for (const w of words(text)) tf.set(w, (tf.get(w) ?? 0) + 1);
    for (const [w, n] of tf) {
      const h = createHash('md5').update(w).digest();
      const bucket = h.readUInt32LE(0) % this.dimensions;
      const sign = h[4] & 1 ? 1 : -1;
      v[bucket] += sign * (1 + Math.log(n)) * (this.idf.get(w) ?? this.defaultIdf);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < v.length; i++) v[i] /= norm;
    return v;
  }
}

function words(text: string): string[] {
  return normalizeQuestion(text).split(' ').filter(Boolean);
}
