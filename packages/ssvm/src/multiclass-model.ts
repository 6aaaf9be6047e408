import { SparseBuilder, type SparseVector } from '@ebmkit/core';
import type { SsvmModel } from './ssvm-model.js';

/** Options of `MulticlassModel`. */
export interface MulticlassModelOptions {
  /** Number of classes K ≥ 2. */
  classes: number;
  /** Number of input features D ≥ 1. */
  features: number;
  /** Δ(y, ŷ) = classWeights[y] when ŷ ≠ y (default: 1, the 0/1 loss). */
  classWeights?: ArrayLike<number>;
}

/**
 * The flat multiclass model as a structured model: ψ(x, y) = x placed in the block of class y (w[y·D + f]),
 * so w·ψ(x, y) = w_y·x; inference and loss-augmented inference by enumerating the K classes. With the 0/1 loss
 * the structured SVM is the Crammer–Singer multiclass SVM, whose optimum has a closed form on simple data —
 * which is what the learners are tested against.
 */
export class MulticlassModel implements SsvmModel<Float64Array, number> {
  readonly classes: number;
  readonly features: number;
  readonly sizeJointFeature: number;
  private readonly classWeights: Float64Array | null;

  constructor(options: MulticlassModelOptions) {
    const { classes: K, features: D } = options;
    if (!(Number.isInteger(K) && K >= 2)) throw new RangeError(`classes must be an integer ≥ 2, got ${K}`);
    if (!(Number.isInteger(D) && D >= 1)) throw new RangeError(`features must be a positive integer, got ${D}`);
    this.classes = K;
    this.features = D;
    this.sizeJointFeature = K * D;
    if (options.classWeights) {
      if (options.classWeights.length !== K) throw new RangeError(`classWeights length ${options.classWeights.length} !== classes ${K}`);
      this.classWeights = Float64Array.from(options.classWeights);
      for (let k = 0; k < K; k++) if (!(this.classWeights[k]! >= 0 && Number.isFinite(this.classWeights[k]))) throw new RangeError(`classWeights[${k}] = ${this.classWeights[k]} is not a finite number ≥ 0`);
    } else this.classWeights = null;
  }

  checkExample(x: Float64Array, y: number): void {
    if (x.length !== this.features) throw new RangeError(`input has ${x.length} features, expected ${this.features}`);
    for (let f = 0; f < x.length; f++) if (!Number.isFinite(x[f])) throw new RangeError(`feature ${f + 1} is ${x[f]}, not a finite number`);
    if (!(Number.isInteger(y) && y >= 0 && y < this.classes)) throw new RangeError(`class ${y} is not in [0, ${this.classes})`);
  }

  jointFeature(x: Float64Array, y: number): SparseVector {
    const b = new SparseBuilder(this.features);
    this.jointFeatureInto(x, y, b);
    return b.build();
  }

  jointFeatureInto(x: Float64Array, y: number, out: SparseBuilder): void {
    const o = y * this.features;
    for (let f = 0; f < x.length; f++) if (x[f] !== 0) out.push(o + f, x[f]!);
  }

  /** w_k · x for every class k (into `out`). */
  scores(x: Float64Array, w: Float64Array, out = new Float64Array(this.classes)): Float64Array {
    const D = this.features;
    for (let k = 0; k < this.classes; k++) {
      let s = 0;
      const o = k * D;
      for (let f = 0; f < D; f++) s += w[o + f]! * x[f]!;
      out[k] = s;
    }
    return out;
  }

  inference(x: Float64Array, w: Float64Array): number {
    return argmax(this.scores(x, w));
  }

  lossAugmentedInference(x: Float64Array, y: number, w: Float64Array): number {
    return this.lossAugmentedInferenceScaled(x, y, w, 1);
  }

  lossAugmentedInferenceScaled(x: Float64Array, y: number, w: Float64Array, scale: number): number {
    const s = this.scores(x, w);
    const c = this.classWeights ? this.classWeights[y]! : 1;
    for (let k = 0; k < this.classes; k++) s[k] = scale * s[k]! + (k === y ? 0 : c);
    return argmax(s);
  }

  loss(y: number, yHat: number): number {
    return y === yHat ? 0 : this.classWeights ? this.classWeights[y]! : 1;
  }
}

/** Index of the largest value (the first among ties). */
function argmax(s: Float64Array): number {
  let b = 0;
  for (let k = 1; k < s.length; k++) if (s[k]! > s[b]!) b = k;
  return b;
}
