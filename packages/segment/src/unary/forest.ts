/**
 * A random forest of classification trees on binned features (histogram splits, as in LightGBM / scikit-learn's
 * HistGradientBoosting): every feature is cut into at most 64 quantile bins once, each tree is grown depth-first on a
 * random subsample of the training rows with √F candidate features per node, choosing the split that most lowers
 * the weighted Gini impurity from per-bin class histograms. Leaves hold class distributions (with a small additive
 * prior); the forest averages them. Seeded through core's Rng; all arrays are flat typed arrays.
 *
 * Trees are stored in one node table: `feature[n]` (−1 for a leaf), `threshold[n]` (go left when x ≤ threshold, on
 * the raw feature value), `left[n]`/`right[n]` child indices (for a leaf, `left[n]` is its row in `leafProbs`).
 */
import type { Rng } from '@ebmkit/core';

/** Options of `RandomForest.fit`. */
export interface ForestOptions {
  /** Number of trees (default 48). */
  trees?: number;
  /** Maximum depth (default 16). */
  maxDepth?: number;
  /** Minimum (unweighted) rows in a leaf (default 4). */
  minLeaf?: number;
  /** Candidate features per node (default ⌈√F⌉). */
  featuresPerNode?: number;
  /** Rows each tree is grown on, drawn without replacement (default min(n, 120 000)). */
  rowsPerTree?: number;
  /** Quantile bins per feature (default 64, at most 256). */
  bins?: number;
  /** Called after each tree with (done, total). */
  onTree?: (done: number, total: number) => void;
}

/** Training rows: features row-major `x[i·F + f]`, labels in [0, K), weights > 0. */
export interface ForestData {
  x: Float32Array;
  numFeatures: number;
  y: Uint8Array;
  weights?: Float32Array;
  numLabels: number;
}

/** The arrays of a trained forest (what model files store). */
export interface ForestArrays {
  numLabels: number;
  numFeatures: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  leafProbs: Float32Array;
}

/** Quantile bin edges of each feature (`edges[f]`, increasing; bin(x) = #edges < x). */
export function quantileEdges(x: Float32Array, n: number, F: number, bins: number): Float32Array[] {
  const col = new Float32Array(n);
  const out: Float32Array[] = [];
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < n; i++) col[i] = x[i * F + f]!;
    col.sort();
    const e: number[] = [];
    for (let b = 1; b < bins; b++) {
      const v = col[Math.min(n - 1, Math.floor((b * n) / bins))]!;
      // the edge sits between v and the next larger value, so equal values never straddle it
      if (e.length === 0 || v > e[e.length - 1]!) e.push(v);
    }
    // drop an edge at the maximum (nothing would go right)
    while (e.length > 0 && e[e.length - 1]! >= col[n - 1]!) e.pop();
    out.push(Float32Array.from(e));
  }
  return out;
}

