/**
 * Interactive segmentation as an energy (GrabCut: Rother, Kolmogorov & Blake 2004). From an image and a rectangle
 * (outside: background for sure) or a trimap (sure background / sure foreground / unknown), colour Gaussian
 * mixtures for foreground and background and a binary labelling are improved in turn — assign each pixel to a
 * component of its current side's mixture, refit the mixtures, then one exact graph cut of
 *
 *   E(α) = Σ_p −log p(z_p | GMM_{α_p}) + γ Σ_{(p,q)} [α_p ≠ α_q]·exp(−β‖z_p − z_q‖²)/dist(p, q)
 *
 * (8-connected, β from the image) — until the energy stops falling. Only the unknown pixels are graph nodes; their
 * edges to fixed pixels become unary terms.
 */
import { createRng, type RgbImage, type Rng } from '@ebmkit/core';
import { edgeFeatures } from '../grid/contrast.js';
import { ColorGmm } from './gmm.js';
import { gridDirections, gridEdgeSpans } from '../grid/grid.js';
import { kMeans } from '../unary/kmeans.js';
import { MaxFlow } from '../inference/max-flow.js';

/** A rectangle in pixels: left, top, width, height. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Trimap values. */
export const TRIMAP_BACKGROUND = 0;
export const TRIMAP_UNKNOWN = 1;
export const TRIMAP_FOREGROUND = 2;

/** Options of `grabCut`. */
export interface GrabCutOptions {
  /** Components per mixture (default 5). */
  components?: number;
  /** Pairwise strength γ (default 50). */
  gamma?: number;
  /** Most iterations (default 10). */
  maxIterations?: number;
  /** Stop when the energy falls by less than this fraction (default 3e-3). */
  tolerance?: number;
  /** Randomness of the k-means start (default createRng(1)). */
  rng?: Rng;
}

/** The segmentation and how it got there. */
export interface GrabCutResult {
  /** 1 = foreground, 0 = background. */
  mask: Uint8Array;
  /** After each iteration's cut: the colour energy of the unknown pixels plus all pairwise terms. */
  energies: number[];
  iterations: number;
}

/** A trimap from a rectangle: outside background, inside unknown. Throws a RangeError for an empty or outside rectangle. */
export function trimapFromRect(width: number, height: number, rect: Rect): Uint8Array {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(width, Math.floor(rect.x + rect.width));
  const y1 = Math.min(height, Math.floor(rect.y + rect.height));
  if (!(rect.width > 0 && rect.height > 0) || x1 <= x0 || y1 <= y0) {
    throw new RangeError(`rectangle ${rect.x},${rect.y},${rect.width},${rect.height} does not overlap the ${width}×${height} image`);
  }
  const t = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) t.fill(TRIMAP_UNKNOWN, y * width + x0, y * width + x1);
  return t;
}

/**
 * A trimap from a grey-level mask image: ≤ 64 sure background, ≥ 192 sure foreground, anything between unknown.
 */
export function trimapFromGrey(grey: ArrayLike<number>): Uint8Array {
  const t = new Uint8Array(grey.length);
  for (let p = 0; p < grey.length; p++) {
    const v = grey[p]!;
    t[p] = v <= 64 ? TRIMAP_BACKGROUND : v >= 192 ? TRIMAP_FOREGROUND : TRIMAP_UNKNOWN;
  }
  return t;
}

