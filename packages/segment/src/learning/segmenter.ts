/**
 * A trained segmentation model: the unary (linear over pixel features, or a CNN), the grid CRF and its weights,
 * the working resolution and the label names/colours. `predict` segments an image of any size (shrunk to the working
 * size, segmented, and the labels brought back to the image's size with smooth boundaries); `save`/`load` use
 * core's model files (kind "segment").
 */
import { loadModel, saveModel, type RgbImage, type Tensor } from '@ebmkit/core';
import { GridCrf, type GridInference, type PairwiseKind, type SegmentationInput } from './grid-crf.js';
import type { Connectivity } from '../grid/grid.js';
import { gridEnergy } from '../grid/grid-energy.js';
import { meanField } from '../inference/mean-field.js';
import { fitSize, resampleChannels, resizeLabelsSmooth, resizeRgb } from '../data/resize.js';
import { imageEdgeFeatures } from './segmentation-input.js';
import { UNARY_KINDS, type Unary, type UnaryKind } from '../unary/unary.js';

export type { UnaryKind } from '../unary/unary.js';

/** The model-file kind of segmentation models. */
export const SEGMENT_MODEL_KIND = 'segment';

/** Everything about a segmenter except its arrays. */
export interface SegmenterConfig {
  unary: UnaryKind;
  numLabels: number;
  /** Longer side of the working resolution (undefined: images are used at their own size). */
  maxSide?: number;
  connectivity: Connectivity;
  pairwise: PairwiseKind;
  /** Class names by index. */
  labelNames: string[];
  /** Colours (0xRRGGBB) masks are written in, by class. */
  classColors: number[];
  /** How the training masks were read ('binary' masks are written as 0/255 grey). */
  maskKind: 'binary' | 'palette';
  /** The learner that produced the weights, and training notes. */
  learner: string;
  notes?: Record<string, number | string>;
}

/** A prediction: labels at the image's size and at the working size. */
export interface Prediction {
  width: number;
  height: number;
  labels: Uint8Array;
  working: { width: number; height: number; labels: Uint8Array; energy: number };
  /** Class marginals at the output size `[p·K + k]` (with `marginals: true`). */
  marginals?: Float32Array;
}

type SegmentMetadata = SegmenterConfig & Record<string, unknown>;

/** A trained segmenter. */
export class Segmenter {
  readonly crf: GridCrf;

  constructor(
    readonly config: Readonly<SegmenterConfig>,
    readonly weights: Float64Array,
    readonly unary: Unary,
  ) {
    if (unary.kind !== config.unary) throw new RangeError(`config says unary '${config.unary}' but the unary term is '${unary.kind}'`);
    if (unary.numLabels !== config.numLabels) throw new RangeError(`the unary term has ${unary.numLabels} labels, the config ${config.numLabels}`);
    this.crf = new GridCrf({ numLabels: config.numLabels, numFeatures: unary.numFeatures, connectivity: config.connectivity, pairwise: config.pairwise });
    if (weights.length !== this.crf.sizeJointFeature) throw new RangeError(`weights length ${weights.length} !== ${this.crf.sizeJointFeature}`);
  }

  /** The working size of an image of the given size. */
  workingSize(width: number, height: number): { width: number; height: number } {
    return fitSize(width, height, this.config.maxSide);
  }

  /** The model input of an image already at working size. */
  async input(img: RgbImage): Promise<SegmentationInput> {
    const edges = imageEdgeFeatures(img, this.config.connectivity);
    return { width: img.width, height: img.height, features: await this.unary.features(img), numFeatures: this.unary.numFeatures, edges };
  }

  /**
   * Segments an image of any size: shrunk to the working size, MAP labels by the model's inference (or the unary
   * alone with `unaryOnly`), then resized back to `outWidth × outHeight` (default: the image's size). With
   * `marginals`, also the per-pixel class marginals at the output size (`[p·K + k]`): mean-field marginals of the
   * model's energy (the unary's softmax with `unaryOnly`), bilinearly resampled.
   */
  async predict(img: RgbImage, options: { unaryOnly?: boolean; inference?: GridInference; outWidth?: number; outHeight?: number; marginals?: boolean } = {}): Promise<Prediction> {
    const ws = this.workingSize(options.outWidth ?? img.width, options.outHeight ?? img.height);
    const small = resizeRgb(img, ws.width, ws.height);
    const x = await this.input(small);
    const crf = options.unaryOnly ? this.crf.withInference('none') : options.inference ? this.crf.withInference(options.inference) : this.crf;
    const e = crf.energy(x, this.weights);
    const labels = crf.solve(e);
    const W = options.outWidth ?? img.width;
    const H = options.outHeight ?? img.height;
    const full = resizeLabelsSmooth(labels, ws.width, ws.height, this.config.numLabels, W, H);
    const pred: Prediction = { width: W, height: H, labels: full, working: { width: ws.width, height: ws.height, labels, energy: gridEnergy(e, labels) } };
    if (options.marginals) {
      const K = this.config.numLabels;
      let q: Float64Array;
      if (options.unaryOnly) {
        q = new Float64Array(e.unary.length);
        for (let o = 0; o < q.length; o += K) {
          let m = Infinity;
          for (let k = 0; k < K; k++) m = Math.min(m, e.unary[o + k]!);
          let z = 0;
          for (let k = 0; k < K; k++) z += q[o + k] = Math.exp(m - e.unary[o + k]!);
          for (let k = 0; k < K; k++) q[o + k]! /= z;
        }
      } else q = meanField(e, { maxSweeps: 10 }).marginals;
      pred.marginals = Float32Array.from(resampleChannels(q, ws.width, ws.height, K, W, H));
    }
    return pred;
  }

  /** Writes the model file. */
  async save(path: string): Promise<void> {
    const part = this.unary.toFile();
    const tensors: Record<string, Tensor> = { weights: { dtype: 'F64', shape: [this.weights.length], data: this.weights }, ...part.tensors };
    const { notes, ...rest } = this.config;
    await saveModel(path, { kind: SEGMENT_MODEL_KIND, formatVersion: 1, metadata: { ...rest, ...part.meta, ...(notes ? { notes } : {}) }, tensors });
  }

  /** Reads a model file written by `save` (a ModelFileError for anything else). */
  static async load(path: string): Promise<Segmenter> {
    const file = await loadModel<SegmentMetadata>(path, { kind: SEGMENT_MODEL_KIND, maxFormatVersion: 1 });
    const m = file.metadata;
    const t = (name: string): Tensor => {
      const v = file.tensors[name];
      if (!v) throw new RangeError(`${path}: model file has no tensor '${name}'`);
      return v;
    };
    const spec = UNARY_KINDS[m.unary as UnaryKind];
    if (!spec) throw new RangeError(`${path}: unknown unary kind ${JSON.stringify(m.unary)} (expected ${Object.keys(UNARY_KINDS).join(', ')})`);
    const unary = await spec.fromFile(m, m.numLabels, t, path);
    const { features: _f, cnn: _c, forest: _r, unet: _u, ...config } = m;
    return new Segmenter(config as SegmenterConfig, t('weights').data as Float64Array, unary);
  }
}