function binOf(edges: Float32Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A trained random forest. */
export class RandomForest {
  constructor(readonly arrays: ForestArrays) {
    const a = arrays;
    const n = a.feature.length;
    if (a.threshold.length !== n || a.left.length !== n || a.right.length !== n) throw new RangeError('forest node arrays differ in length');
    if (a.leafProbs.length % a.numLabels !== 0) throw new RangeError('forest leaf table is not a multiple of the label count');
    const leaves = a.leafProbs.length / a.numLabels;
    for (let i = 0; i < n; i++) {
      const f = a.feature[i]!;
      if (f < 0 ? a.left[i]! < 0 || a.left[i]! >= leaves : f >= a.numFeatures || a.left[i]! <= i || a.right[i]! <= i || a.right[i]! >= n) {
        throw new RangeError(`forest node ${i} is invalid (feature ${f}, children ${a.left[i]}, ${a.right[i]})`);
      }
    }
    for (const r of a.roots) if (r < 0 || r >= n) throw new RangeError(`forest root ${r} out of range`);
  }

  get numTrees(): number {
    return this.arrays.roots.length;
  }

  /** Grows a forest (see the module comment). */
  static fit(data: ForestData, rng: Rng, options: ForestOptions = {}): RandomForest {
    const { x, numFeatures: F, y, numLabels: K } = data;
    const n = y.length;
    if (n === 0) throw new RangeError('RandomForest.fit: no rows');
    if (x.length !== n * F) throw new RangeError(`RandomForest.fit: ${x.length} feature values for ${n} rows × ${F} features`);
    const wts = data.weights ?? new Float32Array(n).fill(1);
    for (let i = 0; i < n; i++) if (!(y[i]! < K)) throw new RangeError(`RandomForest.fit: row ${i} has label ${y[i]}, expected < ${K}`);
    const T = options.trees ?? 48;
    const maxDepth = options.maxDepth ?? 16;
    const minLeaf = Math.max(1, options.minLeaf ?? 4);
    const mtry = Math.min(F, options.featuresPerNode ?? Math.ceil(Math.sqrt(F)));
    const rowsPerTree = Math.min(n, options.rowsPerTree ?? 120_000);
    const B = Math.min(256, Math.max(2, options.bins ?? 64));
    if (!(T >= 1 && maxDepth >= 1 && mtry >= 1)) throw new RangeError(`forest options out of range: trees ${T}, maxDepth ${maxDepth}, featuresPerNode ${mtry}`);

    // bin every feature once (feature-major, so a node's histogram walks one column)
    const edges = quantileEdges(x, n, F, B);
    const binned = new Uint8Array(F * n);
    for (let f = 0; f < F; f++) {
      const e = edges[f]!;
      for (let i = 0; i < n; i++) binned[f * n + i] = binOf(e, x[i * F + f]!);
    }

    const feature: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const leafProbs: number[] = [];
    const roots: number[] = [];
    const rows = new Int32Array(n);
    const K1 = K + 1; // per bin: class weights, then the row count
    const hist = new Float64Array(B * K1);
    const totalL = new Float64Array(K);
    const feats = new Int32Array(F);
    for (let f = 0; f < F; f++) feats[f] = f;
    const scratch = new Int32Array(rowsPerTree);
    const spill = new Int32Array(rowsPerTree);
    const alpha = 0.5; // additive prior on leaf counts, in units of the mean row weight
    let meanW = 0;
    for (let i = 0; i < n; i++) meanW += wts[i]!;
    meanW /= n;

    const makeLeaf = (counts: Float64Array): number => {
      let s = 0;
      for (let k = 0; k < K; k++) s += counts[k]! + alpha * meanW;
      const row = leafProbs.length / K;
      for (let k = 0; k < K; k++) leafProbs.push((counts[k]! + alpha * meanW) / s);
      const id = feature.length;
      feature.push(-1);
      threshold.push(0);
      left.push(row);
      right.push(-1);
      return id;
    };
    const gini = (c: ArrayLike<number>, off: number, tot: number): number => {
      if (tot <= 0) return 0;
      let s = 0;
      for (let k = 0; k < K; k++) s += c[off + k]! * c[off + k]!;
      return tot - s / tot; // weighted impurity: tot·(1 − Σ p²)
    };

    // grows the subtree over rows[lo, hi) and returns its node id
    const grow = (idx: Int32Array, lo: number, hi: number, depth: number): number => {
      const counts = new Float64Array(K);
      let tot = 0;
      for (let j = lo; j < hi; j++) {
        const i = idx[j]!;
        counts[y[i]!] += wts[i]!;
        tot += wts[i]!;
      }
      let pure = 0;
      for (let k = 0; k < K; k++) if (counts[k]! > 0) pure++;
      if (depth >= maxDepth || hi - lo < 2 * minLeaf || pure <= 1) return makeLeaf(counts);
      const parentImp = gini(counts, 0, tot);
      let bestGain = 1e-12 * tot;
      let bestF = -1;
      let bestBin = -1;
      // partial Fisher–Yates: the first mtry entries of feats are this node's candidates
      for (let j = 0; j < mtry; j++) {
        const r = j + rng.int(F - j);
        const t = feats[j]!;
        feats[j] = feats[r]!;
        feats[r] = t;
      }
      for (let j = 0; j < mtry; j++) {
        const f = feats[j]!;
        const nb = edges[f]!.length + 1;
        if (nb < 2) continue;
        hist.fill(0, 0, nb * K1);
        const base = f * n;
        for (let q = lo; q < hi; q++) {
          const i = idx[q]!;
          const h = binned[base + i]! * K1;
          hist[h + y[i]!] += wts[i]!;
          hist[h + K]++;
        }
        totalL.fill(0);
        let wl = 0;
        let nl = 0;
        for (let b = 0; b < nb - 1; b++) {
          for (let k = 0; k < K; k++) {
            totalL[k] += hist[b * K1 + k]!;
            wl += hist[b * K1 + k]!;
          }
          nl += hist[b * K1 + K]!;
          if (nl < minLeaf) continue;
          if (hi - lo - nl < minLeaf) break;
          const wr = tot - wl;
          if (wl <= 0 || wr <= 0) continue;
          let sl = 0;
          let sr = 0;
          for (let k = 0; k < K; k++) {
            const a = totalL[k]!;
            const c = counts[k]! - a;
            sl += a * a;
            sr += c * c;
          }
          const gain = parentImp - (wl - sl / wl) - (wr - sr / wr);
          if (gain > bestGain) {
            bestGain = gain;
            bestF = f;
            bestBin = b;
          }
        }
      }
      if (bestF < 0) return makeLeaf(counts);
      // stable partition of rows[lo, hi) by bin ≤ bestBin: each side keeps its rows in increasing order, so every
      // node's histogram pass reads the feature columns forwards (cache-friendly) instead of at random
      const base = bestF * n;
      let a = lo;
      let spilled = 0;
      for (let q = lo; q < hi; q++) {
        const i = idx[q]!;
        if (binned[base + i]! <= bestBin) idx[a++] = i;
        else spill[spilled++] = i;
      }
      for (let q = 0; q < spilled; q++) idx[a + q] = spill[q]!;
      if (a === lo || a === hi) return makeLeaf(counts);
      const id = feature.length;
      feature.push(bestF);
      threshold.push(edges[bestF]![bestBin]!);
      left.push(-1);
      right.push(-1);
      const l = grow(idx, lo, a, depth + 1);
      const r = grow(idx, a, hi, depth + 1);
      left[id] = l;
      right[id] = r;
      return id;
    };

    for (let t = 0; t < T; t++) {
      // rows without replacement: a partial shuffle of 0..n−1
      for (let i = 0; i < n; i++) rows[i] = i;
      for (let j = 0; j < rowsPerTree; j++) {
        const r = j + rng.int(n - j);
        const tmp = rows[j]!;
        rows[j] = rows[r]!;
        rows[r] = tmp;
        scratch[j] = rows[j]!;
      }
      scratch.sort();
      roots.push(grow(scratch, 0, rowsPerTree, 0));
      options.onTree?.(t + 1, T);
    }
    return new RandomForest({
      numLabels: K,
      numFeatures: F,
      roots: Int32Array.from(roots),
      feature: Int32Array.from(feature),
      threshold: Float32Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      leafProbs: Float32Array.from(leafProbs),
    });
  }

  /**
   * Mean class probabilities of N rows whose features are planar, `x[f·N + p]` (the filter bank's layout):
   * `out[p·K + k]`.
   */
  predictPlanar(x: Float32Array, N: number, out = new Float32Array(N * this.arrays.numLabels)): Float32Array {
    const { numLabels: K, numFeatures: F, roots, feature, threshold, left, right, leafProbs } = this.arrays;
    if (x.length !== F * N) throw new RangeError(`forest input length ${x.length} !== ${F}·${N}`);
    out.fill(0);
    const T = roots.length;
    // blocks of pixels copied row-major, so a tree walk reads one small contiguous row per pixel
    const BS = 128;
    const block = new Float32Array(BS * F);
    for (let p0 = 0; p0 < N; p0 += BS) {
      const nb = Math.min(BS, N - p0);
      for (let f = 0; f < F; f++) {
        const src = f * N + p0;
        for (let j = 0; j < nb; j++) block[j * F + f] = x[src + j]!;
      }
      for (let t = 0; t < T; t++) {
        const root = roots[t]!;
        for (let j = 0; j < nb; j++) {
          const o = j * F;
          let node = root;
          let f = feature[node]!;
          while (f >= 0) {
            node = block[o + f]! <= threshold[node]! ? left[node]! : right[node]!;
            f = feature[node]!;
          }
          const row = left[node]! * K;
          const q = (p0 + j) * K;
          for (let k = 0; k < K; k++) out[q + k] += leafProbs[row + k]!;
        }
      }
    }
    const inv = 1 / T;
    for (let i = 0; i < out.length; i++) out[i]! *= inv;
    return out;
  }

  /** Mean class probabilities of rows stored row-major, `x[i·F + f]`: `out[i·K + k]`. */
  predictRows(x: Float32Array, n: number): Float32Array {
    const F = this.arrays.numFeatures;
    const planar = new Float32Array(F * n);
    for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) planar[f * n + i] = x[i * F + f]!;
    return this.predictPlanar(planar, n);
  }
}
