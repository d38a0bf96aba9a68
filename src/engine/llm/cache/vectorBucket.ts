/**
 * The vectors of one scope in one contiguous Float32Array, so a lookup is a tight dot-product loop over
 * memory (10k × 256 floats ≈ 10 MB scanned in a few ms; see test/bench/semcache.bench.ts). Removal swaps
 * the last row into the hole, so the matrix never fragments.
 *
 * Columns are stored in order of decreasing variance across the rows (re-derived as the bucket doubles):
 * the questions of one workspace share much of their direction, and the dimensions where they differ
 * are the ones that push a row's partial distance over the bound. Measured on 10k similar questions
 * with keel-code-v1 at threshold 0.7: 73 of 512 dimensions scanned per row on average, 205 unordered.
 */
export class VectorBucket {
  private matrix: Float32Array;
  private readonly ids: string[] = [];
  private readonly rowOf = new Map<string, number>();
  /** Stored column c holds original dimension order[c]. */
  private order: Int32Array;
  private reorderAt = FIRST_REORDER;
  private readonly scratch: Float32Array;

  constructor(readonly dims: number, capacity = 64) {
    this.matrix = new Float32Array(dims * capacity);
    this.order = Int32Array.from({ length: dims }, (_, i) => i);
    this.scratch = new Float32Array(dims);
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
    const base = row * this.dims;
    for (let c = 0; c < this.dims; c++) this.matrix[base + c] = vector[this.order[c]];
    this.ids.push(id);
    this.rowOf.set(id, row);
    if (this.ids.length >= this.reorderAt) {
      this.reorderAt *= 2;
      this.reorderColumns();
    }
  }

  /** Sorts the stored columns by decreasing variance over the current rows (O(rows × dims), amortised by doubling). */
  private reorderColumns(): void {
    const d = this.dims;
    const n = this.ids.length;
    const sum = new Float64Array(d);
    const sumSq = new Float64Array(d);
    for (let base = 0; base < n * d; base += d) {
      for (let c = 0; c < d; c++) {
        const x = this.matrix[base + c];
        sum[c] += x;
        sumSq[c] += x * x;
      }
    }
    const variance = (c: number) => sumSq[c] / n - (sum[c] / n) ** 2;
    const columns = Array.from({ length: d }, (_, c) => c).sort((a, b) => variance(b) - variance(a));
    const row = new Float32Array(d);
    for (let base = 0; base < n * d; base += d) {
      for (let c = 0; c < d; c++) row[c] = this.matrix[base + columns[c]];
      this.matrix.set(row, base);
    }
    this.order = Int32Array.from(columns, (c) => this.order[c]);
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
   * Ids whose cosine with `vector` is ≥ threshold, best first. Exact, but fast: for unit vectors
   * cos ≥ t ⇔ ‖m − q‖² ≤ 2 − 2t, and the squared distance only grows as dimensions are added, so a row
   * is abandoned as soon as its partial distance exceeds the bound — most rows after a fraction of
   * their dimensions (the cache's rows are mostly unrelated questions). Rows and the vector must be
   * L2-normalised (the cache normalises on insert and lookup).
   */
  search(vector: Float32Array, threshold: number): Array<{ id: string; score: number }> {
    const d = this.dims;
    const m = this.matrix;
    const query = this.scratch;
    for (let c = 0; c < d; c++) query[c] = vector[this.order[c]];
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
/** Below this many rows a scan is cheap whatever the column order. */
const FIRST_REORDER = 64;

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
