/**
 * The unary terms behind one interface, and the one registry of unary kinds. A `Unary` gives the CRF its per-pixel
 * features (the last a bias) and initial unary weights, per-pixel log-probabilities of its own, and its model-file
 * part; a `UnaryKindSpec` fits one from training examples and reads one back. Adding a unary kind means one file
 * here and one registry entry.
 *
 * - `linear`: logistic regression over colour/position/texture pixel features; the CRF weighs the features
 *   themselves, so SSVM and contrastive learners retrain every unary weight.
 * - `cnn`: a small U-Net's log-probabilities (and a bias) as the CRF's features.
 * - `forest`: a multi-scale filter bank and a random forest; its calibrated log-probabilities (and a bias) as the
 *   CRF's features.
 * - `unet`: a U-Net at full working resolution (random patches, overlap-tile prediction; see unet-unary.ts); its
 *   log-probabilities (and a bias) as the CRF's features.
 * - `product`: two fitted probability unaries combined as a product of experts (log p ∝ log p_a + β·log p_b); not
 *   fitted on its own — `--unary auto` builds it from its candidates and keeps it only if it validates best.
 */
import type { RgbImage, Rng, Tensor } from '@ebmkit/core';
import { CnnUnary } from './cnn-unary.js';
import { samplePixels, trainLogistic } from './logistic.js';
import { PixelFeatures, type PixelFeatureOptions } from './pixel-features.js';
import { logProbFeatures } from '../learning/segmentation-input.js';
import { ForestUnary, type ForestUnaryMeta, type ForestUnaryOptions, type UnaryValidation } from './forest-unary.js';
import { autoWorkingSide } from '../data/dataset.js';
import { UNet, type UNetConfig } from './unet-unary.js';
import { IGNORE_LABEL } from '../grid/labels.js';

/** Kinds of unary term. */
export type UnaryKind = 'linear' | 'cnn' | 'forest' | 'unet' | 'product';

/** A trained unary term. */
export interface Unary {
  readonly kind: UnaryKind;
  readonly numLabels: number;
  /** CRF pixel features per pixel (the last is a constant 1). */
  readonly numFeatures: number;
  /** CRF pixel features `[p·F + f]` of an image at working size. */
  features(img: RgbImage): Promise<Float32Array>;
  /** The same, synchronously, for kinds cheap enough to recompute on demand (training caches them lazily). */
  featuresSync?(img: RgbImage): Float32Array;
  /** The CRF's unary weight block (K × F) the unary alone stands for. */
  initialWeights(): Float64Array;
  /** The unary's own per-pixel log-probabilities `[p·K + k]`. */
  logProbabilities(img: RgbImage): Promise<Float32Array>;
  /** Metadata (merged into the model file's) and tensors. */
  toFile(): { meta: Record<string, unknown>; tensors: Record<string, Tensor> };
  /** What the fit chose from the validation images, in words (e.g. a stage kept or dropped). */
  readonly notes?: readonly string[];
}

/** What fitting a unary may use. */
export interface UnaryFitContext {
  numLabels: number;
  rng: Rng;
  progress: (stage: string, done: number, total: number, message?: string) => void;
  linear?: { features?: PixelFeatureOptions; pixelsPerImage?: number; c2?: number };
  cnn?: CnnFitOptions;
  forest?: ForestUnaryOptions;
  unet?: UNetFitOptions;
  /** The validation split (never trained on): kinds may choose between variants of themselves by it. */
  validation?: UnaryValidation;
  /**
   * For kinds that train anytime (the CNN): called at `first` and then every `every` of the run's progress with the unary as it stands
   * (its per-pixel log-probabilities of an image at working size); false stops training there (the fit then
   * returns the unary as it is, and the caller discards it).
   */
  monitor?: { first?: number; every: number; at: (logProbabilities: (img: RgbImage) => Promise<Float32Array>, progress: number) => Promise<boolean> };
}

/**
 * U-Net unary settings (see unet-unary.ts). Training runs for `cpuSeconds` of this process's CPU time (default 600)
 * or `steps` steps, whichever ends first; the learning rate falls to zero over that allotment.
 */
