/**
 * The forest unary: the multi-scale filter bank (filter-bank.ts) and a random forest (forest.ts) over it, trained on
 * pixels sampled from the labelled (non-ignored) pixels of every training image. Classes are weighted to balance
 * during tree growing (so thin minority structures shape the splits); the forest's probabilities are then mapped
 * back to the training prior (p_k ∝ p̃_k·π_k/ω_k with ω the balanced prior), so its log-probabilities are calibrated
 * class posteriors that the CRF combines with the pairwise term.
 */
import type { RgbImage, Rng, Tensor } from '@ebmkit/core';
import { IGNORE_LABEL } from '../grid/labels.js';
import { FilterBank, type FilterBankOptions } from './filter-bank.js';
import { RandomForest, type ForestOptions } from './forest.js';

/** Options of `ForestUnary.fit`. */
export interface ForestUnaryOptions extends Omit<ForestOptions, 'onTree'> {
  bank?: FilterBankOptions;
  /** Labelled pixels sampled over all training images (default 300 000), spread evenly over the images. */
  samples?: number;
  /** 'balanced' (default) weights each class inversely to its sampled frequency; 'none' weighs every pixel alike. */
  classWeight?: 'balanced' | 'none';
}

/** The model-file metadata of a forest unary. */
export interface ForestUnaryMeta {
  scales: number[];
  colour: boolean;
  numFeatures: number;
  /** Per-class factor from the forest's (balanced) probabilities to calibrated ones. */
  priorCorrection: number[];
}

const EPS = 1e-4;

/** A fitted filter bank + forest. */
export class ForestUnary {
  constructor(
    readonly bank: FilterBank,
    readonly forest: RandomForest,
    readonly priorCorrection: Float64Array,
  ) {
    if (forest.arrays.numFeatures !== bank.size) throw new RangeError(`forest expects ${forest.arrays.numFeatures} features, the filter bank gives ${bank.size}`);
    if (priorCorrection.length !== forest.arrays.numLabels) throw new RangeError(`prior correction has ${priorCorrection.length} classes, the forest ${forest.arrays.numLabels}`);
  }

  get numLabels(): number {
    return this.forest.arrays.numLabels;
  }

  /** Trains on images with label maps (IGNORE_LABEL pixels are never sampled). */
  static fit(images: readonly RgbImage[], labels: readonly Uint8Array[], K: number, rng: Rng, options: ForestUnaryOptions = {}, onProgress?: (stage: string, done: number, total: number) => void): ForestUnary {
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
    const { bank: _b, samples: _s, classWeight: _c, ...forestOptions } = options;
    const forest = RandomForest.fit({ x, numFeatures: F, y, weights, numLabels: K }, rng, { ...forestOptions, onTree: (d, t) => onProgress?.('forest', d, t) });
    // p_k ∝ p̃_k · π_k / ω_k, where π is the sampled prior and ω = π·classW (normalised) the one the trees saw
    const corr = new Float64Array(K);
    for (let k = 0; k < K; k++) corr[k] = classW[k]! > 0 ? 1 / classW[k]! : 1;
    return new ForestUnary(bank, forest, corr);
  }

  /** Calibrated per-pixel log-probabilities `[p·K + k]` of an image. */
  logProbabilities(img: RgbImage): Float32Array {
    const N = img.width * img.height;
    const K = this.numLabels;
    const prob = this.forest.predictPlanar(this.bank.compute(img), N);
    const c = this.priorCorrection;
    for (let p = 0; p < N; p++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += prob[p * K + k] = (prob[p * K + k]! + EPS) * c[k]!;
      for (let k = 0; k < K; k++) prob[p * K + k] = Math.log(prob[p * K + k]! / s);
    }
    return prob;
  }

  /** Metadata and tensors for a model file (names under `prefix`). */
  toFile(prefix: string): { meta: ForestUnaryMeta; tensors: Record<string, Tensor> } {
    const a = this.forest.arrays;
    return {
      meta: { scales: [...this.bank.scales], colour: this.bank.colour, numFeatures: this.bank.size, priorCorrection: Array.from(this.priorCorrection) },
      tensors: {
        [`${prefix}.roots`]: { dtype: 'I32', shape: [a.roots.length], data: a.roots },
        [`${prefix}.feature`]: { dtype: 'I32', shape: [a.feature.length], data: a.feature },
        [`${prefix}.threshold`]: { dtype: 'F32', shape: [a.threshold.length], data: a.threshold },
        [`${prefix}.left`]: { dtype: 'I32', shape: [a.left.length], data: a.left },
        [`${prefix}.right`]: { dtype: 'I32', shape: [a.right.length], data: a.right },
        [`${prefix}.leafProbs`]: { dtype: 'F32', shape: [a.leafProbs.length], data: a.leafProbs },
      },
    };
  }

  /** Rebuilds a forest unary from `toFile`'s output (validated: a RangeError for inconsistent arrays). */
  static fromFile(meta: ForestUnaryMeta, K: number, tensor: (name: string) => Tensor, prefix: string): ForestUnary {
    const bank = new FilterBank({ scales: meta.scales, colour: meta.colour });
    if (bank.size !== meta.numFeatures) throw new RangeError(`forest unary: the filter bank gives ${bank.size} features, the file says ${meta.numFeatures}`);
    const get = <T>(name: string, dtype: string): T => {
      const t = tensor(`${prefix}.${name}`);
      if (t.dtype !== dtype) throw new RangeError(`forest unary: tensor ${prefix}.${name} is ${t.dtype}, expected ${dtype}`);
      return t.data as T;
    };
    const forest = new RandomForest({
      numLabels: K,
      numFeatures: meta.numFeatures,
      roots: get<Int32Array>('roots', 'I32'),
      feature: get<Int32Array>('feature', 'I32'),
      threshold: get<Float32Array>('threshold', 'F32'),
      left: get<Int32Array>('left', 'I32'),
      right: get<Int32Array>('right', 'I32'),
      leafProbs: get<Float32Array>('leafProbs', 'F32'),
    });
    return new ForestUnary(bank, forest, Float64Array.from(meta.priorCorrection));
  }
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
