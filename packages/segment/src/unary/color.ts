/**
 * Colour conversion: 8-bit sRGB to CIE L*a*b* (D65 white), the perceptually more uniform space the pixel features
 * and the contrast weights work in.
 */

const LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LINEAR[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function f(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116;
}

/**
 * Converts interleaved 8-bit RGB (`rgb[p·3 + c]`) to interleaved L*a*b* (L in [0, 100], a and b roughly in
 * [−128, 127]); writes into `out` when given.
 */
export function rgbToLab(rgb: Uint8Array, out = new Float32Array(rgb.length)): Float32Array {
  if (rgb.length % 3 !== 0) throw new RangeError(`rgb length ${rgb.length} is not a multiple of 3`);
  if (out.length !== rgb.length) throw new RangeError(`out length ${out.length} !== rgb length ${rgb.length}`);
  const n = rgb.length / 3;
  for (let p = 0; p < n; p++) {
    const r = LINEAR[rgb[3 * p]!]!;
    const g = LINEAR[rgb[3 * p + 1]!]!;
    const b = LINEAR[rgb[3 * p + 2]!]!;
    const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
    const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
    const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
    const fx = f(x);
    const fy = f(y);
    const fz = f(z);
    out[3 * p] = 116 * fy - 16;
    out[3 * p + 1] = 500 * (fx - fy);
    out[3 * p + 2] = 200 * (fy - fz);
  }
  return out;
}
