/**
 * Deep belief networks: greedy layer-wise pretraining (an RBM on the data, then an RBM on the first one's hidden
 * probabilities, …), then fine-tuning of the stack as a feed-forward classifier (sigmoid layers initialised from
 * the RBMs' weights and hidden biases, plus a softmax output layer) by mini-batch gradient descent on the
 * cross-entropy with tfjs. `fineTuneDbn` without `pretrained` trains the same network from a random (Glorot)
 * initialisation, so the two can be compared at equal epochs.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { loadModel, saveModel, type ModelFile } from '../../io/model-file.js';
import type { Tensor } from '../../io/safetensors.js';
import { Rbm, type VisibleUnits } from './rbm.js';
import { trainRbm, type RbmEpochReport, type RbmTrainOptions } from './rbm-train.js';
import { checkDataValues, checkRowMatrix, type RowMatrix } from './row-matrix.js';
import { gatherRowsTensor, rowsTensor } from './rbm-tensors.js';

/** Options of `pretrainDbn`. */
export interface DbnPretrainOptions {
  /** Hidden units of each layer, bottom first, e.g. [256, 128]. */
  layers: readonly number[];
  /** Visible units of the first RBM (default 'bernoulli'); higher layers are Bernoulli. */
  visible?: VisibleUnits;
  /** RBM training options shared by every layer (numHidden, initial, visible and monitor are set per layer). */
  rbm: Omit<RbmTrainOptions, 'numHidden' | 'initial' | 'visible' | 'monitor' | 'onEpoch' | 'onBatch'>;
  /** Called after every epoch of every layer (0-based layer index). */
  onEpoch?: (layer: number, report: RbmEpochReport) => void | Promise<void>;
  /** Called after every update of every layer. */
  onBatch?: (layer: number, batch: number, batches: number, epoch: number) => void;
}

/** Greedy layer-wise pretraining: returns one RBM per layer, bottom first. */
export async function pretrainDbn(data: RowMatrix, options: DbnPretrainOptions): Promise<Rbm[]> {
  if (options.layers.length === 0) throw new RangeError('pretrainDbn: layers must name at least one hidden layer');
  const out: Rbm[] = [];
  let x = data;
  for (let l = 0; l < options.layers.length; l++) {
    const res = await trainRbm(x, {
      ...options.rbm,
      numHidden: options.layers[l]!,
      visible: l === 0 ? (options.visible ?? 'bernoulli') : 'bernoulli',
      onEpoch: options.onEpoch ? (r) => options.onEpoch!(l, r) : undefined,
      onBatch: options.onBatch ? (b, n, e) => options.onBatch!(l, b, n, e) : undefined,
    });
    out.push(res.model);
    if (l + 1 < options.layers.length) x = res.model.hiddenProbabilities(x);
  }
  return out;
}

/** One dense layer: `weights[i * outputs + o]`. */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

/** A fine-tuned DBN: sigmoid hidden layers and a softmax output layer (immutable). */
export class DbnClassifier {
  constructor(
    /** Hidden layers, bottom first (sigmoid). */
    readonly hidden: readonly DenseLayer[],
    /** Output layer (softmax over classes). */
    readonly output: DenseLayer,
  ) {
    let n = hidden[0]?.inputs ?? output.inputs;
    for (const [k, l] of [...hidden, output].entries()) {
      if (l.inputs !== n) throw new RangeError(`DbnClassifier: layer ${k} takes ${l.inputs} inputs, the layer below gives ${n}`);
      if (l.weights.length !== l.inputs * l.outputs || l.bias.length !== l.outputs) throw new RangeError(`DbnClassifier: layer ${k} arrays do not match ${l.inputs}×${l.outputs}`);
      n = l.outputs;
    }
  }

  get numInputs(): number {
    return this.hidden[0]?.inputs ?? this.output.inputs;
  }
  get numClasses(): number {
    return this.output.outputs;
  }

  /** Class probabilities of each row (rows × classes). */
  predictProbabilities(x: RowMatrix): RowMatrix {
    checkRowMatrix(x, 'DbnClassifier.predictProbabilities', this.numInputs);
    const vars = layerTensors([...this.hidden, this.output]);
    try {
      const out = new Float32Array(x.rows * this.numClasses);
      for (let s = 0; s < x.rows; s += 2048) {
        const e = Math.min(x.rows, s + 2048);
        const p = tf.tidy(() => tf.softmax(forward(vars, rowsTensor(x, s, e))));
        out.set(p.dataSync() as Float32Array, s * this.numClasses);
        p.dispose();
      }
      return { rows: x.rows, cols: this.numClasses, data: out };
    } finally {
      for (const v of vars) {
        v.W.dispose();
        v.b.dispose();
      }
    }
  }

