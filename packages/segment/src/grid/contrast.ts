/**
 * Edge features of the pairwise term: for every grid edge (p, q), a constant 1/‖p − q‖ (Potts) and the
 * contrast-sensitive exp(−β‖x_p − x_q‖²)/‖p − q‖ with β = 1 / (2·⟨‖x_p − x_q‖²⟩) averaged over the image's edges
 * (Boykov & Jolly 2001; Rother et al. 2004), so that similar neighbours are cheap to keep together and strong
 * edges are cheap to cut. Layout `[d·N + p]` as in `GridEnergy.edgeWeights`; zero where an edge leaves the image.
 */
import { gridDirections, type Connectivity, gridEdgeSpans } from './grid.js';

/** Per-edge features of one image. */
export interface EdgeFeatures {
  readonly width: number;
  readonly height: number;
  readonly connectivity: Connectivity;
  /** β used for the contrast term. */
  readonly beta: number;
  /** 1/‖p − q‖ on every edge. */
  readonly constant: Float64Array;
  /** exp(−β‖x_p − x_q‖²)/‖p − q‖ on every edge. */
  readonly contrast: Float64Array;
}

/**
 * Computes the edge features of an image with `channels`-interleaved colours (`colors[p·channels + c]`, any scale:
 * β adapts). `beta` overrides the image-derived β.
 */
export function edgeFeatures(
  colors: ArrayLike<number>,
  width: number,
  height: number,
  connectivity: Connectivity,
  options: { channels?: number; beta?: number } = {},
): EdgeFeatures {
  const ch = options.channels ?? 3;
  const N = width * height;
  if (colors.length !== N * ch) throw new RangeError(`colors length ${colors.length} !== ${width}·${height}·${ch}`);
  const dirs = gridDirections(connectivity);
  const D = dirs.length;
  const constant = new Float64Array(D * N);
  const contrast = new Float64Array(D * N);
  let sum = 0;
  let count = 0;
  for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(connectivity, width, height)) {
    for (let y = 0; y < yEnd; y++) {
      for (let x = x0; x < x1; x++) {
        const p = y * width + x;
        const q = p + off;
        let s = 0;
        for (let c = 0; c < ch; c++) {
          const t = colors[p * ch + c]! - colors[q * ch + c]!;
          s += t * t;
        }
        contrast[d * N + p] = s; // squared difference for now
        constant[d * N + p] = 1 / dirs[d]!.length;
        sum += s;
        count++;
      }
    }
  }
  const mean = count > 0 ? sum / count : 0;
  const beta = options.beta ?? (mean > 0 ? 1 / (2 * mean) : 0);
  for (let i = 0; i < D * N; i++) {
    const c = constant[i]!;
    if (c !== 0) contrast[i] = Math.exp(-beta * contrast[i]!) * c;
  }
  return { width, height, connectivity, beta, constant, contrast };
}
