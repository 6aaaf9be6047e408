/**
 * The segmentation energy as a linear `StructuredModel` (a grid CRF), so the SSVM learners, piecewise training and
 * contrastive training all shape the same weight vector w:
 *
 *   E(x, y) = −w·ψ(x, y),  ψ(x, y) = (1/n) [ Σ_p φ_p ⊗ e_{y_p} ;  −Σ_{(p,q): y_p ≠ y_q} f_pq ]
 *
 * with per-pixel features φ_p (F of them, the last a bias), per-edge features f_pq (constant and contrast-sensitive,
 * see `edgeFeatures`) and n the number of labelled pixels. The unary energy of label k at p is −w_k·φ_p; the
 * pairwise term is either a (contrast-sensitive) Potts term Σ_j w_j f_pq,j·[y_p ≠ y_q] (`pairwise: 'potts'`), or a
 * learned symmetric label-compatibility matrix C[a, b] = w_ab times the edge strength Σ_j f_pq,j (`'matrix'`).
 * Pairwise weights are clamped at 0 in inference (negative ones would make the energy non-submodular).
 *
 * Pixels labelled IGNORE_LABEL in a training label map are masked out: they contribute to neither ψ nor the loss,
 * and their unaries and edges are zeroed in (loss-augmented) inference, so learning sees one consistent energy.
 */
import { SparseBuilder, type SparseVector } from '@ebmkit/core';
import type { SsvmModel } from '@ebmkit/ssvm';
import { alphaExpansion } from '../inference/alpha-expansion.js';
import { binaryGraphCut } from '../inference/binary-graph-cut.js';
import type { EdgeFeatures } from '../grid/contrast.js';
import { gridDirections, type Connectivity, gridEdgeSpans } from '../grid/grid.js';
import type { GridEnergy } from '../grid/grid-energy.js';
import { icm } from '../inference/icm.js';
import { IGNORE_LABEL } from '../grid/labels.js';
import { MaxFlow } from '../inference/max-flow.js';
import { meanField } from '../inference/mean-field.js';

/** One image as the model sees it: pixel features, edge features, and (for training) a mask of labelled pixels. */
export interface SegmentationInput {
  readonly width: number;
  readonly height: number;
  /** `features[p·F + f]`. */
  readonly features: Float32Array;
  readonly numFeatures: number;
  readonly edges: EdgeFeatures;
  /** 1 where the pixel is labelled (training only); all pixels count when absent. */
  readonly mask?: Uint8Array;
}

/** Pairwise parametrisations. */
export type PairwiseKind = 'potts' | 'matrix';

/** MAP inference algorithms for the grid energy. */
export type GridInference = 'auto' | 'graphcut' | 'expansion' | 'icm' | 'meanfield' | 'none';

/** Options of a grid CRF. */
export interface GridCrfOptions {
  numLabels: number;
  numFeatures: number;
  connectivity?: Connectivity;
  /** Default 'potts' (weights on the constant and contrast edge features). */
  pairwise?: PairwiseKind;
  /**
   * 'auto' (default): an exact graph cut for 2 labels, α-expansion otherwise. 'none' ignores the pairwise term
   * (per-pixel argmin of the unaries).
   */
  inference?: GridInference;
}

/** Number of edge features (constant, contrast). */
export const EDGE_TERMS = 2;

/** A linear grid CRF over pixel and edge features. */
export class GridCrf implements SsvmModel<SegmentationInput, Uint8Array> {
  readonly numLabels: number;
  readonly numFeatures: number;
  readonly connectivity: Connectivity;
  readonly pairwise: PairwiseKind;
  readonly inferenceKind: GridInference;
  readonly sizeJointFeature: number;
  /** Offset of the pairwise weights in w. */
  readonly pairOffset: number;
  /** Number of pairwise weights. */
  readonly numPairWeights: number;
  private readonly graph = new MaxFlow();

  constructor(options: GridCrfOptions) {
    const { numLabels: K, numFeatures: F } = options;
    if (!Number.isInteger(K) || K < 2 || K > 254) throw new RangeError(`numLabels must be an integer in [2, 254], got ${K}`);
    if (!Number.isInteger(F) || F < 1) throw new RangeError(`numFeatures must be a positive integer, got ${F}`);
    this.numLabels = K;
    this.numFeatures = F;
    this.connectivity = options.connectivity ?? 8;
    gridDirections(this.connectivity);
    this.pairwise = options.pairwise ?? 'potts';
    this.inferenceKind = options.inference ?? 'auto';
    this.pairOffset = K * F;
    this.numPairWeights = this.pairwise === 'potts' ? EDGE_TERMS : (K * (K - 1)) / 2;
    this.sizeJointFeature = this.pairOffset + this.numPairWeights;
  }