/** Runs GrabCut on an image with a trimap (see the module comment). */
export function grabCut(img: RgbImage, trimap: Uint8Array, options: GrabCutOptions = {}): GrabCutResult {
  const { width: W, height: H } = img;
  const N = W * H;
  if (trimap.length !== N) throw new RangeError(`trimap has ${trimap.length} pixels, the image ${W}×${H} = ${N}`);
  const Kc = options.components ?? 5;
  const gamma = options.gamma ?? 50;
  const maxIt = options.maxIterations ?? 10;
  const tol = options.tolerance ?? 3e-3;
  const rng = options.rng ?? createRng(1);
  const z = new Float64Array(N * 3);
  for (let i = 0; i < N * 3; i++) z[i] = img.data[i]!;
  // labels: 1 = foreground; unknown pixels start as foreground
  const alpha = new Uint8Array(N);
  let nUnknown = 0;
  for (let p = 0; p < N; p++) {
    if (trimap[p] === TRIMAP_BACKGROUND) alpha[p] = 0;
    else alpha[p] = 1;
    if (trimap[p] === TRIMAP_UNKNOWN) nUnknown++;
  }
  const mask = () => alpha.slice();
  if (nUnknown === 0) return { mask: mask(), energies: [], iterations: 0 };
  const ef = edgeFeatures(z, W, H, 8);
  const dirs = gridDirections(8);
  const D = dirs.length;
  const pair = ef.contrast;
  for (let i = 0; i < pair.length; i++) pair[i] *= gamma;
  // graph nodes = unknown pixels
  const node = new Int32Array(N).fill(-1);
  const unknown = new Int32Array(nUnknown);
  for (let p = 0, j = 0; p < N; p++) if (trimap[p] === TRIMAP_UNKNOWN) {
    node[p] = j;
    unknown[j++] = p;
  }
  const fg = new ColorGmm(Kc);
  const bg = new ColorGmm(Kc);
  // k-means start for each side
  const initSide = (side: number, gmm: ColorGmm) => {
    const idx: number[] = [];
    for (let p = 0; p < N; p++) if (alpha[p] === side) idx.push(p);
    if (idx.length === 0) return false;
    const pts = new Float64Array(idx.length * 3);
    idx.forEach((p, i) => pts.set(z.subarray(3 * p, 3 * p + 3), 3 * i));
    const km = kMeans(pts, 3, Kc, rng, { iterations: 10 });
    const assign = new Int32Array(N).fill(-1);
    idx.forEach((p, i) => (assign[p] = km.assignment[i]!));
    gmm.fit(z, assign);
    return true;
  };
  if (!initSide(0, bg) || !initSide(1, fg)) {
    // one side has no pixels at all (e.g. a rectangle covering the whole image): nothing to contrast against
    return { mask: mask(), energies: [], iterations: 0 };
  }
  // the graph over the unknown pixels: n-links never change, so they are added once; edges to fixed pixels become
  // fixed unary parts (fix0/fix1); each iteration only changes terminal capacities and re-solves reusing the trees
  const graph = new MaxFlow(nUnknown, nUnknown * D);
  graph.addNodes(nUnknown);
  const fix0 = new Float64Array(nUnknown);
  const fix1 = new Float64Array(nUnknown);
  let constant = 0;
  for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(8, W, H)) {
    for (let y = 0; y < yEnd; y++) {
      for (let x = x0; x < x1; x++) {
        const p = y * W + x;
        const q = p + off;
        const w = pair[d * N + p]!;
        if (w === 0) continue;
        const np = node[p]!;
        const nq = node[q]!;
        if (np >= 0 && nq >= 0) graph.addEdge(np, nq, w, w);
        else if (np >= 0) {
          if (alpha[q]) fix0[np] += w;
          else fix1[np] += w;
        } else if (nq >= 0) {
          if (alpha[p]) fix0[nq] += w;
          else fix1[nq] += w;
        } else if (alpha[p] !== alpha[q]) constant += w;
      }
    }
  }
  const e0 = new Float64Array(nUnknown); // terminal capacities in the graph now (energy of background / foreground)
  const e1 = new Float64Array(nUnknown);
  const energies: number[] = [];
  let iterations = 0;
  const assignF = new Int32Array(N);
  const assignB = new Int32Array(N);
  for (let it = 0; it < maxIt; it++) {
    iterations++;
    // 1. components, 2. refit
    for (let p = 0; p < N; p++) {
      const r = z[3 * p]!;
      const g = z[3 * p + 1]!;
      const b = z[3 * p + 2]!;
      if (alpha[p]) {
        assignF[p] = fg.mostLikely(r, g, b);
        assignB[p] = -1;
      } else {
        assignB[p] = bg.mostLikely(r, g, b);
        assignF[p] = -1;
      }
    }
    fg.fit(z, assignF);
    bg.fit(z, assignB);
    // 3. new terminal capacities (as changes of the old ones), then the cut
    for (let j = 0; j < nUnknown; j++) {
      const p = unknown[j]!;
      const r = z[3 * p]!;
      const g = z[3 * p + 1]!;
      const b = z[3 * p + 2]!;
      const n0 = bg.energy(r, g, b) + fix0[j]!;
      const n1 = fg.energy(r, g, b) + fix1[j]!;
      graph.addTWeights(j, n1 - e1[j]!, n0 - e0[j]!); // source arc = cost of foreground (label 1)
      e0[j] = n0;
      e1[j] = n1;
    }
    const flow = graph.maxflow({ reuseTrees: it > 0 });
    for (let j = 0; j < nUnknown; j++) alpha[unknown[j]!] = graph.inSourceSegment(j) ? 0 : 1;
    // E restricted to what the cut decides: colour terms of the unknown pixels and every pairwise term
    const energy = constant + flow;
    energies.push(energy);
    if (energies.length >= 2) {
      const prev = energies[energies.length - 2]!;
      if (prev - energy <= tol * Math.abs(prev)) break;
    }
  }
  return { mask: mask(), energies, iterations };
}
