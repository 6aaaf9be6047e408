/**
 * The forest unary: the multi-scale filter bank (filter-bank.ts) and a random forest (forest.ts) over it, trained on
 * pixels sampled from the labelled (non-ignored) pixels of every training image. Classes are weighted to balance
 * during tree growing (so thin minority structures shape the splits); the forest's probabilities are then mapped
 * back to the training prior (p_k ∝ p̃_k·π_k/ω_k with ω the balanced prior), so its log-probabilities are calibrated
 * class posteriors that the CRF combines with the pairwise term.
 *
 * Auto-context (Tu & Bai 2010): a second forest sees the filter bank plus the first stage's class probabilities,
 * raw and Gaussian-smoothed at a few scales — where the neighbourhood's answer is (a vessel continues, an object
 * is nearby). It must learn from first-stage answers like those it will get on new images, so its training rows
 * come out of fold: the training images are split in two folds, a first-stage forest is grown on each, and each
 * image's probabilities come from the other fold's forest. At prediction time the first stage is both folds'
 * trees together. Given validation images, the fit keeps the second stage only if it lowers their tuned loss
 * (the threshold-tuned unary loss of early-stopping.ts) and says which in `notes`.
 */
import type { RgbImage, Rng, Tensor } from '@ebmkit/core';
import { IGNORE_LABEL } from '../grid/labels.js';
import { FilterBank, gaussianSmooth, type FilterBankOptions } from './filter-bank.js';
import { RandomForest, type ForestArrays, type ForestOptions } from './forest.js';
import { tunedUnaryLoss } from '../learning/early-stopping.js';
import type { SelectionCriterion } from '../learning/pairwise-fit.js';

/** Options of `ForestUnary.fit`. */
export interface ForestUnaryOptions extends Omit<ForestOptions, 'onTree'> {
  bank?: FilterBankOptions;
  /** Labelled pixels sampled over all training images (default 300 000), spread evenly over the images. */
  samples?: number;
  /** 'balanced' (default) weights each class inversely to its sampled frequency; 'none' weighs every pixel alike. */
  classWeight?: 'balanced' | 'none';
  /** The auto-context second stage (default true; it needs at least two training images). */
  context?: boolean;
  /** Scales σ at which the first stage's probabilities are smoothed for the second (default [1, 2, 4, 8]). */
  contextScales?: number[];
}

/** Validation images a fit may use to choose between its own variants. */
export interface UnaryValidation {
  images: readonly RgbImage[];
  labels: readonly Uint8Array[];
  criterion: SelectionCriterion;
}

/**
 * Default trees of each stage (the first stage is two folds' forests of half as many) and rows each tree grows on
 * (DRIVE's validation split, auto-context: 32 trees on 60 000 rows reach the F1 of 48 on 120 000 at 40 % of the
 * growing time).
 */
export const DEFAULT_TREES = 32;
export const DEFAULT_ROWS_PER_TREE = 60_000;

/** Default scales of the auto-context features. */
export const CONTEXT_SCALES = [1, 2, 4, 8];

/** The model-file metadata of a forest unary. */
export interface ForestUnaryMeta {
  scales: number[];
  colour: boolean;
  numFeatures: number;
  /** Per-class factor from the forest's (balanced) probabilities to calibrated ones. */
  priorCorrection: number[];
  /** The auto-context stage's smoothing scales (absent: one stage). */
  contextScales?: number[];
}

/** The first stage's class channels the second stage sees: the foreground alone for two classes, else every class. */
function contextChannels(K: number): number {
  return K === 2 ? 1 : K;
}

const EPS = 1e-4;

