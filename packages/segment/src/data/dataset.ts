/**
 * Segmentation data from image folders: images and masks paired by basename (core's `pairImageMaskFolders`),
 * masks read as label maps (binary or palette, with an ignore value), a documented rule for images whose size
 * differs from their mask's, and down-scaling to a working size so memory stays bounded whatever the photographs'
 * resolution (a 4000 × 3000 image is decoded once and immediately shrunk; only the small copy is kept).
 *
 * Size rule: `resize` (default) resamples the image to its mask's size (masks are the ground truth, e.g. the
 * Weizmann horses whose colour images are larger than their masks); `refuse` throws a DataError naming both files.
 */
import { DataError, createRng, listImages, loadImage, pairImageMaskFolders, type RgbImage } from '@ebmkit/core';
import { IGNORE_LABEL } from '../grid/labels.js';
import { loadLabelMap, type MaskFormat } from './masks.js';
import { fitSize, resizeLabels, resizeRgb } from './resize.js';

/** What to do when an image and its mask differ in size. */
export type SizeRule = 'resize' | 'refuse';

/** Options of `loadSegmentationFolder`. */
export interface FolderOptions {
  /** How masks become labels (default binary, threshold 128). */
  mask?: MaskFormat;
  /** Default 'resize' (image resampled to the mask's size). */
  sizeRule?: SizeRule;
  /** Longer side of the working resolution (images and labels are shrunk to it; never enlarged). */
  maxSide?: number;
  /**
   * Folder of region-of-interest masks with the images' basenames: pixels where the mask is dark (max(R,G,B) < 128)
   * carry no label (IGNORE_LABEL), e.g. DRIVE's field-of-view masks.
   */
  ignoreMasks?: string;
  /** Called after each pair is loaded with (done, total, name). */
  onProgress?: (done: number, total: number, name: string) => void;
}

/** One training/evaluation example at working resolution. */
export interface SegmentationExample {
  readonly name: string;
  readonly imagePath: string;
  readonly maskPath: string;
  /** The image at working resolution. */
  readonly image: RgbImage;
  /** Labels at working resolution (IGNORE_LABEL where ignored). */
  readonly labels: Uint8Array;
  /** The mask's own size (the resolution evaluation is done at). */
  readonly maskWidth: number;
  readonly maskHeight: number;
}

/** Loads one image (resized to `width × height` when given), shrunk to fit `maxSide`. */
export async function loadWorkingImage(path: string, maxSide: number | undefined, target?: { width: number; height: number }): Promise<{ image: RgbImage; width: number; height: number }> {
  let img = await loadImage(path);
  const width = img.width;
  const height = img.height;
  const base = target ?? { width, height };
  const work = fitSize(base.width, base.height, maxSide);
  img = resizeRgb(img, work.width, work.height);
  return { image: img, width, height };
}

/** Loads every image/mask pair of two folders. */
export async function loadSegmentationFolder(imagesDir: string, masksDir: string, options: FolderOptions = {}): Promise<SegmentationExample[]> {
  const pairs = await pairImageMaskFolders(imagesDir, masksDir);
  const format: MaskFormat = options.mask ?? { kind: 'binary' };
  const rule = options.sizeRule ?? 'resize';
  if (rule !== 'resize' && rule !== 'refuse') throw new RangeError(`sizeRule must be 'resize' or 'refuse', got ${JSON.stringify(rule)}`);
  if (options.maxSide !== undefined && !(Number.isInteger(options.maxSide) && options.maxSide >= 1)) throw new RangeError(`maxSide must be a positive integer, got ${options.maxSide}`);
  const rois = options.ignoreMasks !== undefined ? await ignoreMaskPaths(options.ignoreMasks, pairs) : undefined;
  const out: SegmentationExample[] = [];
  for (const [i, pair] of pairs.entries()) {
    out.push(await loadExample(pair.name, pair.image, pair.mask, format, rule, options.maxSide, rois?.[i]));
    options.onProgress?.(out.length, pairs.length, pair.name);
  }
  return out;
}

/** Loads one pair (see `loadSegmentationFolder`). */
export async function loadExample(name: string, imagePath: string, maskPath: string, format: MaskFormat, rule: SizeRule, maxSide: number | undefined, ignoreMaskPath?: string): Promise<SegmentationExample> {
  const mask = await loadLabelMap(maskPath, format);
  if (ignoreMaskPath !== undefined) await applyIgnoreMask(mask.labels, mask.width, mask.height, ignoreMaskPath);
  const { image, width, height } = await loadWorkingImage(imagePath, maxSide, { width: mask.width, height: mask.height });
  if ((width !== mask.width || height !== mask.height) && rule === 'refuse') {
    throw new DataError(imagePath, undefined, `image is ${width}×${height} but its mask ${maskPath} is ${mask.width}×${mask.height} (size rule 'refuse'; use 'resize' to resample the image to the mask)`);
  }
  const labels = resizeLabels(mask.labels, mask.width, mask.height, image.width, image.height);
  return { name, imagePath, maskPath, image, labels, maskWidth: mask.width, maskHeight: mask.height };
}

/**
 * The region-of-interest mask of each pair, found by basename in `dir` (any image extension); a DataError naming
 * the folder and the pair when one is missing.
 */
