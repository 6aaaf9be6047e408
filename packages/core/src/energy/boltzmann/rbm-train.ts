/**
 * RBM training by contrastive divergence (CD-k: chains start at the data) or persistent contrastive divergence
 * (PCD-k: one persistent chain per batch row, as scikit-learn's BernoulliRBM), with momentum and L2 weight decay.
 * The dense work (mini-batch 100 × 784 × 500 products) runs on tfjs; for a Bernoulli RBM on binary data with sampled
 * negative visibles (the default) the same updates run on WebAssembly SIMD kernels that exploit the binary states
 * (rbm-binary-updater.ts). Every random draw comes from the injected `Rng`, in the same order on both engines.
 * Each update is checked: a non-finite update stops training with an `RbmDivergenceError` that names the epoch,
 * batch and step and carries the last good model (from the end of the previous epoch).
 */
import type { Rng } from '../../rng.js';
import { Rbm, type VisibleUnits } from './rbm.js';
import { checkDataValues, checkRowMatrix, columnMeans, type RowMatrix } from './row-matrix.js';
import { BinaryRbmUpdater } from './rbm-binary-updater.js';
import { TfjsRbmUpdater, type RbmUpdater, type RbmUpdaterConfig } from './rbm-updater.js';

/** How the negative phase is sampled. */
export type RbmTrainingMethod =
  /** CD-k: k block-Gibbs steps from the data batch (default k = 1). */
  | { kind: 'cd'; k?: number }
  /** PCD-k: k block-Gibbs steps per update on persistent chains, one per batch row (default k = 1). */
  | { kind: 'pcd'; k?: number };

/** Options of `trainRbm`. */
export interface RbmTrainOptions {
  /** Hidden units (required unless `initial` is given). */
  numHidden?: number;
  /** Visible units of a new RBM (default 'bernoulli'; data must lie in [0, 1]). Gaussian units have unit variance: standardise the data. */
  visible?: VisibleUnits;
  /** Default CD-1. */
  method?: RbmTrainingMethod;
  /** Passes over the data (default 10). */
  epochs?: number;
  /** Rows per update (default 10). */
  batchSize?: number;
  /** Step size ε, or a function of the 1-based epoch (default 0.1). The update is ε × the batch-mean gradient. */
  learningRate?: number | ((epoch: number) => number);
  /** Momentum μ: Δ ← μΔ + ε(∇ − λW); default 0. */
  momentum?: number;
  /** L2 weight decay λ on the weights (not the biases); default 0. */
  weightDecay?: number;
  /** Standard deviation of the initial weights (default 0.01). */
  initStd?: number;
  /** Initial visible biases of a new RBM: 'zero' (default, as scikit-learn) or 'data': log(p/(1−p)) of the data means (Bernoulli) or the means (Gaussian). */
  visibleBiasInit?: 'zero' | 'data';
  /** Sample the negative visible states (true Gibbs; default true) rather than using their means. */
  sampleVisible?: boolean;
  /** Shuffle the rows every epoch (default true). */
  shuffle?: boolean;
  /**
   * Use the WebAssembly kernels for binary data when they apply (default true): Bernoulli visible units, every data
   * value exactly 0 or 1, and `sampleVisible`. They compute the same updates from the same draws (up to float32
   * rounding), faster; false (or the environment variable EBM_RBM_KERNELS=js) keeps the tfjs engine.
   */
  binaryKernels?: boolean;
  rng: Rng;
  /** Continue from this model (resume); its shape and unit type win over numHidden/visible. */
  initial?: Rbm;
  /** Rows whose reconstruction error is reported each epoch (default: the first ≤ 1000 training rows). */
  monitor?: RowMatrix;
  /** Called after every epoch with the model so far (save a checkpoint here); returning false stops training. */
  onEpoch?: (report: RbmEpochReport) => void | boolean | Promise<void | boolean>;
  /** Called after every update (for progress bars). */
  onBatch?: (batch: number, batches: number, epoch: number) => void;
}

/** What `onEpoch` receives. */
export interface RbmEpochReport {
  /** 1-based epoch just finished. */
  epoch: number;
  epochs: number;
  /** The model after this epoch. */
  model: Rbm;
  /** Mean squared reconstruction error per entry on the monitor rows (see `Rbm.reconstructionError`). */
  reconstructionError: number;
  /** Seconds this epoch's updates took (excluding the monitor evaluation and the callback). */
  seconds: number;
}

/** The outcome of `trainRbm`. */
export interface RbmTrainResult {
  model: Rbm;
  history: { epoch: number; reconstructionError: number; seconds: number }[];
  /** True when `onEpoch` returned false before the last epoch. */
  stopped: boolean;
  /** Which engine computed the updates: 'binary-wasm' (binary data, see `binaryKernels`) or 'tfjs'. */
  engine: 'binary-wasm' | 'tfjs';
}