  /** The most probable class of each row. */
  predict(x: RowMatrix): Int32Array {
    const p = this.predictProbabilities(x);
    const out = new Int32Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      let best = 0;
      for (let k = 1; k < p.cols; k++) if (p.data[r * p.cols + k]! > p.data[r * p.cols + best]!) best = k;
      out[r] = best;
    }
    return out;
  }

  /** Fraction of rows whose predicted class equals the label. */
  accuracy(x: RowMatrix, labels: ArrayLike<number>): number {
    if (labels.length !== x.rows) throw new RangeError(`accuracy: labels length ${labels.length} !== rows ${x.rows}`);
    const y = this.predict(x);
    let ok = 0;
    for (let r = 0; r < x.rows; r++) if (y[r] === labels[r]) ok++;
    return ok / x.rows;
  }
}

interface LayerTensors {
  W: tf.Tensor2D;
  b: tf.Tensor1D;
}

function layerTensors(layers: readonly DenseLayer[], variable = false): LayerTensors[] {
  return layers.map((l) => {
    const W = tf.tensor2d(l.weights, [l.inputs, l.outputs]);
    const b = tf.tensor1d(l.bias);
    if (!variable) return { W, b };
    const out = { W: tf.variable(W) as tf.Variable<tf.Rank.R2>, b: tf.variable(b) as tf.Variable<tf.Rank.R1> };
    W.dispose();
    b.dispose();
    return out;
  });
}

/** Logits of the network for a batch. */
function forward(layers: readonly LayerTensors[], x: tf.Tensor2D): tf.Tensor2D {
  let a: tf.Tensor2D = x;
  for (let l = 0; l < layers.length; l++) {
    const z = tf.add(tf.matMul(a, layers[l]!.W), layers[l]!.b) as tf.Tensor2D;
    a = l < layers.length - 1 ? (tf.sigmoid(z) as tf.Tensor2D) : z;
  }
  return a;
}

/** A Glorot-uniform layer drawn from `rng`. */
function glorotLayer(inputs: number, outputs: number, rng: Rng): DenseLayer {
  const lim = Math.sqrt(6 / (inputs + outputs));
  const w = new Float32Array(inputs * outputs);
  rng.fillUniform(w, -lim, lim);
  return { inputs, outputs, weights: w, bias: new Float32Array(outputs) };
}

/** Options of `fineTuneDbn`. */
export interface DbnFineTuneOptions {
  /** Number of classes (labels are 0 … numClasses − 1). */
  numClasses: number;
  /** Pretrained RBMs (bottom first) to initialise the hidden layers; omit for a random initialisation of `hidden`. */
  pretrained?: readonly Rbm[];
  /** Hidden layer sizes for a random initialisation (ignored when `pretrained` is given). */
  hidden?: readonly number[];
  /** Epochs (default 10). */
  epochs?: number;
  /** Rows per update (default 32). */
  batchSize?: number;
  /** 'sgd' (default, with momentum 0.9) or 'adam'. */
  optimizer?: 'sgd' | 'adam';
  /** Step size (default 0.1 for SGD, 0.001 for Adam). */
  learningRate?: number;
  rng: Rng;
  /** Called after each epoch with the mean training cross-entropy. */
  onEpoch?: (epoch: number, loss: number, model: DbnClassifier) => void | Promise<void>;
  onBatch?: (batch: number, batches: number, epoch: number) => void;
}

/**
 * Fine-tunes a DBN as a classifier (or trains the same architecture from a random initialisation when no
 * `pretrained` stack is given). The output layer is Glorot-initialised from `rng` in both cases, so with equal
 * seeds the two runs differ only in the hidden layers' starting point.
 */