/** A fitted filter bank + forest (+ the auto-context forest). */
export class ForestUnary {
  /** What the fit chose from validation, in words. */
  notes: string[] = [];
  /** Log-probabilities the fit already computed for its validation images (each handed out once). */
  private readonly computed = new WeakMap<RgbImage, Float32Array>();
  constructor(
    readonly bank: FilterBank,
    readonly forest: RandomForest,
    readonly priorCorrection: Float64Array,
    readonly context?: { forest: RandomForest; scales: readonly number[] },
  ) {
    if (forest.arrays.numFeatures !== bank.size) throw new RangeError(`forest expects ${forest.arrays.numFeatures} features, the filter bank gives ${bank.size}`);
    if (priorCorrection.length !== forest.arrays.numLabels) throw new RangeError(`prior correction has ${priorCorrection.length} classes, the forest ${forest.arrays.numLabels}`);
    if (context) {
      const want = bank.size + contextChannels(forest.arrays.numLabels) * (1 + context.scales.length);
      if (context.forest.arrays.numFeatures !== want) throw new RangeError(`context forest expects ${context.forest.arrays.numFeatures} features, the bank and context give ${want}`);
      if (context.forest.arrays.numLabels !== forest.arrays.numLabels) throw new RangeError(`context forest has ${context.forest.arrays.numLabels} classes, the first stage ${forest.arrays.numLabels}`);
    }
  }

  get numLabels(): number {
    return this.forest.arrays.numLabels;
  }

