/**
 * Writing pictures: one PNG encoder (`encodePngSamples`: scanlines compressed by node's zlib, 8- or 16-bit grey or
 * RGB) for the greyscale grids of the energy models, the RGB masks and overlays of segmentation and its 16-bit
 * probability maps; files are written atomically.
 */
import { crc32, deflateSync } from 'node:zlib';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { RgbImage } from './image-folders.js';

/** A greyscale picture: `gray[y * width + x]`, 0 = black. */
export interface GrayImage {
  width: number;
  height: number;
  gray: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * PNG bytes of raw samples: row-major pixels of `channels` samples (1 = grey, 3 = RGB), each `bitDepth / 8` bytes
 * (16-bit samples big-endian, as PNG stores them), fully opaque, no interlacing.
 */
export function encodePngSamples(width: number, height: number, channels: 1 | 3, bitDepth: 8 | 16, samples: Uint8Array): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) throw new RangeError(`invalid picture size ${width}×${height}`);
  const rowBytes = width * channels * (bitDepth / 8);
  if (samples.length !== rowBytes * height) {
    throw new RangeError(`encodePngSamples: ${samples.length} bytes for a ${width}×${height} picture of ${channels} × ${bitDepth}-bit samples`);
  }
  const raw = Buffer.alloc(height * (1 + rowBytes)); // each scanline: filter byte 0 (none), then its samples
  for (let y = 0; y < height; y++) raw.set(samples.subarray(y * rowBytes, (y + 1) * rowBytes), y * (1 + rowBytes) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = channels === 3 ? 2 : 0; // colour type: RGB or greyscale
  return new Uint8Array(Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw, { level: 6 })), pngChunk('IEND', Buffer.alloc(0))]));
}

/** Encodes a greyscale (`gray`) or interleaved RGB (`data`) picture as 8-bit PNG bytes, fully opaque. */
export async function encodePng(img: GrayImage | RgbImage): Promise<Uint8Array> {
  const n = img.width * img.height;
  const rgb = 'data' in img;
  const have = rgb ? img.data.length : img.gray.length;
  if (have !== (rgb ? 3 * n : n)) {
    throw new RangeError(`encodePng: ${have} values for a ${img.width}×${img.height} ${rgb ? 'RGB' : 'greyscale'} picture`);
  }
  return encodePngSamples(img.width, img.height, rgb ? 3 : 1, 8, rgb ? img.data : img.gray);
}

/** Writes a picture as a PNG file (atomically: a reader never sees half a file). */
export async function writePng(path: string, img: GrayImage | RgbImage): Promise<void> {
  await writeFileAtomic(path, await encodePng(img));
}
