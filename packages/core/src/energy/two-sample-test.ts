/**
 * The energy-distance two-sample test (Székely & Rizzo) with a permutation p-value: are two point clouds in ℝᵈ drawn
 * from the same distribution? Used to check samplers against exact draws from a known distribution.
 */
import type { Rng } from '../rng.js';

/** Result of `energyDistanceTest`. */
export interface TwoSampleResult {
  /** Energy distance 2E‖X−Y‖ − E‖X−X'‖ − E‖Y−Y'‖ (V-statistic) of the two samples; 0 for identical laws in the limit. */
  statistic: number;
  /** Permutation p-value (1 + #{permuted ≥ observed}) / (1 + permutations). */
  pValue: number;
}

/**
 * Energy distance of the split `isX` (1 = first sample, 0 = second) over the upper triangle of the pairwise distance
 * matrix `dist` (n × n) with row sums `rowSums` and total `total`: within-sample sums by masked row sums, the cross sum by difference.
 */
function energyStat(dist: Float64Array, rowSums: Float64Array, n: number, isX: Float64Array, nx: number, total: number): number {
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let s = 0;
    for (let j = i + 1; j < n; j++) s += dist[row + j]! * isX[j]!;
    if (isX[i] === 1) xx += s;
    else yy += rowSums[i]! - s;
  }
  const xy = total - xx - yy;
  const ny = n - nx;
  return (2 * xy) / (nx * ny) - (2 * xx) / (nx * nx) - (2 * yy) / (ny * ny);
}

/**
 * Tests H₀: `x` and `y` (flat, row-major, `dim` coordinates per point) come from the same distribution, by the energy
 * distance with `permutations` random relabellings drawn from `rng` (default 199). Cost O((n+m)² · permutations).
 */
export function energyDistanceTest(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  dim: number,
  rng: Rng,
  permutations = 199,
): TwoSampleResult {
  if (!Number.isSafeInteger(dim) || dim < 1) throw new RangeError(`energyDistanceTest: dim must be an integer ≥ 1, got ${dim}`);
  if (x.length % dim !== 0 || y.length % dim !== 0) throw new RangeError(`energyDistanceTest: lengths ${x.length}, ${y.length} are not multiples of dim ${dim}`);
  const nx = x.length / dim;
  const ny = y.length / dim;
  if (nx < 2 || ny < 2) throw new RangeError(`energyDistanceTest: need ≥ 2 points per sample, got ${nx} and ${ny}`);
  const n = nx + ny;
  const pts = new Float64Array(n * dim);
  for (let i = 0; i < x.length; i++) pts[i] = x[i]!;
  for (let i = 0; i < y.length; i++) pts[x.length + i] = y[i]!;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = pts[i * dim + k]! - pts[j * dim + k]!;
        s += d * d;
      }
      dist[i * n + j] = Math.sqrt(s);
    }
  }
  const rowSums = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) rowSums[i] += dist[i * n + j]!;
    total += rowSums[i]!;
  }
  const labels = new Float64Array(n);
  labels.fill(1, 0, nx);
  const observed = energyStat(dist, rowSums, n, labels, nx, total);
  let atLeast = 0;
  for (let b = 0; b < permutations; b++) {
    rng.shuffle(labels);
    if (energyStat(dist, rowSums, n, labels, nx, total) >= observed) atLeast++;
  }
  return { statistic: observed, pValue: (1 + atLeast) / (1 + permutations) };
}