  /** This model with another inference algorithm (same weights layout). */
  withInference(inference: GridInference): GridCrf {
    return new GridCrf({ numLabels: this.numLabels, numFeatures: this.numFeatures, connectivity: this.connectivity, pairwise: this.pairwise, inference });
  }

  /** Index of the unordered label pair {a, b} (a ≠ b) among the K(K−1)/2 matrix weights. */
  pairIndex(a: number, b: number): number {
    if (a > b) [a, b] = [b, a];
    return a * this.numLabels - (a * (a + 1)) / 2 + (b - a - 1);
  }

  /** Throws a RangeError when x does not fit the model (sizes, connectivity). */
  checkInput(x: SegmentationInput): void {
    const N = x.width * x.height;
    if (x.numFeatures !== this.numFeatures) throw new RangeError(`input has ${x.numFeatures} features per pixel, the model ${this.numFeatures}`);
    if (x.features.length !== N * x.numFeatures) throw new RangeError(`features length ${x.features.length} !== ${N}·${x.numFeatures}`);
    if (x.edges.width !== x.width || x.edges.height !== x.height) throw new RangeError(`edge features are ${x.edges.width}×${x.edges.height}, the image ${x.width}×${x.height}`);
    if (x.edges.connectivity !== this.connectivity) throw new RangeError(`edge features are ${x.edges.connectivity}-connected, the model ${this.connectivity}-connected`);
    if (x.mask && x.mask.length !== N) throw new RangeError(`mask length ${x.mask.length} !== ${N}`);
  }

  /** SSVM hook: checks one training example. */
  checkExample(x: SegmentationInput, y: Uint8Array): void {
    this.checkInput(x);
    if (y.length !== x.width * x.height) throw new RangeError(`labels length ${y.length} !== ${x.width}·${x.height}`);
    for (let p = 0; p < y.length; p++) {
      const v = y[p]!;
      if (v !== IGNORE_LABEL && v >= this.numLabels) throw new RangeError(`label ${v} at pixel ${p} is not in [0, ${this.numLabels})`);
    }
  }

  /** Unary energies U[p·K + k] = −w_k·φ_p (0 for masked pixels). */
  unaryEnergies(x: SegmentationInput, w: Float64Array, out = new Float64Array(x.width * x.height * this.numLabels)): Float64Array {
    const K = this.numLabels;
    const F = this.numFeatures;
    const N = x.width * x.height;
    const phi = x.features;
    const mask = x.mask;
    for (let p = 0; p < N; p++) {
      const o = p * K;
      if (mask && mask[p] === 0) {
        for (let k = 0; k < K; k++) out[o + k] = 0;
        continue;
      }
      const fo = p * F;
      for (let k = 0; k < K; k++) {
        let s = 0;
        const wo = k * F;
        for (let f = 0; f < F; f++) s += w[wo + f]! * phi[fo + f]!;
        out[o + k] = -s;
      }
    }
    return out;
  }

