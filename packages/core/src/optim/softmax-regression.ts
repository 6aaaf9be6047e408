/**
 * Multinomial logistic (softmax) regression fitted with L-BFGS. It minimises
 *   Σ_i c_i · (−log softmax(W x̃_i)[y_i]) + (λ/2) Σ_{k, f penalised} W[k, f]²
 * over W (K × F̃, row-major `W[k·F̃ + f]`). With `intercept` (the default) x̃_i = (x_i, 1), F̃ = F + 1, and the last
 * column of W is the bias; it is never penalised, nor are the feature columns listed in `unpenalized`.
 * Row weights c_i give class weighting, a mean instead of a sum (c_i = 1/n), or scikit-learn's C (λ = 1/C, c_i = 1:
 * the same minimiser as C·Σ loss + ½‖W‖²).
 */
import { minimizeLbfgs, type LbfgsOptions } from './lbfgs.js';

/** Rows `x[i·features + f]` (i < rows) with one class label each. */
export interface SoftmaxRegressionData {
  x: ArrayLike<number>;
  rows: number;
  features: number;
  labels: ArrayLike<number>;
}

/** The objective's terms. */
export interface SoftmaxRegressionObjectiveOptions {
  classes: number;
  /** λ of the L2 penalty (default 0). */
  l2?: number;
  /** c_i of each row (default 1). */
  rowWeights?: ArrayLike<number>;
  /** Append a constant feature whose weights (the last column) are the bias (default true). */
  intercept?: boolean;
  /** Feature columns without penalty (e.g. a constant feature of the data's own). */
  unpenalized?: readonly number[];
}

/** Options of `fitSoftmaxRegression`. */
export interface SoftmaxRegressionOptions extends SoftmaxRegressionObjectiveOptions {
  /** Starting weights (default 0). */
  w0?: Float64Array;
  /** L-BFGS settings (default: its own, with at most 300 iterations). */
  lbfgs?: LbfgsOptions;
}

/** A fitted model: `weights[k·width + f]`, width = features + 1 with an intercept. */
export interface SoftmaxRegression {
  classes: number;
  features: number;
  intercept: boolean;
  weights: Float64Array;
  iterations: number;
  status: string;
}

function check(data: SoftmaxRegressionData, o: SoftmaxRegressionObjectiveOptions): void {
  const K = o.classes;
  if (!Number.isSafeInteger(K) || K < 2) throw new RangeError(`softmax regression: classes must be an integer ≥ 2, got ${K}`);
  if (data.x.length !== data.rows * data.features) throw new RangeError(`softmax regression: ${data.x.length} values for ${data.rows} rows × ${data.features} features`);
  if (data.labels.length !== data.rows) throw new RangeError(`softmax regression: ${data.labels.length} labels for ${data.rows} rows`);
  if (data.rows === 0) throw new RangeError('softmax regression: no rows');
  for (let i = 0; i < data.rows; i++) {
    const y = data.labels[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < K)) throw new RangeError(`softmax regression: label ${y} of row ${i} is not in [0, ${K})`);
  }
  if (o.rowWeights && o.rowWeights.length !== data.rows) throw new RangeError(`softmax regression: ${o.rowWeights.length} row weights for ${data.rows} rows`);
  if (!((o.l2 ?? 0) >= 0)) throw new RangeError(`softmax regression: l2 must be ≥ 0, got ${o.l2}`);
  for (const f of o.unpenalized ?? []) {
    if (!(Number.isSafeInteger(f) && f >= 0 && f < data.features)) throw new RangeError(`softmax regression: unpenalized column ${f} is not in [0, ${data.features})`);
  }
}

/** The objective above as an L-BFGS objective over W (gradient written into `g`). */
export function softmaxRegressionObjective(data: SoftmaxRegressionData, options: SoftmaxRegressionObjectiveOptions): (w: Float64Array, g: Float64Array) => number {
  check(data, options);
  const K = options.classes;
  const F = data.features;
  const bias = options.intercept ?? true;
  const Fw = F + (bias ? 1 : 0);
  const { x: X, labels: Y, rows: n } = data;
  const cw = options.rowWeights;
  const l2 = options.l2 ?? 0;
  const penalised = new Uint8Array(Fw).fill(1);
  if (bias) penalised[F] = 0;
  for (const f of options.unpenalized ?? []) penalised[f] = 0;
  const z = new Float64Array(K);
  return (w: Float64Array, g: Float64Array): number => {
    if (w.length !== K * Fw) throw new RangeError(`softmax regression: ${w.length} weights, expected ${K} × ${Fw}`);
    g.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const o = i * F;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        const wo = k * Fw;
        let s = bias ? w[wo + F]! : 0;
        for (let j = 0; j < F; j++) s += w[wo + j]! * X[o + j]!;
        z[k] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - max);
      const lse = max + Math.log(sum);
      const y = Y[i]!;
      const c = cw ? cw[i]! : 1;
      f += c * (lse - z[y]!);
      for (let k = 0; k < K; k++) {
        const r = c * (Math.exp(z[k]! - lse) - (k === y ? 1 : 0));
        if (r === 0) continue;
        const wo = k * Fw;
        for (let j = 0; j < F; j++) g[wo + j] += r * X[o + j]!;
        if (bias) g[wo + F] += r;
      }
    }
    if (l2 > 0) {
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < Fw; j++) {
          if (!penalised[j]) continue;
          const v = w[k * Fw + j]!;
          f += 0.5 * l2 * v * v;
          g[k * Fw + j] += l2 * v;
        }
      }
    }
    return f;
  };
}

/** Fits the model with L-BFGS (`minimizeLbfgs`). */
export async function fitSoftmaxRegression(data: SoftmaxRegressionData, options: SoftmaxRegressionOptions): Promise<SoftmaxRegression> {
  const objective = softmaxRegressionObjective(data, options);
  const intercept = options.intercept ?? true;
  const size = options.classes * (data.features + (intercept ? 1 : 0));
  if (options.w0 && options.w0.length !== size) throw new RangeError(`softmax regression: w0 has ${options.w0.length} values, expected ${size}`);
  const w0 = options.w0 ? Float64Array.from(options.w0) : new Float64Array(size);
  const res = await minimizeLbfgs(objective, w0, { maxIterations: 300, ...options.lbfgs });
  return { classes: options.classes, features: data.features, intercept, weights: res.x, iterations: res.iterations, status: res.status };
}

/** Arg-max class of each row of `x` (rows × model.features). */
export function predictSoftmaxRegression(model: SoftmaxRegression, x: ArrayLike<number>): Int32Array {
  const F = model.features;
  const K = model.classes;
  const Fw = F + (model.intercept ? 1 : 0);
  if (x.length % F !== 0) throw new RangeError(`predictSoftmaxRegression: ${x.length} values are not rows of ${F}`);
  const n = x.length / F;
  const out = new Int32Array(n);
  const w = model.weights;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < K; k++) {
      const wo = k * Fw;
      let s = model.intercept ? w[wo + F]! : 0;
      for (let j = 0; j < F; j++) s += w[wo + j]! * x[i * F + j]!;
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}
