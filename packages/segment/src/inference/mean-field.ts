/**
 * Naive mean-field inference: the fully factorised q(y) = Π_p q_p(y_p) that minimises the variational free energy
 *
 *   F(q) = E_q[E(y)] − H(q)  ≥  −log Z,
 *
 * by coordinate updates q_p(k) ∝ exp(−(U_p(k) + Σ_{q~p} w_pq Σ_l C(k, l) q_q(l))) in scan order (each update
 * lowers F, so the iteration converges). The marginals are smooth functions of the unaries and weights — the
 * differentiable view of the grid energy used by contrastive learning.
 */
import { checkGridEnergy, compatibilityOf, type GridEnergy } from '../grid/grid-energy.js';
import { gridEdgeSpans } from '../grid/grid.js';
import { expectedConditionalEnergies, localFieldContext } from './local-field.js';

/** Options of `meanField`. */
export interface MeanFieldOptions {
  /** Most sweeps (default 30). */
  maxSweeps?: number;
  /** Stop when no marginal moved more than this in a sweep (default 1e-6). */
  tolerance?: number;
  /** Starting marginals `[p·K + k]` (default softmax(−U)). Not modified. */
  init?: Float64Array;
}

/** Marginals, the free energy F(q) at them, and the sweeps done. */
export interface MeanFieldResult {
  /** q[p·K + k]. */
  marginals: Float64Array;
  /** F(q) = E_q[E] − H(q), an upper bound on −log Z. */
  freeEnergy: number;
  sweeps: number;
}

/** Writes softmax(−v/T) of K values at `src[o…]` into `dst[o…]`. */
function softminInto(src: Float64Array, dst: Float64Array, o: number, K: number): void {
  let min = Infinity;
  for (let k = 0; k < K; k++) if (src[o + k]! < min) min = src[o + k]!;
  let z = 0;
  for (let k = 0; k < K; k++) {
    const v = Math.exp(-(src[o + k]! - min));
    dst[o + k] = v;
    z += v;
  }
  for (let k = 0; k < K; k++) dst[o + k] /= z;
}

/** Runs mean-field on a grid energy. */
export function meanField(e: GridEnergy, options: MeanFieldOptions = {}): MeanFieldResult {
  checkGridEnergy(e);
  const { width, height, numLabels: K } = e;
  const N = width * height;
  const maxSweeps = options.maxSweeps ?? 30;
  const tol = options.tolerance ?? 1e-6;
  const q = new Float64Array(N * K);
  if (options.init) {
    if (options.init.length !== N * K) throw new RangeError(`init length ${options.init.length} !== ${N}·${K}`);
    q.set(options.init);
  } else for (let p = 0; p < N; p++) softminInto(e.unary, q, p * K, K);
  const ctx = localFieldContext(e);
  const field = new Float64Array(K);
  const next = new Float64Array(K);
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    sweeps++;
    let moved = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        expectedConditionalEnergies(ctx, q, x, y, field);
        softminInto(field, next, 0, K);
        const o = (y * width + x) * K;
        for (let k = 0; k < K; k++) {
          const dlt = Math.abs(next[k]! - q[o + k]!);
          if (dlt > moved) moved = dlt;
          q[o + k] = next[k]!;
        }
      }
    }
    if (moved <= tol) break;
  }
  return { marginals: q, freeEnergy: meanFieldFreeEnergy(e, q), sweeps };
}

/** F(q) = Σ_p Σ_k q_p(k) U_p(k) + Σ_edges w Σ_{a,b} q_p(a) q_q(b) C(a, b) + Σ_p Σ_k q_p(k) log q_p(k). */
export function meanFieldFreeEnergy(e: GridEnergy, q: Float64Array): number {
  const { width, height, numLabels: K } = e;
  const N = width * height;
  const C = compatibilityOf(e);
  let f = 0;
  for (let i = 0; i < N * K; i++) {
    const v = q[i]!;
    if (v > 0) f += v * (e.unary[i]! + Math.log(v));
  }
  for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(e.connectivity, width, height)) {
    for (let y = 0; y < yEnd; y++) {
      for (let x = x0; x < x1; x++) {
        const p = y * width + x;
        const w = e.edgeWeights[d * N + p]!;
        if (w === 0) continue;
        const a0 = p * K;
        const b0 = (p + off) * K;
        let s = 0;
        for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) s += q[a0 + a]! * q[b0 + b]! * C[a * K + b]!;
        f += w * s;
      }
    }
  }
  return f;
}