export interface UNetFitOptions {
  baseChannels?: number;
  depth?: number;
  /** Radius of the local-contrast input channel (default 8; 0: none). */
  contrastRadius?: number;
  patchSize?: number;
  batchSize?: number;
  learningRate?: number;
  steps?: number;
  dice?: number;
  classWeight?: 'balanced' | 'none';
  cpuSeconds?: number;
  /** Test-time augmentation: flips/rotations averaged at prediction (1, 2, 4 or 8; default UNET_DEFAULT_FLIPS). */
  flips?: number;
}

/** Default test-time flips of the U-Net unary. */
export const UNET_DEFAULT_FLIPS = 8;

/** Default CPU seconds of U-Net training. */
export const UNET_DEFAULT_SECONDS = 600;

/**
 * CNN unary settings; each one left out is chosen from the data by `cnnSettingsFor`. `cpuSeconds` bounds the
 * training's CPU time (this process): the network stops after the step that spends it.
 */
export interface CnnFitOptions {
  epochs?: number;
  inputSize?: number;
  baseChannels?: number;
  batchSize?: number;
  learningRate?: number;
  patchSize?: number;
  augment?: 'hflip' | 'dihedral';
  classWeight?: 'balanced' | 'none';
  normalise?: boolean;
  coordinates?: boolean;
  cpuSeconds?: number;
}

/** The CNN settings the data call for (see `cnnSettingsFor`) and why. */
export interface CnnSettings {
  inputSize: number;
  patchSize: number;
  augment: 'hflip' | 'dihedral';
  classWeight: 'balanced' | 'none';
  normalise: boolean;
  coordinates: boolean;
  /** 'whole': every image resized to one small input (layout and context); 'patches': full resolution in patches. */
  mode: 'whole' | 'patches';
  /** Thickness (px, at working resolution) of the thin structures in the masks (Infinity when none). */
  thickness: number;
}

/** Share of labelled pixels under which a two-class foreground counts as rare (class weights, F1 selection). */
export const RARE_FOREGROUND = 0.2;

/**
 * How the CNN should see this data. The masks' thin structures (10th percentile of run lengths, as `--size auto`
 * measures them) decide: if they stay at least a pixel thick when the longer side is shrunk to 64 px, objects
 * dominate — every image becomes one 64 × 64 input with position channels and horizontal flips (layout matters, the
 * whole image is context). Otherwise the network works at working resolution (its side rounded up to a multiple of 8)
 * on 64 px patches with all eight flips/rotations and no position channels (thin local structures: vessels,
 * membranes, cracks have no up or left). Lightness is standardised per image in both; classes are balanced when a
 * two-class foreground is rare.
 */
export function cnnSettingsFor(labels: readonly Uint8Array[], sizes: readonly { width: number; height: number }[], K: number, given: CnnFitOptions = {}): CnnSettings {
  const masks = labels.map((l, i) => ({ labels: l, width: sizes[i]!.width, height: sizes[i]!.height }));
  const side = Math.max(...sizes.map((s) => Math.max(s.width, s.height)));
  const thickness = autoWorkingSide(masks, { minSide: 1 }).thickness;
  const small = 64;
  const whole = side <= small || thickness * (small / side) >= 1;
  const inputSize = given.inputSize ?? (whole ? small : Math.max(small, Math.ceil(side / 8) * 8));
  const patchSize = given.patchSize ?? Math.min(inputSize, 64);
  const mode = patchSize < inputSize ? 'patches' : 'whole';
  const fg = K === 2 ? foregroundShare(labels) : 1;
  return {
    inputSize,
    patchSize,
    augment: given.augment ?? (mode === 'patches' ? 'dihedral' : 'hflip'),
    classWeight: given.classWeight ?? (fg < RARE_FOREGROUND ? 'balanced' : 'none'),
    normalise: given.normalise ?? true,
    coordinates: given.coordinates ?? mode === 'whole',
    mode,
    thickness,
  };
}