export async function ignoreMaskPaths(dir: string, pairs: readonly { name: string }[]): Promise<string[]> {
  const files = new Map((await listImages(dir)).map((f) => [f.name, f.path] as const));
  return pairs.map((p) => {
    const f = files.get(p.name);
    if (f === undefined) throw new DataError(dir, undefined, `no ignore mask named ${p.name}.* (every image needs one, with the same basename)`);
    return f;
  });
}

/**
 * Sets IGNORE_LABEL wherever the region-of-interest mask at `path` is dark (max(R,G,B) < 128); the mask must have the
 * label map's size.
 */
export async function applyIgnoreMask(labels: Uint8Array, width: number, height: number, path: string): Promise<Uint8Array> {
  const roi = await loadImage(path);
  if (roi.width !== width || roi.height !== height) throw new DataError(path, undefined, `ignore mask is ${roi.width}×${roi.height}, its label mask ${width}×${height}`);
  const d = roi.data;
  for (let p = 0; p < labels.length; p++) if (Math.max(d[3 * p]!, d[3 * p + 1]!, d[3 * p + 2]!) < 128) labels[p] = IGNORE_LABEL;
  return labels;
}

/** The image files of a folder, sorted by name (for prediction, where there are no masks); core's loader. */
export { listImages } from '@ebmkit/core';

/**
 * Splits items into training and validation parts: a seeded shuffle, then the first ⌈fraction·n⌉ go to validation
 * (at least one when fraction > 0 and n ≥ 2; none when fraction is 0).
 */
export function splitValidation<T>(items: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const idx = Array.from({ length: items.length }, (_, i) => i);
  createRng(seed).shuffle(idx);
  let nv = Math.ceil(fraction * items.length);
  if (fraction > 0 && nv === 0 && items.length >= 2) nv = 1;
  if (nv >= items.length) nv = items.length - 1;
  const v = new Set(idx.slice(0, Math.max(0, nv)));
  return { train: items.filter((_, i) => !v.has(i)), validation: items.filter((_, i) => v.has(i)) };
}

/** What `autoWorkingSide` measured and chose. */
export interface WorkingSizeChoice {
  /** Longer side of the working resolution (the masks' own when no shrinking is safe). */
  maxSide: number;
  /** Longer side of the (largest) mask. */
  fullSide: number;
  /** 10th percentile of the structure thickness (pixels, at mask resolution) over non-background pixels. */
  thickness: number;
}

/**
 * Chooses the working resolution from label maps at their own resolution: the thickness of a labelled pixel is the
 * shorter of its horizontal and vertical runs of the same class; over the pixels of every class but the most
 * frequent (the background), the 10th percentile of thickness says how thin the thin structures are. Images are
 * shrunk only as far as keeps those structures `minThickness` (default 4) pixels thick, and never below
 * `minSide` (default 96) or above `maxSide` (default 1024) on their longer side.
 */
export function autoWorkingSide(masks: readonly { labels: Uint8Array; width: number; height: number }[], options: { minThickness?: number; minSide?: number; maxSide?: number } = {}): WorkingSizeChoice {
  if (masks.length === 0) throw new RangeError('autoWorkingSide: no masks');
  const minT = options.minThickness ?? 4;
  const minSide = options.minSide ?? 96;
  const cap = options.maxSide ?? 1024;
  const hist = new Float64Array(4097);
  const freq = new Map<number, number>();
  for (const m of masks) for (let p = 0; p < m.labels.length; p++) if (m.labels[p] !== IGNORE_LABEL) freq.set(m.labels[p]!, (freq.get(m.labels[p]!) ?? 0) + 1);
  let background = -1;
  let most = -1;
  for (const [k, c] of freq) if (c > most) [background, most] = [k, c];
  let fullSide = 0;
  for (const { labels, width: W, height: H } of masks) {
    fullSide = Math.max(fullSide, W, H);
    const hrun = new Uint16Array(W * H);
    for (let y = 0; y < H; y++) {
      let x = 0;
      while (x < W) {
        const v = labels[y * W + x]!;
        let e = x + 1;
        while (e < W && labels[y * W + e] === v) e++;
        for (let i = x; i < e; i++) hrun[y * W + i] = Math.min(4096, e - x);
        x = e;
      }
    }
    for (let x = 0; x < W; x++) {
      let y = 0;
      while (y < H) {
        const v = labels[y * W + x]!;
        let e = y + 1;
        while (e < H && labels[e * W + x] === v) e++;
        if (v !== background && v !== IGNORE_LABEL) for (let i = y; i < e; i++) hist[Math.min(4096, hrun[i * W + x]!, e - y)]++;
        y = e;
      }
    }
  }
  let total = 0;
  for (const c of hist) total += c;
  let thickness = Infinity;
  if (total > 0) {
    let acc = 0;
    for (let t = 0; t < hist.length; t++) {
      acc += hist[t]!;
      if (acc >= 0.1 * total) {
        thickness = t;
        break;
      }
    }
  }
  // the smallest scale that keeps the thin structures minT pixels thick (1: no shrinking)
  const scale = Math.min(1, minT / thickness);
  const side = Math.min(fullSide, Math.max(Math.min(minSide, fullSide), Math.min(cap, Math.round(fullSide * scale))));
  return { maxSide: side, fullSide, thickness };
}
