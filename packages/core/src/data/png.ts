/**
 * Writing pictures: one PNG encoder (jimp) for the greyscale grids of the energy models and the RGB masks and
 * overlays of segmentation; files are written atomically.
 */
import { writeFileAtomic } from '../io/atomic-write.js';
import type { RgbImage } from './image-folders.js';

/** A greyscale picture: `gray[y * width + x]`, 0 = black. */
export interface GrayImage {
  width: number;
  height: number;
  gray: Uint8Array;
}

/** Encodes a greyscale (`gray`) or interleaved RGB (`data`) picture as PNG bytes, fully opaque. */
export async function encodePng(img: GrayImage | RgbImage): Promise<Uint8Array> {
  const n = img.width * img.height;
  const rgb = 'data' in img;
  const have = rgb ? img.data.length : img.gray.length;
  if (have !== (rgb ? 3 * n : n)) {
    throw new RangeError(`encodePng: ${have} values for a ${img.width}×${img.height} ${rgb ? 'RGB' : 'greyscale'} picture`);
  }
  const { Jimp } = await import('jimp');
  const j = new Jimp({ width: img.width, height: img.height, color: 0x000000ff });
  const d = j.bitmap.data;
  for (let p = 0; p < n; p++) {
    if (rgb) {
      d[4 * p] = img.data[3 * p]!;
      d[4 * p + 1] = img.data[3 * p + 1]!;
      d[4 * p + 2] = img.data[3 * p + 2]!;
    } else {
      const g = img.gray[p]!;
      d[4 * p] = g;
      d[4 * p + 1] = g;
      d[4 * p + 2] = g;
    }
    d[4 * p + 3] = 255;
  }
  return new Uint8Array(await j.getBuffer('image/png'));
}

/** Writes a picture as a PNG file (atomically: a reader never sees half a file). */
export async function writePng(path: string, img: GrayImage | RgbImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(img));
}
