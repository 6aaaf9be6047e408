/**
 * Per-pixel features for the linear unary: colour in L*a*b* (and its degree-2 products), position (raw and on a
 * coarse grid of Gaussian bumps, so a linear model can learn where objects tend to be), local colour mean and
 * standard deviation and gradient magnitude at a few window sizes (relative to the image size), and a learned
 * colour/texture codebook: soft assignments of each pixel's local descriptor to k-means centres, and the same
 * assignments averaged over windows (local "texton" histograms). Features are standardised with statistics of the
 * training pixels; the last feature is a constant 1 (the bias).
 */
import type { RgbImage, Rng } from '@ebmkit/core';
import { boxMean } from './box-filter.js';
import { rgbToLab } from './color.js';
import { kMeans } from './kmeans.js';

/** Options of the feature extractor. */
export interface PixelFeatureOptions {
  /** Window radii as fractions of the longer image side (default [0.015, 0.04, 0.1]). */
  scales?: number[];
  /** Side of the grid of position bumps (default 4 → 16 features; 0 for none). */
  positionGrid?: number;
  /** Codebook size (default 24; 0 for none). */
  codebookSize?: number;
  /** Degree-2 products of L*a*b* (default true). */
  quadratic?: boolean;
}

/** The learned part of the extractor. */
export interface PixelFeatureState {
  /** Codebook centres over the standardised descriptor, `[c·DESC + j]`. */
  codebook: Float32Array;
  /** Squared bandwidth of the soft assignment. */
  codebookSigma2: number;
  descMean: Float32Array;
  descStd: Float32Array;
  /** Standardisation of the raw features (length F − 1; the bias is not standardised). */
  featMean: Float32Array;
  featStd: Float32Array;
}

const DESC = 5; // L, a, b, std L and gradient magnitude at the smallest scale

type Resolved = Required<PixelFeatureOptions>;

function resolve(o: PixelFeatureOptions): Resolved {
  const r: Resolved = {
    scales: o.scales ?? [0.015, 0.04, 0.1],
    positionGrid: o.positionGrid ?? 4,
    codebookSize: o.codebookSize ?? 24,
    quadratic: o.quadratic ?? true,
  };
  if (r.scales.length === 0 || r.scales.some((s) => !(s > 0 && s < 1))) throw new RangeError(`scales must be fractions in (0, 1), got [${r.scales.join(', ')}]`);
  if (!Number.isInteger(r.positionGrid) || r.positionGrid < 0) throw new RangeError(`positionGrid must be an integer ≥ 0, got ${r.positionGrid}`);
  if (!Number.isInteger(r.codebookSize) || r.codebookSize < 0) throw new RangeError(`codebookSize must be an integer ≥ 0, got ${r.codebookSize}`);
  return r;
}

/** Number of features (bias included) for resolved options. */
function featureCount(o: Resolved): number {
  const S = o.scales.length;
  const cb = o.codebookSize;
  return 3 + (o.quadratic ? 6 : 0) + 2 + o.positionGrid * o.positionGrid + 7 * S + 2 + (cb > 0 ? cb * Math.min(3, S + 1) : 0) + 1;
}

/** Feature names, in order (for model dumps and debugging). */
function featureNames(o: Resolved): string[] {
  const n: string[] = ['L', 'a', 'b'];
  if (o.quadratic) n.push('L²', 'a²', 'b²', 'L·a', 'L·b', 'a·b');
  n.push('x', 'y');
  for (let i = 0; i < o.positionGrid * o.positionGrid; i++) n.push(`pos${i}`);
  o.scales.forEach((s) => n.push(...['mean L', 'mean a', 'mean b', 'std L', 'std a', 'std b', '|∇L|'].map((f) => `${f} @${s}`)));
  n.push('|∂x L|', '|∂y L|');
  if (o.codebookSize > 0) {
    const levels = Math.min(3, o.scales.length + 1);
    for (let l = 0; l < levels; l++) for (let c = 0; c < o.codebookSize; c++) n.push(l === 0 ? `word${c}` : `word${c} @${o.scales[Math.min(o.scales.length - 1, l)]}`);
  }
  n.push('bias');
  return n;
}

/** Radius in pixels of a relative scale on an image whose longer side is `side`. */
function radiusOf(scale: number, side: number): number {
  return Math.max(1, Math.round(scale * side));
}

interface Intermediate {
  lab: Float32Array; // N·3, scaled by 1/100
  grad: Float32Array; // N·3: |gx|, |gy|, |g|
  means: Float32Array[]; // per scale N·7
}

