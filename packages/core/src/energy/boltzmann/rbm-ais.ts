/**
 * Annealed importance sampling for the partition function of an RBM (Salakhutdinov & Murray 2008). The path runs
 * from a base-rate model A (no weights, no hidden biases, visible biases b_A — by default from the training data's
 * marginals, see `baseRateVisibleBias`) to the RBM B through the RBMs with parameters
 *   W_β = βW,  c_β = βc,  b_β = (1 − β)b_A + βb,
 * whose free energies F_β give the unnormalised marginals p*_β(v) = e^{−F_β(v)} (the hidden units summed out).
 * Each run draws v from A, then for k = 1 … K adds log p*_{β_k}(v) − log p*_{β_{k−1}}(v) to its log weight and
 * moves v by one block-Gibbs step that leaves p_{β_k} invariant. log Z_B = log Z_A + log mean(w); its standard
 * error comes from the spread of the weights (delta method).
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { softplus } from './binary-math.js';
import type { Rbm } from './rbm.js';
import { bernoulli, disposeRbmTensors, rbmTensors, sampleVisible } from './rbm-tensors.js';
import { checkRowMatrix, columnMeans, type RowMatrix } from './row-matrix.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Options of `rbmAis`. */
export interface RbmAisOptions {
  rng: Rng;
  /** Independent AIS runs (default 100). */
  runs?: number;
  /**
   * The inverse temperatures 0 = β_0 < β_1 < … < β_K = 1, or the number K of intermediate steps for the default
   * schedule (Salakhutdinov & Murray's shape: 1/29 of the steps on [0, 0.5], 8/29 on [0.5, 0.9], 20/29 on
   * [0.9, 1]). Default 14,500 (their 500 + 4,000 + 10,000).
   */
  betas?: Float64Array | number;
  /** Visible biases of the base-rate model (default zeros: the uniform distribution, or N(0, I) for Gaussian units). */
  baseVisibleBias?: ArrayLike<number>;
  /** Called every 100 steps with (steps done, K). */
  onProgress?: (done: number, total: number) => void;
}

/** The outcome of `rbmAis`. */
export interface RbmAisResult {
  /** The estimate log Ẑ = log Z_A + log mean(w). */
  logZ: number;
  /** Standard error of log Ẑ: sd(w) / (√M · mean(w)). */
  standardError: number;
  /** log(mean(w) ∓ 3·sd(w)/√M) + log Z_A: the ±3 standard-error interval of Ẑ mapped to logs (lower may be −Infinity). */
  interval: [number, number];
  /** log Z of the base-rate model. */
  logZBase: number;
  /** log w of every run. */
  logWeights: Float64Array;
  /** Number of intermediate distributions K. */
  steps: number;
}

/** A schedule of `K` + 1 inverse temperatures in Salakhutdinov & Murray's proportions. */
export function aisSchedule(K: number): Float64Array {
  if (!Number.isInteger(K) || K < 3) throw new RangeError(`aisSchedule: K must be an integer ≥ 3, got ${K}`);
  const k1 = Math.max(1, Math.round((K * 1) / 29));
  const k2 = Math.max(1, Math.round((K * 8) / 29));
  const k3 = K - k1 - k2;
  const out = new Float64Array(K + 1);
  let i = 0;
  for (let j = 0; j < k1; j++) out[i++] = (0.5 * j) / k1;
  for (let j = 0; j < k2; j++) out[i++] = 0.5 + (0.4 * j) / k2;
  for (let j = 0; j <= k3; j++) out[i++] = 0.9 + (0.1 * j) / k3;
  out[K] = 1;
  return out;
}

/**
 * Visible biases of the base-rate model from data: log(p̂/(1 − p̂)) with p̂ = (count + α)/(N + 2α) (α = `smoothing`,
 * default 1) for Bernoulli units; the column means for Gaussian units.
 */
export function baseRateVisibleBias(data: RowMatrix, visible: 'bernoulli' | 'gaussian' = 'bernoulli', smoothing = 1): Float32Array {
  checkRowMatrix(data, 'baseRateVisibleBias');
  const m = columnMeans(data);
  const out = new Float32Array(data.cols);
  for (let i = 0; i < data.cols; i++) {
    if (visible === 'gaussian') out[i] = m[i]!;
    else {
      const p = (m[i]! * data.rows + smoothing) / (data.rows + 2 * smoothing);
      out[i] = Math.log(p / (1 - p));
    }
  }
  return out;
}