/** Fraction of the labelled pixels that are class 1. */
export function foregroundShare(Y: readonly Uint8Array[]): number {
  let fg = 0;
  let n = 0;
  for (const y of Y) {
    for (let p = 0; p < y.length; p++) {
      if (y[p] === IGNORE_LABEL) continue;
      n++;
      if (y[p] === 1) fg++;
    }
  }
  return n === 0 ? 0 : fg / n;
}

/** How a kind is fitted and read back. */
export interface UnaryKindSpec {
  fit(images: readonly RgbImage[], labels: readonly Uint8Array[], ctx: UnaryFitContext): Promise<Unary>;
  /** `meta` is the model file's metadata; `tensor(name)` throws for a missing tensor. */
  fromFile(meta: Record<string, unknown>, numLabels: number, tensor: (name: string) => Tensor, path: string): Promise<Unary>;
}

/** Identity weights on log-probability features: U_k = −log p_k. */
function identityOnLogProbs(K: number): Float64Array {
  const w = new Float64Array(K * (K + 1));
  for (let k = 0; k < K; k++) w[k * (K + 1) + k] = 1;
  return w;
}

/** log softmax over K-blocks of scores, in place. */
function logSoftmaxRows(s: Float32Array, K: number): Float32Array {
  for (let o = 0; o < s.length; o += K) {
    let m = -Infinity;
    for (let k = 0; k < K; k++) if (s[o + k]! > m) m = s[o + k]!;
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(s[o + k]! - m);
    const lz = m + Math.log(z);
    for (let k = 0; k < K; k++) s[o + k] -= lz;
  }
  return s;
}

/** The linear unary: pixel features and the logistic weights they were trained with. */
export class LinearUnary implements Unary {
  readonly kind = 'linear' as const;
  readonly numFeatures: number;
  constructor(
    readonly pixelFeatures: PixelFeatures,
    readonly numLabels: number,
    readonly weights: Float64Array,
  ) {
    this.numFeatures = pixelFeatures.size;
    if (weights.length !== numLabels * this.numFeatures) throw new RangeError(`linear unary weights length ${weights.length} !== ${numLabels}·${this.numFeatures}`);
  }
  async features(img: RgbImage): Promise<Float32Array> {
    return this.pixelFeatures.extract(img);
  }
  featuresSync(img: RgbImage): Float32Array {
    return this.pixelFeatures.extract(img);
  }
  initialWeights(): Float64Array {
    return Float64Array.from(this.weights);
  }
  async logProbabilities(img: RgbImage): Promise<Float32Array> {
    const f = this.pixelFeatures.extract(img);
    const F = this.numFeatures;
    const K = this.numLabels;
    const N = img.width * img.height;
    const s = new Float32Array(N * K);
    for (let p = 0; p < N; p++) {
      for (let k = 0; k < K; k++) {
        let v = 0;
        for (let j = 0; j < F; j++) v += this.weights[k * F + j]! * f[p * F + j]!;
        s[p * K + k] = v;
      }
    }
    return logSoftmaxRows(s, K);
  }
  toFile(): { meta: Record<string, unknown>; tensors: Record<string, Tensor> } {
    const st = this.pixelFeatures.state;
    return {
      meta: { features: { ...this.pixelFeatures.options, scales: [...this.pixelFeatures.options.scales], codebookSigma2: st.codebookSigma2 } },
      tensors: {
        'features.codebook': { dtype: 'F32', shape: [st.codebook.length], data: st.codebook },
        'features.descMean': { dtype: 'F32', shape: [st.descMean.length], data: st.descMean },
        'features.descStd': { dtype: 'F32', shape: [st.descStd.length], data: st.descStd },
        'features.featMean': { dtype: 'F32', shape: [st.featMean.length], data: st.featMean },
        'features.featStd': { dtype: 'F32', shape: [st.featStd.length], data: st.featStd },
        'linear.weights': { dtype: 'F64', shape: [this.weights.length], data: this.weights },
      },
    };
  }
}

