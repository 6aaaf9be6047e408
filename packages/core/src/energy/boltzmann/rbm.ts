/**
 * Restricted Boltzmann machines: binary hidden units h ∈ {0,1}^H and visible units v that are Bernoulli
 * (v ∈ {0,1}^V) or unit-variance Gaussian (v ∈ ℝ^V), with energy
 *
 *   Bernoulli–Bernoulli:  E(v, h) = −bᵀv − cᵀh − vᵀWh
 *   Gaussian–Bernoulli:   E(v, h) = ½‖v − b‖² − cᵀh − vᵀWh      (σ = 1: standardise the data first)
 *
 * and free energy F(v) = −log Σ_h e^{−E(v,h)}: −bᵀv − Σ_j softplus(c_j + (vW)_j), or ½‖v − b‖² − Σ_j softplus(…).
 * An `Rbm` is an immutable fitted model (float32 parameters); its batch computations run on tfjs
 * (call `selectBackend()` first). Training is `trainRbm`, log Z is `rbmLogPartition` (exact) or `rbmAis`.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { loadModel, saveModel, type ModelFile } from '../../io/model-file.js';
import type { Tensor } from '../../io/safetensors.js';
import { checkDataValues, checkRowMatrix, type RowMatrix } from './row-matrix.js';
import {
  bernoulli,
  disposeRbmTensors,
  freeEnergyTensor,
  hiddenProbs,
  rbmTensors,
  rowsTensor,
  sampleVisible,
  visibleMeans,
  type RbmParameterArrays,
  type RbmTensors,
} from './rbm-tensors.js';

/** The kind of visible units. */
export type VisibleUnits = 'bernoulli' | 'gaussian';

/** An RBM's parameters (float32). `weights[i * numHidden + j]` couples visible i and hidden j. */
export interface RbmParameters {
  readonly visible: VisibleUnits;
  readonly numVisible: number;
  readonly numHidden: number;
  readonly weights: Float32Array;
  readonly visibleBias: Float32Array;
  readonly hiddenBias: Float32Array;
}

/** Options of `Rbm.sample`. */
export interface RbmSampleOptions {
  /** Number of independent chains (samples returned). Default 64. */
  count?: number;
  /** Block-Gibbs steps (v → h → v) per chain. Default 1000. */
  steps?: number;
  rng: Rng;
  /** Starting visible states (count × numVisible); default: Bernoulli(σ(b)) draws, or N(b, 1) for Gaussian units. */
  init?: RowMatrix;
}

/** Rows processed per tfjs call in the batch methods. */
const CHUNK = 2048;

/** Model-file kind of an RBM. */
export const RBM_MODEL_KIND = 'rbm';
/** Layout version of the RBM model file. */
export const RBM_FORMAT_VERSION = 1;

/** A restricted Boltzmann machine (immutable). */
export class Rbm implements RbmParameterArrays {
  readonly visible: VisibleUnits;
  readonly numVisible: number;
  readonly numHidden: number;
  readonly weights: Float32Array;
  readonly visibleBias: Float32Array;
  readonly hiddenBias: Float32Array;

