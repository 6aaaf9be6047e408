// Shared fixtures for the energy tests: known 2-D distributions as tfjs energies, with exact samplers and moments.
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '@ebmkit/core';
import type { EnergyFunction, LabelledData } from '@ebmkit/core/energy';

/** A 2-D Gaussian N(mean, cov). */
export interface Gauss2 {
  mean: [number, number];
  cov: [number, number, number]; // [s11, s12, s22]
}

/** E(x) = ½ (x − μ)ᵀ Σ⁻¹ (x − μ) (log density up to a constant, negated). */
export function gaussianEnergy(g: Gauss2): EnergyFunction {
  const [a, b, c] = g.cov;
  const det = a * c - b * b;
  const prec = tf.keep(tf.tensor2d([c / det, -b / det, -b / det, a / det], [2, 2]));
  const mu = tf.keep(tf.tensor1d(g.mean));
  return (x) =>
    tf.tidy(() => {
      const d = tf.sub(x, mu);
      return tf.mul(0.5, tf.sum(tf.mul(d, tf.matMul(d as tf.Tensor2D, prec)), 1)) as tf.Tensor1D;
    });
}

/** Log density of N(g) at the rows of x [N,2] (tfjs). */
function gaussianLogDensity(g: Gauss2, x: tf.Tensor): tf.Tensor1D {
  const [a, b, c] = g.cov;
  const det = a * c - b * b;
  const d = tf.sub(x, tf.tensor1d(g.mean));
  const prec = tf.tensor2d([c / det, -b / det, -b / det, a / det], [2, 2]);
  const q = tf.sum(tf.mul(d, tf.matMul(d as tf.Tensor2D, prec)), 1);
  return tf.sub(tf.mul(-0.5, q), Math.log(2 * Math.PI) + 0.5 * Math.log(det)) as tf.Tensor1D;
}

/** A mixture Σ πₖ N(gₖ); E(x) = −log p(x). */
export function mixtureEnergy(weights: number[], comps: Gauss2[]): EnergyFunction {
  return (x) =>
    tf.tidy(() => {
      const cols = comps.map((g, k) => tf.add(gaussianLogDensity(g, x), Math.log(weights[k]!)));
      return tf.neg(tf.logSumExp(tf.stack(cols, 1), 1)) as tf.Tensor1D;
    });
}

/** n exact draws from N(g), flat [n*2]. */
export function sampleGaussian(g: Gauss2, n: number, rng: Rng): Float64Array {
  const [a, b, c] = g.cov;
  const l11 = Math.sqrt(a);
  const l21 = b / l11;
  const l22 = Math.sqrt(c - l21 * l21);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const z1 = rng.normal();
    const z2 = rng.normal();
    out[2 * i] = g.mean[0] + l11 * z1;
    out[2 * i + 1] = g.mean[1] + l21 * z1 + l22 * z2;
  }
  return out;
}

/** n exact draws from the mixture, flat [n*2]. */
export function sampleMixture(weights: number[], comps: Gauss2[], n: number, rng: Rng): Float64Array {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const k = rng.categorical(weights);
    out.set(sampleGaussian(comps[k]!, 1, rng), 2 * i);
  }
  return out;
}

/** Mean and covariance [s11, s12, s22] of flat 2-D points. */
export function moments2(xs: ArrayLike<number>): { mean: [number, number]; cov: [number, number, number] } {
  const n = xs.length / 2;
  let m0 = 0;
  let m1 = 0;
  for (let i = 0; i < n; i++) {
    m0 += xs[2 * i]!;
    m1 += xs[2 * i + 1]!;
  }
  m0 /= n;
  m1 /= n;
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  for (let i = 0; i < n; i++) {
    const d0 = xs[2 * i]! - m0;
    const d1 = xs[2 * i + 1]! - m1;
    s11 += d0 * d0;
    s12 += d0 * d1;
    s22 += d1 * d1;
  }
  return { mean: [m0, m1], cov: [s11 / (n - 1), s12 / (n - 1), s22 / (n - 1)] };
}

/** Centres of the three labelled 2-D blobs of `labelledBlobs`. */
export const BLOB_CENTRES: readonly (readonly [number, number])[] = [
  [-0.6, -0.5],
  [0.6, -0.5],
  [0, 0.6],
];

/** n labelled points, class i mod 3, each N(BLOB_CENTRES[class], 0.12² I) (the JEM tests' data). */
export function labelledBlobs(n: number, seed: number): LabelledData {
  const rng = createRng(seed);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    y[i] = k;
    x[2 * i] = BLOB_CENTRES[k]![0] + 0.12 * rng.normal();
    x[2 * i + 1] = BLOB_CENTRES[k]![1] + 0.12 * rng.normal();
  }
  return { x, y };
}
