import { addHammingLoss, ChainWorkspace, hammingLoss, kBest, SparseBuilder, type ChainPotentials, type SparseVector } from '@ebmkit/core';
import type { SsvmModel } from './ssvm-model.js';

/** A sequence of T items with D dense features each: `features[t·D + f]`. */
export interface DenseSequence {
  readonly T: number;
  readonly D: number;
  readonly features: Float64Array;
}

/** Options of `DenseChainModel`. */
export interface DenseChainModelOptions {
  /** Number of labels L ≥ 1. */
  labels: number;
  /** Features per item D ≥ 1. */
  features: number;
  /** 'hamming' (default): Δ = Σ_t c(y_t)·[y_t ≠ ŷ_t]; 'zero-one': Δ = [y ≠ ŷ]. */
  loss?: 'hamming' | 'zero-one';
  /** Per-label weights c of the Hamming loss (default all 1). */
  classWeights?: ArrayLike<number>;
  /** Add a per-label bias (a constant feature 1 on every item, weights w[D·L + l]) (default false). */
  bias?: boolean;
}

/**
 * A linear chain over items with dense feature vectors (e.g. OCR pixels): unary score of label l at position t
 * Σ_f x[t·D + f]·w[f·L + l] (feature-major, so the L labels of one feature are contiguous and zero features are
 * skipped), plus w[D·L + l] with `bias`, transition score w[U + a·L + b] with U = (D + bias)·L.
 * sizeJointFeature = (D + bias)·L + L². Inference is Viterbi in core's
 * ChainWorkspace; loss-augmented inference folds the Hamming loss into the unaries (`addHammingLoss`) or, for the
 * 0/1 loss, takes the best of the two best labellings. Buffers are reused between calls (not re-entrant).
 */
export class DenseChainModel implements SsvmModel<DenseSequence, Int32Array> {
  readonly labels: number;
  readonly features: number;
  readonly sizeJointFeature: number;
  readonly bias: boolean;
  /** Offset of the transition block in w: (D + bias)·L. */
  readonly transitionOffset: number;
  readonly lossKind: 'hamming' | 'zero-one';
  readonly classWeights: Float64Array | null;
  private readonly ws = new ChainWorkspace();
  private unary = new Float64Array(0);
  private readonly scaledTransition: Float64Array;

  constructor(options: DenseChainModelOptions) {
    const { labels: L, features: D } = options;
    if (!(Number.isInteger(L) && L >= 1)) throw new RangeError(`labels must be a positive integer, got ${L}`);
    if (!(Number.isInteger(D) && D >= 1)) throw new RangeError(`features must be a positive integer, got ${D}`);
    this.labels = L;
    this.features = D;
    this.bias = options.bias ?? false;
    this.transitionOffset = (D + (this.bias ? 1 : 0)) * L;
    this.sizeJointFeature = this.transitionOffset + L * L;
    this.lossKind = options.loss ?? 'hamming';
    if (this.lossKind !== 'hamming' && this.lossKind !== 'zero-one') throw new RangeError(`loss must be hamming or zero-one, got ${String(this.lossKind)}`);
    if (options.classWeights) {
      if (options.classWeights.length !== L) throw new RangeError(`classWeights length ${options.classWeights.length} !== labels ${L}`);
      this.classWeights = Float64Array.from(options.classWeights);
      this.classWeights.forEach((c, l) => {
        if (!(c >= 0 && Number.isFinite(c))) throw new RangeError(`classWeights[${l}] = ${c} is not a finite number ≥ 0`);
      });
      if (this.lossKind === 'zero-one') throw new RangeError('classWeights apply to the Hamming loss only');
    } else this.classWeights = null;
    this.scaledTransition = new Float64Array(L * L);
  }

  checkExample(x: DenseSequence, y: Int32Array): void {
    this.checkInput(x);
    if (!(y instanceof Int32Array)) throw new TypeError('labels must be an Int32Array');
    if (y.length !== x.T) throw new RangeError(`labels length ${y.length} !== sequence length ${x.T}`);
    for (let t = 0; t < y.length; t++) {
      if (!(y[t]! >= 0 && y[t]! < this.labels)) throw new RangeError(`label ${y[t]} at position ${t + 1} is not in [0, ${this.labels})`);
    }
  }