  /** The grid energy of x under w (pairwise weights clamped at 0; masked pixels have no unary and no edges). */
  energy(x: SegmentationInput, w: Float64Array): GridEnergy {
    if (w.length !== this.sizeJointFeature) throw new RangeError(`weights length ${w.length} !== sizeJointFeature ${this.sizeJointFeature}`);
    const K = this.numLabels;
    const N = x.width * x.height;
    const unary = this.unaryEnergies(x, w);
    const { constant, contrast } = x.edges;
    const edgeWeights = new Float64Array(constant.length);
    let compatibility: Float64Array | undefined;
    const po = this.pairOffset;
    if (this.pairwise === 'potts') {
      const a = Math.max(0, w[po]!);
      const b = Math.max(0, w[po + 1]!);
      for (let i = 0; i < edgeWeights.length; i++) edgeWeights[i] = a * constant[i]! + b * contrast[i]!;
    } else {
      for (let i = 0; i < edgeWeights.length; i++) edgeWeights[i] = constant[i]! + contrast[i]!;
      compatibility = new Float64Array(K * K);
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) if (a !== b) compatibility[a * K + b] = Math.max(0, w[po + this.pairIndex(a, b)]!);
    }
    if (x.mask) maskEdges(edgeWeights, x.mask, x.width, x.height, this.connectivity);
    return { width: x.width, height: x.height, numLabels: K, connectivity: this.connectivity, unary, edgeWeights, ...(compatibility ? { compatibility } : {}) };
  }

  /** Minimises a grid energy with this model's algorithm. */
  solve(e: GridEnergy): Uint8Array {
    switch (this.inferenceKind) {
      case 'none':
        return alphaExpansion({ ...e, edgeWeights: new Float64Array(e.edgeWeights.length) }, { maxSweeps: 1 }).labels;
      case 'icm':
        return icm(e).labels;
      case 'meanfield': {
        const q = meanField(e, { maxSweeps: 20, tolerance: 1e-4 }).marginals;
        const K = e.numLabels;
        const out = new Uint8Array(e.width * e.height);
        for (let p = 0; p < out.length; p++) {
          let best = 0;
          for (let k = 1; k < K; k++) if (q[p * K + k]! > q[p * K + best]!) best = k;
          out[p] = best;
        }
        return out;
      }
      case 'graphcut':
        return binaryGraphCut(e, { graph: this.graph }).labels;
      default:
        if (e.numLabels === 2 && (!e.compatibility || e.compatibility[1]! + e.compatibility[2]! >= e.compatibility[0]! + e.compatibility[3]!)) {
          return binaryGraphCut(e, { graph: this.graph }).labels;
        }
        return alphaExpansion(e, { graph: this.graph }).labels;
    }
  }

  /** argmin_y E(x, y). */
  inference(x: SegmentationInput, w: Float64Array): Uint8Array {
    return this.solve(this.energy(x, w));
  }

  /** argmin_ŷ E(x, ŷ) − Δ(y, ŷ)·n: Hamming loss folded into the unaries of the labelled pixels. */
  lossAugmentedInference(x: SegmentationInput, y: Uint8Array, w: Float64Array): Uint8Array {
    return this.lossAugmentedInferenceScaled(x, y, w, 1);
  }

  /** Loss-augmented inference for the weights scale·w. */
  lossAugmentedInferenceScaled(x: SegmentationInput, y: Uint8Array, w: Float64Array, scale: number): Uint8Array {
    const ws = scale === 1 ? w : w.map((v) => v * scale);
    const xm = withLabelMask(x, y);
    const e = this.energy(xm, ws);
    // w·ψ and Δ are both (1/n)·(per-pixel sums), so the unnormalised energy gets the plain Hamming count
    addHammingToEnergies(e.unary, this.numLabels, y, 1, e.unary as Float64Array);
    return this.solve(e);
  }

  /** Mean Hamming loss over labelled pixels. */
  loss(y: Uint8Array, yHat: Uint8Array): number {
    if (y.length !== yHat.length) throw new RangeError(`labels length ${yHat.length} !== reference length ${y.length}`);
    let wrong = 0;
    let n = 0;
    for (let p = 0; p < y.length; p++) {
      const v = y[p]!;
      if (v === IGNORE_LABEL) continue;
      n++;
      if (v !== yHat[p]) wrong++;
    }
    return n === 0 ? 0 : wrong / n;
  }

  /** ψ(x, y) as a dense vector (length sizeJointFeature), added into `out` with `scale`. */
  jointFeatureDense(x: SegmentationInput, y: Uint8Array, out = new Float64Array(this.sizeJointFeature), scale = 1): Float64Array {
    const K = this.numLabels;
    const F = this.numFeatures;
    const { width, height } = x;
    const N = width * height;
    const xm = withLabelMask(x, y);
    const mask = xm.mask;
    const n = labelledCount(xm);
    const s = scale / Math.max(1, n);
    const phi = x.features;
    for (let p = 0; p < N; p++) {
      if (mask && mask[p] === 0) continue;
      const k = y[p]!;
      if (k >= K) continue;
      const wo = k * F;
      const fo = p * F;
      for (let f = 0; f < F; f++) out[wo + f] += s * phi[fo + f]!;
    }
    const dirs = gridDirections(this.connectivity);
    const { constant, contrast } = x.edges;
    const po = this.pairOffset;
    for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(this.connectivity, width, height)) {
      for (let yy = 0; yy < yEnd; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const p = yy * width + xx;
          const q = p + off;
          const a = y[p]!;
          const b = y[q]!;
          if (a === b || a >= K || b >= K) continue;
          if (mask && (mask[p] === 0 || mask[q] === 0)) continue;
          const i = d * N + p;
          if (this.pairwise === 'potts') {
            out[po] -= s * constant[i]!;
            out[po + 1] -= s * contrast[i]!;
          } else out[po + this.pairIndex(a, b)] -= s * (constant[i]! + contrast[i]!);
        }
      }
    }
    return out;
  }

  /**
   * E_q[ψ(x, y)] under a factorised distribution q (`q[p·K + k]`, e.g. mean-field marginals), added into `out` with
   * `scale`: the unary block Σ_p q_p(k)·φ_p and the pairwise block −Σ_edges f·P_q(y_p ≠ y_q) (Potts) or
   * −Σ_edges (Σ_j f_j)·q_p(a)·q_q(b) per label pair (matrix).
   */
  expectedJointFeature(x: SegmentationInput, q: Float64Array, out = new Float64Array(this.sizeJointFeature), scale = 1): Float64Array {
    const K = this.numLabels;
    const F = this.numFeatures;
    const { width, height } = x;
    const N = width * height;
    if (q.length !== N * K) throw new RangeError(`marginals length ${q.length} !== ${N}·${K}`);
    const mask = x.mask;
    let n = N;
    if (mask) {
      n = 0;
      for (let p = 0; p < N; p++) n += mask[p] ? 1 : 0;
    }
    const s = scale / Math.max(1, n);
    const phi = x.features;
    for (let p = 0; p < N; p++) {
      if (mask && mask[p] === 0) continue;
      const fo = p * F;
      for (let k = 0; k < K; k++) {
        const qk = s * q[p * K + k]!;
        if (qk === 0) continue;
        const wo = k * F;
        for (let f = 0; f < F; f++) out[wo + f] += qk * phi[fo + f]!;
      }
    }
    const dirs = gridDirections(this.connectivity);
    const { constant, contrast } = x.edges;
    const po = this.pairOffset;
    for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(this.connectivity, width, height)) {
      for (let yy = 0; yy < yEnd; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const p = yy * width + xx;
          const r = p + off;
          if (mask && (mask[p] === 0 || mask[r] === 0)) continue;
          const i = d * N + p;
          if (this.pairwise === 'potts') {
            let same = 0;
            for (let k = 0; k < K; k++) same += q[p * K + k]! * q[r * K + k]!;
            const differ = 1 - same;
            out[po] -= s * constant[i]! * differ;
            out[po + 1] -= s * contrast[i]! * differ;
          } else {
            const g = s * (constant[i]! + contrast[i]!);
            for (let a = 0; a < K; a++) {
              for (let b = 0; b < K; b++) {
                if (a === b) continue;
                out[po + this.pairIndex(a, b)] -= g * q[p * K + a]! * q[r * K + b]!;
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** ψ(x, y) (sparse; the non-zero entries of the dense form). */
  jointFeature(x: SegmentationInput, y: Uint8Array): SparseVector {
    const b = new SparseBuilder(256);
    this.jointFeatureInto(x, y, b);
    return b.build();
  }

  /** SSVM hook: appends ψ(x, y) to a builder. */
  jointFeatureInto(x: SegmentationInput, y: Uint8Array, out: SparseBuilder): void {
    const dense = this.jointFeatureDense(x, y);
    for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) out.push(i, dense[i]!);
  }
}

/** x with its mask set from the IGNORE_LABEL pixels of y (x itself when y has none and x has no mask). */
export function withLabelMask(x: SegmentationInput, y: Uint8Array): SegmentationInput {
  let has = false;
  for (let p = 0; p < y.length; p++) {
    if (y[p] === IGNORE_LABEL) {
      has = true;
      break;
    }
  }
  if (!has) return x;
  const mask = x.mask ? x.mask.slice() : new Uint8Array(y.length).fill(1);
  for (let p = 0; p < y.length; p++) if (y[p] === IGNORE_LABEL) mask[p] = 0;
  // explicit fields: x may compute its features in a getter (LazyInput), which a spread would not copy
  return { width: x.width, height: x.height, features: x.features, numFeatures: x.numFeatures, edges: x.edges, mask };
}

function labelledCount(x: SegmentationInput): number {
  const N = x.width * x.height;
  if (!x.mask) return N;
  let n = 0;
  for (let p = 0; p < N; p++) n += x.mask[p]! ? 1 : 0;
  return n;
}

/** Zeroes the weight of every edge with a masked end. */
function maskEdges(edgeWeights: Float64Array, mask: Uint8Array, width: number, height: number, connectivity: Connectivity): void {
  const dirs = gridDirections(connectivity);
  const N = width * height;
  for (let d = 0; d < dirs.length; d++) {
    const off = dirs[d]!.dy * width + dirs[d]!.dx;
    for (let p = 0; p < N; p++) {
      const i = d * N + p;
      if (edgeWeights[i] === 0) continue;
      if (mask[p] === 0 || mask[p + off] === 0) edgeWeights[i] = 0;
    }
  }
}

/**
 * Loss-augmented unaries for energy minimisation: out[p·K + k] = U[p·K + k] − scale·[k ≠ y_p] for labelled pixels
 * (y_p ≠ IGNORE_LABEL), unchanged elsewhere. Minimising E − scale·Hamming is maximising score + loss.
 */
export function addHammingToEnergies(unary: Float64Array, K: number, y: ArrayLike<number>, scale: number, out: Float64Array = new Float64Array(unary.length)): Float64Array {
  if (unary.length !== y.length * K) throw new RangeError(`unary length ${unary.length} !== ${y.length}·${K}`);
  for (let p = 0; p < y.length; p++) {
    const yp = y[p]!;
    const o = p * K;
    for (let k = 0; k < K; k++) out[o + k] = unary[o + k]! - (yp !== IGNORE_LABEL && k !== yp ? scale : 0);
  }
  return out;
}
