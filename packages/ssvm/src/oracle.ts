import { SparseBuilder, type SparseVector } from '@ebmkit/core';
import { SparseAccumulator } from './sparse-accumulator.js';
import type { SsvmModel } from './ssvm-model.js';

/** Result of one loss-augmented oracle call (the δψ entries live in the oracle's `acc` until the next call). */
export interface Constraint<Y> {
  yHat: Y;
  /** Δ(y_i, ŷ). */
  loss: number;
  /** Number of entries of δψ = ψ(x_i, y_i) − ψ(x_i, ŷ) in `acc.indices/values`. */
  nnz: number;
}

/**
 * The training set seen through a model: loss-augmented oracle calls, δψ vectors without allocation, and the
 * exact primal objective. Shared by every learner.
 */
export class Oracle<X, Y> {
  readonly n: number;
  readonly dim: number;
  /** Scratch holding the last δψ (compact). */
  readonly acc: SparseAccumulator;
  private readonly builder = new SparseBuilder(256);
  /** Calls made to loss-augmented inference for training (not for evaluation). */
  calls = 0;

  constructor(
    readonly model: SsvmModel<X, Y>,
    readonly X: readonly X[],
    readonly Y: readonly Y[],
  ) {
    if (!Array.isArray(X) || !Array.isArray(Y)) throw new TypeError('inputs and outputs must be arrays');
    if (X.length !== Y.length) throw new RangeError(`${X.length} inputs but ${Y.length} outputs`);
    if (X.length === 0) throw new RangeError('no training examples');
    const dim = model.sizeJointFeature;
    if (!(Number.isInteger(dim) && dim >= 1)) throw new RangeError(`model.sizeJointFeature must be a positive integer, got ${dim}`);
    if (model.checkExample) {
      for (let i = 0; i < X.length; i++) {
        try {
          model.checkExample(X[i]!, Y[i]!);
        } catch (e) {
          throw new RangeError(`training example #${i + 1}: ${(e as Error).message}`);
        }
      }
    }
    this.n = X.length;
    this.dim = dim;
    this.acc = new SparseAccumulator(dim);
  }

  /** acc += scale·ψ(x_i, y). */
  addJointFeature(i: number, y: Y, scale: number): void {
    const m = this.model;
    let v: SparseVector;
    if (m.jointFeatureInto) {
      this.builder.clear();
      m.jointFeatureInto(this.X[i]!, y, this.builder);
      v = this.builder;
    } else v = m.jointFeature(this.X[i]!, y);
    this.acc.add(v.indices, v.values, v.length, scale);
  }

  /** Leaves δψ = ψ(x_i, y_i) − ψ(x_i, ŷ) in `acc` (compact); returns its number of entries. */
  deltaPsi(i: number, yHat: Y): number {
    this.addJointFeature(i, this.Y[i]!, 1);
    this.addJointFeature(i, yHat, -1);
    return this.acc.compact();
  }

  /** ŷ = argmax Δ + (scale·w)·ψ for example i (counted as a training oracle call). */
  lossAugmented(i: number, w: Float64Array, scale = 1): Y {
    this.calls++;
    const m = this.model;
    if (scale === 1) return m.lossAugmentedInference(this.X[i]!, this.Y[i]!, w);
    if (m.lossAugmentedInferenceScaled) return m.lossAugmentedInferenceScaled(this.X[i]!, this.Y[i]!, w, scale);
    const ws = new Float64Array(w.length);
    for (let k = 0; k < w.length; k++) ws[k] = scale * w[k]!;
    return m.lossAugmentedInference(this.X[i]!, this.Y[i]!, ws);
  }

  /** The most violated constraint of example i at weights scale·w, with δψ left in `acc`. */
  constraint(i: number, w: Float64Array, scale = 1): Constraint<Y> {
    const yHat = this.lossAugmented(i, w, scale);
    const loss = this.model.loss(this.Y[i]!, yHat);
    const nnz = this.deltaPsi(i, yHat);
    return { yHat, loss, nnz };
  }

  /** w · (entries of acc). */
  dotAcc(w: Float64Array): number {
    const { indices, values, length } = this.acc;
    let s = 0;
    for (let k = 0; k < length; k++) s += w[indices[k]!]! * values[k]!;
    return s;
  }

  /**
   * Exact evaluation at w (not counted as training calls): the mean hinge (1/n)·Σ H_i(w) and the mean task loss
   * of plain inference (1/n)·Σ Δ(y_i, h_w(x_i)).
   */
  evaluate(w: Float64Array): { hinge: number; trainingLoss: number } {
    let hinge = 0;
    let tl = 0;
    const m = this.model;
    for (let i = 0; i < this.n; i++) {
      const y = this.Y[i]!;
      const yHat = m.lossAugmentedInference(this.X[i]!, y, w);
      const loss = m.loss(y, yHat);
      this.deltaPsi(i, yHat);
      hinge += Math.max(0, loss - this.dotAcc(w));
      tl += m.loss(y, m.inference(this.X[i]!, w));
    }
    return { hinge: hinge / this.n, trainingLoss: tl / this.n };
  }
}

/** ‖w‖². */
export function norm2(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]!;
  return s;
}

/** a · b for dense vectors. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