/** A unary that gives class log-probabilities: the CRF sees them and a bias, and starts from U_k = −log p_k. */
abstract class ProbabilityUnary implements Unary {
  abstract readonly kind: UnaryKind;
  readonly numFeatures: number;
  constructor(readonly numLabels: number) {
    this.numFeatures = numLabels + 1;
  }
  abstract logProbabilities(img: RgbImage): Promise<Float32Array>;
  abstract toFile(): { meta: Record<string, unknown>; tensors: Record<string, Tensor> };
  async features(img: RgbImage): Promise<Float32Array> {
    return logProbFeatures(await this.logProbabilities(img), this.numLabels);
  }
  initialWeights(): Float64Array {
    return identityOnLogProbs(this.numLabels);
  }
}

/** A network's weight arrays as model-file tensors `prefix.000`, `prefix.001`, … */
function networkTensors(prefix: string, ws: readonly { shape: number[]; data: Float32Array }[]): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = {};
  ws.forEach((w, i) => (tensors[`${prefix}.${String(i).padStart(3, '0')}`] = { dtype: 'F32', shape: w.shape, data: w.data }));
  return tensors;
}

/** Reads the `n` tensors networkTensors wrote, each of which must be F32. */
function readNetworkTensors(prefix: string, what: string, n: number, tensor: (name: string) => Tensor, path: string): { shape: number[]; data: Float32Array }[] {
  return Array.from({ length: n }, (_, i) => {
    const x = tensor(`${prefix}.${String(i).padStart(3, '0')}`);
    if (!(x.data instanceof Float32Array)) throw new RangeError(`${path}: ${what} tensor ${i} must be F32`);
    return { shape: x.shape, data: x.data };
  });
}

/** The CNN unary: the network's log-probabilities and a bias as CRF features. */
export class CnnUnaryTerm extends ProbabilityUnary {
  readonly kind = 'cnn' as const;
  constructor(readonly network: CnnUnary) {
    super(network.numLabels);
  }
  logProbabilities(img: RgbImage): Promise<Float32Array> {
    return this.network.logProbabilities(img);
  }
  toFile(): { meta: Record<string, unknown>; tensors: Record<string, Tensor> } {
    const ws = this.network.weights();
    const tensors = networkTensors('cnn', ws);
    const n = this.network;
    return {
      meta: { cnn: { inputSize: n.inputSize, baseChannels: n.baseChannels, normalise: n.normalise, coordinates: n.coordinates, logPriorShift: Array.from(n.logPriorShift), tensors: ws.length } },
      tensors,
    };
  }
}

/** The forest unary: calibrated log-probabilities and a bias as CRF features. */
export class ForestUnaryTerm extends ProbabilityUnary {
  readonly kind = 'forest' as const;
  constructor(readonly model: ForestUnary) {
    super(model.numLabels);
  }
  get notes(): readonly string[] {
    return this.model.notes;
  }
  async logProbabilities(img: RgbImage): Promise<Float32Array> {
    return this.model.logProbabilities(img);
  }
  toFile(): { meta: Record<string, unknown>; tensors: Record<string, Tensor> } {
    const { meta, tensors } = this.model.toFile('forest');
    return { meta: { forest: meta }, tensors };
  }
}

/** The U-Net unary: the network's log-probabilities and a bias as CRF features. */
export class UNetUnaryTerm extends ProbabilityUnary {
  readonly kind = 'unet' as const;
  constructor(readonly network: UNet) {
    super(network.numLabels);
  }
  logProbabilities(img: RgbImage): Promise<Float32Array> {
    return this.network.logProbabilities(img);
  }
  toFile(): { meta: Record<string, unknown>; tensors: Record<string, Tensor> } {
    const ws = this.network.weights();
    const tensors = networkTensors('unet', ws);
    const c = this.network.config;
    return { meta: { unet: { baseChannels: c.baseChannels, depth: c.depth, contrastRadius: c.contrastRadius, flips: this.network.flips, logPriorShift: Array.from(this.network.logPriorShift), tensors: ws.length } }, tensors };
  }
}

