import {
  ChainDistribution,
  ChainWorkspace,
  Dictionary,
  kBest,
  loadModel,
  ModelFileError,
  saveModel,
  type ChainPotentials,
  type Tensor,
} from '@ebmkit/core';
import { detectScheme, schemeMasks, type DecodeConstraints, type LabelScheme } from './constraints.js';
import type { LabeledSequence } from './corpus.js';
import { countFeatures, type FeatureIndex } from './feature-index.js';
import { featureExtractor, toItems, type CrfInput, type FeatureSpec } from './feature-spec.js';
import type { FeatureExtractor, ItemSequence } from './features/item-sequence.js';
import { internItemSequence } from './features/item-sequence.js';
import type { CrfTrainOptions } from './train/options.js';

/** Model-file kind and version of CRF models. */
export const CRF_MODEL_KIND = 'crf';
export const CRF_FORMAT_VERSION = 2;

/** How a model was trained (kept in the model file). */
export interface CrfTrainingInfo {
  algorithm: string;
  iterations: number;
  objective: number;
  seconds: number;
  /** Seconds spent in the optimiser (without data encoding and feature generation), where known. */
  optimizationSeconds?: number;
  status: string;
  hyperparameters: Record<string, number | string | boolean>;
}

/** One labelling with its score (−energy) and probability. */
export interface CrfLabelling {
  labels: string[];
  score: number;
  probability: number;
}

/** Per-token label probabilities. */
export interface CrfMarginals {
  /** The label set (column order of `probabilities`). */
  labelSet: readonly string[];
  /** [t·L + y] */
  probabilities: Float64Array;
  /** The most probable labelling (Viterbi). */
  best: string[];
}

interface CrfMetadata {
  labels: string[];
  /** Format 1 only; format 2 stores the names packed in the tensors attr_utf8, attr_offsets and attr_table. */
  attributes?: string[];
  features: FeatureSpec;
  scheme: LabelScheme;
  info: CrfTrainingInfo;
}

/**
 * A trained linear-chain CRF: E(x, y) = −Σ_t Σ_a x_{t,a}·w[a, y_t] − Σ_t w[y_{t−1}, y_t].
 * Immutable; tag, score, decode with constraints, save. Create with `Crf.train` or `Crf.load`.
 */
export class Crf {
  readonly labels: readonly string[];
  /** The chunk-tag scheme detected from the labels ('none' if they are not B-/I-/E-/S-/O tags). */
  readonly scheme: LabelScheme;
  private readonly extractor: FeatureExtractor | null;
  private readonly ws = new ChainWorkspace();
  private readonly labelDict: Dictionary;

  /** Use `Crf.train` or `Crf.load`. */
  constructor(
    readonly index: FeatureIndex,
    readonly weights: Float64Array,
    readonly attributes: Dictionary,
    labels: Dictionary,
    readonly features: FeatureSpec,
    readonly info: CrfTrainingInfo,
  ) {
    if (weights.length !== index.numWeights) {
      throw new RangeError(`weights length ${weights.length} !== feature index size ${index.numWeights}`);
    }
    if (labels.size !== index.numLabels) throw new RangeError(`${labels.size} labels !== index's ${index.numLabels}`);
    attributes.freeze();
    this.labelDict = labels.freeze();
    this.labels = labels.toArray();
    this.scheme = detectScheme(this.labels);
    this.extractor = featureExtractor(features);
  }

  /** Trains a CRF (see `CrfTrainOptions`); resolves to the fitted model. */
  static async train(sequences: readonly LabeledSequence[], options: CrfTrainOptions = {}): Promise<Crf> {
    const { trainCrf } = await import('./train/train.js');
    return (await trainCrf(sequences, options)).model;
  }

  /** Number of labels. */
  get numLabels(): number {
    return this.labels.length;
  }

  /** Number of features (state features plus transition features). */
  get numFeatures(): number {
    return countFeatures(this.index);
  }

  /** The attributes of an input as the model's feature extraction sees them. */
  items(input: CrfInput): ItemSequence {
    return toItems(input, this.extractor, this.features);
  }

