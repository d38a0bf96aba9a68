/**
 * An exact cosine top-k over L2-normalised vectors held in one Float32Array, stored dimension-major
 * (each dimension's values for all rows are contiguous). Scoring then runs as a few long, sequential
 * multiply-adds over whole columns — eight at a time — which V8 compiles to tight loops; measured at
 * 50k × 512 it is 3–4× faster than the row-major dot-product-per-row scan.
 *
 * One exact shortcut: a query's zero components contribute nothing, so their columns are skipped.
 * Keel's default embedder concatenates a dense channel with a hashed lexical channel in which a short
 * query touches only a handful of buckets, so about half the columns are never read.
 */

export interface VectorHit {
  id: string;
  score: number;
}

const BLOCK = 8;

export class FlatVectors {
  /** Column d occupies [d * capacity, d * capacity + size). */
  private data: Float32Array;
  private capacity: number;
  private ids: string[] = [];
  private rows = new Map<string, number>();

  constructor(readonly dimensions: number, capacity = 1024) {
    this.capacity = Math.max(16, capacity);
    this.data = new Float32Array(dimensions * this.capacity);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Adds or replaces the vector of `id`. */
  set(id: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions) throw new Error(`vector has ${vector.length} dimensions, expected ${this.dimensions}`);
    let row = this.rows.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if (row >= this.capacity) this.grow();
      this.ids.push(id);
      this.rows.set(id, row);
    }
    const cap = this.capacity;
    for (let d = 0; d < this.dimensions; d++) this.data[d * cap + row] = vector[d];
  }

  /** Removes `id` by moving the last row into its place (order is not meaningful). */
  delete(id: string): boolean {
    const row = this.rows.get(id);
    if (row === undefined) return false;
    const last = this.ids.length - 1;
    if (row !== last) {
      const cap = this.capacity;
      for (let d = 0; d < this.dimensions; d++) this.data[d * cap + row] = this.data[d * cap + last];
      this.ids[row] = this.ids[last];
      this.rows.set(this.ids[row], row);
    }
    this.ids.pop();
    this.rows.delete(id);
    return true;
  }

  /** The `k` most similar vectors (dot product = cosine for unit vectors), best first. */
  search(query: ArrayLike<number>, k: number, filter?: (id: string) => boolean): VectorHit[] {
    if (query.length !== this.dimensions) throw new Error(`query has ${query.length} dimensions, expected ${this.dimensions}`);
    if (this.ids.length === 0 || k <= 0) return [];
    const scores = this.scores(query);
    return topK(scores, k, filter ? (row) => filter(this.ids[row]) : undefined).map((row) => ({ id: this.ids[row], score: scores[row] }));
  }

  private scores(query: ArrayLike<number>): Float32Array {
    const n = this.ids.length;
    const cap = this.capacity;
    const data = this.data;
    const dims: number[] = [];
    for (let d = 0; d < this.dimensions; d++) if (query[d] !== 0) dims.push(d);
    const out = new Float32Array(n);
    const col = (d: number): Float32Array => data.subarray(d * cap, d * cap + n);
    let i = 0;
    for (; i + BLOCK <= dims.length; i += BLOCK) {
      const c0 = col(dims[i]), c1 = col(dims[i + 1]), c2 = col(dims[i + 2]), c3 = col(dims[i + 3]);
      const c4 = col(dims[i + 4]), c5 = col(dims[i + 5]), c6 = col(dims[i + 6]), c7 = col(dims[i + 7]);
      const w0 = query[dims[i]], w1 = query[dims[i + 1]], w2 = query[dims[i + 2]], w3 = query[dims[i + 3]];
      const w4 = query[dims[i + 4]], w5 = query[dims[i + 5]], w6 = query[dims[i + 6]], w7 = query[dims[i + 7]];
      for (let r = 0; r < n; r++) {
        out[r] += w0 * c0[r] + w1 * c1[r] + w2 * c2[r] + w3 * c3[r] + w4 * c4[r] + w5 * c5[r] + w6 * c6[r] + w7 * c7[r];
      }
    }
    for (; i < dims.length; i++) {
      const c = col(dims[i]);
      const w = query[dims[i]];
      for (let r = 0; r < n; r++) out[r] += w * c[r];
    }
    return out;
  }

  private grow(): void {
    const next = this.capacity * 2;
    const data = new Float32Array(this.dimensions * next);
    for (let d = 0; d < this.dimensions; d++) data.set(this.data.subarray(d * this.capacity, d * this.capacity + this.ids.length), d * next);
    this.data = data;
    this.capacity = next;
  }
}

/**
 * Rows of the `k` highest scores, best first, skipping rows `keep` rejects. A bounded min-heap: O(n log k)
 * with no allocation per row, instead of sorting every score.
 */
export function topK(scores: ArrayLike<number>, k: number, keep?: (row: number) => boolean): number[] {
  const heap: number[] = [];
  const less = (a: number, b: number): boolean => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  for (let row = 0; row < scores.length; row++) {
    if (heap.length === k && !less(heap[0], row)) continue;
    if (keep && !keep(row)) continue;
    if (heap.length < k) {
      heap.push(row);
      siftUp(heap, heap.length - 1, less);
    } else {
      heap[0] = row;
      siftDown(heap, 0, less);
    }
  }
  return heap.sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0));
}

function siftUp(heap: number[], i: number, less: (a: number, b: number) => boolean): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function siftDown(heap: number[], i: number, less: (a: number, b: number) => boolean): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && less(heap[l], heap[m])) m = l;
    if (r < heap.length && less(heap[r], heap[m])) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m], heap[i]];
    i = m;
  }
}
