/**
 * A multi-scale filter bank for grey and colour images (the features of the ilastik / scikit-image "trainable
 * segmentation" recipe, computed with separable filters on flat Float32Arrays). The bank runs on the image's
 * lightness L* standardised per image (so a darker or lower-contrast photograph gives the same responses); at each
 * scale σ it gives
 *
 * - the Gaussian-smoothed intensity G_σ ∗ I,
 * - the gradient magnitude σ·|∇(G_σ ∗ I)|,
 * - the Laplacian of Gaussian σ²·(I_xx + I_yy),
 * - the two Hessian eigenvalues σ²·λ₁ ≥ σ²·λ₂ (thin dark/bright ridges: one large, one small),
 * - the two structure-tensor eigenvalues of G_σ ∗ (σ²·∇I ∇Iᵀ) (edges vs corners vs flat texture),
 * - the difference of Gaussians G_σ ∗ I − G_σ' ∗ I with the next scale σ' (none at the last scale),
 *
 * plus the raw and lightly smoothed absolute lightness, and for colour images a* and b* smoothed at every scale.
 * Derivatives are central differences of the smoothed image; borders are mirrored (… c b a | a b c …).
 * Features are planar: `features[f·N + p]`.
 */
import type { RgbImage } from '@ebmkit/core';
import { rgbToLab } from './color.js';

/** Options of the filter bank. */
export interface FilterBankOptions {
  /** Gaussian scales in pixels (default [0.7, 1, 1.6, 2.5, 4, 8, 16]). */
  scales?: number[];
  /** Add a*, b* colour channels (default: decided by `FilterBank.forImages` — true unless every image is grey). */
  colour?: boolean;
}

/** Default scales σ. */
export const DEFAULT_SCALES = [0.7, 1, 1.6, 2.5, 4, 8, 16];

/** The sampled, normalised 1-D Gaussian of standard deviation σ, radius ⌈3σ⌉ (at least 1). */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

/** Mirrors index i into [0, n): −1 → 0, −2 → 1, n → n − 1 (works for any i when n ≥ 1). */
export function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - 1 - j;
}

/**
 * Separable convolution of a W × H plane with a symmetric kernel along x then y (mirrored borders); writes `out`
 * (which may not alias `src`) and uses `tmp` (length W·H) as scratch.
 */
export function convolveSeparable(src: Float32Array, W: number, H: number, kernel: Float32Array, out: Float32Array, tmp = new Float32Array(W * H)): Float32Array {
  const r = (kernel.length - 1) / 2;
  // rows: interior without index arithmetic, borders mirrored
  const row = new Float32Array(W + 2 * r);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    for (let i = -r; i < W + r; i++) row[i + r] = src[o + mirror(i, W)]!;
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let j = 0; j < kernel.length; j++) s += kernel[j]! * row[x + j]!;
      tmp[o + x] = s;
    }
  }
  // columns: accumulate whole rows (cache friendly)
  out.fill(0);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    for (let j = 0; j < kernel.length; j++) {
      const c = kernel[j]!;
      const q = mirror(y + j - r, H) * W;
      for (let x = 0; x < W; x++) out[o + x] += c * tmp[q + x]!;
    }
  }
  return out;
}

/**
 * Gaussian smoothing of a W × H plane: the exact sampled kernel for σ < 3, above that three passes of box filters
 * whose widths give the same variance (Wells 1986; O(1) per pixel whatever σ). Mirrored borders.
 */
export function gaussianSmooth(src: Float32Array, W: number, H: number, sigma: number, out: Float32Array, tmp = new Float32Array(W * H)): Float32Array {
  if (sigma < 3) return convolveSeparable(src, W, H, gaussianKernel(sigma), out, tmp);
  // n = 3 boxes: widths wl (odd) and wl + 2, m of them of width wl, so that the variances add to σ²
  const n = 3;
  const ideal = Math.sqrt((12 * sigma * sigma) / n + 1);
  let wl = Math.floor(ideal);
  if (wl % 2 === 0) wl--;
  const m = Math.round((12 * sigma * sigma - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4));
  const radii = Array.from({ length: n }, (_, i) => ((i < m ? wl : wl + 2) - 1) / 2);
  let a = src;
  for (let i = 0; i < n; i++) {
    const dst = i % 2 === 0 ? out : tmp;
    boxPass(a, W, H, radii[i]!, dst);
    a = dst;
  }
  if (a !== out) out.set(a);
  return out;
}

