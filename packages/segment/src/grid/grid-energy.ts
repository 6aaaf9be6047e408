/**
 * The grid energy of a labelling y of an image:
 *
 *   E(y) = Σ_p U[p·K + y_p] + Σ_d Σ_p W[d·N + p] · C[y_p·K + y_q]     (q = the neighbour of p in direction d)
 *
 * with unary energies U, non-negative edge weights W (one per edge, e.g. a contrast-sensitive weight) and a K×K label
 * compatibility C (Potts when omitted: 0 on the diagonal, 1 off it). Every inference routine of this package reads
 * this one flat form.
 */
import { gridDirections, type Connectivity, gridEdgeSpans } from './grid.js';

/** A pairwise grid energy in flat typed arrays (see the module comment). */
export interface GridEnergy {
  readonly width: number;
  readonly height: number;
  /** Number of labels K ≥ 2. */
  readonly numLabels: number;
  readonly connectivity: Connectivity;
  /** Unary energies, `unary[p·K + k]` (length N·K). */
  readonly unary: Float64Array;
  /** Edge weights ≥ 0, `edgeWeights[d·N + p]` for the forward directions of `gridDirections(connectivity)`. */
  readonly edgeWeights: Float64Array;
  /** K×K label compatibility `C[a·K + b]`; Potts when absent. */
  readonly compatibility?: Float64Array;
}

/** The Potts compatibility matrix (0 on the diagonal, 1 elsewhere). */
export function pottsCompatibility(K: number): Float64Array {
  const c = new Float64Array(K * K).fill(1);
  for (let k = 0; k < K; k++) c[k * K + k] = 0;
  return c;
}

/** The compatibility of an energy (Potts when absent). */
export function compatibilityOf(e: GridEnergy): Float64Array {
  return e.compatibility ?? pottsCompatibility(e.numLabels);
}

/** Checks sizes and values of a grid energy; throws a RangeError with the numbers at fault. */
export function checkGridEnergy(e: GridEnergy): void {
  const { width, height, numLabels: K } = e;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`grid size must be positive integers, got ${width}×${height}`);
  }
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`numLabels must be an integer ≥ 2, got ${K}`);
  const N = width * height;
  const D = gridDirections(e.connectivity).length;
  if (e.unary.length !== N * K) throw new RangeError(`unary length ${e.unary.length} !== ${N}·${K} (pixels·labels)`);
  if (e.edgeWeights.length !== D * N) {
    throw new RangeError(`edgeWeights length ${e.edgeWeights.length} !== ${D}·${N} (directions·pixels) for ${e.connectivity}-connectivity`);
  }
  for (let i = 0; i < e.edgeWeights.length; i++) {
    const w = e.edgeWeights[i]!;
    if (!(w >= 0) || w === Infinity) throw new RangeError(`edgeWeights[${i}] = ${w}: edge weights must be finite and ≥ 0`);
  }
  if (e.compatibility && e.compatibility.length !== K * K) throw new RangeError(`compatibility length ${e.compatibility.length} !== ${K}·${K}`);
}

/** Checks that `labels` is a labelling of the energy's grid. */
export function checkLabels(e: GridEnergy, labels: ArrayLike<number>): void {
  const N = e.width * e.height;
  if (labels.length !== N) throw new RangeError(`labels length ${labels.length} !== ${e.width}·${e.height} pixels`);
}

/** E(y) for a labelling y (length N, values in [0, K)). */
export function gridEnergy(e: GridEnergy, labels: ArrayLike<number>): number {
  checkLabels(e, labels);
  return unaryEnergy(e, labels) + pairwiseEnergy(e, labels);
}

/** Σ_p U[p·K + y_p]. */
export function unaryEnergy(e: GridEnergy, labels: ArrayLike<number>): number {
  const K = e.numLabels;
  const N = e.width * e.height;
  let s = 0;
  for (let p = 0; p < N; p++) s += e.unary[p * K + labels[p]!]!;
  return s;
}

/** Σ over edges of W · C[y_p, y_q]. */
export function pairwiseEnergy(e: GridEnergy, labels: ArrayLike<number>): number {
  const { width, height, numLabels: K } = e;
  const N = width * height;
  const C = compatibilityOf(e);
  const dirs = gridDirections(e.connectivity);
  let s = 0;
  for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(e.connectivity, width, height)) {
    const base = d * N;
    for (let y = 0; y < yEnd; y++) {
      for (let x = x0; x < x1; x++) {
        const p = y * width + x;
        const w = e.edgeWeights[base + p]!;
        if (w !== 0) s += w * C[labels[p]! * K + labels[p + off]!]!;
      }
    }
  }
  return s;
}

/**
 * Calls `fn(p, q, w)` for every edge of the grid with non-zero weight (p < q in scan order except for the
 * down-left direction). Convenient outside hot loops.
 */
export function forEachGridEdge(e: GridEnergy, fn: (p: number, q: number, w: number, direction: number) => void): void {
  const { width, height } = e;
  const N = width * height;
  const dirs = gridDirections(e.connectivity);
  for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(e.connectivity, width, height)) {
    for (let y = 0; y < yEnd; y++) {
      for (let x = x0; x < x1; x++) {
        const p = y * width + x;
        const w = e.edgeWeights[d * N + p]!;
        if (w !== 0) fn(p, p + off, w, d);
      }
    }
  }
}
