/**
 * A trained segmentation model: the unary (linear over pixel features, or a CNN), the grid CRF and its weights,
 * the working resolution and the label names/colours. `predict` segments an image of any size (shrunk to the working
 * size, segmented, and the labels brought back to the image's size with smooth boundaries); `save`/`load` use
 * core's model files (kind "segment").
 */
import { loadModel, saveModel, type RgbImage, type Tensor } from '@ebmkit/core';
import { CnnUnary } from './cnn-unary.js';
import { GridCrf, type GridInference, type PairwiseKind, type SegmentationInput } from './grid-crf.js';
import type { Connectivity } from './grid.js';
import { gridEnergy } from './grid-energy.js';
import { PixelFeatures, type PixelFeatureOptions } from './pixel-features.js';
import { fitSize, resizeLabelsSmooth, resizeRgb } from './resize.js';
import { imageEdgeFeatures, logProbFeatures } from './segmentation-input.js';

/** Kinds of unary term. */
export type UnaryKind = 'linear' | 'cnn';

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
}

interface SegmentMetadata extends SegmenterConfig {
  features?: PixelFeatureOptions & { codebookSigma2: number };
  cnn?: { inputSize: number; baseChannels: number; tensors: number };
}

/** A trained segmenter. */
export class Segmenter {
  readonly crf: GridCrf;

  constructor(
    readonly config: Readonly<SegmenterConfig>,
    readonly weights: Float64Array,
    readonly features?: PixelFeatures,
    readonly cnn?: CnnUnary,
  ) {
    const F = config.unary === 'linear' ? features?.size : config.numLabels + 1;
    if (config.unary === 'linear' && !features) throw new RangeError('a linear segmenter needs its PixelFeatures');
    if (config.unary === 'cnn' && !cnn) throw new RangeError('a CNN segmenter needs its network');
    this.crf = new GridCrf({ numLabels: config.numLabels, numFeatures: F!, connectivity: config.connectivity, pairwise: config.pairwise });
    if (weights.length !== this.crf.sizeJointFeature) throw new RangeError(`weights length ${weights.length} !== ${this.crf.sizeJointFeature}`);
  }

  /** The working size of an image of the given size. */
  workingSize(width: number, height: number): { width: number; height: number } {
    return fitSize(width, height, this.config.maxSide);
  }

  /** The model input of an image already at working size. */
  async input(img: RgbImage): Promise<SegmentationInput> {
    const edges = imageEdgeFeatures(img, this.config.connectivity);
    if (this.config.unary === 'linear') {
      return { width: img.width, height: img.height, features: this.features!.extract(img), numFeatures: this.features!.size, edges };
    }
    const K = this.config.numLabels;
    const logp = await this.cnn!.logProbabilities(img);
    return { width: img.width, height: img.height, features: logProbFeatures(logp, K), numFeatures: K + 1, edges };
  }

  /**
   * Segments an image of any size: shrunk to the working size, MAP labels by the model's inference (or the unary
   * alone with `unaryOnly`), then resized back to `outWidth × outHeight` (default: the image's size).
   */
  async predict(img: RgbImage, options: { unaryOnly?: boolean; inference?: GridInference; outWidth?: number; outHeight?: number } = {}): Promise<Prediction> {
    const ws = this.workingSize(options.outWidth ?? img.width, options.outHeight ?? img.height);
    const small = resizeRgb(img, ws.width, ws.height);
    const x = await this.input(small);
    const crf = options.unaryOnly ? this.crf.withInference('none') : options.inference ? this.crf.withInference(options.inference) : this.crf;
    const e = crf.energy(x, this.weights);
    const labels = crf.solve(e);
    const W = options.outWidth ?? img.width;
    const H = options.outHeight ?? img.height;
    const full = resizeLabelsSmooth(labels, ws.width, ws.height, this.config.numLabels, W, H);
    return { width: W, height: H, labels: full, working: { width: ws.width, height: ws.height, labels, energy: gridEnergy(e, labels) } };
  }

  /** Writes the model file. */
  async save(path: string): Promise<void> {
    const tensors: Record<string, Tensor> = { weights: { dtype: 'F64', shape: [this.weights.length], data: this.weights } };
    const meta: SegmentMetadata = { ...this.config };
    if (this.features) {
      const st = this.features.state;
      meta.features = { ...this.features.options, scales: [...this.features.options.scales], codebookSigma2: st.codebookSigma2 };
      tensors['features.codebook'] = { dtype: 'F32', shape: [st.codebook.length], data: st.codebook };
      tensors['features.descMean'] = { dtype: 'F32', shape: [st.descMean.length], data: st.descMean };
      tensors['features.descStd'] = { dtype: 'F32', shape: [st.descStd.length], data: st.descStd };
      tensors['features.featMean'] = { dtype: 'F32', shape: [st.featMean.length], data: st.featMean };
      tensors['features.featStd'] = { dtype: 'F32', shape: [st.featStd.length], data: st.featStd };
    }
    if (this.cnn) {
      const ws = this.cnn.weights();
      meta.cnn = { inputSize: this.cnn.inputSize, baseChannels: this.cnn.baseChannels, tensors: ws.length };
      ws.forEach((w, i) => (tensors[`cnn.${String(i).padStart(3, '0')}`] = { dtype: 'F32', shape: w.shape, data: w.data }));
    }
    const { notes, ...rest } = meta;
    await saveModel(path, { kind: SEGMENT_MODEL_KIND, formatVersion: 1, metadata: { ...rest, ...(notes ? { notes } : {}) }, tensors });
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
    let features: PixelFeatures | undefined;
    if (m.unary === 'linear') {
      if (!m.features) throw new RangeError(`${path}: linear segmenter without feature options`);
      const { codebookSigma2, ...opts } = m.features;
      features = new PixelFeatures(opts, {
        codebook: t('features.codebook').data as Float32Array,
        codebookSigma2,
        descMean: t('features.descMean').data as Float32Array,
        descStd: t('features.descStd').data as Float32Array,
        featMean: t('features.featMean').data as Float32Array,
        featStd: t('features.featStd').data as Float32Array,
      });
    }
    let cnn: CnnUnary | undefined;
    if (m.unary === 'cnn') {
      if (!m.cnn) throw new RangeError(`${path}: CNN segmenter without network settings`);
      const ws = Array.from({ length: m.cnn.tensors }, (_, i) => {
        const x = t(`cnn.${String(i).padStart(3, '0')}`);
        return { shape: x.shape, data: x.data as Float32Array };
      });
      cnn = await CnnUnary.fromWeights({ numLabels: m.numLabels, inputSize: m.cnn.inputSize, baseChannels: m.cnn.baseChannels }, ws);
    }
    const { features: _f, cnn: _c, ...config } = m;
    return new Segmenter(config, t('weights').data as Float64Array, features, cnn);
  }
}