  /** Trains on images with label maps (IGNORE_LABEL pixels are never sampled); see the module comment. */
  static fit(
    images: readonly RgbImage[],
    labels: readonly Uint8Array[],
    K: number,
    rng: Rng,
    options: ForestUnaryOptions = {},
    onProgress?: (stage: string, done: number, total: number) => void,
    validation?: UnaryValidation,
  ): ForestUnary {
    if (images.length === 0) throw new RangeError('ForestUnary.fit: no images');
    const bank = FilterBank.forImages(images, options.bank);
    const F = bank.size;
    const total = options.samples ?? 300_000;
    if (!(total >= 1)) throw new RangeError(`samples must be ≥ 1, got ${total}`);
    // labelled pixels per image, then an even share of the sample (images with fewer labelled pixels give all)
    const labelled = labels.map((y) => {
      let c = 0;
      for (let p = 0; p < y.length; p++) if (y[p] !== IGNORE_LABEL) c++;
      return c;
    });
    const share = shares(labelled, total);
    const n = share.reduce((a, b) => a + b, 0);
    if (n === 0) throw new RangeError('ForestUnary.fit: every training pixel is ignored');
    const x = new Float32Array(n * F);
    const y = new Uint8Array(n);
    // each row's image and pixel (the context stage looks them up again)
    const rowImage = new Int32Array(n);
    const rowPixel = new Int32Array(n);
    let row = 0;
    images.forEach((img, i) => {
      const m = share[i]!;
      if (m === 0) return;
      const N = img.width * img.height;
      const lab = labels[i]!;
      const feats = bank.compute(img);
      // m distinct labelled pixels: a partial shuffle of the labelled indices
      const idx = new Int32Array(labelled[i]!);
      let c = 0;
      for (let p = 0; p < N; p++) if (lab[p] !== IGNORE_LABEL) idx[c++] = p;
      for (let j = 0; j < m; j++) {
        const r = j + rng.int(idx.length - j);
        const t = idx[j]!;
        idx[j] = idx[r]!;
        idx[r] = t;
        const p = idx[j]!;
        const yy = lab[p]!;
        if (yy >= K) throw new RangeError(`training image ${i}: pixel ${p} has label ${yy}, expected < ${K}`);
        y[row] = yy;
        rowImage[row] = i;
        rowPixel[row] = p;
        for (let f = 0; f < F; f++) x[row * F + f] = feats[f * N + p]!;
        row++;
      }
      onProgress?.('filters', i + 1, images.length);
    });
    const counts = new Float64Array(K);
    for (let i = 0; i < n; i++) counts[y[i]!]++;
    const balanced = (options.classWeight ?? 'balanced') === 'balanced';
    const present = counts.filter((c) => c > 0).length;
    const classW = new Float64Array(K).fill(1);
    if (balanced) for (let k = 0; k < K; k++) classW[k] = counts[k]! > 0 ? n / (present * counts[k]!) : 0;
    const weights = new Float32Array(n);
    for (let i = 0; i < n; i++) weights[i] = classW[y[i]!]!;
    const { bank: _b, samples: _s, classWeight: _c, context: _x, contextScales: _cs, ...forestOptions } = options;
    // p_k ∝ p̃_k · π_k / ω_k, where π is the sampled prior and ω = π·classW (normalised) the one the trees saw
    const corr = new Float64Array(K);
    for (let k = 0; k < K; k++) corr[k] = classW[k]! > 0 ? 1 / classW[k]! : 1;
    const grow = (rows: Int32Array | undefined, data: Float32Array, width: number, trees: number, stage: string): RandomForest => {
      const pick = <T extends Float32Array | Uint8Array>(a: T, w: number): T => {
        if (!rows) return a;
        const out = new (a.constructor as new (len: number) => T)(rows.length * w);
        rows.forEach((r, j) => out.set(a.subarray(r * w, (r + 1) * w), j * w));
        return out;
      };
      return RandomForest.fit({ x: pick(data, width), numFeatures: width, y: pick(y, 1), weights: pick(weights, 1), numLabels: K }, rng, {
        rowsPerTree: DEFAULT_ROWS_PER_TREE,
        ...forestOptions,
        trees,
        onTree: (d, t) => onProgress?.(stage, d, t),
      });
    };
    const T = forestOptions.trees ?? DEFAULT_TREES;
    // folds by image: every other image that gave rows
    const sampled = images.map((_, i) => i).filter((i) => share[i]! > 0);
    const fold = new Int8Array(images.length).fill(-1);
    sampled.forEach((i, j) => (fold[i] = j % 2));
    if (!(options.context ?? true) || sampled.length < 2) return new ForestUnary(bank, grow(undefined, x, F, T, 'forest'), corr);

    // stage 1: a forest per fold (half the trees each); together they are the first stage
    const foldRows = [0, 1].map((f) => Int32Array.from(Array.from({ length: n }, (_, r) => r).filter((r) => fold[rowImage[r]!] === f)));
    const half = Math.max(1, Math.ceil(T / 2));
    const byFold = foldRows.map((rows, f) => grow(rows, x, F, half, `forest (first stage, fold ${f + 1})`));
    const first = mergeForests(byFold);
    // stage 2's rows: the bank's features and the other fold's context at the same pixels
    const scales = options.contextScales ?? CONTEXT_SCALES;
    const C = contextChannels(K) * (1 + scales.length);
    const F2 = F + C;
    const x2 = new Float32Array(n * F2);
    for (let r = 0; r < n; r++) x2.set(x.subarray(r * F, (r + 1) * F), r * F2);
    const rowsOf = images.map(() => [] as number[]);
    for (let r = 0; r < n; r++) rowsOf[rowImage[r]!]!.push(r);
    sampled.forEach((i, j) => {
      const img = images[i]!;
      const N = img.width * img.height;
      const other = byFold[1 - fold[i]!]!;
      const planes = contextPlanes(probabilities(other, bank.compute(img), N, corr), img.width, img.height, K, scales);
      for (const r of rowsOf[i]!) {
        const p = rowPixel[r]!;
        for (let c = 0; c < C; c++) x2[r * F2 + F + c] = planes[c * N + p]!;
      }
      onProgress?.('context', j + 1, sampled.length);
    });
    const second = grow(undefined, x2, F2, T, 'forest (context stage)');
    const withContext = new ForestUnary(bank, first, corr, { forest: second, scales });
    if (!validation || validation.images.length === 0) {
      withContext.notes.push('forest: auto-context stage kept (no validation images to compare on)');
      return withContext;
    }
    // keep the second stage only if it helps on the validation images
    const firstOnly = new ForestUnary(bank, first, corr);
    const one: Float32Array[] = [];
    const two: Float32Array[] = [];
    for (const img of validation.images) {
      const { stage1, stage2 } = withContext.stages(img);
      one.push(stage1);
      two.push(stage2!);
    }
    const l1 = tunedUnaryLoss(one, validation.labels, K, validation.criterion);
    const l2 = tunedUnaryLoss(two, validation.labels, K, validation.criterion);
    const keep = l2 < l1;
    const chosen = keep ? withContext : firstOnly;
    chosen.notes.push(`forest: auto-context stage ${keep ? 'kept' : 'dropped'} (validation loss ${l2.toFixed(4)} with it, ${l1.toFixed(4)} without, tuned unary, ${validation.criterion})`);
    validation.images.forEach((img, i) => chosen.computed.set(img, (keep ? two : one)[i]!));
    return chosen;
  }

