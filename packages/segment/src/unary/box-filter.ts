/**
 * Box filters by summed-area tables: the mean of every channel over a (2r+1)² window around each pixel, clipped to
 * the image (divided by the number of pixels actually inside), in O(1) per pixel whatever the radius.
 */

/**
 * Means of `channels`-interleaved data over (2r+1)² windows: `out[p·channels + c]`. `stride`/`offset` let the input
 * and output be columns of wider interleaved arrays (out is written at `out[p·outStride + outOffset + c]`).
 */
export function boxMean(
  src: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  radius: number,
  out: Float32Array,
  layout: { srcStride?: number; srcOffset?: number; outStride?: number; outOffset?: number } = {},
): Float32Array {
  const srcStride = layout.srcStride ?? channels;
  const srcOffset = layout.srcOffset ?? 0;
  const outStride = layout.outStride ?? channels;
  const outOffset = layout.outOffset ?? 0;
  const W1 = width + 1;
  const sat = new Float64Array(W1 * (height + 1));
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      let row = 0;
      const o = (y + 1) * W1;
      const u = y * W1;
      for (let x = 0; x < width; x++) {
        row += src[(y * width + x) * srcStride + srcOffset + c]!;
        sat[o + x + 1] = sat[u + x + 1]! + row;
      }
    }
    for (let y = 0; y < height; y++) {
      const y0 = Math.max(0, y - radius);
      const y1 = Math.min(height, y + radius + 1);
      for (let x = 0; x < width; x++) {
        const x0 = Math.max(0, x - radius);
        const x1 = Math.min(width, x + radius + 1);
        const s = sat[y1 * W1 + x1]! - sat[y0 * W1 + x1]! - sat[y1 * W1 + x0]! + sat[y0 * W1 + x0]!;
        out[(y * width + x) * outStride + outOffset + c] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return out;
}
