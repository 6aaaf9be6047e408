/**
 * Building model inputs from images: pixel features (from a fitted `PixelFeatures` or precomputed CNN
 * log-probabilities) and edge features from L*a*b* contrast. For training sets the linear features are computed on
 * demand and kept in a byte-bounded cache, so a few hundred images never need all their feature maps in memory.
 */
import type { RgbImage } from '@ebmkit/core';
import { rgbToLab } from './color.js';
import { edgeFeatures, type EdgeFeatures } from './contrast.js';
import type { Connectivity } from './grid.js';
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