  /** Log-probabilities of the first stage and (with auto-context) of the second. */
  stages(img: RgbImage): { stage1: Float32Array; stage2?: Float32Array } {
    const N = img.width * img.height;
    const K = this.numLabels;
    const feats = this.bank.compute(img);
    const p1 = probabilities(this.forest, feats, N, this.priorCorrection);
    if (!this.context) return { stage1: logInPlace(p1) };
    const F = this.bank.size;
    const planes = contextPlanes(p1, img.width, img.height, K, this.context.scales);
    const x2 = new Float32Array(feats.length + planes.length);
    x2.set(feats);
    x2.set(planes, F * N);
    const p2 = probabilities(this.context.forest, x2, N, this.priorCorrection);
    return { stage1: logInPlace(p1), stage2: logInPlace(p2) };
  }

  /** Calibrated per-pixel log-probabilities `[p·K + k]` of an image (the last stage's). */
  logProbabilities(img: RgbImage): Float32Array {
    const done = this.computed.get(img);
    if (done) {
      this.computed.delete(img);
      return done;
    }
    const s = this.stages(img);
    return s.stage2 ?? s.stage1;
  }

  /** Metadata and tensors for a model file (names under `prefix`). */
  toFile(prefix: string): { meta: ForestUnaryMeta; tensors: Record<string, Tensor> } {
    const a = this.forest.arrays;
    return {
      meta: {
        scales: [...this.bank.scales],
        colour: this.bank.colour,
        numFeatures: this.bank.size,
        priorCorrection: Array.from(this.priorCorrection),
        ...(this.context ? { contextScales: [...this.context.scales] } : {}),
      },
      tensors: { ...forestTensors(a, prefix), ...(this.context ? forestTensors(this.context.forest.arrays, `${prefix}.context`) : {}) },
    };
  }

  /** Rebuilds a forest unary from `toFile`'s output (validated: a RangeError for inconsistent arrays). */
  static fromFile(meta: ForestUnaryMeta, K: number, tensor: (name: string) => Tensor, prefix: string): ForestUnary {
    const bank = new FilterBank({ scales: meta.scales, colour: meta.colour });
    if (bank.size !== meta.numFeatures) throw new RangeError(`forest unary: the filter bank gives ${bank.size} features, the file says ${meta.numFeatures}`);
    const read = (pre: string, numFeatures: number): RandomForest => {
      const get = <T>(name: string, dtype: string): T => {
        const t = tensor(`${pre}.${name}`);
        if (t.dtype !== dtype) throw new RangeError(`forest unary: tensor ${pre}.${name} is ${t.dtype}, expected ${dtype}`);
        return t.data as T;
      };
      return new RandomForest({
        numLabels: K,
        numFeatures,
        roots: get<Int32Array>('roots', 'I32'),
        feature: get<Int32Array>('feature', 'I32'),
        threshold: get<Float32Array>('threshold', 'F32'),
        left: get<Int32Array>('left', 'I32'),
        right: get<Int32Array>('right', 'I32'),
        leafProbs: get<Float32Array>('leafProbs', 'F32'),
      });
    };
    const forest = read(prefix, meta.numFeatures);
    const cs = meta.contextScales;
    if (cs !== undefined && !(Array.isArray(cs) && cs.every((v) => typeof v === 'number' && v > 0))) throw new RangeError('forest unary: contextScales must be positive numbers');
    const context = cs ? { forest: read(`${prefix}.context`, meta.numFeatures + contextChannels(K) * (1 + cs.length)), scales: cs } : undefined;
    return new ForestUnary(bank, forest, Float64Array.from(meta.priorCorrection), context);
  }
}

function forestTensors(a: ForestArrays, prefix: string): Record<string, Tensor> {
  return {
    [`${prefix}.roots`]: { dtype: 'I32', shape: [a.roots.length], data: a.roots },
    [`${prefix}.feature`]: { dtype: 'I32', shape: [a.feature.length], data: a.feature },
    [`${prefix}.threshold`]: { dtype: 'F32', shape: [a.threshold.length], data: a.threshold },
    [`${prefix}.left`]: { dtype: 'I32', shape: [a.left.length], data: a.left },
    [`${prefix}.right`]: { dtype: 'I32', shape: [a.right.length], data: a.right },
    [`${prefix}.leafProbs`]: { dtype: 'F32', shape: [a.leafProbs.length], data: a.leafProbs },
  };
}

