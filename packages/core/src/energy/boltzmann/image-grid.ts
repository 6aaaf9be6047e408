/**
 * Pictures of RBMs: a grid of small greyscale images (RBM filters — one column of W per hidden unit — or
 * samples), laid out in rows with a padding line between tiles and written as a PNG with jimp.
 */
import { writePng, type GrayImage } from '../../data/png.js';
import type { Rbm } from './rbm.js';
import { checkRowMatrix, type RowMatrix } from './row-matrix.js';

/** Options of `imageGrid` / `writeImageGrid`. */
export interface ImageGridOptions {
  /** Width of one image in pixels (each row of the matrix is `height × width`, row-major). */
  width: number;
  /** Height of one image. */
  height: number;
  /** Tiles per grid row (default ⌈√count⌉). */
  columns?: number;
  /** Background pixels between tiles (default 1). */
  padding?: number;
  /** Each pixel drawn as scale × scale (default 1). */
  scale?: number;
  /**
   * How values map to grey: 'none' (default) clips [0, 1] to black…white; 'each' stretches each tile's own
   * min…max (for filters); 'global' stretches the whole set's min…max.
   */
  normalize?: 'none' | 'each' | 'global';
}

/** Lays the rows of `images` out as a grid (see `ImageGridOptions`). */
export function imageGrid(images: RowMatrix, options: ImageGridOptions): GrayImage {
  checkRowMatrix(images, 'imageGrid');
  const { width: w, height: h } = options;
  if (w * h !== images.cols) throw new RangeError(`imageGrid: ${w}×${h} = ${w * h} pixels per image, but rows have ${images.cols} values`);
  const n = images.rows;
  const cols = options.columns ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const pad = options.padding ?? 1;
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`imageGrid: scale must be a positive integer, got ${scale}`);
  const W = pad + cols * (w * scale + pad);
  const H = pad + rows * (h * scale + pad);
  const gray = new Uint8Array(W * H).fill(128);
  const norm = options.normalize ?? 'none';
  let gmin = 0;
  let gmax = 1;
  if (norm === 'global') {
    gmin = Infinity;
    gmax = -Infinity;
    for (const v of images.data) {
      if (v < gmin) gmin = v;
      if (v > gmax) gmax = v;
    }
  }
  for (let k = 0; k < n; k++) {
    const o = k * images.cols;
    let lo = gmin;
    let hi = gmax;
    if (norm === 'each') {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < images.cols; i++) {
        const v = images.data[o + i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const span = hi > lo ? hi - lo : 1;
    const x0 = pad + (k % cols) * (w * scale + pad);
    const y0 = pad + Math.floor(k / cols) * (h * scale + pad);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const t = (images.data[o + y * w + x]! - lo) / span;
        const g = Math.round(255 * (t < 0 ? 0 : t > 1 ? 1 : t));
        for (let dy = 0; dy < scale; dy++) {
          const row = (y0 + y * scale + dy) * W + x0 + x * scale;
          for (let dx = 0; dx < scale; dx++) gray[row + dx] = g;
        }
      }
    }
  }
  return { width: W, height: H, gray };
}

/** Writes the rows of `images` as a PNG grid to `path` (atomically). */
export async function writeImageGrid(path: string, images: RowMatrix, options: ImageGridOptions): Promise<void> {
  await writePng(path, imageGrid(images, options));
}

/** The filters of an RBM: row j holds column j of W (the weights into hidden unit j), the first `count` units. */
export function rbmFilters(rbm: Rbm, count = rbm.numHidden): RowMatrix {
  const n = Math.min(count, rbm.numHidden);
  const V = rbm.numVisible;
  const H = rbm.numHidden;
  const out = new Float32Array(n * V);
  for (let j = 0; j < n; j++) for (let i = 0; i < V; i++) out[j * V + i] = rbm.weights[i * H + j]!;
  return { rows: n, cols: V, data: out };
}