/**
 * A product of experts of two unaries: log p(k) = log p_a(k) + β·log p_b(k) − log Z. The parts' model-file entries
 * do not collide as long as the kinds differ (each writes its own metadata key and tensor prefix).
 */
export class ProductUnary extends ProbabilityUnary {
  readonly kind = 'product' as const;
  constructor(
    readonly parts: readonly [Unary, Unary],
    readonly beta: number,
  ) {
    super(parts[0].numLabels);
    if (parts[1].numLabels !== parts[0].numLabels) throw new RangeError(`product unary: ${parts[0].numLabels} and ${parts[1].numLabels} labels`);
    if (parts[0].kind === parts[1].kind || parts.some((u) => u.kind === 'product')) throw new RangeError(`product unary needs two different kinds, got ${parts[0].kind} and ${parts[1].kind}`);
    if (!(beta >= 0 && Number.isFinite(beta))) throw new RangeError(`product unary: β must be ≥ 0, got ${beta}`);
  }
  async logProbabilities(img: RgbImage): Promise<Float32Array> {
    return ProductUnary.combine(await this.parts[0].logProbabilities(img), await this.parts[1].logProbabilities(img), this.beta, this.numLabels);
  }
  /** log softmax of a + β·b (a new array). */
  static combine(a: Float32Array, b: Float32Array, beta: number, K: number): Float32Array {
    const s = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) s[i] = a[i]! + beta * b[i]!;
    return logSoftmaxRows(s, K);
  }
  get notes(): readonly string[] {
    return this.parts.flatMap((u) => u.notes ?? []);
  }
  toFile(): { meta: Record<string, unknown>; tensors: Record<string, Tensor> } {
    const a = this.parts[0].toFile();
    const b = this.parts[1].toFile();
    return { meta: { ...a.meta, ...b.meta, product: { kinds: [this.parts[0].kind, this.parts[1].kind], beta: this.beta } }, tensors: { ...a.tensors, ...b.tensors } };
  }
}