/** One separable (2r+1)-wide box mean along x then y, mirrored borders; `dst` may alias nothing but itself. */
function boxPass(src: Float32Array, W: number, H: number, r: number, dst: Float32Array): void {
  const inv = 1 / (2 * r + 1);
  const rowT = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    let s = 0;
    for (let i = -r; i <= r; i++) s += src[o + mirror(i, W)]!;
    for (let x = 0; x < W; x++) {
      rowT[o + x] = s * inv;
      s += src[o + mirror(x + r + 1, W)]! - src[o + mirror(x - r, W)]!;
    }
  }
  const acc = new Float64Array(W);
  for (let i = -r; i <= r; i++) {
    const q = mirror(i, H) * W;
    for (let x = 0; x < W; x++) acc[x] += rowT[q + x]!;
  }
  for (let y = 0; y < H; y++) {
    const o = y * W;
    const add = mirror(y + r + 1, H) * W;
    const sub = mirror(y - r, H) * W;
    for (let x = 0; x < W; x++) {
      dst[o + x] = acc[x]! * inv;
      acc[x] += rowT[add + x]! - rowT[sub + x]!;
    }
  }
}

/** Eigenvalues (larger first) of the symmetric 2 × 2 matrix [[a, b], [b, c]]. */
export function symmetricEigenvalues(a: number, b: number, c: number): [number, number] {
  const m = (a + c) / 2;
  const d = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  return [m + d, m - d];
}

/** Is every pixel of the image grey (R = G = B)? */
export function isGrey(img: RgbImage): boolean {
  const d = img.data;
  for (let p = 0; p < d.length; p += 3) if (d[p] !== d[p + 1] || d[p] !== d[p + 2]) return false;
  return true;
}

const PER_SCALE = ['gauss', 'gradmag', 'log', 'hess1', 'hess2', 'st1', 'st2', 'dog'];

/** The filter bank (stateless apart from its options). */
export class FilterBank {
  readonly scales: readonly number[];
  readonly colour: boolean;
  /** Features per pixel. */
  readonly size: number;
  readonly names: readonly string[];

  constructor(options: FilterBankOptions = {}) {
    const scales = options.scales ?? DEFAULT_SCALES;
    if (scales.length === 0 || scales.some((s) => !(s > 0 && s <= 64))) throw new RangeError(`filter bank scales must be in (0, 64], got [${scales.join(', ')}]`);
    for (let i = 1; i < scales.length; i++) if (!(scales[i]! > scales[i - 1]!)) throw new RangeError(`filter bank scales must increase, got [${scales.join(', ')}]`);
    this.scales = Object.freeze([...scales]);
    this.colour = options.colour ?? true;
    const names: string[] = ['L', 'L@4'];
    scales.forEach((s, i) => PER_SCALE.forEach((n) => (n !== 'dog' || i < scales.length - 1 ? names.push(`${n}@${s}`) : undefined)));
    if (this.colour) for (const c of ['a', 'b']) scales.forEach((s) => names.push(`${c}@${s}`));
    this.names = Object.freeze(names);
    this.size = names.length;
  }

  /** A bank for a training set: colour channels unless every image is grey. */
  static forImages(images: readonly RgbImage[], options: FilterBankOptions = {}): FilterBank {
    return new FilterBank({ ...options, colour: options.colour ?? !images.every(isGrey) });
  }

  /** Planar features of every pixel: `out[f·N + p]`, f < `size`. */
  compute(img: RgbImage, out?: Float32Array): Float32Array {
    const { width: W, height: H } = img;
    const N = W * H;
    const F = this.size;
    const f = out ?? new Float32Array(F * N);
    if (f.length !== F * N) throw new RangeError(`filter bank output length ${f.length} !== ${F}·${N}`);
    const lab = rgbToLab(img.data);
    const L = new Float32Array(N);
    let mean = 0;
    for (let p = 0; p < N; p++) mean += L[p] = lab[3 * p]! / 100;
    mean /= N;
    let v = 0;
    for (let p = 0; p < N; p++) v += (L[p]! - mean) ** 2;
    const sd = Math.sqrt(v / N) || 1;
    const I = new Float32Array(N);
    for (let p = 0; p < N; p++) I[p] = (L[p]! - mean) / sd;
    const tmp = new Float32Array(N);
    const plane = (i: number) => f.subarray(i * N, (i + 1) * N);
    plane(0).set(L);
    gaussianSmooth(L, W, H, 4, plane(1), tmp);
    let k = this.scaleResponses(I, W, H, f, 2);
    if (this.colour) {
      const ch = new Float32Array(N);
      for (const c of [1, 2]) {
        for (let p = 0; p < N; p++) ch[p] = lab[3 * p + c]! / 100;
        for (const sigma of this.scales) gaussianSmooth(ch, W, H, sigma, plane(k++), tmp);
      }
    }
    if (k !== F) throw new Error(`filter bank wrote ${k} planes, expected ${F}`);
    return f;
  }

