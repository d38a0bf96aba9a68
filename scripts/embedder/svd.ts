/**
 * Truncated SVD of a sparse matrix by randomised range finding (Halko, Martinsson & Tropp 2011): project
 * onto l random directions, a power iteration to sharpen the spectrum, orthonormalise, then solve the
 * small l × l problem exactly with Jacobi. Dense blocks are row-major Float64Array (row = one word).
 */
import type { Csr } from './cooccur';
import { gaussian, type Rng } from './rng';

/**
 * A · X (rows × l, X is cols × l) or, `transposed`, Aᵀ · X (cols × l, X is rows × l): every stored
 * value a = A[r][c] adds a · X[from] into OUT[to], where (to, from) is (r, c) for A and (c, r) for Aᵀ.
 */
function mulSparse(A: Csr, X: Float64Array, l: number, transposed: boolean): Float64Array {
  const out = new Float64Array((transposed ? A.cols : A.rows) * l);
  for (let r = 0; r < A.rows; r++) {
    for (let p = A.rowPtr[r]; p < A.rowPtr[r + 1]; p++) {
      const a = A.values[p];
      const c = A.colIdx[p];
      const to = (transposed ? c : r) * l;
      const from = (transposed ? r : c) * l;
      for (let j = 0; j < l; j++) out[to + j] += a * X[from + j];
    }
  }
  return out;
}

/** Y (rows × l) = A · X, X is (cols × l). */
const mulA = (A: Csr, X: Float64Array, l: number): Float64Array => mulSparse(A, X, l, false);

/** Z (cols × l) = Aᵀ · Y, Y is (rows × l). */
const mulAt = (A: Csr, Y: Float64Array, l: number): Float64Array => mulSparse(A, Y, l, true);

/** MᵀM (l × l, both triangles filled) of M (n × l, row-major). */
function gram(M: Float64Array, n: number, l: number): Float64Array {
  const G = new Float64Array(l * l);
  for (let r = 0; r < n; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const mi = M[o + i];
      if (mi === 0) continue;
      for (let j = i; j < l; j++) G[i * l + j] += mi * M[o + j];
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) G[i * l + j] = G[j * l + i];
  return G;
}

/** Orthonormalise the columns of M (n × l, row-major) in place: CholeskyQR twice (stable enough, fast). */
export function orthonormalise(M: Float64Array, n: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    const G = gram(M, n, l);
    // Cholesky G = RᵀR (upper R stored in G's upper triangle); tiny ridge guards rank deficiency.
    const R = new Float64Array(l * l);
    for (let i = 0; i < l; i++) {
      let d = G[i * l + i] + 1e-10;
      for (let k = 0; k < i; k++) d -= R[k * l + i] * R[k * l + i];
      const rii = Math.sqrt(Math.max(d, 1e-12));
      R[i * l + i] = rii;
      for (let j = i + 1; j < l; j++) {
        let s = G[i * l + j];
        for (let k = 0; k < i; k++) s -= R[k * l + i] * R[k * l + j];
        R[i * l + j] = s / rii;
      }
    }
    // M ← M R⁻¹, row by row (forward substitution on each row).
    const row = new Float64Array(l);
    for (let r = 0; r < n; r++) {
      const o = r * l;
      for (let j = 0; j < l; j++) {
        let s = M[o + j];
        for (let k = 0; k < j; k++) s -= row[k] * R[k * l + j];
        row[j] = s / R[j * l + j];
      }
      M.set(row, o);
    }
  }
}

/** Eigen-decomposition of a symmetric l × l matrix by cyclic Jacobi. Returns values and column vectors. */
export function symmetricEigen(S: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(S);
  const V = new Float64Array(l * l);
  for (let i = 0; i < l; i++) V[i * l + i] = 1;
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += A[p * l + q] ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = A[p * l + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * l + q] - A[p * l + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = A[k * l + p];
          const akq = A[k * l + q];
          A[k * l + p] = c * akp - s * akq;
          A[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = A[p * l + k];
          const aqk = A[q * l + k];
          A[p * l + k] = c * apk - s * aqk;
          A[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = V[k * l + p];
          const vkq = V[k * l + q];
          V[k * l + p] = c * vkp - s * vkq;
          V[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(l);
  for (let i = 0; i < l; i++) values[i] = A[i * l + i];
  return { values, vectors: V };
}

/**
 * Rank-k left singular vectors scaled by σ^power (power 0.5: the symmetric split Levy et al. found best
 * for word similarity). Returns rows × k, row-major, Float32.
 */
export function truncatedSvd(A: Csr, k: number, rng: Rng, opts: { oversample?: number; powerIterations?: number; power?: number } = {}): { vectors: Float32Array; singular: Float64Array } {
  const l = k + (opts.oversample ?? 16);
  const omega = new Float64Array(A.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(rng);
  let Q = mulA(A, omega, l);
  orthonormalise(Q, A.rows, l);
  for (let it = 0; it < (opts.powerIterations ?? 1); it++) {
    const Z = mulAt(A, Q, l);
    orthonormalise(Z, A.cols, l);
    Q = mulA(A, Z, l);
    orthonormalise(Q, A.rows, l);
  }
  // B = Qᵀ A; B Bᵀ = Zᵀ Z with Z = Aᵀ Q.
  const Z = mulAt(A, Q, l);
  const BBt = gram(Z, A.cols, l);
  const { values, vectors } = symmetricEigen(BBt, l);
  const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => values[b] - values[a]).slice(0, k);
  const singular = Float64Array.from(order, (i) => Math.sqrt(Math.max(values[i], 0)));
  const power = opts.power ?? 0.5;
  const out = new Float32Array(A.rows * k);
  for (let r = 0; r < A.rows; r++) {
    for (let j = 0; j < k; j++) {
      const e = order[j];
      let s = 0;
      for (let i = 0; i < l; i++) s += Q[r * l + i] * vectors[i * l + e];
      out[r * k + j] = s * Math.pow(singular[j], power);
    }
  }
  return { vectors: out, singular };
}
