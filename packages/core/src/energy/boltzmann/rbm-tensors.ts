/**
 * tfjs building blocks of the RBM code (internal): an RBM's parameters as tensors (with the weight matrix in both
 * layouts, because the wasm backend multiplies fast only without transpose flags), row blocks of data as tensors,
 * and Bernoulli / Gaussian draws whose randomness comes from an injected `Rng`.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { fillUniform32 } from './binary-math.js';
import type { RowMatrix } from './row-matrix.js';

/** The parameter arrays of an RBM (see `Rbm`); `weights[i * numHidden + j]`. */
export interface RbmParameterArrays {
  readonly visible: 'bernoulli' | 'gaussian';
  readonly numVisible: number;
  readonly numHidden: number;
  readonly weights: ArrayLike<number>;
  readonly visibleBias: ArrayLike<number>;
  readonly hiddenBias: ArrayLike<number>;
}

/** An RBM's parameters on the tfjs backend. */
export interface RbmTensors {
  /** numVisible × numHidden */
  W: tf.Tensor2D;
  /** numHidden × numVisible (W transposed) */
  Wt: tf.Tensor2D;
  /** [numVisible] */
  b: tf.Tensor1D;
  /** [numHidden] */
  c: tf.Tensor1D;
}

function f32(a: ArrayLike<number>): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

/** Uploads an RBM's parameters (caller disposes with `disposeRbmTensors`). */
export function rbmTensors(p: RbmParameterArrays): RbmTensors {
  return tf.tidy(() => {
    const W = tf.tensor2d(f32(p.weights), [p.numVisible, p.numHidden]);
    return { W, Wt: tf.transpose(W), b: tf.tensor1d(f32(p.visibleBias)), c: tf.tensor1d(f32(p.hiddenBias)) };
  });
}

/** Frees the tensors of `rbmTensors`. */
export function disposeRbmTensors(t: RbmTensors): void {
  t.W.dispose();
  t.Wt.dispose();
  t.b.dispose();
  t.c.dispose();
}

/** Rows [start, end) of `m` as a float32 tensor. */
export function rowsTensor(m: RowMatrix, start = 0, end = m.rows): tf.Tensor2D {
  const sub = m.data.subarray(start * m.cols, end * m.cols);
  return tf.tensor2d(sub instanceof Float32Array ? sub : Float32Array.from(sub), [end - start, m.cols]);
}

/** Rows `idx[start..end)` of `m`, gathered in JS into a float32 tensor (for shuffled mini-batches). */
export function gatherRowsTensor(m: RowMatrix, idx: ArrayLike<number>, start: number, end: number, buf?: Float32Array): tf.Tensor2D {
  const c = m.cols;
  const n = end - start;
  const out = buf && buf.length === n * c ? buf : new Float32Array(n * c);
  const d = m.data;
  for (let k = 0; k < n; k++) {
    const r = idx[start + k]! * c;
    for (let j = 0; j < c; j++) out[k * c + j] = d[r + j]!;
  }
  return tf.tensor2d(out, [n, c]);
}

/** Independent Bernoulli(p) draws, 0/1 float32, with uniforms from `rng`. */
export function bernoulli(p: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  const u = tf.tensor2d(fillUniform32(rng, new Float32Array(p.size)), p.shape);
  const s = tf.cast(tf.less(u, p), 'float32') as tf.Tensor2D;
  u.dispose();
  return s;
}

/** mean + N(0, 1) noise (unit-variance Gaussian visible units), with normals from `rng`. */
export function gaussian(mean: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  const z = tf.tensor2d(rng.fillNormal(new Float32Array(mean.size)), mean.shape);
  const s = tf.add(mean, z) as tf.Tensor2D;
  z.dispose();
  return s;
}

/** p(h = 1 | v) = σ(vW + c). */
export function hiddenProbs(t: RbmTensors, v: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(v, t.W), t.c)) as tf.Tensor2D);
}

/** E[v | h]: σ(hWᵀ + b) for Bernoulli units, hWᵀ + b for Gaussian ones. */
export function visibleMeans(t: RbmTensors, h: tf.Tensor2D, visible: 'bernoulli' | 'gaussian'): tf.Tensor2D {
  return tf.tidy(() => {
    const a = tf.add(tf.matMul(h, t.Wt), t.b) as tf.Tensor2D;
    return visible === 'bernoulli' ? (tf.sigmoid(a) as tf.Tensor2D) : a;
  });
}

/** A draw of v given its means: Bernoulli or unit-variance Gaussian. */
export function sampleVisible(mean: tf.Tensor2D, visible: 'bernoulli' | 'gaussian', rng: Rng): tf.Tensor2D {
  return visible === 'bernoulli' ? bernoulli(mean, rng) : gaussian(mean, rng);
}

/** Free energy per row: −vᵀb − Σ softplus(vW + c) (Bernoulli) or ½‖v − b‖² − Σ softplus(vW + c) (Gaussian). */
export function freeEnergyTensor(t: RbmTensors, v: tf.Tensor2D, visible: 'bernoulli' | 'gaussian'): tf.Tensor1D {
  return tf.tidy(() => {
    const hid = tf.sum(tf.softplus(tf.add(tf.matMul(v, t.W), t.c)), 1);
    const vis =
      visible === 'bernoulli' ? tf.neg(tf.sum(tf.mul(v, t.b), 1)) : tf.mul(0.5, tf.sum(tf.square(tf.sub(v, t.b)), 1));
    return tf.sub(vis, hid) as tf.Tensor1D;
  });
}