  /** Checks sizes and finiteness; the arrays are kept (not copied). */
  constructor(p: RbmParameters) {
    if (p.visible !== 'bernoulli' && p.visible !== 'gaussian') throw new RangeError(`Rbm: visible must be 'bernoulli' or 'gaussian', got ${JSON.stringify(p.visible)}`);
    for (const [k, v] of [['numVisible', p.numVisible], ['numHidden', p.numHidden]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Rbm: ${k} must be a positive integer, got ${v}`);
    }
    const want: [string, Float32Array, number][] = [
      ['weights', p.weights, p.numVisible * p.numHidden],
      ['visibleBias', p.visibleBias, p.numVisible],
      ['hiddenBias', p.hiddenBias, p.numHidden],
    ];
    for (const [name, a, n] of want) {
      if (!(a instanceof Float32Array)) throw new TypeError(`Rbm: ${name} must be a Float32Array`);
      if (a.length !== n) throw new RangeError(`Rbm: ${name} length ${a.length} !== ${n}`);
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i]!)) throw new RangeError(`Rbm: ${name}[${i}] is ${a[i]}, not a finite number`);
      }
    }
    this.visible = p.visible;
    this.numVisible = p.numVisible;
    this.numHidden = p.numHidden;
    this.weights = p.weights;
    this.visibleBias = p.visibleBias;
    this.hiddenBias = p.hiddenBias;
  }

  /** A fresh RBM: weights N(0, std²) (default std 0.01, as scikit-learn), zero biases unless given. */
  static random(options: {
    numVisible: number;
    numHidden: number;
    visible?: VisibleUnits;
    rng: Rng;
    std?: number;
    visibleBias?: ArrayLike<number>;
  }): Rbm {
    const { numVisible, numHidden, rng } = options;
    const std = options.std ?? 0.01;
    const weights = rng.fillNormal(new Float32Array(numVisible * numHidden), 0, std);
    const visibleBias = options.visibleBias ? Float32Array.from(options.visibleBias) : new Float32Array(numVisible);
    return new Rbm({ visible: options.visible ?? 'bernoulli', numVisible, numHidden, weights, visibleBias, hiddenBias: new Float32Array(numHidden) });
  }

  /** Runs `f` on each block of rows of `x` with the parameters uploaded; results concatenated. */
  private blocks(x: RowMatrix, what: string, outCols: number, f: (t: RbmTensors, v: tf.Tensor2D) => tf.Tensor): Float32Array {
    checkRowMatrix(x, what, this.numVisible);
    const t = rbmTensors(this);
    const out = new Float32Array(x.rows * outCols);
    try {
      for (let s = 0; s < x.rows; s += CHUNK) {
        const e = Math.min(x.rows, s + CHUNK);
        const r = tf.tidy(() => f(t, rowsTensor(x, s, e)));
        out.set(r.dataSync() as Float32Array, s * outCols);
        r.dispose();
      }
    } finally {
      disposeRbmTensors(t);
    }
    return out;
  }

  /** Free energy F(v) of each row of `x` (float32 arithmetic on tfjs, returned as Float64Array). */
  freeEnergy(x: RowMatrix): Float64Array {
    return Float64Array.from(this.blocks(x, 'freeEnergy', 1, (t, v) => freeEnergyTensor(t, v, this.visible)));
  }

  /** p(h_j = 1 | v) for each row of `x` (rows × numHidden). */
  hiddenProbabilities(x: RowMatrix): RowMatrix {
    return { rows: x.rows, cols: this.numHidden, data: this.blocks(x, 'hiddenProbabilities', this.numHidden, (t, v) => hiddenProbs(t, v)) };
  }

  /** E[v | h] for each row of `h` (rows × numVisible). */
  visibleMeans(h: RowMatrix): RowMatrix {
    checkRowMatrix(h, 'visibleMeans', this.numHidden);
    const t = rbmTensors(this);
    const out = new Float32Array(h.rows * this.numVisible);
    try {
      for (let s = 0; s < h.rows; s += CHUNK) {
        const e = Math.min(h.rows, s + CHUNK);
        const r = tf.tidy(() => visibleMeans(t, rowsTensor(h, s, e), this.visible));
        out.set(r.dataSync() as Float32Array, s * this.numVisible);
        r.dispose();
      }
    } finally {
      disposeRbmTensors(t);
    }
    return { rows: h.rows, cols: this.numVisible, data: out };
  }

  /**
   * Mean squared reconstruction error per entry: v̂ = E[v | h = p(h | v)] (mean field, no sampling), averaged
   * over rows and columns.
   */
  reconstructionError(x: RowMatrix): number {
    const se = this.blocks(x, 'reconstructionError', 1, (t, v) => {
      const r = visibleMeans(t, hiddenProbs(t, v), this.visible);
      return tf.sum(tf.square(tf.sub(v, r)), 1);
    });
    let s = 0;
    for (let i = 0; i < se.length; i++) s += se[i]!;
    return s / (x.rows * x.cols);
  }

  /**
   * Pseudo-likelihood per row, defined exactly as scikit-learn's `BernoulliRBM.score_samples`: one visible unit i
   * per row is drawn uniformly (from `rng`), v′ is v with unit i flipped (v′_i = 1 − v_i), and the score is
   * V · log σ(F(v′) − F(v)) — a stochastic, V-scaled estimate of Σ_i log p(v_i | v_−i). Bernoulli units only.
   */
  pseudoLikelihood(x: RowMatrix, rng: Rng): Float64Array {
    if (this.visible !== 'bernoulli') throw new RangeError('pseudoLikelihood: defined for Bernoulli visible units only');
    checkRowMatrix(x, 'pseudoLikelihood', this.numVisible);
    const V = this.numVisible;
    const flipped = new Float32Array(x.rows * V);
    for (let i = 0; i < flipped.length; i++) flipped[i] = x.data[i]!;
    for (let r = 0; r < x.rows; r++) {
      const i = rng.int(V);
      flipped[r * V + i] = 1 - flipped[r * V + i]!;
    }
    const fe = this.freeEnergy(x);
    const fe2 = this.freeEnergy({ rows: x.rows, cols: V, data: flipped });
    const out = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      const d = fe2[r]! - fe[r]!;
      // log σ(d) = −softplus(−d)
      out[r] = -V * (d < 0 ? -d + Math.log1p(Math.exp(d)) : Math.log1p(Math.exp(-d)));
    }
    return out;
  }

  /**
   * Draws samples by block Gibbs sampling: `count` chains, `steps` sweeps h ~ p(h | v), v ~ p(v | h). Returns the
   * final visible states and the means E[v | h] of the last sweep (smoother pictures).
   */
  sample(options: RbmSampleOptions): { states: RowMatrix; means: RowMatrix } {
    const count = options.init ? options.init.rows : (options.count ?? 64);
    const steps = options.steps ?? 1000;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`sample: count must be a positive integer, got ${count}`);
    if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`sample: steps must be a positive integer, got ${steps}`);
    const { rng } = options;
    const t = rbmTensors(this);
    try {
      let v: tf.Tensor2D;
      if (options.init) {
        checkRowMatrix(options.init, 'sample: init', this.numVisible);
        v = rowsTensor(options.init);
      } else {
        v = tf.tidy(() => {
          const b = tf.tile(tf.reshape(t.b, [1, this.numVisible]), [count, 1]) as tf.Tensor2D;
          return sampleVisible(this.visible === 'bernoulli' ? (tf.sigmoid(b) as tf.Tensor2D) : b, this.visible, rng);
        });
      }
      let mean: tf.Tensor2D | undefined;
      for (let s = 0; s < steps; s++) {
        const next = tf.tidy(() => {
          const h = bernoulli(hiddenProbs(t, v), rng);
          const m = visibleMeans(t, h, this.visible);
          return { m, v: sampleVisible(m, this.visible, rng) };
        });
        v.dispose();
        mean?.dispose();
        v = next.v;
        mean = next.m;
      }
      const states = { rows: count, cols: this.numVisible, data: v.dataSync() as Float32Array };
      const means = { rows: count, cols: this.numVisible, data: mean!.dataSync() as Float32Array };
      v.dispose();
      mean!.dispose();
      return { states, means };
    } finally {
      disposeRbmTensors(t);
    }
  }

  /** Checks data for this model: right width, finite, and inside [0, 1] for Bernoulli units (see `checkDataValues`). */
  checkData(x: RowMatrix, what = 'rbm'): void {
    checkRowMatrix(x, what, this.numVisible);
    checkDataValues(x, what, this.visible === 'bernoulli');
  }
}

/** Extra content saved with an RBM. */
export interface RbmFileExtras {
  /** Any JSON (preprocessing, image shape, training options, …), stored under metadata.extra. */
  metadata?: unknown;
  /** Visible biases of the AIS base-rate model (from the training data's marginals; see `baseRateVisibleBias`). */
  baseVisibleBias?: Float32Array;
}

/** An RBM as read from a model file, with what was saved alongside it. */
export interface SavedRbm {
  rbm: Rbm;
  metadata: unknown;
  baseVisibleBias?: Float32Array;
}

/** The model-file form (kind 'rbm') of an RBM. */
export function rbmToModelFile(rbm: Rbm, extras: RbmFileExtras = {}): ModelFile {
  const tensors: Record<string, Tensor> = {
    weights: { dtype: 'F32', shape: [rbm.numVisible, rbm.numHidden], data: rbm.weights },
    visible_bias: { dtype: 'F32', shape: [rbm.numVisible], data: rbm.visibleBias },
    hidden_bias: { dtype: 'F32', shape: [rbm.numHidden], data: rbm.hiddenBias },
  };
  if (extras.baseVisibleBias) {
    if (extras.baseVisibleBias.length !== rbm.numVisible) throw new RangeError(`baseVisibleBias length ${extras.baseVisibleBias.length} !== numVisible ${rbm.numVisible}`);
    tensors['base_visible_bias'] = { dtype: 'F32', shape: [rbm.numVisible], data: extras.baseVisibleBias };
  }
  return {
    kind: RBM_MODEL_KIND,
    formatVersion: RBM_FORMAT_VERSION,
    metadata: { visible: rbm.visible, numVisible: rbm.numVisible, numHidden: rbm.numHidden, extra: extras.metadata ?? null },
    tensors,
  };
}

function f32Tensor(file: string, m: ModelFile, name: string, shape: number[]): Float32Array {
  const t = m.tensors[name];
  if (!t) throw new RangeError(`${file}: RBM model file has no tensor "${name}"`);
  if (t.dtype !== 'F32' || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`${file}: tensor "${name}" is ${t.dtype} [${t.shape.join(', ')}], expected F32 [${shape.join(', ')}]`);
  }
  return Float32Array.from(t.data as Float32Array);
}

/** Reads an RBM from its model-file form; `file` names it in errors. */
export function rbmFromModelFile(m: ModelFile, file = 'model'): SavedRbm {
  const meta = m.metadata as { visible?: unknown; numVisible?: unknown; numHidden?: unknown; extra?: unknown } | null;
  const nv = meta?.numVisible;
  const nh = meta?.numHidden;
  if (typeof nv !== 'number' || typeof nh !== 'number') throw new RangeError(`${file}: RBM metadata lacks numVisible/numHidden`);
  const rbm = new Rbm({
    visible: meta!.visible as VisibleUnits,
    numVisible: nv,
    numHidden: nh,
    weights: f32Tensor(file, m, 'weights', [nv, nh]),
    visibleBias: f32Tensor(file, m, 'visible_bias', [nv]),
    hiddenBias: f32Tensor(file, m, 'hidden_bias', [nh]),
  });
  const out: SavedRbm = { rbm, metadata: meta!.extra ?? null };
  if (m.tensors['base_visible_bias']) out.baseVisibleBias = f32Tensor(file, m, 'base_visible_bias', [nv]);
  return out;
}

/** Saves an RBM atomically as an ebmkit model file of kind 'rbm'. */
export async function saveRbm(path: string, rbm: Rbm, extras: RbmFileExtras = {}): Promise<void> {
  await saveModel(path, rbmToModelFile(rbm, extras));
}

/** Loads an RBM model file (kind 'rbm'), validated. */
export async function loadRbm(path: string): Promise<SavedRbm> {
  const m = await loadModel(path, { kind: RBM_MODEL_KIND, maxFormatVersion: RBM_FORMAT_VERSION });
  return rbmFromModelFile(m, path);
}