  /** Chain potentials (log-weights) of an input, with constraints applied as −∞. */
  potentials(input: CrfInput, constraints: DecodeConstraints = {}): ChainPotentials {
    const items = this.items(input);
    const L = this.labels.length;
    const T = items.length;
    const enc = internItemSequence(items, this.attributes);
    const { attrStart, featLabel, numState } = this.index;
    const w = this.weights;
    const unary = new Float64Array(T * L);
    for (let t = 0; t < T; t++) {
      for (let j = enc.offsets[t]!; j < enc.offsets[t + 1]!; j++) {
        const a = enc.ids[j]!;
        const v = enc.values === null ? 1 : enc.values[j]!;
        for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) unary[t * L + featLabel[k]!]! += v * w[k]!;
      }
    }
    let transition = w.subarray(numState, numState + L * L);
    let start: Float64Array | undefined;
    let end: Float64Array | undefined;
    const scheme = constraints.scheme === 'auto' ? this.scheme : (constraints.scheme ?? 'none');
    if (scheme !== 'none' || constraints.forbidden?.length) {
      transition = Float64Array.from(transition);
      const masks = schemeMasks(this.labels, scheme);
      for (let k = 0; k < L * L; k++) if (!masks.transition[k]) transition[k] = -Infinity;
      if (scheme !== 'none') {
        start = Float64Array.from(masks.start, (m) => (m ? 0 : -Infinity));
        end = Float64Array.from(masks.end, (m) => (m ? 0 : -Infinity));
      }
      for (const [a, b] of constraints.forbidden ?? []) transition[this.labelId(a) * L + this.labelId(b)] = -Infinity;
    }
    if (constraints.fixed) {
      if (constraints.fixed.length !== T) {
        throw new RangeError(`fixed labels length ${constraints.fixed.length} !== sequence length ${T}`);
      }
      for (let t = 0; t < T; t++) {
        const f = constraints.fixed[t];
        if (f === null || f === undefined) continue;
        const y = this.labelId(f);
        for (let l = 0; l < L; l++) if (l !== y) unary[t * L + l] = -Infinity;
      }
    }
    return { T, L, unary, transition, ...(start ? { start } : {}), ...(end ? { end } : {}) };
  }

  /** The most probable labels (Viterbi). An empty input gives an empty result. */
  tag(input: CrfInput, constraints?: DecodeConstraints): string[] {
    return Array.from(this.tagIds(input, constraints), (y) => this.labels[y]!);
  }

  /** Viterbi label ids (for evaluation loops). */
  tagIds(input: CrfInput, constraints?: DecodeConstraints): Int32Array {
    const p = this.potentials(input, constraints);
    const out = new Int32Array(p.T);
    if (p.T === 0) return out;
    if (this.ws.viterbi(p, out) === -Infinity) throw new RangeError('the constraints allow no labelling of this sequence');
    return out;
  }

  /** Per-token label probabilities p(y_t = y | x) and the Viterbi labelling. */
  marginals(input: CrfInput, constraints?: DecodeConstraints): CrfMarginals {
    const p = this.potentials(input, constraints);
    if (p.T === 0) return { labelSet: this.labels, probabilities: new Float64Array(0), best: [] };
    const d = new ChainDistribution(p);
    const best = Array.from(d.argmax().labels, (y) => this.labels[y]!);
    return { labelSet: this.labels, probabilities: d.marginals().node, best };
  }

  /** The k most probable labellings with scores and probabilities. */
  nbest(input: CrfInput, k: number, constraints?: DecodeConstraints): CrfLabelling[] {
    const p = this.potentials(input, constraints);
    if (p.T === 0) return [{ labels: [], score: 0, probability: 1 }];
    const logZ = this.ws.logPartition(p);
    return kBest(p, k).map((r) => ({
      labels: Array.from(r.labels, (y) => this.labels[y]!),
      score: r.score,
      probability: Math.exp(r.score - logZ),
    }));
  }

  /** log p(labels | input). */
  logProb(input: CrfInput, labels: readonly string[]): number {
    const d = new ChainDistribution(this.potentials(input));
    return d.logProb(labels.map((l) => this.labelId(l)));
  }

  /** The id of a label; throws naming the known labels if it is unknown. */
  labelId(label: string): number {
    const y = this.labelDict.get(label);
    if (y < 0) throw new RangeError(`unknown label ${JSON.stringify(label)}; this model knows: ${this.labels.join(' ')}`);
    return y;
  }

  /** The transition weight table as [from][to]. */
  transitionTable(): number[][] {
    const L = this.labels.length;
    const t = this.weights.subarray(this.index.numState);
    return Array.from({ length: L }, (_, a) => Array.from(t.subarray(a * L, a * L + L)));
  }

  /** State features sorted by |weight| (largest first). */
  topStateFeatures(n: number): { attribute: string; label: string; weight: number }[] {
    const { attrStart, featLabel, numAttributes } = this.index;
    const all: { a: number; k: number }[] = [];
    for (let a = 0; a < numAttributes; a++) for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) all.push({ a, k });
    all.sort((x, y) => Math.abs(this.weights[y.k]!) - Math.abs(this.weights[x.k]!));
    return all.slice(0, n).map(({ a, k }) => ({
      attribute: this.attributes.string(a),
      label: this.labels[featLabel[k]!]!,
      weight: this.weights[k]!,
    }));
  }

  /**
   * Writes the model atomically. State features with weight exactly 0 (e.g. after L1) and attributes left
   * without features are dropped; `precision: 'f32'` stores weights in single precision (half the size).
   */
  async save(path: string, options: { precision?: 'f64' | 'f32' } = {}): Promise<void> {
    const { attrStart, featLabel, numAttributes, numState, transitionMask } = this.index;
    const L = this.labels.length;
    const keptAttrs: string[] = [];
    const starts: number[] = [0];
    const labs: number[] = [];
    const ws: number[] = [];
    for (let a = 0; a < numAttributes; a++) {
      let n = 0;
      for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) {
        const v = this.weights[k]!;
        if (v === 0) continue;
        labs.push(featLabel[k]!);
        ws.push(v);
        n++;
      }
      if (n > 0) {
        keptAttrs.push(this.attributes.string(a));
        starts.push(starts[starts.length - 1]! + n);
      }
    }
    const f32 = options.precision === 'f32';
    const weightTensor = (data: ArrayLike<number>): Tensor =>
      f32 ? { dtype: 'F32', shape: [data.length], data: Float32Array.from(data) } : { dtype: 'F64', shape: [data.length], data: Float64Array.from(data) };
    // format 2 keeps the attribute names as one UTF-8 tensor (loading builds no string per name); a model whose
    // names hold a lone surrogate (not UTF-8) is written in format 1, names as JSON
    const kept = Dictionary.from(keptAttrs);
    const packed = kept.utf8Encodable ? kept.toUtf8() : null;
    const metadata: CrfMetadata = {
      labels: [...this.labels],
      ...(packed ? {} : { attributes: keptAttrs }),
      features: this.features,
      scheme: this.scheme,
      info: this.info,
    };
    await saveModel(path, {
      kind: CRF_MODEL_KIND,
      formatVersion: packed ? CRF_FORMAT_VERSION : 1,
      metadata,
      tensors: {
        attr_start: { dtype: 'I32', shape: [starts.length], data: Int32Array.from(starts) },
        feature_label: { dtype: 'I32', shape: [labs.length], data: Int32Array.from(labs) },
        state_weights: weightTensor(ws),
        transition_weights: { ...weightTensor(this.weights.subarray(numState, numState + L * L)), shape: [L, L] },
        transition_mask: { dtype: 'U8', shape: [L, L], data: Uint8Array.from(transitionMask) },
        ...(packed
          ? {
              attr_utf8: { dtype: 'U8', shape: [packed.bytes.length], data: packed.bytes },
              attr_offsets: { dtype: 'I32', shape: [packed.offsets.length], data: packed.offsets },
              attr_table: { dtype: 'I32', shape: [packed.table.length], data: packed.table },
            }
          : {}),
      },
    });
  }

  /** Loads a model written by `save`, validating kind, version and every size. */
  static async load(path: string): Promise<Crf> {
    const file = await loadModel<CrfMetadata>(path, { kind: CRF_MODEL_KIND, maxFormatVersion: CRF_FORMAT_VERSION });
    const m = file.metadata;
    const bad = (what: string) => new ModelFileError(path, 'invalid', `invalid CRF model: ${what}`);
    const packedNames = file.formatVersion >= 2;
    if (!m || !Array.isArray(m.labels) || (!packedNames && !Array.isArray(m.attributes)) || typeof m.features !== 'object' || m.features === null) {
      throw bad('metadata lacks labels, attributes or features');
    }
    const get = (name: string) => {
      const t = file.tensors[name];
      if (!t) throw bad(`missing tensor ${name}`);
      return t;
    };
    // distinct attributes are checked by the Dictionary below (one Map or hash table, not a Set besides it)
    const allStrings = (xs: unknown[]) => xs.every((x) => typeof x === 'string');
    if (!allStrings(m.labels) || (!packedNames && !allStrings(m.attributes!)) || new Set(m.labels).size !== m.labels.length) {
      throw bad('labels and attributes must be distinct strings');
    }
    if (m.labels.length === 0) throw bad('no labels');
    if (!['builtin', 'template', 'attributes'].includes((m.features as { kind?: unknown }).kind as string)) throw bad('unknown feature extraction');
    let attributes: Dictionary;
    try {
      if (packedNames) {
        const bytes = get('attr_utf8');
        const offsets = get('attr_offsets');
        const table = get('attr_table');
        if (bytes.dtype !== 'U8' || offsets.dtype !== 'I32' || table.dtype !== 'I32') throw bad('attr_utf8 must be U8, attr_offsets and attr_table I32');
        attributes = Dictionary.fromUtf8(bytes.data as Uint8Array, offsets.data as Int32Array, table.data as Int32Array);
      } else {
        attributes = Dictionary.from(m.attributes!);
      }
    } catch (e) {
      if (e instanceof ModelFileError) throw e;
      throw bad(packedNames ? `attribute names: ${(e as Error).message.replace(/^Dictionary\.fromUtf8: /, '')}` : 'labels and attributes must be distinct strings');
    }
    const L = m.labels.length;
    const A = attributes.size;
    const attrStart = (get('attr_start').data as Int32Array).slice();
    const featLabel = (get('feature_label').data as Int32Array).slice();
    const sw = get('state_weights').data as Float64Array | Float32Array;
    const tw = get('transition_weights').data as Float64Array | Float32Array;
    const mask = (get('transition_mask').data as Uint8Array).slice();
    if (attrStart.length !== A + 1) throw bad(`attr_start has ${attrStart.length} entries, expected ${A + 1}`);
    const numState = attrStart[A]!;
    if (featLabel.length !== numState || sw.length !== numState) {
      throw bad(`${featLabel.length} feature labels and ${sw.length} weights, expected ${numState}`);
    }
    if (tw.length !== L * L || mask.length !== L * L) throw bad(`transition tables must have ${L}×${L} entries`);
    for (let a = 0; a < A; a++) if (attrStart[a + 1]! < attrStart[a]!) throw bad(`attr_start decreases at ${a}`);
    for (let k = 0; k < featLabel.length; k++) {
      const y = featLabel[k]!;
      if (y < 0 || y >= L) throw bad(`feature label ${y} outside [0, ${L})`);
    }
    const weights = new Float64Array(numState + L * L);
    weights.set(sw);
    weights.set(tw, numState);
    const index: FeatureIndex = {
      numAttributes: A,
      numLabels: L,
      attrStart,
      featLabel,
      numState,
      transitionMask: mask,
      numWeights: numState + L * L,
    };
    try {
      return new Crf(index, weights, attributes, Dictionary.from(m.labels), m.features, m.info);
    } catch (e) {
      // the constructor's own checks (feature spec, training info) on metadata that passed the ones above
      throw bad((e as Error).message);
    }
  }
}