function intermediate(img: RgbImage, o: Resolved): Intermediate {
  const { width: W, height: H } = img;
  const N = W * H;
  const lab = rgbToLab(img.data);
  for (let i = 0; i < lab.length; i++) lab[i] /= 100;
  const grad = new Float32Array(N * 3);
  for (let y = 0; y < H; y++) {
    const ym = y > 0 ? y - 1 : y;
    const yp = y < H - 1 ? y + 1 : y;
    for (let x = 0; x < W; x++) {
      const xm = x > 0 ? x - 1 : x;
      const xp = x < W - 1 ? x + 1 : x;
      const L = (xx: number, yy: number) => lab[(yy * W + xx) * 3]!;
      const gx = L(xp, ym) + 2 * L(xp, y) + L(xp, yp) - L(xm, ym) - 2 * L(xm, y) - L(xm, yp);
      const gy = L(xm, yp) + 2 * L(x, yp) + L(xp, yp) - L(xm, ym) - 2 * L(x, ym) - L(xp, ym);
      const p = (y * W + x) * 3;
      grad[p] = Math.abs(gx) / 4;
      grad[p + 1] = Math.abs(gy) / 4;
      grad[p + 2] = Math.hypot(gx, gy) / 4;
    }
  }
  // per scale: mean of lab, mean of lab², mean |g|
  const sq = new Float32Array(N * 7);
  for (let p = 0; p < N; p++) {
    for (let c = 0; c < 3; c++) {
      const v = lab[p * 3 + c]!;
      sq[p * 7 + c] = v;
      sq[p * 7 + 3 + c] = v * v;
    }
    sq[p * 7 + 6] = grad[p * 3 + 2]!;
  }
  const side = Math.max(W, H);
  const means = o.scales.map((s) => {
    const m = boxMean(sq, W, H, 7, radiusOf(s, side), new Float32Array(N * 7));
    for (let p = 0; p < N; p++) {
      for (let c = 0; c < 3; c++) {
        const mu = m[p * 7 + c]!;
        m[p * 7 + 3 + c] = Math.sqrt(Math.max(0, m[p * 7 + 3 + c]! - mu * mu));
      }
    }
    return m;
  });
  return { lab, grad, means };
}

function descriptorInto(it: Intermediate, p: number, out: Float64Array): void {
  out[0] = it.lab[p * 3]!;
  out[1] = it.lab[p * 3 + 1]!;
  out[2] = it.lab[p * 3 + 2]!;
  out[3] = it.means[0]![p * 7 + 3]!;
  out[4] = it.means[0]![p * 7 + 6]!;
}

/** A fitted pixel feature extractor: `extract(image)` gives `features[p·F + f]`. */
export class PixelFeatures {
  /** Number of features per pixel, the bias included. */
  readonly size: number;
  /** Feature names. */
  readonly names: readonly string[];
  readonly options: Readonly<Resolved>;

  constructor(
    options: PixelFeatureOptions,
    readonly state: PixelFeatureState,
  ) {
    this.options = Object.freeze(resolve(options));
    this.size = featureCount(this.options);
    this.names = Object.freeze(featureNames(this.options));
    const cb = this.options.codebookSize;
    if (state.codebook.length !== cb * DESC) throw new RangeError(`codebook length ${state.codebook.length} !== ${cb}·${DESC}`);
    if (state.featMean.length !== this.size - 1 || state.featStd.length !== this.size - 1) {
      throw new RangeError(`feature statistics length ${state.featMean.length} !== ${this.size - 1}`);
    }
  }