  /**
   * The per-scale responses (Gaussian, gradient magnitude, LoG, Hessian and structure-tensor eigenvalues, DoG) of an
   * intensity plane `I`, written as planes of `f` from plane `first` on; returns the next free plane.
   */
  scaleResponses(I: Float32Array, W: number, H: number, f: Float32Array, first: number): number {
    const N = W * H;
    if (I.length !== N) throw new RangeError(`intensity plane length ${I.length} !== ${W}·${H}`);
    const tmp = new Float32Array(N);
    let k = first;
    const plane = (i: number) => f.subarray(i * N, (i + 1) * N);
    const S = new Float32Array(N);
    const gx = new Float32Array(N);
    const gy = new Float32Array(N);
    const jxx = new Float32Array(N);
    const jxy = new Float32Array(N);
    const jyy = new Float32Array(N);
    const sxx = new Float32Array(N);
    const sxy = new Float32Array(N);
    const syy = new Float32Array(N);
    const next = new Float32Array(N);
    const scales = this.scales;
    let dogPlane = -1;
    for (let si = 0; si < scales.length; si++) {
      const sigma = scales[si]!;
      if (si === 0) gaussianSmooth(I, W, H, sigma, S, tmp);
      else S.set(next);
      if (dogPlane >= 0) {
        const d = plane(dogPlane);
        for (let p = 0; p < N; p++) d[p] = d[p]! - S[p]!;
      }
      const g = plane(k++);
      const gm = plane(k++);
      const lg = plane(k++);
      const h1 = plane(k++);
      const h2 = plane(k++);
      const st1 = plane(k++);
      const st2 = plane(k++);
      g.set(S);
      const s1 = sigma;
      const s2 = sigma * sigma;
      for (let y = 0; y < H; y++) {
        const ym = (y > 0 ? y - 1 : H > 1 ? 0 : 0) * W;
        const yp = (y < H - 1 ? y + 1 : y) * W;
        const yo = y * W;
        for (let x = 0; x < W; x++) {
          const xm = x > 0 ? x - 1 : 0;
          const xp = x < W - 1 ? x + 1 : x;
          const c = S[yo + x]!;
          const dx = (S[yo + xp]! - S[yo + xm]!) / 2;
          const dy = (S[yp + x]! - S[ym + x]!) / 2;
          const dxx = S[yo + xp]! - 2 * c + S[yo + xm]!;
          const dyy = S[yp + x]! - 2 * c + S[ym + x]!;
          const dxy = (S[yp + xp]! - S[yp + xm]! - S[ym + xp]! + S[ym + xm]!) / 4;
          const p = yo + x;
          gx[p] = dx * s1;
          gy[p] = dy * s1;
          gm[p] = Math.sqrt(dx * dx + dy * dy) * s1;
          lg[p] = (dxx + dyy) * s2;
          const m = (dxx + dyy) / 2;
          const dd = Math.sqrt(((dxx - dyy) / 2) ** 2 + dxy * dxy);
          h1[p] = (m + dd) * s2;
          h2[p] = (m - dd) * s2;
          jxx[p] = gx[p]! * gx[p]!;
          jxy[p] = gx[p]! * gy[p]!;
          jyy[p] = gy[p]! * gy[p]!;
        }
      }
      gaussianSmooth(jxx, W, H, sigma, sxx, tmp);
      gaussianSmooth(jxy, W, H, sigma, sxy, tmp);
      gaussianSmooth(jyy, W, H, sigma, syy, tmp);
      for (let p = 0; p < N; p++) {
        const a = sxx[p]!;
        const b = sxy[p]!;
        const c = syy[p]!;
        const m = (a + c) / 2;
        const dd = Math.sqrt(((a - c) / 2) ** 2 + b * b);
        st1[p] = m + dd;
        st2[p] = m - dd;
      }
      if (si < scales.length - 1) {
        // the next scale's smoothing from this one's (Gaussians compose: σ'² = σ² + δ²)
        const delta = Math.sqrt(scales[si + 1]! ** 2 - sigma * sigma);
        gaussianSmooth(S, W, H, delta, next, tmp);
        dogPlane = k++;
        plane(dogPlane).set(S);
      } else dogPlane = -1;
    }
    return k;
  }
}
