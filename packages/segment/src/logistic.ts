/**
 * Multinomial logistic regression over pixel features — the per-pixel likelihood that trains the linear unary
 * piecewise. Minimises (1/Σc) Σ_i c(y_i)·(−log softmax(W φ_i)_{y_i}) + (c2/2)·‖W‖² (bias column not penalised)
 * with core's L-BFGS. Its weights W (K × F) are exactly the unary block of a `GridCrf` weight vector.
 */
import { minimizeLbfgs, type Rng } from '@ebmkit/core';
import { IGNORE_LABEL } from './labels.js';

/** Pixels sampled for training: `features[i·F + f]` and labels. */
export interface PixelSample {
  features: Float32Array;
  labels: Uint8Array;
  numFeatures: number;
}

/** Options of `trainLogistic`. */
export interface LogisticOptions {
  /** L2 strength (default 1e-4). */
  c2?: number;
  /** Per-class weights of the loss (default 1 each). */
  classWeights?: ArrayLike<number>;
  /** Most L-BFGS iterations (default 300). */
  maxIterations?: number;
  /** Called after each iteration with (iteration, objective). */
  onIteration?: (iteration: number, objective: number) => void;
  /** Starting weights. */
  w0?: Float64Array;
}

/**
 * Draws up to `perImage` labelled pixels from each image (all of them when fewer) into one sample.
 */
export function samplePixels(
  images: readonly { features: Float32Array; numFeatures: number; width: number; height: number }[],
  labels: readonly Uint8Array[],
  perImage: number,
  rng: Rng,
): PixelSample {
  if (images.length === 0) throw new RangeError('samplePixels: no images');
  const F = images[0]!.numFeatures;
  const picks: [number, number][] = [];
  images.forEach((img, i) => {
    const y = labels[i]!;
    const valid: number[] = [];
    for (let p = 0; p < y.length; p++) if (y[p] !== IGNORE_LABEL) valid.push(p);
    if (valid.length <= perImage) for (const p of valid) picks.push([i, p]);
    else for (let s = 0; s < perImage; s++) picks.push([i, valid[rng.int(valid.length)]!]);
  });
  const features = new Float32Array(picks.length * F);
  const out = new Uint8Array(picks.length);
  picks.forEach(([i, p], r) => {
    features.set(images[i]!.features.subarray(p * F, (p + 1) * F), r * F);
    out[r] = labels[i]![p]!;
  });
  return { features, labels: out, numFeatures: F };
}

/**
 * The training objective of `trainLogistic` as an L-BFGS objective over W: writes the gradient into `g`, returns the
 * class-weighted mean negative log-likelihood plus (c2/2)·‖W without the bias column‖².
 */
export function logisticObjective(sample: PixelSample, K: number, options: Pick<LogisticOptions, 'c2' | 'classWeights'> = {}): (w: Float64Array, g: Float64Array) => number {
  const F = sample.numFeatures;
  const M = sample.labels.length;
  if (M === 0) throw new RangeError('trainLogistic: no labelled pixels');
  for (let i = 0; i < M; i++) if (sample.labels[i]! >= K) throw new RangeError(`label ${sample.labels[i]} of sample ${i} is not in [0, ${K})`);
  const c2 = options.c2 ?? 1e-4;
  const cw = options.classWeights;
  let total = 0;
  for (let i = 0; i < M; i++) total += cw ? cw[sample.labels[i]!]! : 1;
  const X = sample.features;
  const Y = sample.labels;
  const logits = new Float64Array(K);
  const objective = (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let f = 0;
    for (let i = 0; i < M; i++) {
      const o = i * F;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = 0;
        const wo = k * F;
        for (let j = 0; j < F; j++) s += w[wo + j]! * X[o + j]!;
        logits[k] = s;
        if (s > max) max = s;
      }
      let z = 0;
      for (let k = 0; k < K; k++) {
        logits[k] = Math.exp(logits[k]! - max);
        z += logits[k]!;
      }
      const y = Y[i]!;
      const c = (cw ? cw[y]! : 1) / total;
      f -= c * Math.log(logits[y]! / z);
      for (let k = 0; k < K; k++) {
        const r = c * (logits[k]! / z - (k === y ? 1 : 0));
        if (r === 0) continue;
        const wo = k * F;
        for (let j = 0; j < F; j++) g[wo + j] += r * X[o + j]!;
      }
    }
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < F - 1; j++) {
        const v = w[k * F + j]!;
        f += 0.5 * c2 * v * v;
        g[k * F + j] += c2 * v;
      }
    }
    return f;
  };
  return objective;
}

/** Trains W (K × F, row-major `W[k·F + f]`); the last feature is taken as the bias (not penalised). */
export async function trainLogistic(sample: PixelSample, K: number, options: LogisticOptions = {}): Promise<Float64Array> {
  const F = sample.numFeatures;
  const objective = logisticObjective(sample, K, options);
  const w0 = options.w0 ? Float64Array.from(options.w0) : new Float64Array(K * F);
  const res = await minimizeLbfgs(objective, w0, {
    maxIterations: options.maxIterations ?? 300,
    epsilon: 1e-6,
    onIteration: (it) => {
      options.onIteration?.(it.iteration, it.fx);
      return true;
    },
  });
  return res.x;
}
