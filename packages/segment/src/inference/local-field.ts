/**
 * The local field of one pixel: the energy of each label at p with every other pixel fixed (or, for mean-field,
 * averaged under the other pixels' marginals). ICM, Gibbs sampling and mean-field are all sweeps over this.
 */
import { gridDirections, type GridDirection } from '../grid/grid.js';
import { compatibilityOf, type GridEnergy } from '../grid/grid-energy.js';

/** Pre-computed neighbourhood of a grid energy, shared by the sweeping algorithms. */
export interface LocalFieldContext {
  readonly e: GridEnergy;
  readonly K: number;
  readonly N: number;
  readonly C: Float64Array;
  readonly dirs: readonly GridDirection[];
  readonly offsets: Int32Array;
}

/** Builds the context once per energy. */
export function localFieldContext(e: GridEnergy): LocalFieldContext {
  const dirs = gridDirections(e.connectivity);
  const offsets = new Int32Array(dirs.length);
  for (let d = 0; d < dirs.length; d++) offsets[d] = dirs[d]!.dy * e.width + dirs[d]!.dx;
  return { e, K: e.numLabels, N: e.width * e.height, C: compatibilityOf(e), dirs, offsets };
}

/**
 * out[k] = U[p, k] + Σ_{q ~ p} w_pq · C[k, y_q] for pixel p = (x, y) under the labelling `labels`
 * (C is symmetric-agnostic: the forward neighbour uses C[k, y_q], the backward one C[y_r, k]).
 */
export function conditionalEnergies(ctx: LocalFieldContext, labels: ArrayLike<number>, x: number, y: number, out: Float64Array): Float64Array {
  const { e, K, N, C, dirs, offsets } = ctx;
  const { width, height } = e;
  const p = y * width + x;
  for (let k = 0; k < K; k++) out[k] = e.unary[p * K + k]!;
  for (let d = 0; d < dirs.length; d++) {
    const { dx, dy } = dirs[d]!;
    const off = offsets[d]!;
    // forward neighbour q = p + off
    const fx = x + dx;
    if (fx >= 0 && fx < width && y + dy < height) {
      const w = e.edgeWeights[d * N + p]!;
      if (w !== 0) {
        const lq = labels[p + off]!;
        for (let k = 0; k < K; k++) out[k] += w * C[k * K + lq]!;
      }
    }
    // backward neighbour r = p − off (r's forward neighbour is p)
    const bx = x - dx;
    if (bx >= 0 && bx < width && y - dy >= 0) {
      const r = p - off;
      const w = e.edgeWeights[d * N + r]!;
      if (w !== 0) {
        const lr = labels[r]!;
        for (let k = 0; k < K; k++) out[k] += w * C[lr * K + k]!;
      }
    }
  }
  return out;
}

/**
 * out[k] = U[p, k] + Σ_{q ~ p} w_pq · Σ_l C[k, l] · q_q(l): the mean-field local field under marginals `marg`
 * (`marg[q·K + l]`).
 */
export function expectedConditionalEnergies(ctx: LocalFieldContext, marg: Float64Array, x: number, y: number, out: Float64Array): Float64Array {
  const { e, K, N, C, dirs, offsets } = ctx;
  const { width, height } = e;
  const p = y * width + x;
  for (let k = 0; k < K; k++) out[k] = e.unary[p * K + k]!;
  for (let d = 0; d < dirs.length; d++) {
    const { dx, dy } = dirs[d]!;
    const off = offsets[d]!;
    const fx = x + dx;
    if (fx >= 0 && fx < width && y + dy < height) {
      const w = e.edgeWeights[d * N + p]!;
      if (w !== 0) {
        const q = (p + off) * K;
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let l = 0; l < K; l++) s += C[k * K + l]! * marg[q + l]!;
          out[k] += w * s;
        }
      }
    }
    const bx = x - dx;
    if (bx >= 0 && bx < width && y - dy >= 0) {
      const r = p - off;
      const w = e.edgeWeights[d * N + r]!;
      if (w !== 0) {
        const rq = r * K;
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let l = 0; l < K; l++) s += C[l * K + k]! * marg[rq + l]!;
          out[k] += w * s;
        }
      }
    }
  }
  return out;
}
