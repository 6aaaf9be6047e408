// Shared helpers for the segmentation tests: random grid energies and brute-force enumeration.
import type { Rng } from '@ebmkit/core';
import { gridDirections, gridEnergy, type Connectivity, type GridEnergy } from '@ebmkit/segment';

/** A random grid energy with unaries in [−2, 2) and edge weights in [0, maxWeight). */
export function randomGridEnergy(
  rng: Rng,
  width: number,
  height: number,
  K: number,
  connectivity: Connectivity,
  opts: { maxWeight?: number; compatibility?: Float64Array } = {},
): GridEnergy {
  const N = width * height;
  const D = gridDirections(connectivity).length;
  const unary = new Float64Array(N * K);
  for (let i = 0; i < unary.length; i++) unary[i] = 4 * rng.uniform() - 2;
  const edgeWeights = new Float64Array(D * N);
  const dirs = gridDirections(connectivity);
  const maxW = opts.maxWeight ?? 2;
  for (let d = 0; d < D; d++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const nx = x + dirs[d]!.dx;
        const ny = y + dirs[d]!.dy;
        if (nx >= 0 && nx < width && ny < height) edgeWeights[d * N + y * width + x] = maxW * rng.uniform();
      }
    }
  }
  return { width, height, numLabels: K, connectivity, unary, edgeWeights, ...(opts.compatibility ? { compatibility: opts.compatibility } : {}) };
}

/** Every labelling of N pixels with K labels, in lexicographic order, with its energy. */
export function bruteForceGrid(e: GridEnergy): { best: Uint8Array; minEnergy: number; energies: Float64Array; logZ: number } {
  const N = e.width * e.height;
  const K = e.numLabels;
  const total = K ** N;
  const y = new Uint8Array(N);
  const energies = new Float64Array(total);
  let best = new Uint8Array(N);
  let minEnergy = Infinity;
  for (let i = 0; i < total; i++) {
    let r = i;
    for (let p = N - 1; p >= 0; p--) {
      y[p] = r % K;
      r = Math.floor(r / K);
    }
    const en = gridEnergy(e, y);
    energies[i] = en;
    if (en < minEnergy) {
      minEnergy = en;
      best = y.slice();
    }
  }
  let z = 0;
  for (const en of energies) z += Math.exp(-(en - minEnergy));
  return { best, minEnergy, energies, logZ: Math.log(z) - minEnergy };
}

/** Index of a labelling in bruteForceGrid's order. */
export function labellingIndex(y: ArrayLike<number>, K: number): number {
  let i = 0;
  for (let p = 0; p < y.length; p++) i = i * K + y[p]!;
  return i;
}

/** A noisy picture of a coloured ellipse on a textured background, with its mask (1 inside). */
export function syntheticExample(rng: Rng, width: number, height: number, noise = 30): { image: { width: number; height: number; data: Uint8Array }; labels: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  const labels = new Uint8Array(width * height);
  const cx = width * (0.35 + 0.3 * rng.uniform());
  const cy = height * (0.35 + 0.3 * rng.uniform());
  const rx = width * (0.15 + 0.15 * rng.uniform());
  const ry = height * (0.15 + 0.15 * rng.uniform());
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1;
      labels[p] = inside ? 1 : 0;
      const base = inside ? [170, 110, 60] : (x >> 2) % 2 === (y >> 2) % 2 ? [60, 120, 70] : [90, 140, 90];
      for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + noise * rng.normal())));
    }
  }
  return { image: { width, height, data }, labels };
}
