/**
 * JEM (Grathwohl et al. 2019, "Your classifier is secretly an energy based model"): a classifier's logits f(x) define
 * p(x, y) ∝ exp(f(x)[y]), so p(y | x) = softmax f(x) and log p(x) = logsumexp_y f(x)[y] − log Z; the energy of x is
 * E(x) = −logsumexp_y f(x)[y], and E(x | y) = −f(x)[y] gives class-conditional samples. Saved as model kind 'jem'.
 */
import * as tf from '../tf.js';
import { loadModel, saveModel } from '../../io/model-file.js';
import type { Tensor as FileTensor } from '../../io/safetensors.js';
import type { Rng } from '../../rng.js';
import { layersVariables } from '../contrastive.js';
import type { EnergyFunction } from '../energy-function.js';
import { buildJemClassifier, type JemArchitecture } from './classifier.js';
import { FastJemNet } from './fast-cnn.js';
import { plainForward } from './plain-forward.js';

/** Model-file kind of JEM models. */
export const JEM_KIND = 'jem';
/** Layout version of JEM model files. */
export const JEM_FORMAT_VERSION = 1;

/** Metadata of a JEM model file. */
export interface JemMetadata {
  architecture: JemArchitecture;
  /** Range the inputs were scaled to (samples are drawn and clamped in it). */
  dataRange: { min: number; max: number };
  /** How raw inputs were mapped to the model's range, x_model = scale · x_raw + shift (repeated by eval and sample). */
  inputTransform?: { scale: number; shift: number };
  /** Optional class names, index = label. */
  classNames?: string[];
  /** Free-form training record (steps, hyperparameters). */
  training?: unknown;
}

/** A JEM: a tfjs classifier read as an energy model. */
export class Jem {
  /** E(x) = −logsumexp_y f(x)[y], i.e. −log p(x) up to log Z. */
  readonly energy: EnergyFunction;

  private fast: { backend: string; net: FastJemNet | undefined } | undefined;

  constructor(
    /** The classifier f (logits). */
    readonly model: tf.LayersModel,
    readonly metadata: JemMetadata,
  ) {
    const energy: EnergyFunction = (x) => tf.tidy(() => tf.neg(tf.logSumExp(this.logits(x), 1)) as tf.Tensor1D);
    energy.gradientSession = () => this.fastPath()?.session();
    this.energy = energy;
  }

  /**
   * The hand-derived forward/backward passes of fast-cnn.ts for the current backend, or undefined where they do not
   * apply (not wasm, an unsupported layer, `EBM_JEM_KERNELS=js`); samplers and `trainJem` use them when present.
   */
  fastPath(): FastJemNet | undefined {
    const backend = tf.getBackend();
    if (this.fast?.backend !== backend) this.fast = { backend, net: FastJemNet.of(this.model) };
    return this.fast.net;
  }

  /** A fresh JEM for `architecture`, weights seeded from `rng`; inputs are expected in `dataRange` (default [−1, 1]). */
  static create(architecture: JemArchitecture, rng: Rng, dataRange = { min: -1, max: 1 }): Jem {
    return new Jem(buildJemClassifier(architecture, rng), { architecture, dataRange });
  }

  /** Number of classes. */
  get classes(): number {
    return this.metadata.architecture.classes;
  }

  /** Shape of one input. */
  get inputShape(): number[] {
    return [...this.metadata.architecture.inputShape];
  }

  /** Logits f(x) [N, classes] of a batch x [N, ...inputShape] (plain ops: see plain-forward.ts). */
  logits(x: tf.Tensor): tf.Tensor2D {
    return plainForward(this.model, x);
  }

  /** Class-conditional energy E(x | y) = −f(x)[y] for one class, or one class per row. */
  classEnergy(y: number | Int32Array): EnergyFunction {
    if (typeof y === 'number' && !(Number.isSafeInteger(y) && y >= 0 && y < this.classes)) {
      throw new RangeError(`Jem.classEnergy: class ${y} outside [0, ${this.classes})`);
    }
    const energy: EnergyFunction = (x) =>
      tf.tidy(() => {
        const f = this.logits(x);
        const n = f.shape[0];
        const labels = typeof y === 'number' ? new Int32Array(n).fill(y) : y;
        if (labels.length !== n) throw new RangeError(`Jem.classEnergy: ${labels.length} labels for a batch of ${n}`);
        const mask = tf.oneHot(tf.tensor1d(labels, 'int32'), this.classes);
        return tf.neg(tf.sum(tf.mul(f, mask), 1)) as tf.Tensor1D;
      });
    energy.gradientSession = () => this.fastPath()?.session(y);
    return energy;
  }

  /** The trainable tf.Variables, in order. */
  variables(): tf.Variable[] {
    return layersVariables(this.model as unknown as { trainableWeights: { read(): tf.Tensor }[] });
  }

  /** Saves the model (kind 'jem') atomically; `training` is recorded in the metadata. */
  async save(path: string, training?: unknown): Promise<void> {
    const tensors: Record<string, FileTensor> = {};
    this.model.getWeights().forEach((w, i) => {
      tensors[`w/${i}`] = { dtype: 'F32', shape: [...w.shape], data: Float32Array.from(w.dataSync() as Float32Array) };
    });
    const metadata: JemMetadata = { ...this.metadata, ...(training !== undefined ? { training } : {}) };
    await saveModel(path, { kind: JEM_KIND, formatVersion: JEM_FORMAT_VERSION, metadata, tensors });
  }

  /** Loads a model saved by `save` (validated: kind, version, checksum, finite values, weight shapes). */
  static async load(path: string, rng: Rng): Promise<Jem> {
    const file = await loadModel<JemMetadata>(path, { kind: JEM_KIND, maxFormatVersion: JEM_FORMAT_VERSION });
    const meta = file.metadata;
    const model = buildJemClassifier(meta.architecture, rng);
    const weights = model.getWeights();
    const values = weights.map((w, i) => {
      const t = file.tensors[`w/${i}`];
      if (!t || t.dtype !== 'F32' || t.shape.join() !== w.shape.join()) {
        throw new RangeError(`${path}: weight ${i} should be F32 [${w.shape.join(', ')}], found ${t ? `${t.dtype} [${t.shape.join(', ')}]` : 'nothing'}`);
      }
      return tf.tensor(t.data as Float32Array, w.shape, 'float32');
    });
    if (Object.keys(file.tensors).length !== weights.length) {
      throw new RangeError(`${path}: ${Object.keys(file.tensors).length} weight tensors, the ${meta.architecture.kind} architecture has ${weights.length}`);
    }
    model.setWeights(values);
    tf.dispose(values);
    return new Jem(model, meta);
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