export async function fineTuneDbn(data: RowMatrix, labels: ArrayLike<number>, options: DbnFineTuneOptions): Promise<DbnClassifier> {
  checkRowMatrix(data, 'fineTuneDbn: data');
  checkDataValues(data, 'fineTuneDbn: data', false);
  if (labels.length !== data.rows) throw new RangeError(`fineTuneDbn: labels length ${labels.length} !== rows ${data.rows}`);
  const C = options.numClasses;
  if (!Number.isInteger(C) || C < 2) throw new RangeError(`fineTuneDbn: numClasses must be an integer ≥ 2, got ${C}`);
  for (let r = 0; r < labels.length; r++) {
    const y = labels[r]!;
    if (!Number.isInteger(y) || y < 0 || y >= C) throw new RangeError(`fineTuneDbn: label ${y} at row ${r} is not in 0 … ${C - 1}`);
  }
  const { rng } = options;
  const hidden: DenseLayer[] = [];
  if (options.pretrained) {
    for (const r of options.pretrained) {
      hidden.push({ inputs: r.numVisible, outputs: r.numHidden, weights: Float32Array.from(r.weights), bias: Float32Array.from(r.hiddenBias) });
    }
  } else {
    let n = data.cols;
    for (const h of options.hidden ?? []) {
      hidden.push(glorotLayer(n, h, rng));
      n = h;
    }
  }
  const top = hidden.length ? hidden[hidden.length - 1]!.outputs : data.cols;
  const output = glorotLayer(top, C, rng);
  // Validates the shapes.
  new DbnClassifier(hidden, output);
  const epochs = options.epochs ?? 10;
  const B = Math.min(options.batchSize ?? 32, data.rows);
  const opt =
    options.optimizer === 'adam'
      ? tf.train.adam(options.learningRate ?? 0.001)
      : tf.train.momentum(options.learningRate ?? 0.1, 0.9);
  const vars = layerTensors([...hidden, output], true);
  const varList = vars.flatMap((v) => [v.W as tf.Variable, v.b as tf.Variable]);
  const order = Int32Array.from({ length: data.rows }, (_, i) => i);
  const onehot = new Float32Array(B * C);
  const batches = Math.ceil(data.rows / B);
  const snapshot = (): DbnClassifier => {
    const layers = vars.map((v, k) => {
      const l = k < hidden.length ? hidden[k]! : output;
      return { inputs: l.inputs, outputs: l.outputs, weights: Float32Array.from(v.W.dataSync() as Float32Array), bias: Float32Array.from(v.b.dataSync() as Float32Array) };
    });
    return new DbnClassifier(layers.slice(0, -1), layers[layers.length - 1]!);
  };
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      rng.shuffle(order);
      let total = 0;
      for (let bi = 0; bi < batches; bi++) {
        const s = bi * B;
        const e = Math.min(data.rows, s + B);
        const n = e - s;
        onehot.fill(0);
        for (let k = 0; k < n; k++) onehot[k * C + labels[order[s + k]!]!] = 1;
        const lossT = tf.tidy(() => {
          const x = gatherRowsTensor(data, order, s, e);
          const y = tf.tensor2d(onehot.subarray(0, n * C), [n, C]);
          return opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(vars, x)) as tf.Scalar, true, varList)!;
        });
        const loss = (lossT.dataSync() as Float32Array)[0]!;
        lossT.dispose();
        if (!Number.isFinite(loss)) throw new RangeError(`fineTuneDbn: the loss is ${loss} at epoch ${epoch}, batch ${bi + 1} (lower the learning rate)`);
        total += loss * n;
        options.onBatch?.(bi + 1, batches, epoch);
      }
      if (options.onEpoch) await options.onEpoch(epoch, total / data.rows, snapshot());
    }
    return snapshot();
  } finally {
    for (const v of vars) {
      v.W.dispose();
      v.b.dispose();
    }
    opt.dispose();
  }
}

/** Model-file kind of a DBN classifier. */
export const DBN_MODEL_KIND = 'dbn';
const DBN_FORMAT_VERSION = 1;

/** The model-file form (kind 'dbn'); `metadata` is stored under metadata.extra. */
export function dbnToModelFile(model: DbnClassifier, metadata: unknown = null): ModelFile {
  const tensors: Record<string, Tensor> = {};
  const layers = [...model.hidden, model.output];
  layers.forEach((l, k) => {
    tensors[`layer${k}.weights`] = { dtype: 'F32', shape: [l.inputs, l.outputs], data: l.weights };
    tensors[`layer${k}.bias`] = { dtype: 'F32', shape: [l.outputs], data: l.bias };
  });
  return {
    kind: DBN_MODEL_KIND,
    formatVersion: DBN_FORMAT_VERSION,
    metadata: { sizes: [model.numInputs, ...layers.map((l) => l.outputs)], extra: metadata },
    tensors,
  };
}

/** Reads a DBN classifier from its model-file form. */
export function dbnFromModelFile(m: ModelFile, file = 'model'): { model: DbnClassifier; metadata: unknown } {
  const meta = m.metadata as { sizes?: unknown; extra?: unknown } | null;
  const sizes = meta?.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) throw new RangeError(`${file}: DBN metadata has no valid "sizes"`);
  const layers: DenseLayer[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    const W = m.tensors[`layer${k}.weights`];
    const b = m.tensors[`layer${k}.bias`];
    if (!W || !b || W.dtype !== 'F32' || b.dtype !== 'F32' || W.data.length !== sizes[k] * sizes[k + 1] || b.data.length !== sizes[k + 1]) {
      throw new RangeError(`${file}: DBN layer ${k} tensors are missing or not F32 ${sizes[k]}×${sizes[k + 1]}`);
    }
    layers.push({ inputs: sizes[k], outputs: sizes[k + 1], weights: Float32Array.from(W.data as Float32Array), bias: Float32Array.from(b.data as Float32Array) });
  }
  return { model: new DbnClassifier(layers.slice(0, -1), layers[layers.length - 1]!), metadata: meta!.extra ?? null };
}

/** Saves a DBN classifier atomically (kind 'dbn'). */
export async function saveDbn(path: string, model: DbnClassifier, metadata: unknown = null): Promise<void> {
  await saveModel(path, dbnToModelFile(model, metadata));
}

/** Loads a DBN classifier model file. */
export async function loadDbn(path: string): Promise<{ model: DbnClassifier; metadata: unknown }> {
  return dbnFromModelFile(await loadModel(path, { kind: DBN_MODEL_KIND, maxFormatVersion: DBN_FORMAT_VERSION }), path);
}
