/**
 * Resampling of images and label maps. Downscaling averages over the source area each target pixel covers (so a
 * 4000×3000 photograph shrinks without aliasing, in one pass and O(target) extra memory); upscaling interpolates
 * bilinearly. Label maps are resampled by nearest neighbour (they have no in-between values).
 */
import type { RgbImage } from '@ebmkit/core';

/** The size a `width × height` image takes when its longer side is scaled to at most `maxSide` (never enlarged). */
export function fitSize(width: number, height: number, maxSide: number | undefined): { width: number; height: number } {
  if (maxSide === undefined || Math.max(width, height) <= maxSide) return { width, height };
  const s = maxSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/**
 * Resamples `channels`-interleaved float data from w×h to tw×th: area averaging along an axis that shrinks,
 * bilinear interpolation (pixel centres aligned) along one that grows.
 */
export function resampleChannels(
  src: ArrayLike<number>,
  w: number,
  h: number,
  channels: number,
  tw: number,
  th: number,
  out = new Float32Array(tw * th * channels),
): Float32Array {
  if (src.length !== w * h * channels) throw new RangeError(`source length ${src.length} !== ${w}·${h}·${channels}`);
  // separable: rows first (w → tw), then columns (h → th); one intermediate of th'·tw where we process row by row
  const wx = axisWeights(w, tw);
  const wy = axisWeights(h, th);
  const tmp = new Float64Array(tw * channels);
  const acc = new Float64Array(tw * th * channels);
  for (let y = 0; y < h; y++) {
    // horizontal pass for row y
    tmp.fill(0);
    const row = y * w * channels;
    for (let t = 0; t < tw; t++) {
      const a = wx.start[t]!;
      const b = wx.start[t + 1]!;
      for (let k = a; k < b; k++) {
        const sx = wx.index[k]!;
        const wt = wx.weight[k]!;
        for (let c = 0; c < channels; c++) tmp[t * channels + c] += wt * src[row + sx * channels + c]!;
      }
    }
    // scatter row y into the target rows that use it
    const ys = wy.byTarget;
    for (let k = wy.firstUse[y]!; k < wy.firstUse[y + 1]!; k++) {
      const ty = ys[k]!;
      const wt = wy.weightBySource[k]!;
      const o = ty * tw * channels;
      for (let i = 0; i < tw * channels; i++) acc[o + i] += wt * tmp[i]!;
    }
  }
  for (let i = 0; i < acc.length; i++) out[i] = acc[i]!;
  return out;
}

interface AxisWeights {
  /** For target t: entries start[t] … start[t+1]−1 of index/weight. */
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
  /** Transposed: for source s: entries firstUse[s] … firstUse[s+1]−1 of byTarget/weightBySource. */
  firstUse: Int32Array;
  byTarget: Int32Array;
  weightBySource: Float64Array;
}

/** Sparse resampling weights of one axis (area average when shrinking, linear interpolation when growing). */
function axisWeights(n: number, m: number): AxisWeights {
  const idx: number[] = [];
  const wts: number[] = [];
  const start = new Int32Array(m + 1);
  const scale = n / m;
  for (let t = 0; t < m; t++) {
    start[t] = idx.length;
    if (scale >= 1) {
      const a = t * scale;
      const b = (t + 1) * scale;
      for (let s = Math.floor(a); s < Math.min(n, Math.ceil(b)); s++) {
        const ov = Math.min(b, s + 1) - Math.max(a, s);
        if (ov > 0) {
          idx.push(s);
          wts.push(ov / scale);
        }
      }
    } else {
      const c = (t + 0.5) * scale - 0.5;
      const s0 = Math.max(0, Math.min(n - 1, Math.floor(c)));
      const s1 = Math.min(n - 1, s0 + 1);
      const fr = Math.max(0, Math.min(1, c - s0));
      if (s1 === s0 || fr === 0) {
        idx.push(s0);
        wts.push(1);
      } else {
        idx.push(s0, s1);
        wts.push(1 - fr, fr);
      }
    }
  }
  start[m] = idx.length;
  const index = Int32Array.from(idx);
  const weight = Float64Array.from(wts);
  // transpose
  const count = new Int32Array(n + 1);
  for (const s of index) count[s + 1]++;
  for (let s = 0; s < n; s++) count[s + 1] += count[s]!;
  const firstUse = count.slice();
  const fill = count.slice();
  const byTarget = new Int32Array(index.length);
  const weightBySource = new Float64Array(index.length);
  for (let t = 0; t < m; t++) {
    for (let k = start[t]!; k < start[t + 1]!; k++) {
      const s = index[k]!;
      byTarget[fill[s]!] = t;
      weightBySource[fill[s]!++] = weight[k]!;
    }
  }
  return { start, index, weight, firstUse, byTarget, weightBySource };
}

/** Resizes an RGB image (area average down, bilinear up); returns the image itself when the size is unchanged. */
export function resizeRgb(img: RgbImage, width: number, height: number): RgbImage {
  if (img.width === width && img.height === height) return img;
  const f = resampleChannels(img.data, img.width, img.height, 3, width, height);
  const data = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(f[i]!)));
  return { width, height, data };
}

/** Resizes a label map by nearest neighbour (pixel centres aligned). */
export function resizeLabels(labels: Uint8Array, w: number, h: number, tw: number, th: number): Uint8Array {
  if (labels.length !== w * h) throw new RangeError(`labels length ${labels.length} !== ${w}·${h}`);
  if (w === tw && h === th) return labels.slice();
  const out = new Uint8Array(tw * th);
  const xs = new Int32Array(tw);
  for (let x = 0; x < tw; x++) xs[x] = Math.min(w - 1, Math.floor(((x + 0.5) * w) / tw));
  for (let y = 0; y < th; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / th));
    for (let x = 0; x < tw; x++) out[y * tw + x] = labels[sy * w + xs[x]!]!;
  }
  return out;
}

/**
 * Upscales (or downscales) a label map smoothly: each label's indicator is resampled and every target pixel takes
 * the label with the largest value, so boundaries come out as smooth curves instead of blocky steps.
 */
export function resizeLabelsSmooth(labels: Uint8Array, w: number, h: number, K: number, tw: number, th: number): Uint8Array {
  if (w === tw && h === th) return labels.slice();
  if (K > 16) return resizeLabels(labels, w, h, tw, th);
  const onehot = new Float32Array(w * h * K);
  for (let p = 0; p < w * h; p++) {
    const l = labels[p]!;
    if (l < K) onehot[p * K + l] = 1;
  }
  const r = resampleChannels(onehot, w, h, K, tw, th);
  const out = new Uint8Array(tw * th);
  for (let p = 0; p < tw * th; p++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (r[p * K + k]! > r[p * K + best]!) best = k;
    out[p] = best;
  }
  return out;
}