/** The registry of unary kinds. */
export const UNARY_KINDS: Readonly<Record<UnaryKind, UnaryKindSpec>> = Object.freeze({
  linear: {
    async fit(images, labels, ctx) {
      const o = ctx.linear ?? {};
      ctx.progress('features', 0, 1, 'fitting the pixel feature codebook');
      const pf = PixelFeatures.fit(images, o.features ?? {}, ctx.rng);
      ctx.progress('features', 1, 1);
      const F = pf.size;
      const views = images.map((img) => ({ width: img.width, height: img.height, numFeatures: F, get features() { return pf.extract(img); } }));
      const sample = samplePixels(views, labels, o.pixelsPerImage ?? 1000, ctx.rng);
      const maxIt = 300;
      const W = await trainLogistic(sample, ctx.numLabels, { c2: o.c2 ?? 1e-4, maxIterations: maxIt, onIteration: (it, f) => ctx.progress('logistic', it, maxIt, `loss ${f.toFixed(4)}`) });
      return new LinearUnary(pf, ctx.numLabels, W);
    },
    async fromFile(meta, K, tensor, path) {
      const m = meta['features'] as (PixelFeatureOptions & { codebookSigma2: number }) | undefined;
      if (!m) throw new RangeError(`${path}: linear segmenter without feature options`);
      const { codebookSigma2, ...opts } = m;
      const pf = new PixelFeatures(opts, {
        codebook: tensor('features.codebook').data as Float32Array,
        codebookSigma2,
        descMean: tensor('features.descMean').data as Float32Array,
        descStd: tensor('features.descStd').data as Float32Array,
        featMean: tensor('features.featMean').data as Float32Array,
        featStd: tensor('features.featStd').data as Float32Array,
      });
      let w: Float64Array;
      try {
        w = tensor('linear.weights').data as Float64Array;
      } catch {
        // files from before the Unary interface: the CRF's own unary block stands in
        w = (tensor('weights').data as Float64Array).slice(0, K * pf.size);
      }
      return new LinearUnary(pf, K, w);
    },
  },
  cnn: {
    async fit(images, labels, ctx) {
      const c = ctx.cnn ?? {};
      const st = cnnSettingsFor(labels, images, ctx.numLabels, c);
      const net = await CnnUnary.create(
        { numLabels: ctx.numLabels, inputSize: st.inputSize, normalise: st.normalise, coordinates: st.coordinates, ...(c.baseChannels ? { baseChannels: c.baseChannels } : {}) },
        ctx.rng,
      );
      // whole images: 40 passes, and at least 400 steps of 8 on small folders; patches: 4 passes over the labelled pixels
      const epochs = c.epochs ?? (st.mode === 'whole' ? Math.max(40, Math.ceil(3200 / images.length)) : 4);
      const cpu0 = process.cpuUsage();
      const allotment = c.cpuSeconds;
      const spent = (): number => {
        const u = process.cpuUsage(cpu0);
        return (u.user + u.system) / 1e6;
      };
      ctx.progress('cnn', 0, epochs, `${st.mode === 'whole' ? `whole images at ${st.inputSize} px` : `${st.patchSize} px patches of ${st.inputSize} px inputs`}, ${st.augment} augmentation, class weights ${st.classWeight}`);
      await net.train(images, labels, {
        rng: ctx.rng,
        epochs,
        patchSize: st.patchSize,
        augment: st.augment,
        classWeight: st.classWeight,
        ...(c.batchSize ? { batchSize: c.batchSize } : {}),
        ...(c.learningRate ? { learningRate: c.learningRate } : {}),
        ...(allotment !== undefined ? { allotmentUsed: () => spent() / allotment } : {}),
        ...(ctx.monitor ? { checkpoint: { ...(ctx.monitor.first !== undefined ? { first: ctx.monitor.first } : {}), every: ctx.monitor.every, at: (progress: number) => ctx.monitor!.at((img) => net.logProbabilities(img), progress) } } : {}),
        onEpoch: (ep, loss) => ctx.progress('cnn', ep, epochs, `loss ${loss.toFixed(4)}`),
      });
      return new CnnUnaryTerm(net);
    },
    async fromFile(meta, K, tensor, path) {
      const m = meta['cnn'] as { inputSize: number; baseChannels: number; tensors: number; normalise?: boolean; coordinates?: boolean; logPriorShift?: number[] } | undefined;
      if (!m) throw new RangeError(`${path}: CNN segmenter without network settings`);
      const ws = readNetworkTensors('cnn', 'CNN', m.tensors, tensor, path);
      // files from before per-image normalisation: fixed lightness scale, position channels, no prior shift
      const config = { numLabels: K, inputSize: m.inputSize, baseChannels: m.baseChannels, normalise: m.normalise ?? false, coordinates: m.coordinates ?? true };
      return new CnnUnaryTerm(await CnnUnary.fromWeights(config, ws, m.logPriorShift));
    },
  },
  forest: {
    async fit(images, labels, ctx) {
      return new ForestUnaryTerm(ForestUnary.fit(images, labels, ctx.numLabels, ctx.rng, ctx.forest ?? {}, (s, d, t) => ctx.progress(s, d, t), ctx.validation));
    },
    async fromFile(meta, K, tensor, path) {
      const m = meta['forest'] as ForestUnaryMeta | undefined;
      if (!m) throw new RangeError(`${path}: forest segmenter without filter-bank settings`);
      return new ForestUnaryTerm(ForestUnary.fromFile(m, K, tensor, 'forest'));
    },
  },
  unet: {
    async fit(images, labels, ctx) {
      const o = ctx.unet ?? {};
      const config: UNetConfig = { numLabels: ctx.numLabels, baseChannels: o.baseChannels ?? 8, depth: o.depth ?? 3, contrastRadius: o.contrastRadius ?? 8 };
      const net = await UNet.create(config, ctx.rng);
      const seconds = o.cpuSeconds ?? UNET_DEFAULT_SECONDS;
      const cpu0 = process.cpuUsage();
      const spent = (): number => {
        const u = process.cpuUsage(cpu0);
        return (u.user + u.system) / 1e6;
      };
      ctx.progress('unet', 0, 1, `${net.parameterCount} weights, ${seconds} CPU s`);
      await net.train(images, labels, {
        rng: ctx.rng,
        steps: o.steps ?? 1e9,
        ...(o.patchSize !== undefined ? { patchSize: o.patchSize } : {}),
        ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
        ...(o.learningRate !== undefined ? { learningRate: o.learningRate } : {}),
        ...(o.dice !== undefined ? { dice: o.dice } : {}),
        ...(o.classWeight !== undefined ? { classWeight: o.classWeight } : {}),
        allotmentUsed: () => spent() / seconds,
        onSteps: (step, _total, loss) => ctx.progress('unet', Math.min(spent(), seconds), seconds, `step ${step}, loss ${loss.toFixed(4)}`),
      });
      ctx.progress('unet', seconds, seconds);
      net.flips = o.flips ?? UNET_DEFAULT_FLIPS;
      return new UNetUnaryTerm(net);
    },
    async fromFile(meta, K, tensor, path) {
      const m = meta['unet'] as { baseChannels?: unknown; depth?: unknown; contrastRadius?: unknown; flips?: unknown; logPriorShift?: unknown; tensors?: unknown } | undefined;
      if (!m || typeof m !== 'object') throw new RangeError(`${path}: U-Net segmenter without network settings`);
      const int = (v: unknown, what: string): number => {
        if (typeof v !== 'number' || !Number.isInteger(v)) throw new RangeError(`${path}: U-Net ${what} must be an integer, got ${JSON.stringify(v)}`);
        return v;
      };
      const n = int(m.tensors, 'tensor count');
      if (n < 2 || n > 200) throw new RangeError(`${path}: U-Net tensor count ${n} out of range`);
      const shift = m.logPriorShift;
      if (!Array.isArray(shift) || shift.some((x) => typeof x !== 'number')) throw new RangeError(`${path}: U-Net prior shift must be an array of numbers`);
      const ws = readNetworkTensors('unet', 'U-Net', n, tensor, path);
      try {
        const config = { numLabels: K, baseChannels: int(m.baseChannels, 'baseChannels'), depth: int(m.depth, 'depth'), contrastRadius: int(m.contrastRadius, 'contrastRadius') };
        const flips = m.flips === undefined ? 1 : int(m.flips, 'flips');
        if (flips < 1 || flips > 8) throw new RangeError(`${path}: U-Net flips must be in 1…8, got ${flips}`);
        const net = await UNet.fromWeights(config, ws, shift as number[]);
        net.flips = flips;
        return new UNetUnaryTerm(net);
      } catch (e) {
        if (e instanceof RangeError && !e.message.startsWith(path)) throw new RangeError(`${path}: ${e.message}`);
        throw e;
      }
    },
  },
  product: {
    async fit() {
      throw new RangeError("the product unary is not fitted on its own: --unary auto builds it from two fitted candidates");
    },
    fromFile: (meta, K, tensor, path) => productFromFile(meta, K, tensor, path),
  },
});

/** The names of the unary kinds (for CLI choices and messages). */
export const UNARY_KIND_NAMES = Object.keys(UNARY_KINDS) as UnaryKind[];

/** Reads a product unary's two parts from a model file (kept apart from the registry literal, which it uses). */
async function productFromFile(meta: Record<string, unknown>, K: number, tensor: (name: string) => Tensor, path: string): Promise<Unary> {
  const m = meta['product'] as { kinds?: unknown; beta?: unknown } | undefined;
  const kinds = m?.kinds;
  if (!Array.isArray(kinds) || kinds.length !== 2 || !kinds.every((k) => typeof k === 'string' && k !== 'product' && k in UNARY_KINDS) || typeof m!.beta !== 'number') {
    throw new RangeError(`${path}: product unary without two known part kinds and a β`);
  }
  const parts = await Promise.all((kinds as UnaryKind[]).map((k) => UNARY_KINDS[k].fromFile(meta, K, tensor, path)));
  return new ProductUnary([parts[0]!, parts[1]!], m!.beta as number);
}
