/**
 * Images and segmentation masks from folders (decoded with jimp, loaded lazily): pairing an image folder with a
 * mask folder by basename, and decoding one image to interleaved RGB or one mask to 0/1.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fsErrorWords, isErrnoError } from '../io/fs-errors.js';
import { extname, join } from 'node:path';
import { DataError } from './data-error.js';

/** File extensions taken as images (compared case-insensitively). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.bmp'];

/** One image with its mask. */
export interface ImageMaskPair {
  /** The shared basename (file name without extension). */
  name: string;
  image: string;
  mask: string;
}

/** An 8-bit RGB image: `data[(y * width + x) * 3 + channel]`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A binary mask: `data[y * width + x]` is 1 (foreground) or 0. */
export interface BinaryMask {
  width: number;
  height: number;
  data: Uint8Array;
}

const MAX_LISTED = 5;

function listSome(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}

/** Image files of a folder by basename; non-image files, hidden files and sub-folders are ignored. */
async function imagesByBasename(dir: string): Promise<Map<string, string>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new DataError(dir, undefined, 'no such folder');
    if (err.code === 'ENOTDIR') throw new DataError(dir, undefined, 'is a file, expected a folder of images');
    if (isErrnoError(e)) throw new DataError(dir, undefined, fsErrorWords(e));
    throw e;
  }
  const byName = new Map<string, string>();
  const files = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  for (const file of files) {
    const ext = extname(file);
    if (!IMAGE_EXTENSIONS.includes(ext.toLowerCase())) continue;
    const base = file.slice(0, -ext.length);
    const other = byName.get(base);
    if (other !== undefined) {
      throw new DataError(join(dir, file), undefined, `duplicate basename "${base}": ${join(dir, other)} has it too (which one is meant?)`);
    }
    byName.set(base, file);
  }
  if (byName.size === 0) throw new DataError(dir, undefined, `no images (expected files ending in ${IMAGE_EXTENSIONS.join(', ')})`);
  return byName;
}

/**
 * The image files of a folder (png/jpg/jpeg/bmp in any case) as `{name: basename, path}`, sorted by name.
 * Throws `DataError` for a missing folder, a duplicate basename or a folder without images.
 */
export async function listImages(dir: string): Promise<{ name: string; path: string }[]> {
  const byName = await imagesByBasename(dir);
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, file]) => ({ name, path: join(dir, file) }));
}

/**
 * Pairs every image in `imagesDir` with the mask of the same basename in `masksDir` (extensions png/jpg/jpeg/bmp in
 * any case, and may differ between the two). Returns the pairs sorted by name. Throws `DataError` naming the file(s)
 * without a partner — in either direction — a duplicate basename within a folder, or an empty folder.
 */
export async function pairImageMaskFolders(imagesDir: string, masksDir: string): Promise<ImageMaskPair[]> {
  const images = await imagesByBasename(imagesDir);
  const masks = await imagesByBasename(masksDir);
  const noMask = [...images.keys()].filter((b) => !masks.has(b)).map((b) => join(imagesDir, images.get(b)!));
  if (noMask.length > 0) {
    throw new DataError(noMask[0]!, undefined, `no mask with the same basename in ${masksDir}${noMask.length > 1 ? ` (nor for ${listSome(noMask.slice(1))})` : ''}`);
  }
  const noImage = [...masks.keys()].filter((b) => !images.has(b)).map((b) => join(masksDir, masks.get(b)!));
  if (noImage.length > 0) {
    throw new DataError(noImage[0]!, undefined, `no image with the same basename in ${imagesDir}${noImage.length > 1 ? ` (nor for ${listSome(noImage.slice(1))})` : ''}`);
  }
  return [...images.keys()].sort().map((name) => ({ name, image: join(imagesDir, images.get(name)!), mask: join(masksDir, masks.get(name)!) }));
}

/** Decodes an image file to RGBA with jimp; any failure becomes a `DataError` naming the file. */
async function decodeRgba(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if (isErrnoError(e)) throw new DataError(path, undefined, fsErrorWords(e));
    throw e;
  }
  const { Jimp } = await import('jimp');
  try {
    const img = await Jimp.read(bytes);
    const { width, height, data } = img.bitmap;
    if (width < 1 || height < 1 || data.length < width * height * 4) throw new Error(`decoded ${width}×${height} with ${data.length} bytes`);
    return { width, height, data };
  } catch (e) {
    throw new DataError(path, undefined, `cannot decode the image (corrupt, truncated or not png/jpeg/bmp): ${(e as Error).message}`);
  }
}

/** Loads an image as 8-bit interleaved RGB (alpha dropped). Throws `DataError` naming the file if it cannot be decoded. */
export async function loadImage(path: string): Promise<RgbImage> {
  const { width, height, data } = await decodeRgba(path);
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i * 3] = data[j]!;
    out[i * 3 + 1] = data[j + 1]!;
    out[i * 3 + 2] = data[j + 2]!;
  }
  return { width, height, data: out };
}

/**
 * Loads a mask as 0/1: a pixel is foreground when max(R, G, B) · A / 255 ≥ `threshold` (default 128), so grey,
 * coloured-on-black and alpha masks all work (JPEG masks need the threshold: their edges are not pure black/white).
 */
export async function loadMask(path: string, options: { threshold?: number } = {}): Promise<BinaryMask> {
  const threshold = options.threshold ?? 128;
  if (!(threshold > 0 && threshold <= 255)) throw new RangeError(`loadMask: threshold must be in (0, 255], got ${threshold}`);
  const { width, height, data } = await decodeRgba(path);
  const n = width * height;
  const out = new Uint8Array(n);
  const t255 = threshold * 255;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const r = data[j]!;
    const g = data[j + 1]!;
    const b = data[j + 2]!;
    const m = r > g ? (r > b ? r : b) : g > b ? g : b;
    out[i] = m * data[j + 3]! >= t255 ? 1 : 0;
  }
  return { width, height, data: out };
}
