/**
 * A small deterministic embedder for tests: bag of words (and character trigrams) hashed into a fixed
 * number of dimensions, L2-normalised. Similar wording → similar vectors, which is all the cache's
 * tests need; quality evaluation uses the real embedder (scripts/eval-semcache.ts).
 */
import { createHash } from 'node:crypto';
import type { Embedder } from '../../../src/engine/embed/types';

export class HashingEmbedder implements Embedder {
  readonly local = true;
  calls = 0;

  constructor(
    readonly dimensions = 256,
    readonly id = `test-hashing-${dimensions}`,
  ) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    for (const word of text.split(/\s+/).filter(Boolean)) {
      v[bucket(`w:${word}`, this.dimensions)] += 1;
      for (let i = 0; i + 3 <= word.length; i++) v[bucket(`t:${word.slice(i, i + 3)}`, this.dimensions)] += 0.3;
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < v.length; i++) v[i] /= norm;
    return v;
  }
}

function bucket(token: string, dims: number): number {
  return createHash('md5').update(token).digest().readUInt32LE(0) % dims;
}
