/**
 * A small deterministic embedder for index tests: hashed bag of analysed tokens, 64-d, L2-normalised.
 * Not Keel's product embedder (that is src/engine/embed/); it only needs to be stable and countable.
 */
import type { Embedder } from '../../../src/engine/embed/types';
import { analyze } from '../../../src/engine/search/analyzer';

export class HashingTestEmbedder implements Embedder {
  readonly local = true;
  /** Texts embedded so far (to assert reuse and incrementality). */
  embeddedTexts = 0;
  calls = 0;

  constructor(readonly id = 'test-hash-v1', readonly dimensions = 64, private readonly failWith?: Error) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.failWith) throw this.failWith;
    this.calls++;
    this.embeddedTexts += texts.length;
    return texts.map((text) => {
      const v = new Float32Array(this.dimensions);
      for (const token of analyze(text)) {
        let h = 2166136261;
        for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619);
        v[(h >>> 0) % this.dimensions] += (h & 0x100) ? 1 : -1;
      }
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    });
  }
}
