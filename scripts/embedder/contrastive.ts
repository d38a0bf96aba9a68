/**
 * The contrastive step: pull each doc summary's pooled vector towards its own function's and away from
 * the other functions in the batch (symmetric InfoNCE with in-batch negatives, as in CLIP / CodeSearchNet
 * baselines). It learns both the token vectors and a pooling weight per token (exp θ), the exact
 * pooling the runtime does, so nothing is lost between training and use. Sparse "lazy" Adam: only rows
 * seen in a batch are touched.
 */
import { shuffle, type Rng } from './rng';

/** One side of a pair: distinct token ids and how often each occurs. */
export interface Bag {
  ids: Int32Array;
  counts: Float32Array;
}

export interface Pair {
  doc: Bag;
  code: Bag;
}

export interface ContrastiveOptions {
  epochs: number;
  batchSize: number;
  temperature: number;
  lrVectors: number;
  lrWeights: number;
  log: (s: string) => void;
  /** Held-out score, computed after each epoch. */
  validate?: () => number;
  /** Called after each epoch (e.g. to write a checkpoint). */
  onEpoch?: (epoch: number, history: number[]) => void;
}

export class PooledModel {
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly mTheta: Float32Array;
  readonly vTheta: Float32Array;
  step = 0;

  constructor(readonly E: Float32Array, readonly theta: Float32Array, readonly dims: number) {
    this.m = new Float32Array(E.length);
    this.v = new Float32Array(E.length);
    this.mTheta = new Float32Array(theta.length);
    this.vTheta = new Float32Array(theta.length);
  }

  /** Unnormalised pooled vector x and its unit vector u. */
  pool(bag: Bag): { x: Float64Array; u: Float64Array; norm: number } {
    const D = this.dims;
    const x = new Float64Array(D);
    for (let k = 0; k < bag.ids.length; k++) {
      const t = bag.ids[k];
      const a = bag.counts[k] * Math.exp(this.theta[t]);
      const o = t * D;
      for (let d = 0; d < D; d++) x[d] += a * this.E[o + d];
    }
    let n = 0;
    for (let d = 0; d < D; d++) n += x[d] * x[d];
    n = Math.sqrt(n) || 1e-9;
    const u = new Float64Array(D);
    for (let d = 0; d < D; d++) u[d] = x[d] / n;
    return { x, u, norm: n };
  }
}

export function trainContrastive(model: PooledModel, pairs: Pair[], rng: Rng, opts: ContrastiveOptions): number[] {
  const history: number[] = [];
  const order = pairs.slice();
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffle(order, rng);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + opts.batchSize <= order.length; start += opts.batchSize) {
      lossSum += trainBatch(model, order.slice(start, start + opts.batchSize), opts);
      batches++;
    }
    const mrr = opts.validate?.() ?? NaN;
    history.push(mrr);
    opts.log(`  epoch ${epoch + 1}: loss ${(lossSum / Math.max(1, batches)).toFixed(4)}, held-out MRR ${mrr.toFixed(4)}`);
    opts.onEpoch?.(epoch + 1, history);
  }
  return history;
}

/**
 * InfoNCE over one direction of the similarity matrix: for each k, a softmax over `at(k, m)` for all m
 * whose right answer is the diagonal. Adds its gradient to dS and the loss to `loss` in order (so the
 * sum is the same, bit for bit, as one loop over both directions).
 */
