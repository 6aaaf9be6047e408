/**
 * Multinomial logistic regression over pixel features — the per-pixel likelihood that trains the linear unary
 * piecewise. Minimises (1/Σc) Σ_i c(y_i)·(−log softmax(W φ_i)_{y_i}) + (c2/2)·‖W‖² (bias column not penalised)
 * with core's softmax regression (row weights c(y_i)/Σc, L-BFGS). Its weights W (K × F) are exactly the unary block
 * of a `GridCrf` weight vector.
 */
import { fitSoftmaxRegression, softmaxRegressionObjective, type Rng } from '@ebmkit/core';
import { IGNORE_LABEL } from '../grid/labels.js';

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
 * Draws up to `perImage` labelled pixels from each image (all of them when fewer) into one sample. Each image's
 * `features` is read once (views may compute it on every read).
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
  // picks are grouped by image: each image's feature map is read once (it may be computed on demand)
  let current = -1;
  let map: Float32Array | undefined;
  picks.forEach(([i, p], r) => {
    if (i !== current) {
      current = i;
      map = images[i]!.features;
    }
    features.set(map!.subarray(p * F, (p + 1) * F), r * F);
    out[r] = labels[i]![p]!;
  });
  return { features, labels: out, numFeatures: F };
}

/** The data and objective settings of `trainLogistic` in core's softmax-regression terms. */
function asSoftmaxRegression(sample: PixelSample, K: number, options: Pick<LogisticOptions, 'c2' | 'classWeights'>) {
  const F = sample.numFeatures;
  const M = sample.labels.length;
  if (M === 0) throw new RangeError('trainLogistic: no labelled pixels');
  const cw = options.classWeights;
  let total = 0;
  for (let i = 0; i < M; i++) total += cw ? cw[sample.labels[i]!]! : 1;
  const rowWeights = new Float64Array(M);
  for (let i = 0; i < M; i++) rowWeights[i] = (cw ? cw[sample.labels[i]!]! : 1) / total;
  const data = { x: sample.features, rows: M, features: F, labels: sample.labels };
  // The features end with a constant column: its weights are the bias (not penalised); no extra intercept.
  return { data, settings: { classes: K, l2: options.c2 ?? 1e-4, rowWeights, intercept: false, unpenalized: [F - 1] } };
}

/**
 * The training objective of `trainLogistic` as an L-BFGS objective over W: writes the gradient into `g`, returns the
 * class-weighted mean negative log-likelihood plus (c2/2)·‖W without the bias column‖².
 */
export function logisticObjective(sample: PixelSample, K: number, options: Pick<LogisticOptions, 'c2' | 'classWeights'> = {}): (w: Float64Array, g: Float64Array) => number {
  const { data, settings } = asSoftmaxRegression(sample, K, options);
  return softmaxRegressionObjective(data, settings);
}

/** Trains W (K × F, row-major `W[k·F + f]`); the last feature is taken as the bias (not penalised). */
export async function trainLogistic(sample: PixelSample, K: number, options: LogisticOptions = {}): Promise<Float64Array> {
  const { data, settings } = asSoftmaxRegression(sample, K, options);
  const res = await fitSoftmaxRegression(data, {
    ...settings,
    ...(options.w0 ? { w0: options.w0 } : {}),
    lbfgs: {
      maxIterations: options.maxIterations ?? 300,
      epsilon: 1e-6,
      onIteration: (it) => {
        options.onIteration?.(it.iteration, it.fx);
        return true;
      },
    },
  });
  return res.weights;
}
