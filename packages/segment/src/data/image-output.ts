/**
 * Writing segmentations as pictures: label maps as PNG masks (binary: black/white; several classes: each class in
 * its colour) and overlays a person can look at (the image with each class tinted and the boundaries drawn).
 * Files are written with core's `writePng` (jimp, atomic).
 */
import { encodePngSamples, type RgbImage } from '@ebmkit/core';
import { boundaryMap } from './metrics.js';

/** The mask picture of a label map: class k drawn in `colors[k]` (0xRRGGBB). */
export function maskImage(labels: Uint8Array, width: number, height: number, colors: readonly number[]): RgbImage {
  if (labels.length !== width * height) throw new RangeError(`labels length ${labels.length} !== ${width}·${height}`);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < labels.length; p++) {
    const c = colors[labels[p]!] ?? 0x808080;
    data[3 * p] = (c >> 16) & 255;
    data[3 * p + 1] = (c >> 8) & 255;
    data[3 * p + 2] = c & 255;
  }
  return { width, height, data };
}

/**
 * An overlay: every non-background pixel (label ≠ 0) tinted towards its class colour by `alpha` (default 0.45;
 * white classes are tinted red so they show), and the boundaries between labels drawn in yellow.
 */
export function overlayImage(img: RgbImage, labels: Uint8Array, colors: readonly number[], alpha = 0.45): RgbImage {
  const { width, height } = img;
  if (labels.length !== width * height) throw new RangeError(`labels are ${labels.length} pixels, the image ${width}×${height}`);
  const data = Uint8Array.from(img.data);
  const edge = boundaryMap(labels, width, height);
  for (let p = 0; p < labels.length; p++) {
    if (edge[p]) {
      data[3 * p] = 255;
      data[3 * p + 1] = 230;
      data[3 * p + 2] = 0;
      continue;
    }
    const l = labels[p]!;
    if (l === 0) continue;
    let c = colors[l] ?? 0xff0000;
    if (c === 0xffffff || c === 0) c = 0xff2020;
    const rgb = [(c >> 16) & 255, (c >> 8) & 255, c & 255];
    for (let k = 0; k < 3; k++) data[3 * p + k] = Math.round((1 - alpha) * data[3 * p + k]! + alpha * rgb[k]!);
  }
  return { width, height, data };
}

/**
 * PNG bytes of a 16-bit greyscale picture of values in [0, 1] (`values[p·stride + offset]`, clamped, rounded to
 * 0…65535) — the foreground marginals `ebm segment predict --probabilities` writes (core's PNG encoder, 16-bit samples).
 */
export function encodeGrey16Png(values: ArrayLike<number>, width: number, height: number, stride = 1, offset = 0): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) throw new RangeError(`invalid picture size ${width}×${height}`);
  if (values.length < (width * height - 1) * stride + offset + 1) throw new RangeError(`${values.length} values for a ${width}×${height} picture (stride ${stride})`);
  const samples = Buffer.alloc(2 * width * height);
  for (let p = 0; p < width * height; p++) {
    const v = Number(values[p * stride + offset]);
    samples.writeUInt16BE(Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 65535), 2 * p);
  }
  return encodePngSamples(width, height, 1, 16, samples);
}