/** Calibrated class probabilities `[p·K + k]` of a forest on planar features (see the module comment). */
function probabilities(forest: RandomForest, planar: Float32Array, N: number, c: Float64Array): Float32Array {
  const K = forest.arrays.numLabels;
  const prob = forest.predictPlanar(planar, N);
  for (let p = 0; p < N; p++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += prob[p * K + k] = (prob[p * K + k]! + EPS) * c[k]!;
    for (let k = 0; k < K; k++) prob[p * K + k] = prob[p * K + k]! / s;
  }
  return prob;
}

function logInPlace(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = Math.log(a[i]!);
  return a;
}

/**
 * The second stage's context features, planar `[c·N + p]`: per class channel (see contextChannels) the probability
 * itself, then smoothed at each scale.
 */
export function contextPlanes(prob: Float32Array, W: number, H: number, K: number, scales: readonly number[]): Float32Array {
  const N = W * H;
  const ch = contextChannels(K);
  const per = 1 + scales.length;
  const out = new Float32Array(ch * per * N);
  const tmp = new Float32Array(N);
  for (let c = 0; c < ch; c++) {
    const k = K === 2 ? 1 : c;
    const base = out.subarray(c * per * N, (c * per + 1) * N);
    for (let p = 0; p < N; p++) base[p] = prob[p * K + k]!;
    scales.forEach((sigma, j) => gaussianSmooth(base, W, H, sigma, out.subarray((c * per + 1 + j) * N, (c * per + 2 + j) * N), tmp));
  }
  return out;
}

/** One forest whose trees are those of all the given forests (same labels and features): their average. */
export function mergeForests(forests: readonly RandomForest[]): RandomForest {
  const a0 = forests[0]!.arrays;
  const sum = (f: (a: ForestArrays) => number) => forests.reduce((s, x) => s + f(x.arrays), 0);
  const nodes = sum((a) => a.feature.length);
  const out: ForestArrays = {
    numLabels: a0.numLabels,
    numFeatures: a0.numFeatures,
    roots: new Int32Array(sum((a) => a.roots.length)),
    feature: new Int32Array(nodes),
    threshold: new Float32Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    leafProbs: new Float32Array(sum((a) => a.leafProbs.length)),
  };
  let nodeOff = 0;
  let leafOff = 0;
  let rootOff = 0;
  for (const { arrays: a } of forests) {
    if (a.numLabels !== a0.numLabels || a.numFeatures !== a0.numFeatures) throw new RangeError('mergeForests: forests differ in labels or features');
    const leafRows = leafOff / a0.numLabels;
    for (let i = 0; i < a.feature.length; i++) {
      const leaf = a.feature[i]! < 0;
      out.feature[nodeOff + i] = a.feature[i]!;
      out.threshold[nodeOff + i] = a.threshold[i]!;
      out.left[nodeOff + i] = a.left[i]! + (leaf ? leafRows : nodeOff);
      out.right[nodeOff + i] = leaf ? a.right[i]! : a.right[i]! + nodeOff;
    }
    for (let r = 0; r < a.roots.length; r++) out.roots[rootOff + r] = a.roots[r]! + nodeOff;
    out.leafProbs.set(a.leafProbs, leafOff);
    nodeOff += a.feature.length;
    leafOff += a.leafProbs.length;
    rootOff += a.roots.length;
  }
  return new RandomForest(out);
}

/** Splits `total` over items with the given capacities as evenly as possible (no item above its capacity). */
function shares(capacity: readonly number[], total: number): number[] {
  const out = capacity.map(() => 0);
  let left = total;
  let open = capacity.map((_, i) => i).filter((i) => capacity[i]! > 0);
  while (left > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(left / open.length));
    const next: number[] = [];
    for (const i of open) {
      const take = Math.min(each, capacity[i]! - out[i]!, left);
      out[i] += take;
      left -= take;
      if (out[i]! < capacity[i]!) next.push(i);
      if (left === 0) break;
    }
    open = next;
  }
  return out;
}