/** Estimates log Z of an RBM by annealed importance sampling (see the module comment). */
export function rbmAis(rbm: Rbm, options: RbmAisOptions): RbmAisResult {
  const M = options.runs ?? 100;
  if (!Number.isInteger(M) || M < 2) throw new RangeError(`rbmAis: runs must be an integer ≥ 2, got ${M}`);
  const betas = typeof options.betas === 'object' ? options.betas : aisSchedule(options.betas ?? 14500);
  const K = betas.length - 1;
  if (K < 1 || betas[0] !== 0 || betas[K] !== 1) throw new RangeError(`rbmAis: betas must run from 0 to 1, got ${betas[0]} … ${betas[K]}`);
  for (let k = 1; k <= K; k++) {
    if (!(betas[k]! > betas[k - 1]!)) throw new RangeError(`rbmAis: betas must increase; β_${k} = ${betas[k]} ≤ β_${k - 1} = ${betas[k - 1]}`);
  }
  const V = rbm.numVisible;
  const H = rbm.numHidden;
  const bA = new Float32Array(V);
  if (options.baseVisibleBias) {
    if (options.baseVisibleBias.length !== V) throw new RangeError(`rbmAis: baseVisibleBias length ${options.baseVisibleBias.length} !== numVisible ${V}`);
    for (let i = 0; i < V; i++) bA[i] = options.baseVisibleBias[i]!;
  }
  const gaussian = rbm.visible === 'gaussian';
  // log Z_A of the RBM with W = 0, c = 0, visible bias b_A: the hidden units contribute H·log 2.
  let logZBase = H * Math.LN2;
  if (gaussian) logZBase += 0.5 * V * LOG_2PI;
  else for (let i = 0; i < V; i++) logZBase += softplus(bA[i]!);

  const { rng } = options;
  const t = rbmTensors(rbm);
  const bAT = tf.tensor1d(bA);
  const logW = new Float64Array(M);
  try {
    let v = tf.tidy(() => {
      const mean = tf.tile(tf.reshape(bAT, [1, V]), [M, 1]) as tf.Tensor2D;
      return sampleVisible(gaussian ? mean : (tf.sigmoid(mean) as tf.Tensor2D), rbm.visible, rng);
    });
    const dB = tf.sub(t.b, bAT) as tf.Tensor1D; // b_B − b_A
    let acc = tf.zeros([M]) as tf.Tensor1D;
    // −F_β(v) = b_βᵀv + Σ softplus(β·a) (Bernoulli) or −½‖v − b_β‖² + Σ softplus(β·a) (Gaussian), a = vW + c.
    const logPStar = (a: tf.Tensor2D, beta: number, vv: tf.Tensor2D): tf.Tensor1D =>
      tf.tidy(() => {
        const bBeta = tf.add(bAT, tf.mul(beta, dB));
        const vis = gaussian ? tf.mul(-0.5, tf.sum(tf.square(tf.sub(vv, bBeta)), 1)) : tf.sum(tf.mul(vv, bBeta), 1);
        return tf.add(vis, tf.sum(tf.softplus(tf.mul(beta, a)), 1)) as tf.Tensor1D;
      });
    for (let k = 1; k <= K; k++) {
      const beta = betas[k]!;
      const prev = betas[k - 1]!;
      const next = tf.tidy(() => {
        const a = tf.add(tf.matMul(v, t.W), t.c) as tf.Tensor2D;
        const inc = tf.sub(logPStar(a, beta, v), logPStar(a, prev, v));
        const acc2 = tf.add(acc, inc) as tf.Tensor1D;
        if (k === K) return { v, acc: acc2 };
        const h = bernoulli(tf.sigmoid(tf.mul(beta, a)) as tf.Tensor2D, rng);
        const bBeta = tf.add(bAT, tf.mul(beta, dB));
        const mean = tf.add(tf.mul(beta, tf.matMul(h, t.Wt)), bBeta) as tf.Tensor2D;
        return { v: sampleVisible(gaussian ? mean : (tf.sigmoid(mean) as tf.Tensor2D), rbm.visible, rng), acc: acc2 };
      });
      if (next.v !== v) v.dispose();
      acc.dispose();
      v = next.v;
      acc = next.acc;
      // Move the float32 partial sums into Float64 regularly.
      if (k % 100 === 0 || k === K) {
        const a = acc.dataSync() as Float32Array;
        for (let r = 0; r < M; r++) logW[r] += a[r]!;
        acc.dispose();
        acc = tf.zeros([M]) as tf.Tensor1D;
        options.onProgress?.(k, K);
      }
    }
    v.dispose();
    acc.dispose();
    dB.dispose();
  } finally {
    disposeRbmTensors(t);
    bAT.dispose();
  }
  let mx = -Infinity;
  for (let r = 0; r < M; r++) if (logW[r]! > mx) mx = logW[r]!;
  if (!Number.isFinite(mx)) throw new RangeError(`rbmAis: the importance weights are not finite (max log w = ${mx})`);
  let mean = 0;
  for (let r = 0; r < M; r++) mean += Math.exp(logW[r]! - mx);
  mean /= M;
  let ss = 0;
  for (let r = 0; r < M; r++) ss += (Math.exp(logW[r]! - mx) - mean) ** 2;
  const sd = Math.sqrt(ss / (M - 1));
  const se = sd / Math.sqrt(M);
  const logZ = logZBase + mx + Math.log(mean);
  const lo = mean - 3 * se > 0 ? logZBase + mx + Math.log(mean - 3 * se) : -Infinity;
  const hi = logZBase + mx + Math.log(mean + 3 * se);
  return { logZ, standardError: se / mean, interval: [lo, hi], logZBase, logWeights: logW, steps: K };
}

/**
 * Mean test log-likelihood (nats per row) from a log Z estimate: mean(−F(v)) − log Z, with the standard error of
 * log Z carried over (the mean free energy is exact).
 */
export function rbmLogLikelihood(rbm: Rbm, data: RowMatrix, logZ: { logZ: number; standardError?: number } | number): { logLikelihood: number; standardError: number } {
  const fe = rbm.freeEnergy(data);
  let s = 0;
  for (let r = 0; r < fe.length; r++) s -= fe[r]!;
  const lz = typeof logZ === 'number' ? logZ : logZ.logZ;
  return { logLikelihood: s / fe.length - lz, standardError: typeof logZ === 'number' ? 0 : (logZ.standardError ?? 0) };
}

