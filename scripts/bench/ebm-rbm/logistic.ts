/**
 * A small multinomial logistic regression for the benchmark (scikit-learn's LogisticRegression objective):
 *   minimise  C · Σ_n −log softmax(x_n W + b)[y_n] + ½‖W‖²   (the intercept b is not penalised)
 * with core's L-BFGS. The objective is divided by C internally (same minimiser, better-scaled numbers).
 */
import { minimizeLbfgs } from '@ebmkit/core';
import type { RowMatrix } from '@ebmkit/core/energy';

/** A fitted multinomial logistic regression: `weights[f * classes + k]`, `bias[k]`. */
export interface LogisticModel {
  features: number;
  classes: number;
  weights: Float64Array;
  bias: Float64Array;
  iterations: number;
  status: string;
}

/** Fits the model to rows `x` with integer labels `y` in 0 … classes − 1. */
export async function fitLogistic(
  x: RowMatrix,
  y: ArrayLike<number>,
  options: {
    classes: number;
    C: number;
    maxIterations?: number;
    /** Stop when max_j |∂/∂w_j (C·Σ loss + ½‖W‖²)| ≤ tolerance (scikit-learn newton-cg's `tol` test); default: L-BFGS's own tests only. */
    tolerance?: number;
  },
): Promise<LogisticModel> {
  const F = x.cols;
  const K = options.classes;
  const N = x.rows;
  const nW = F * K;
  const invC = 1 / options.C;
  const z = new Float64Array(K);
  const objective = (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let f = 0;
    for (let n = 0; n < N; n++) {
      const o = n * F;
      for (let k = 0; k < K; k++) z[k] = w[nW + k]!;
      for (let i = 0; i < F; i++) {
        const xi = x.data[o + i]!;
        if (xi === 0) continue;
        const row = i * K;
        for (let k = 0; k < K; k++) z[k] += xi * w[row + k]!;
      }
      let m = -Infinity;
      for (let k = 0; k < K; k++) if (z[k]! > m) m = z[k]!;
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(z[k]! - m);
      const lse = m + Math.log(s);
      const yn = y[n]!;
      f += lse - z[yn]!;
      for (let k = 0; k < K; k++) z[k] = Math.exp(z[k]! - lse) - (k === yn ? 1 : 0);
      for (let i = 0; i < F; i++) {
        const xi = x.data[o + i]!;
        if (xi === 0) continue;
        const row = i * K;
        for (let k = 0; k < K; k++) g[row + k] += xi * z[k]!;
      }
      for (let k = 0; k < K; k++) g[nW + k] += z[k]!;
    }
    for (let j = 0; j < nW; j++) {
      f += 0.5 * invC * w[j]! * w[j]!;
      g[j] += invC * w[j]!;
    }
    return f;
  };
  const tol = options.tolerance;
  const res = await minimizeLbfgs(objective, new Float64Array(nW + K), {
    maxIterations: options.maxIterations ?? 2000,
    memory: 20,
    epsilon: tol === undefined ? 1e-5 : 0,
    delta: tol === undefined ? 1e-5 : 0,
    ...(tol === undefined
      ? {}
      : {
          // Our objective is scikit-learn's divided by C, so its gradient is too.
          onIteration: (it) => {
            let m = 0;
            for (let j = 0; j < it.g.length; j++) m = Math.max(m, Math.abs(it.g[j]!));
            return m * options.C > tol;
          },
        }),
  });
  return { features: F, classes: K, weights: res.x.slice(0, nW), bias: res.x.slice(nW), iterations: res.iterations, status: res.status };
}

/** Fraction of rows whose arg-max class equals the label. */
export function logisticAccuracy(m: LogisticModel, x: RowMatrix, y: ArrayLike<number>): number {
  let ok = 0;
  const z = new Float64Array(m.classes);
  for (let n = 0; n < x.rows; n++) {
    for (let k = 0; k < m.classes; k++) z[k] = m.bias[k]!;
    for (let i = 0; i < m.features; i++) {
      const xi = x.data[n * x.cols + i]!;
      if (xi !== 0) for (let k = 0; k < m.classes; k++) z[k] += xi * m.weights[i * m.classes + k]!;
    }
    let best = 0;
    for (let k = 1; k < m.classes; k++) if (z[k]! > z[best]!) best = k;
    if (best === y[n]) ok++;
  }
  return ok / x.rows;
}
