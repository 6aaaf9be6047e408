/**
 * The likelihood view of the grid energy: maximise Σ_i log p(y_i | x_i) with p(y | x) ∝ exp(−E(x, y)) = exp(w·ψ(x, y)).
 * The gradient ψ(x, y) − E_p[ψ(x, ·)] needs the model's expectation, which is intractable on a grid; it is replaced
 * by negatives — persistent Gibbs chains (one per image, started at the ground truth: PCD) or the expectation under
 * mean-field marginals. Steps are Adam on w with L2 decay; pairwise weights are kept ≥ 0.
 */
import type { Rng } from '@ebmkit/core';
import { gibbsSample } from '../inference/gibbs.js';
import { withLabelMask, type GridCrf, type SegmentationInput } from './grid-crf.js';
import { meanField } from '../inference/mean-field.js';

/** Options of `trainContrastive`. */
export interface ContrastiveOptions {
  /** Where negatives come from (default 'meanfield'). */
  negatives?: 'gibbs' | 'meanfield';
  /** Passes over the images (default 10). */
  epochs?: number;
  /** Adam step size (default 0.05). */
  learningRate?: number;
  /** L2 decay on the weights, bias included (default 1e-4). */
  l2?: number;
  /** Gibbs sweeps per step (default 2) or mean-field sweeps (default 10). */
  sweeps?: number;
  /** Starting weights (default zeros). */
  w0?: Float64Array;
  /**
   * Which weights move: 'all' (default), or 'pairwise-and-bias' — the pairwise weights and each class's weight on
   * the last (bias) feature, the unary feature weights staying at `w0` (fine-tuning a piecewise solution, where the
   * noisy mean-field gradient would otherwise let the many unary weights drift).
   */
  learn?: 'all' | 'pairwise-and-bias';
  rng: Rng;
  /** Called after each epoch with (epoch, mean ‖gradient‖); return false to stop. */
  onEpoch?: (epoch: number, gradNorm: number) => boolean | void;
}

/** Trains the weights of `crf` contrastively; returns them. */
export function trainContrastive(crf: GridCrf, X: readonly SegmentationInput[], Y: readonly Uint8Array[], options: ContrastiveOptions): Float64Array {
  const n = X.length;
  if (n === 0) throw new RangeError('trainContrastive: no images');
  if (Y.length !== n) throw new RangeError(`${Y.length} label maps for ${n} images`);
  const negatives = options.negatives ?? 'meanfield';
  const epochs = options.epochs ?? 10;
  const lr = options.learningRate ?? 0.05;
  const l2 = options.l2 ?? 1e-4;
  const sweeps = options.sweeps ?? (negatives === 'gibbs' ? 2 : 10);
  const rng = options.rng;
  const dim = crf.sizeJointFeature;
  const w = options.w0 ? Float64Array.from(options.w0) : new Float64Array(dim);
  if (w.length !== dim) throw new RangeError(`w0 length ${w.length} !== ${dim}`);
  const movable = new Uint8Array(dim).fill(1);
  if (options.learn === 'pairwise-and-bias') {
    movable.fill(0, 0, crf.pairOffset);
    for (let k = 0; k < crf.numLabels; k++) movable[k * crf.numFeatures + crf.numFeatures - 1] = 1;
  }
  const m = new Float64Array(dim);
  const v = new Float64Array(dim);
  const g = new Float64Array(dim);
  const b1 = 0.9;
  const b2 = 0.999;
  let t = 0;
  const chains: (Uint8Array | undefined)[] = new Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    rng.shuffle(order);
    let gn = 0;
    for (const i of order) {
      const y = Y[i]!;
      const x = withLabelMask(X[i]!, y);
      g.fill(0);
      crf.jointFeatureDense(x, y, g, 1);
      const e = crf.energy(x, w);
      if (negatives === 'gibbs') {
        const start = chains[i] ?? Uint8Array.from(y, (l) => (l < crf.numLabels ? l : 0));
        const neg = gibbsSample(e, { rng, sweeps, init: start }).labels;
        chains[i] = neg;
        crf.jointFeatureDense(x, neg, g, -1);
      } else {
        const q = meanField(e, { maxSweeps: sweeps, tolerance: 1e-4 }).marginals;
        crf.expectedJointFeature(x, q, g, -1);
      }
      // ascent on log-likelihood − (l2/2)‖w‖²  ⇒ descent on its negative
      t++;
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        if (movable[j] === 0) continue;
        const gj = -(g[j]! - l2 * w[j]!);
        norm += gj * gj;
        m[j] = b1 * m[j]! + (1 - b1) * gj;
        v[j] = b2 * v[j]! + (1 - b2) * gj * gj;
        const mh = m[j]! / (1 - b1 ** t);
        const vh = v[j]! / (1 - b2 ** t);
        w[j] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
      for (let j = crf.pairOffset; j < dim; j++) if (w[j]! < 0) w[j] = 0;
      gn += Math.sqrt(norm);
    }
    if (options.onEpoch?.(epoch, gn / n) === false) break;
  }
  return w;
}
