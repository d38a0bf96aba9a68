/**
 * Word–context co-occurrence counts → PPMI matrix (sparse, CSR). Counting uses one open-addressing
 * hash table in typed arrays: a JS Map with tens of millions of entries would need gigabytes.
 */

export interface Csr {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float32Array;
}

export class CooccurrenceCounter {
  private readonly keys: Uint32Array;
  private readonly vals: Float32Array;
  private readonly mask: number;
  private readonly shift: number;
  private used = 0;
  dropped = 0;

  constructor(readonly vocabSize: number, readonly contextSize: number, log2Slots = 26) {
    if (vocabSize * contextSize >= 0xffffffff) throw new Error('vocab × context too large for 32-bit keys');
    this.keys = new Uint32Array(1 << log2Slots).fill(0xffffffff);
    this.vals = new Float32Array(1 << log2Slots);
    this.mask = (1 << log2Slots) - 1;
    this.shift = 32 - log2Slots;
  }

  /** Adds a ±window of context around every position; weight 1/distance (GloVe's harmonic weighting). */
  addStream(ids: Int32Array, window: number): void {
    const C = this.contextSize;
    for (let p = 0; p < ids.length; p++) {
      const w = ids[p];
      if (w < 0) continue;
      const end = Math.min(ids.length, p + window + 1);
      for (let q = p + 1; q < end; q++) {
        const c = ids[q];
        if (c < 0) continue;
        const weight = 1 / (q - p);
        if (c < C) this.add(w * C + c, weight);
        if (w < C) this.add(c * C + w, weight);
      }
    }
  }

  private add(key: number, weight: number): void {
    let slot = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = this.keys[slot];
      if (k === key) {
        this.vals[slot] += weight;
        return;
      }
      if (k === 0xffffffff) {
        // Past 70% load probing degrades sharply: new pairs are dropped (counted and reported).
        if (this.used > this.keys.length * 0.7) {
          this.dropped++;
          return;
        }
        this.keys[slot] = key;
        this.vals[slot] = weight;
        this.used++;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  get distinctPairs(): number {
    return this.used;
  }

  /** PPMI with context-distribution smoothing (α = 0.75, Levy et al. 2015); negatives clipped to 0. */
  toPpmi(alpha = 0.75): Csr {
    const V = this.vocabSize;
    const C = this.contextSize;
    const rowSum = new Float64Array(V);
    const colSum = new Float64Array(C);
    let total = 0;
    for (let s = 0; s < this.keys.length; s++) {
      const k = this.keys[s];
      if (k === 0xffffffff) continue;
      const v = this.vals[s];
      rowSum[Math.floor(k / C)] += v;
      colSum[k % C] += v;
      total += v;
    }
    let colAlphaTotal = 0;
    const colAlpha = new Float64Array(C);
    for (let c = 0; c < C; c++) colAlphaTotal += colAlpha[c] = Math.pow(colSum[c], alpha);
    const pmi = (w: number, c: number, v: number): number =>
      Math.log((v * colAlphaTotal) / (rowSum[w] * colAlpha[c]) ) ;
    const counts = new Int32Array(V + 1);
    for (let s = 0; s < this.keys.length; s++) {
      const k = this.keys[s];
      if (k !== 0xffffffff && pmi(Math.floor(k / C), k % C, this.vals[s]) > 0) counts[Math.floor(k / C) + 1]++;
    }
    for (let w = 0; w < V; w++) counts[w + 1] += counts[w];
    const nnz = counts[V];
    const rowPtr = Int32Array.from(counts);
    const fill = Int32Array.from(counts.subarray(0, V));
    const colIdx = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    for (let s = 0; s < this.keys.length; s++) {
      const k = this.keys[s];
      if (k === 0xffffffff) continue;
      const w = Math.floor(k / C);
      const c = k % C;
      const p = pmi(w, c, this.vals[s]);
      if (p <= 0) continue;
      const at = fill[w]++;
      colIdx[at] = c;
      values[at] = p;
    }
    void total;
    return { rows: V, cols: C, rowPtr, colIdx, values };
  }
}