  /** Throws a RangeError for an empty sequence, a wrong feature count or a non-finite feature. */
  checkInput(x: DenseSequence): void {
    const { T, D, features } = x;
    if (!(Number.isInteger(T) && T >= 1)) throw new RangeError(`empty sequence (T = ${T}): a sequence needs at least one item`);
    if (D !== this.features) throw new RangeError(`items have ${D} features, the model expects ${this.features}`);
    if (features.length !== T * D) throw new RangeError(`features length ${features.length} !== T·D = ${T}·${D}`);
    for (let q = 0; q < features.length; q++) {
      if (!Number.isFinite(features[q])) throw new RangeError(`feature ${(q % D) + 1} of item ${Math.floor(q / D) + 1} is ${features[q]}, not a finite number`);
    }
  }

  jointFeature(x: DenseSequence, y: Int32Array): SparseVector {
    const b = new SparseBuilder(x.T * 16);
    this.jointFeatureInto(x, y, b);
    return b.build();
  }

  jointFeatureInto(x: DenseSequence, y: Int32Array, out: SparseBuilder): void {
    const { T, features } = x;
    const D = this.features;
    const L = this.labels;
    for (let t = 0; t < T; t++) {
      const o = t * D;
      const l = y[t]!;
      for (let f = 0; f < D; f++) {
        const v = features[o + f]!;
        if (v !== 0) out.push(f * L + l, v);
      }
    }
    if (this.bias) for (let t = 0; t < T; t++) out.push(D * L + y[t]!, 1);
    const tr = this.transitionOffset;
    for (let t = 1; t < T; t++) out.push(tr + y[t - 1]! * L + y[t]!, 1);
  }

  /** Unary scores out[t·L + l] = Σ_f x[t·D + f]·w[f·L + l] (+ w[D·L + l] with bias). */
  unaryScores(x: DenseSequence, w: Float64Array, out = new Float64Array(x.T * this.labels)): Float64Array {
    const { T, features } = x;
    const D = this.features;
    const L = this.labels;
    out.fill(0, 0, T * L);
    for (let t = 0; t < T; t++) {
      const o = t * L;
      const xo = t * D;
      for (let f = 0; f < D; f++) {
        const v = features[xo + f]!;
        if (v === 0) continue;
        const wo = f * L;
        for (let l = 0; l < L; l++) out[o + l]! += v * w[wo + l]!;
      }
      if (this.bias) for (let l = 0; l < L; l++) out[o + l]! += w[D * L + l]!;
    }
    return out;
  }

  /** The chain potentials of x under w (scores, not energies), in reused buffers. */
  potentials(x: DenseSequence, w: Float64Array, scale = 1): ChainPotentials {
    const L = this.labels;
    const T = x.T;
    if (this.unary.length < T * L) this.unary = new Float64Array(Math.max(T * L, this.unary.length * 2));
    const unary = this.unaryScores(x, w, this.unary);
    let transition = w.subarray(this.transitionOffset, this.transitionOffset + L * L);
    if (scale !== 1) {
      for (let q = 0; q < T * L; q++) unary[q]! *= scale;
      for (let q = 0; q < L * L; q++) this.scaledTransition[q] = scale * transition[q]!;
      transition = this.scaledTransition;
    }
    return { T, L, unary, transition };
  }

  inference(x: DenseSequence, w: Float64Array): Int32Array {
    const out = new Int32Array(x.T);
    this.ws.viterbi(this.potentials(x, w), out);
    return out;
  }

  lossAugmentedInference(x: DenseSequence, y: Int32Array, w: Float64Array): Int32Array {
    return this.lossAugmentedInferenceScaled(x, y, w, 1);
  }

  lossAugmentedInferenceScaled(x: DenseSequence, y: Int32Array, w: Float64Array, scale: number): Int32Array {
    const p = this.potentials(x, w, scale);
    const out = new Int32Array(x.T);
    if (this.lossKind === 'hamming') {
      addHammingLoss(p.unary, p.T, p.L, y, { out: p.unary, ...(this.classWeights ? { classWeights: this.classWeights } : {}) });
      this.ws.viterbi(p, out);
      return out;
    }
    // 0/1 loss: the best labelling gains 1 unless it is y; then the runner-up (+1) competes with y (+0).
    const top = kBest({ T: p.T, L: p.L, unary: p.unary.subarray(0, p.T * p.L), transition: p.transition }, 2);
    const first = top[0]!;
    if (!sameLabels(first.labels, y) || top.length < 2) out.set(first.labels);
    else out.set(top[1]!.score + 1 > first.score ? top[1]!.labels : first.labels);
    return out;
  }

  loss(y: Int32Array, yHat: Int32Array): number {
    if (this.lossKind === 'zero-one') return sameLabels(y, yHat) ? 0 : 1;
    return hammingLoss(y, yHat, this.classWeights ?? undefined);
  }
}

function sameLabels(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let t = 0; t < a.length; t++) if (a[t] !== b[t]) return false;
  return true;
}