function diagonalSoftmaxLoss(S: Float64Array, dS: Float64Array, B: number, at: (k: number, m: number) => number, loss: number): number {
  for (let k = 0; k < B; k++) {
    let max = -Infinity;
    for (let m = 0; m < B; m++) max = Math.max(max, S[at(k, m)]);
    let z = 0;
    for (let m = 0; m < B; m++) z += Math.exp(S[at(k, m)] - max);
    loss += -(S[k * B + k] - max - Math.log(z));
    for (let m = 0; m < B; m++) dS[at(k, m)] += (Math.exp(S[at(k, m)] - max) / z - (k === m ? 1 : 0)) / B;
  }
  return loss;
}
function trainBatch(model: PooledModel, batch: Pair[], opts: ContrastiveOptions): number {
  const B = batch.length;
  const D = model.dims;
  const tau = opts.temperature;
  const q = batch.map((p) => model.pool(p.doc));
  const c = batch.map((p) => model.pool(p.code));
  const S = new Float64Array(B * B);
  for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) S[i * B + j] = dot(q[i].u, c[j].u) / tau;
  const dS = new Float64Array(B * B);
  let loss = 0;
  // Rows: query → code; columns: code → query.
  const byRow = (i: number, j: number): number => i * B + j;
  const byColumn = (j: number, i: number): number => i * B + j;
  loss = diagonalSoftmaxLoss(S, dS, B, byRow, loss);
  loss = diagonalSoftmaxLoss(S, dS, B, byColumn, loss);
  // Accumulate sparse gradients per touched row.
  const gE = new Map<number, Float64Array>();
  const gTheta = new Map<number, number>();
  const backprop = (side: { u: Float64Array; norm: number }, bag: Bag, du: Float64Array): void => {
    const proj = dot(side.u, du);
    const dx = new Float64Array(D);
    for (let d = 0; d < D; d++) dx[d] = (du[d] - side.u[d] * proj) / side.norm;
    for (let k = 0; k < bag.ids.length; k++) {
      const t = bag.ids[k];
      const a = bag.counts[k] * Math.exp(model.theta[t]);
      let g = gE.get(t);
      if (!g) gE.set(t, (g = new Float64Array(D)));
      const o = t * D;
      let s = 0;
      for (let d = 0; d < D; d++) {
        g[d] += a * dx[d];
        s += dx[d] * model.E[o + d];
      }
      gTheta.set(t, (gTheta.get(t) ?? 0) + a * s);
    }
  };
  // d loss / d (pooled vector k of one side) = Σ_m dS[at(k, m)] / tau · (pooled vector m of the other side).
  const pooledGradient = (k: number, at: (k: number, m: number) => number, other: typeof q): Float64Array => {
    const du = new Float64Array(D);
    for (let m = 0; m < B; m++) {
      const w = dS[at(k, m)] / tau;
      if (w !== 0) for (let d = 0; d < D; d++) du[d] += w * other[m].u[d];
    }
    return du;
  };
  for (let i = 0; i < B; i++) backprop(q[i], batch[i].doc, pooledGradient(i, byRow, c));
  for (let j = 0; j < B; j++) backprop(c[j], batch[j].code, pooledGradient(j, byColumn, q));
  adamStep(model, gE, gTheta, opts);
  return loss / (2 * B);
}

function adamStep(model: PooledModel, gE: Map<number, Float64Array>, gTheta: Map<number, number>, opts: ContrastiveOptions): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  model.step++;
  const c1 = 1 - b1 ** model.step;
  const c2 = 1 - b2 ** model.step;
  const D = model.dims;
  for (const [t, g] of gE) {
    const o = t * D;
    for (let d = 0; d < D; d++) {
      const i = o + d;
      model.m[i] = b1 * model.m[i] + (1 - b1) * g[d];
      model.v[i] = b2 * model.v[i] + (1 - b2) * g[d] * g[d];
      model.E[i] -= (opts.lrVectors * (model.m[i] / c1)) / (Math.sqrt(model.v[i] / c2) + eps);
    }
  }
  for (const [t, g] of gTheta) {
    model.mTheta[t] = b1 * model.mTheta[t] + (1 - b1) * g;
    model.vTheta[t] = b2 * model.vTheta[t] + (1 - b2) * g * g;
    model.theta[t] -= (opts.lrWeights * (model.mTheta[t] / c1)) / (Math.sqrt(model.vTheta[t] / c2) + eps);
    // Keep weights in a sane range: no token may dominate or vanish entirely.
    model.theta[t] = Math.min(3, Math.max(-6, model.theta[t]));
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** MRR of doc → code retrieval among the given pairs (each pair's code is the one relevant item). */
export function pairMrr(model: PooledModel, pairs: Pair[]): number {
  const q = pairs.map((p) => model.pool(p.doc).u);
  const c = pairs.map((p) => model.pool(p.code).u);
  let mrr = 0;
  for (let i = 0; i < pairs.length; i++) {
    const own = dot(q[i], c[i]);
    let rank = 1;
    for (let j = 0; j < pairs.length; j++) if (j !== i && dot(q[i], c[j]) > own) rank++;
    mrr += rank <= 10 ? 1 / rank : 0;
  }
  return mrr / pairs.length;
}
