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

import { topK } from './topK';

export interface VectorHit {
  id: string;
  score: number;
}

/** A query reduced to its non-zero components: prepared once, scored against many matrices (shards). */
export interface SparseQuery {
  dims: Int32Array;
  weights: Float64Array;
}

export function sparseQuery(query: ArrayLike<number>, scale = 1): SparseQuery {
  const dims: number[] = [];
  const weights: number[] = [];
  for (let d = 0; d < query.length; d++) {
    const w = query[d] * scale;
    if (w !== 0) {
      dims.push(d);
      weights.push(w);
    }
  }
  return { dims: Int32Array.from(dims), weights: Float64Array.from(weights) };
}

const BLOCK = 8;
/** Rows per tile when converting between layouts: a tile's rows stay in cache while every column is visited. */
const TRANSPOSE_TILE = 64;

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

  /**
   * From vectors stored row after row (the on-disk layout), with no growth slack. Transposes in
   * tiles of rows so both the reads and the column writes stay within a few cache lines.
   */
  static fromRowMajor(dimensions: number, ids: readonly string[], rowMajor: Float32Array): FlatVectors {
    const n = ids.length;
    if (rowMajor.length !== n * dimensions) throw new Error(`${rowMajor.length} values for ${n} vectors of ${dimensions} dimensions`);
    const flat = new FlatVectors(dimensions, n);
    const cap = flat.capacity;
    const data = flat.data;
    for (let r0 = 0; r0 < n; r0 += TRANSPOSE_TILE) {
      const r1 = Math.min(n, r0 + TRANSPOSE_TILE);
      for (let d = 0; d < dimensions; d++) {
        const col = d * cap;
        for (let r = r0; r < r1; r++) data[col + r] = rowMajor[r * dimensions + d];
      }
    }
    flat.ids = ids.slice();
    ids.forEach((id, row) => flat.rows.set(id, row));
    if (flat.rows.size !== n) throw new Error('duplicate vector ids');
    return flat;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Row of `id`, or undefined. Rows are dense 0..size-1 and change when another id is deleted. */
  rowOf(id: string): number | undefined {
    return this.rows.get(id);
  }

  idAt(row: number): string {
    return this.ids[row];
  }

  /** A copy of the vector in `row`. */
  vectorAt(row: number): Float32Array {
    const out = new Float32Array(this.dimensions);
    for (let d = 0; d < this.dimensions; d++) out[d] = this.data[d * this.capacity + row];
    return out;
  }

  /**
   * One row's score, summed in exactly the order and precision scoreInto uses, so a candidate re-scored
   * here gets the very score (bit for bit) the full scan would give it.
   */
  scoreRow(row: number, query: SparseQuery): number {
    const cap = this.capacity;
    const data = this.data;
    const { dims, weights: w } = query;
    const acc = new Float32Array(1);
    let i = 0;
    for (; i + BLOCK <= dims.length; i += BLOCK) {
      acc[0] += w[i] * data[dims[i] * cap + row] + w[i + 1] * data[dims[i + 1] * cap + row] + w[i + 2] * data[dims[i + 2] * cap + row]
        + w[i + 3] * data[dims[i + 3] * cap + row] + w[i + 4] * data[dims[i + 4] * cap + row] + w[i + 5] * data[dims[i + 5] * cap + row]
        + w[i + 6] * data[dims[i + 6] * cap + row] + w[i + 7] * data[dims[i + 7] * cap + row];
    }
    for (; i < dims.length; i++) acc[0] += w[i] * data[dims[i] * cap + row];
    return acc[0];
  }

  /** The vectors of `rows`, in that order, row after row (the on-disk layout). */
  toRowMajor(rows: readonly number[]): Float32Array {
    const dims = this.dimensions;
    const out = new Float32Array(rows.length * dims);
    for (let j0 = 0; j0 < rows.length; j0 += TRANSPOSE_TILE) {
      const j1 = Math.min(rows.length, j0 + TRANSPOSE_TILE);
      for (let d = 0; d < dims; d++) {
        const col = d * this.capacity;
        for (let j = j0; j < j1; j++) out[j * dims + d] = this.data[col + rows[j]];
      }
    }
    return out;
  }

  /** Adds or replaces the vector of `id`. */
  set(id: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions) throw new Error(`vector has ${vector.length} dimensions, expected ${this.dimensions}`);
    let row = this.rows.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if (row >= this.capacity) this.resize(this.capacity * 2);
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

  /** Drops growth slack beyond a quarter (a matrix that is mostly read after loading). */
  trim(): void {
    const needed = Math.max(16, this.ids.length);
    if (this.capacity > needed * 1.25) this.resize(needed);
  }

  /** The `k` most similar vectors (dot product = cosine for unit vectors), best first. */
  search(query: ArrayLike<number>, k: number, filter?: (id: string) => boolean): VectorHit[] {
    if (query.length !== this.dimensions) throw new Error(`query has ${query.length} dimensions, expected ${this.dimensions}`);
    if (this.ids.length === 0 || k <= 0) return [];
    const scores = new Float32Array(this.ids.length);
    this.scoreInto(sparseQuery(query), scores);
    return topK(scores, k, filter ? (row) => filter(this.ids[row]) : undefined).map((row) => ({ id: this.ids[row], score: scores[row] }));
  }

  /**
   * Adds each row's dot product with `query` to out[row] (out must hold `size` entries, normally zero).
   * Callers holding several matrices score them all into one buffer and rank once.
   */
  scoreInto(query: SparseQuery, out: Float32Array): void {
    const n = this.ids.length;
    if (out.length < n) throw new Error(`score buffer holds ${out.length} rows, expected ${n}`);
    const cap = this.capacity;
    const data = this.data;
    const { dims, weights: w } = query;
    // Columns are addressed by offset into the one array, not by subarray views: a view per column per
    // block is 8 allocations a pass, and the offset form measured ~25% faster at 50k × 512.
    let i = 0;
    for (; i + BLOCK <= dims.length; i += BLOCK) {
      const o0 = dims[i] * cap, o1 = dims[i + 1] * cap, o2 = dims[i + 2] * cap, o3 = dims[i + 3] * cap;
      const o4 = dims[i + 4] * cap, o5 = dims[i + 5] * cap, o6 = dims[i + 6] * cap, o7 = dims[i + 7] * cap;
      const w0 = w[i], w1 = w[i + 1], w2 = w[i + 2], w3 = w[i + 3];
      const w4 = w[i + 4], w5 = w[i + 5], w6 = w[i + 6], w7 = w[i + 7];
      for (let r = 0; r < n; r++) {
        out[r] += w0 * data[o0 + r] + w1 * data[o1 + r] + w2 * data[o2 + r] + w3 * data[o3 + r]
          + w4 * data[o4 + r] + w5 * data[o5 + r] + w6 * data[o6 + r] + w7 * data[o7 + r];
      }
    }
    for (; i < dims.length; i++) {
      const o = dims[i] * cap;
      const wi = w[i];
      for (let r = 0; r < n; r++) out[r] += wi * data[o + r];
    }
  }

  private resize(next: number): void {
    const data = new Float32Array(this.dimensions * next);
    for (let d = 0; d < this.dimensions; d++) data.set(this.data.subarray(d * this.capacity, d * this.capacity + this.ids.length), d * next);
    this.data = data;
    this.capacity = next;
  }
}
