/**
 * "Informative" initialisation of SGLD chains (JEM++, Yang & Ji 2021): instead of uniform noise, starts are drawn
 * from a mixture of one Gaussian per class fitted to the training data, N(μ_k, Σ_k) with weights the class
 * frequencies, so short-run chains begin near the data. Σ_k is the sample covariance plus `ridge`·I (positive
 * definite even when a class has fewer samples than dimensions); draws are μ_k + L_k z with L_k its Cholesky factor,
 * then clamped to the data range.
 */
import * as tf from './tf.js';
import type { Rng } from '../rng.js';
import type { NoiseInit } from './replay-buffer.js';

/** One fitted component. */
export interface GaussianComponent {
  weight: number;
  mean: Float32Array;
  /** Lower-triangular Cholesky factor of the covariance, row-major D × D. */
  chol: Float64Array;
}

/**
 * Lower Cholesky factor of a symmetric positive definite D × D matrix (row-major, float64). Throws a RangeError naming
 * the pivot when the matrix is not positive definite.
 */
export function cholesky(a: Float64Array, D: number): Float64Array {
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * D + j]!;
      const ri = i * D;
      const rj = j * D;
      for (let k = 0; k < j; k++) s -= L[ri + k]! * L[rj + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i} is ${s})`);
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / L[rj + j]!;
      }
    }
  }
  return L;
}

/**
 * Fits one Gaussian per class to rows of `x` (n × D, flat) with labels `y` in [0, K): mean, covariance + ridge·I
 * (default 0.01), Cholesky factor; weights are the class frequencies. Classes without rows are left out.
 */
export function fitClassGaussians(x: Float32Array, y: Int32Array, K: number, ridge = 0.01): GaussianComponent[] {
  const n = y.length;
  const D = x.length / n;
  if (!Number.isInteger(D) || D < 1) throw new RangeError(`fitClassGaussians: ${x.length} values are not ${n} rows`);
  if (!(ridge > 0)) throw new RangeError(`fitClassGaussians: ridge must be > 0, got ${ridge}`);
  const out: GaussianComponent[] = [];
  for (let k = 0; k < K; k++) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (y[i] === k) rows.push(i);
    if (rows.length === 0) continue;
    const xk = new Float32Array(rows.length * D);
    rows.forEach((r, i) => xk.set(x.subarray(r * D, (r + 1) * D), i * D));
    const { mean, cov } = tf.tidy(() => {
      const m = tf.tensor2d(xk, [rows.length, D]);
      const mu = tf.mean(m, 0);
      const c = tf.sub(m, mu);
      return { mean: mu.dataSync() as Float32Array, cov: tf.div(tf.matMul(c, c, true, false), Math.max(1, rows.length - 1)).dataSync() as Float32Array };
    });
    const a = Float64Array.from(cov);
    for (let i = 0; i < D; i++) a[i * D + i]! += ridge;
    out.push({ weight: rows.length / n, mean: Float32Array.from(mean), chol: cholesky(a, D) });
  }
  return out;
}

/** A `NoiseInit` drawing from the mixture, each value clamped to [lo, hi] (the data range). */
export function gaussianMixtureInit(components: readonly GaussianComponent[], lo = -1, hi = 1): NoiseInit {
  if (components.length === 0) throw new RangeError('gaussianMixtureInit: no components');
  const D = components[0]!.mean.length;
  const cum: number[] = [];
  let total = 0;
  for (const c of components) {
    if (c.mean.length !== D || c.chol.length !== D * D) throw new RangeError(`gaussianMixtureInit: components of different sizes (${c.mean.length} vs ${D})`);
    total += c.weight;
    cum.push(total);
  }
  const z = new Float64Array(D);
  return (rng, out) => {
    if (out.length % D !== 0) throw new RangeError(`gaussianMixtureInit: ${out.length} values are not samples of ${D}`);
    for (let s = 0; s < out.length; s += D) {
      const u = rng.uniform() * total;
      let k = 0;
      while (k < cum.length - 1 && u >= cum[k]!) k++;
      const { mean, chol } = components[k]!;
      for (let i = 0; i < D; i++) z[i] = rng.normal();
      for (let i = 0; i < D; i++) {
        let v = mean[i]!;
        const row = i * D;
        for (let j = 0; j <= i; j++) v += chol[row + j]! * z[j]!;
        out[s + i] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  };
}
