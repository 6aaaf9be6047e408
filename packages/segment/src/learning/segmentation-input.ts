/**
 * Building model inputs from images: pixel features (from a fitted `PixelFeatures` or precomputed CNN
 * log-probabilities) and edge features from L*a*b* contrast. For training sets the linear features are computed on
 * demand and kept in a byte-bounded cache, so a few hundred images never need all their feature maps in memory.
 */
import type { RgbImage } from '@ebmkit/core';
import { rgbToLab } from '../unary/color.js';
import { edgeFeatures, type EdgeFeatures } from '../grid/contrast.js';
import { gridDirections, type Connectivity } from '../grid/grid.js';
import type { SegmentationInput } from './grid-crf.js';

/** Edge features of an image from its L*a*b* colours. */
export function imageEdgeFeatures(img: RgbImage, connectivity: Connectivity): EdgeFeatures {
  return edgeFeatures(rgbToLab(img.data), img.width, img.height, connectivity);
}

/** Features of a CNN unary: log-probabilities of the K labels and a bias, `[p·(K+1) + k]`. */
export function logProbFeatures(logp: Float32Array, K: number): Float32Array {
  const N = logp.length / K;
  const out = new Float32Array(N * (K + 1));
  for (let p = 0; p < N; p++) {
    for (let k = 0; k < K; k++) out[p * (K + 1) + k] = logp[p * K + k]!;
    out[p * (K + 1) + K] = 1;
  }
  return out;
}

/** A least-recently-used cache of feature maps with a byte budget. */
export class FeatureCache {
  private readonly entries = new Map<object, { features: Float32Array; bytes: number }>();
  private bytes = 0;
  constructor(readonly budgetBytes = 512 * 2 ** 20) {}

  /** The cached features of `key`, computing (and caching) them when absent. */
  get(key: object, compute: () => Float32Array): Float32Array {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.features;
    }
    const features = compute();
    const bytes = features.byteLength;
    while (this.bytes + bytes > this.budgetBytes && this.entries.size > 0) {
      const [k, v] = this.entries.entries().next().value as [object, { bytes: number }];
      this.entries.delete(k);
      this.bytes -= v.bytes;
    }
    if (bytes <= this.budgetBytes) {
      this.entries.set(key, { features, bytes });
      this.bytes += bytes;
    }
    return features;
  }
}

/** A model input whose pixel features are computed on first use and held by a shared cache. */
export class LazyInput implements SegmentationInput {
  readonly width: number;
  readonly height: number;
  readonly edges: EdgeFeatures;
  constructor(
    readonly image: RgbImage,
    readonly numFeatures: number,
    private readonly compute: (img: RgbImage) => Float32Array,
    private readonly cache: FeatureCache,
    connectivity: Connectivity,
    readonly mask?: Uint8Array,
  ) {
    this.width = image.width;
    this.height = image.height;
    this.edges = imageEdgeFeatures(image, connectivity);
  }

  get features(): Float32Array {
    return this.cache.get(this, () => this.compute(this.image));
  }
}

/**
 * The window [x0, x0 + w) × [y0, y0 + h) of a model input and its label map: pixel features and edge features
 * copied, edges that would leave the window zeroed (as at an image border). Pairwise fitting on large images uses
 * windows of the validation images so its cost stays bounded.
 */
export function cropInput(x: SegmentationInput, labels: Uint8Array, x0: number, y0: number, w: number, h: number): { input: SegmentationInput; labels: Uint8Array } {
  const { width: W, height: H, numFeatures: F } = x;
  if (!(Number.isInteger(x0) && Number.isInteger(y0) && x0 >= 0 && y0 >= 0 && w >= 1 && h >= 1 && x0 + w <= W && y0 + h <= H)) throw new RangeError(`window ${x0},${y0} ${w}×${h} outside a ${W}×${H} input`);
  const n = w * h;
  const N = W * H;
  const features = new Float32Array(n * F);
  const y = new Uint8Array(n);
  const src = x.features;
  for (let r = 0; r < h; r++) {
    const s = (y0 + r) * W + x0;
    features.set(src.subarray(s * F, (s + w) * F), r * w * F);
    y.set(labels.subarray(s, s + w), r * w);
  }
  const e = x.edges;
  const dirs = gridDirections(e.connectivity);
  const constant = new Float64Array(dirs.length * n);
  const contrast = new Float64Array(dirs.length * n);
  dirs.forEach(({ dx, dy }, d) => {
    for (let r = 0; r < h; r++) {
      const ny = r + dy;
      if (ny < 0 || ny >= h) continue;
      for (let c = 0; c < w; c++) {
        const nx = c + dx;
        if (nx < 0 || nx >= w) continue;
        const p = (y0 + r) * W + x0 + c;
        constant[d * n + r * w + c] = e.constant[d * N + p]!;
        contrast[d * n + r * w + c] = e.contrast[d * N + p]!;
      }
    }
  });
  return { input: { width: w, height: h, features, numFeatures: F, edges: { width: w, height: h, connectivity: e.connectivity, beta: e.beta, constant, contrast } }, labels: y };
}
