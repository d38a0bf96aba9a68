/**
 * The vectors of one scope in one contiguous Float32Array, so a lookup is a tight dot-product loop over
 * memory (10k × 256 floats ≈ 10 MB scanned in a few ms; see test/bench/semcache.bench.ts). Removal swaps
 * the last row into the hole, so the matrix never fragments.
 */
export class VectorBucket {
  private matrix: Float32Array;
  private readonly ids: string[] = [];
  private readonly rowOf = new Map<string, number>();

  constructor(readonly dims: number, capacity = 64) {
    this.matrix = new Float32Array(dims * capacity);
  }

  get size(): number {
    return this.ids.length;
  }

  add(id: string, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new Error(`vector has ${vector.length} dimensions, bucket expects ${this.dims}`);
    if (this.rowOf.has(id)) this.remove(id);
    const row = this.ids.length;
    if ((row + 1) * this.dims > this.matrix.length) {
      const grown = new Float32Array(this.matrix.length * 2);
      grown.set(this.matrix);
      this.matrix = grown;
    }
    this.matrix.set(vector, row * this.dims);
    this.ids.push(id);
    this.rowOf.set(id, row);
  }

  remove(id: string): boolean {
    const row = this.rowOf.get(id);
    if (row === undefined) return false;
    const last = this.ids.length - 1;
    if (row !== last) {
      const lastId = this.ids[last];
      this.matrix.copyWithin(row * this.dims, last * this.dims, (last + 1) * this.dims);
      this.ids[row] = lastId;
      this.rowOf.set(lastId, row);
    }
    this.ids.pop();
    this.rowOf.delete(id);
    return true;
  }

  /**
   * Ids whose cosine with `query` is ≥ threshold, best first. Exact, but fast: for unit vectors
   * cos ≥ t ⇔ ‖m − q‖² ≤ 2 − 2t, and the squared distance only grows as dimensions are added, so a row
   * is abandoned as soon as its partial distance exceeds the bound — most rows after a fraction of
   * their dimensions (the cache's rows are mostly unrelated questions). Rows and the query must be
   * L2-normalised (the cache normalises on insert and lookup).
   */
  search(query: Float32Array, threshold: number): Array<{ id: string; score: number }> {
    const d = this.dims;
    const m = this.matrix;
    const bound = 2 - 2 * threshold;
    const found: Array<{ id: string; score: number }> = [];
    for (let row = 0, base = 0; row < this.ids.length; row++, base += d) {
      let dist = 0;
      let k = 0;
      while (k < d) {
        const end = Math.min(d, k + CHECK_EVERY);
        for (; k < end; k++) {
          const diff = m[base + k] - query[k];
          dist += diff * diff;
        }
        if (dist > bound) break;
      }
      if (dist <= bound) found.push({ id: this.ids[row], score: 1 - dist / 2 });
    }
    return found.sort((a, b) => b.score - a.score);
  }
}

/** How many dimensions between early-exit checks: small enough to exit early, big enough to keep the loop tight. */
const CHECK_EVERY = 16;

/** Scale to unit length (a copy); zero vectors stay zero. */
export function unitVector(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}