/** Training produced a non-finite update; `lastGood` is the model from the end of epoch `lastGoodEpoch` (0 = the initial model). */
export class RbmDivergenceError extends Error {
  override readonly name = 'RbmDivergenceError';
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly step: number,
    readonly lastGood: Rbm,
    readonly lastGoodEpoch: number,
    detail: string,
  ) {
    super(
      `RBM training diverged at epoch ${epoch}, batch ${batch} (update ${step}): ${detail}; ` +
        `the last good model is from ${lastGoodEpoch === 0 ? 'before training' : `epoch ${lastGoodEpoch}`} (lower the learning rate)`,
    );
  }
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`trainRbm: ${name} must be a positive integer, got ${v}`);
}
function nonNegative(name: string, v: number): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`trainRbm: ${name} must be a finite number ≥ 0, got ${v}`);
}

/** Trains an RBM on the rows of `data` by CD-k or PCD-k (see `RbmTrainOptions`). */
export async function trainRbm(data: RowMatrix, options: RbmTrainOptions): Promise<RbmTrainResult> {
  const visible = options.initial?.visible ?? options.visible ?? 'bernoulli';
  checkRowMatrix(data, 'trainRbm: data', options.initial?.numVisible);
  checkDataValues(data, 'trainRbm: data', visible === 'bernoulli');
  const numHidden = options.initial?.numHidden ?? options.numHidden;
  if (numHidden === undefined) throw new RangeError('trainRbm: numHidden is required for a new RBM');
  positiveInt('numHidden', numHidden);
  const method = options.method ?? { kind: 'cd' };
  const k = method.k ?? 1;
  positiveInt('method.k', k);
  const epochs = options.epochs ?? 10;
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`trainRbm: epochs must be an integer ≥ 0, got ${epochs}`);
  const batchSize = Math.min(options.batchSize ?? 10, data.rows);
  positiveInt('batchSize', batchSize);
  const lrOf = typeof options.learningRate === 'function' ? options.learningRate : () => (options.learningRate as number | undefined) ?? 0.1;
  const momentum = options.momentum ?? 0;
  const decay = options.weightDecay ?? 0;
  nonNegative('momentum', momentum);
  nonNegative('weightDecay', decay);
  const { rng } = options;
  const sampleV = options.sampleVisible ?? true;
  const V = data.cols;
  const H = numHidden;

  let initial = options.initial;
  if (!initial) {
    let vb: Float64Array | undefined;
    if (options.visibleBiasInit === 'data') {
      vb = columnMeans(data);
      if (visible === 'bernoulli') for (let i = 0; i < V; i++) {
        const p = Math.min(1 - 1e-3, Math.max(1e-3, vb[i]!));
        vb[i] = Math.log(p / (1 - p));
      }
    }
    initial = Rbm.random({ numVisible: V, numHidden: H, visible, rng, std: options.initStd ?? 0.01, ...(vb ? { visibleBias: vb } : {}) });
  }
  const monitor = options.monitor ?? { rows: Math.min(1000, data.rows), cols: V, data: data.data.subarray(0, Math.min(1000, data.rows) * V) };

  const cfg: RbmUpdaterConfig = { data, visible, batchSize, kind: method.kind, k, momentum, weightDecay: decay, sampleVisible: sampleV, rng };
  const updater: RbmUpdater = ((options.binaryKernels ?? true) ? BinaryRbmUpdater.create(initial, cfg) : null) ?? new TfjsRbmUpdater(initial, cfg);
  const order = new Int32Array(data.rows);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const batches = Math.ceil(data.rows / batchSize);
  let lastGood = initial;
  let lastGoodEpoch = 0;
  let step = 0;
  const history: RbmTrainResult['history'] = [];
  let stopped = false;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const lr = lrOf(epoch);
      if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`trainRbm: learning rate for epoch ${epoch} must be a finite number > 0, got ${lr}`);
      if (options.shuffle ?? true) rng.shuffle(order);
      const start = performance.now();
      for (let bi = 0; bi < batches; bi++) {
        step++;
        const s = bi * batchSize;
        const e = Math.min(data.rows, s + batchSize);
        const size = updater.update(order, s, e, lr);
        if (!Number.isFinite(size)) {
          throw new RbmDivergenceError(epoch, bi + 1, step, lastGood, lastGoodEpoch, `the parameter update is ${size}`);
        }
        options.onBatch?.(bi + 1, batches, epoch);
      }
      const seconds = (performance.now() - start) / 1000;
      let model: Rbm;
      try {
        model = updater.snapshot();
      } catch (err) {
        throw new RbmDivergenceError(epoch, batches, step, lastGood, lastGoodEpoch, (err as Error).message);
      }
      const recon = model.reconstructionError(monitor);
      if (!Number.isFinite(recon)) throw new RbmDivergenceError(epoch, batches, step, lastGood, lastGoodEpoch, `the reconstruction error is ${recon}`);
      lastGood = model;
      lastGoodEpoch = epoch;
      history.push({ epoch, reconstructionError: recon, seconds });
      const go = await options.onEpoch?.({ epoch, epochs, model, reconstructionError: recon, seconds });
      if (go === false && epoch < epochs) {
        stopped = true;
        break;
      }
    }
    return { model: lastGood, history, stopped, engine: updater.engine };
  } finally {
    updater.dispose();
  }
}
