/**
 * k-means clustering of points in a flat array (`points[i·dim + j]`): k-means++ seeding from an injected `Rng`,
 * then Lloyd iterations. Used for the colour/texture codebook of the pixel features and to start the colour
 * mixtures of the interactive mode.
 */
import type { Rng } from '@ebmkit/core';

/** Centres `[c·dim + j]`, the assignment of each point, and the mean squared distance to the nearest centre. */
export interface KMeansResult {
  centers: Float64Array;
  assignment: Int32Array;
  meanSquaredDistance: number;
}

/** Index of the nearest centre to point i, and its squared distance. */
export function nearestCenter(points: ArrayLike<number>, i: number, centers: Float64Array, k: number, dim: number): [number, number] {
  let best = 0;
  let bd = Infinity;
  for (let c = 0; c < k; c++) {
    let d = 0;
    for (let j = 0; j < dim; j++) {
      const t = points[i * dim + j]! - centers[c * dim + j]!;
      d += t * t;
    }
    if (d < bd) {
      bd = d;
      best = c;
    }
  }
  return [best, bd];
}

/** Clusters n = points.length/dim points into k groups (k is lowered to n when there are fewer points). */
export function kMeans(points: ArrayLike<number>, dim: number, k: number, rng: Rng, options: { iterations?: number } = {}): KMeansResult {
  const n = Math.floor(points.length / dim);
  if (n === 0) throw new RangeError('kMeans: no points');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kMeans: k must be a positive integer, got ${k}`);
  const kk = Math.min(k, n);
  const centers = new Float64Array(k * dim);
  const d2 = new Float64Array(n).fill(Infinity);
  // k-means++ seeding
  let pick = rng.int(n);
  for (let c = 0; c < kk; c++) {
    for (let j = 0; j < dim; j++) centers[c * dim + j] = points[pick * dim + j]!;
    let total = 0;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < dim; j++) {
        const t = points[i * dim + j]! - centers[c * dim + j]!;
        d += t * t;
      }
      if (d < d2[i]!) d2[i] = d;
      total += d2[i]!;
    }
    if (total <= 0) {
      pick = rng.int(n);
      continue;
    }
    let u = rng.uniform() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= d2[i]!;
      if (u < 0) {
        pick = i;
        break;
      }
    }
  }
  // duplicate the last real centre into unused slots (k > n)
  for (let c = kk; c < k; c++) for (let j = 0; j < dim; j++) centers[c * dim + j] = centers[(kk - 1) * dim + j]!;
  const assignment = new Int32Array(n);
  const sums = new Float64Array(k * dim);
  const counts = new Float64Array(k);
  const iterations = options.iterations ?? 20;
  let msd = 0;
  for (let it = 0; it <= iterations; it++) {
    let changed = 0;
    msd = 0;
    for (let i = 0; i < n; i++) {
      let c = 0;
      let d = Infinity;
      for (let cc = 0; cc < k; cc++) {
        let s = 0;
        for (let j = 0; j < dim; j++) {
          const t = points[i * dim + j]! - centers[cc * dim + j]!;
          s += t * t;
        }
        if (s < d) {
          d = s;
          c = cc;
        }
      }
      if (c !== assignment[i] || it === 0) changed++;
      assignment[i] = c;
      msd += d;
    }
    msd /= n;
    if (it === iterations || (it > 0 && changed === 0)) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i]!;
      counts[c]++;
      for (let j = 0; j < dim; j++) sums[c * dim + j] += points[i * dim + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c]! === 0) {
        const r = rng.int(n); // empty cluster: restart at a random point
        for (let j = 0; j < dim; j++) centers[c * dim + j] = points[r * dim + j]!;
      } else for (let j = 0; j < dim; j++) centers[c * dim + j] = sums[c * dim + j]! / counts[c]!;
    }
  }
  return { centers, assignment, meanSquaredDistance: msd };
}