  /**
   * Fits the codebook (k-means over descriptors of up to `samplesPerImage` random pixels per image) and the
   * standardisation on training images.
   */
  static fit(images: readonly RgbImage[], options: PixelFeatureOptions, rng: Rng, fitOptions: { samplesPerImage?: number } = {}): PixelFeatures {
    if (images.length === 0) throw new RangeError('PixelFeatures.fit: no images');
    const o = resolve(options);
    const per = fitOptions.samplesPerImage ?? 300;
    const F = featureCount(o);
    const cb = o.codebookSize;
    // 1. descriptors for the codebook
    const descs: number[] = [];
    const samples: { img: number; p: number }[] = [];
    const d = new Float64Array(DESC);
    const its = images.map((img) => intermediate(img, o));
    images.forEach((img, i) => {
      const N = img.width * img.height;
      const m = Math.min(per, N);
      for (let s = 0; s < m; s++) {
        const p = m === N ? s : rng.int(N);
        samples.push({ img: i, p });
        descriptorInto(its[i]!, p, d);
        descs.push(...d);
      }
    });
    const nS = samples.length;
    const descMean = new Float32Array(DESC);
    const descStd = new Float32Array(DESC);
    for (let j = 0; j < DESC; j++) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < nS; i++) {
        s += descs[i * DESC + j]!;
        s2 += descs[i * DESC + j]! ** 2;
      }
      const mu = s / nS;
      descMean[j] = mu;
      descStd[j] = Math.sqrt(Math.max(1e-12, s2 / nS - mu * mu));
    }
    const z = new Float64Array(nS * DESC);
    for (let i = 0; i < nS; i++) for (let j = 0; j < DESC; j++) z[i * DESC + j] = (descs[i * DESC + j]! - descMean[j]!) / descStd[j]!;
    let codebook = new Float32Array(0);
    let sigma2 = 1;
    if (cb > 0) {
      const km = kMeans(z, DESC, cb, rng, { iterations: 25 });
      codebook = Float32Array.from(km.centers);
      sigma2 = Math.max(1e-6, km.meanSquaredDistance);
    }
    // 2. standardisation from the sampled pixels' raw features
    const raw = new PixelFeatures(o, {
      codebook,
      codebookSigma2: sigma2,
      descMean,
      descStd,
      featMean: new Float32Array(F - 1),
      featStd: new Float32Array(F - 1).fill(1),
    });
    const sum = new Float64Array(F - 1);
    const sum2 = new Float64Array(F - 1);
    let count = 0;
    images.forEach((img, i) => {
      const f = raw.extractFrom(img, its[i]!);
      for (const s of samples) {
        if (s.img !== i) continue;
        for (let j = 0; j < F - 1; j++) {
          const v = f[s.p * F + j]!;
          sum[j] += v;
          sum2[j] += v * v;
        }
        count++;
      }
    });
    const featMean = new Float32Array(F - 1);
    const featStd = new Float32Array(F - 1);
    for (let j = 0; j < F - 1; j++) {
      const mu = sum[j]! / count;
      featMean[j] = mu;
      featStd[j] = Math.sqrt(Math.max(1e-10, sum2[j]! / count - mu * mu));
    }
    return new PixelFeatures(o, { codebook, codebookSigma2: sigma2, descMean, descStd, featMean, featStd });
  }

  /** Standardised features of every pixel, `out[p·F + f]` (F = `size`; the last is 1). */
  extract(img: RgbImage, out?: Float32Array): Float32Array {
    return this.extractFrom(img, intermediate(img, this.options), out);
  }

  private extractFrom(img: RgbImage, it: Intermediate, out?: Float32Array): Float32Array {
    const o = this.options;
    const { width: W, height: H } = img;
    const N = W * H;
    const F = this.size;
    const f = out ?? new Float32Array(N * F);
    if (f.length !== N * F) throw new RangeError(`out length ${f.length} !== ${N}·${F}`);
    const G = o.positionGrid;
    const S = o.scales.length;
    const cb = o.codebookSize;
    const { codebook, codebookSigma2, descMean, descStd } = this.state;
    const d = new Float64Array(DESC);
    const assign = cb > 0 ? new Float32Array(N * cb) : new Float32Array(0);
    const dist = new Float64Array(cb);
    for (let p = 0; p < N; p++) {
      const x = p % W;
      const y = (p - x) / W;
      let k = p * F;
      const L = it.lab[p * 3]!;
      const a = it.lab[p * 3 + 1]!;
      const b = it.lab[p * 3 + 2]!;
      f[k++] = L;
      f[k++] = a;
      f[k++] = b;
      if (o.quadratic) {
        f[k++] = L * L;
        f[k++] = a * a;
        f[k++] = b * b;
        f[k++] = L * a;
        f[k++] = L * b;
        f[k++] = a * b;
      }
      const u = (x + 0.5) / W;
      const v = (y + 0.5) / H;
      f[k++] = u;
      f[k++] = v;
      if (G > 0) {
        const s2 = 1 / (2 * (1 / G) ** 2);
        for (let gy = 0; gy < G; gy++) {
          const cy = (gy + 0.5) / G;
          for (let gx = 0; gx < G; gx++) {
            const cx = (gx + 0.5) / G;
            f[k++] = Math.exp(-((u - cx) ** 2 + (v - cy) ** 2) * s2);
          }
        }
      }
      for (let s = 0; s < S; s++) {
        const m = it.means[s]!;
        for (let c = 0; c < 7; c++) f[k++] = m[p * 7 + c]!;
      }
      f[k++] = it.grad[p * 3]!;
      f[k++] = it.grad[p * 3 + 1]!;
      if (cb > 0) {
        descriptorInto(it, p, d);
        for (let j = 0; j < DESC; j++) d[j] = (d[j]! - descMean[j]!) / descStd[j]!;
        let z = 0;
        let minD = Infinity;
        for (let c = 0; c < cb; c++) {
          let s = 0;
          for (let j = 0; j < DESC; j++) {
            const t = d[j]! - codebook[c * DESC + j]!;
            s += t * t;
          }
          dist[c] = s;
          if (s < minD) minD = s;
        }
        for (let c = 0; c < cb; c++) {
          const e = Math.exp(-(dist[c]! - minD) / (2 * codebookSigma2));
          dist[c] = e;
          z += e;
        }
        for (let c = 0; c < cb; c++) assign[p * cb + c] = dist[c]! / z;
      }
    }
    if (cb > 0) {
      const base = F - 1 - cb * Math.min(3, S + 1);
      for (let p = 0; p < N; p++) for (let c = 0; c < cb; c++) f[p * F + base + c] = assign[p * cb + c]!;
      const levels = Math.min(3, S + 1);
      const side = Math.max(W, H);
      for (let l = 1; l < levels; l++) {
        const r = radiusOf(o.scales[Math.min(S - 1, l)]!, side);
        boxMean(assign, W, H, cb, r, f, { outStride: F, outOffset: base + l * cb });
      }
    }
    const { featMean, featStd } = this.state;
    for (let p = 0; p < N; p++) {
      const o2 = p * F;
      for (let j = 0; j < F - 1; j++) f[o2 + j] = (f[o2 + j]! - featMean[j]!) / featStd[j]!;
      f[o2 + F - 1] = 1;
    }
    return f;
  }
}
