/**
 * α-expansion (Boykov, Veksler & Zabih, "Fast approximate energy minimization via graph cuts", PAMI 2001): for
 * several labels, repeatedly let every pixel either keep its label or switch to α, choosing the best such move
 * exactly by one binary graph cut, for α = 0 … K−1, until a whole sweep improves nothing. For a metric
 * compatibility (Potts is one) each move is submodular and the result is within a factor 2 (Potts) of the optimum.
 * Non-metric compatibilities are handled by truncating the non-submodular pair terms; a move is only accepted when
 * it lowers the true energy, so the energy never rises.
 */
import { addPairTerm } from './binary-graph-cut.js';
import { gridDirections, gridEdgeSpans } from '../grid/grid.js';
import { checkGridEnergy, checkLabels, compatibilityOf, gridEnergy, type GridEnergy } from '../grid/grid-energy.js';
import { MaxFlow } from './max-flow.js';

/** Options of `alphaExpansion`. */
export interface AlphaExpansionOptions {
  /** Starting labelling (default: the per-pixel minimum of the unaries). */
  init?: ArrayLike<number>;
  /** Most sweeps over all labels (default 10). */
  maxSweeps?: number;
  /** A graph whose buffers are reused. */
  graph?: MaxFlow;
}

/** The result of α-expansion. */
export interface AlphaExpansionResult {
  labels: Uint8Array;
  energy: number;
  /** Sweeps done (the last one improved nothing unless maxSweeps stopped it). */
  sweeps: number;
}

/** The per-pixel minimum of the unary energies. */
export function unaryArgmin(e: GridEnergy, out = new Uint8Array(e.width * e.height)): Uint8Array {
  const K = e.numLabels;
  const N = e.width * e.height;
  const U = e.unary;
  for (let p = 0; p < N; p++) {
    let best = 0;
    let bv = U[p * K]!;
    for (let k = 1; k < K; k++) {
      const v = U[p * K + k]!;
      if (v < bv) {
        bv = v;
        best = k;
      }
    }
    out[p] = best;
  }
  return out;
}

/** Approximately minimises a grid energy with any number of labels (exact for K = 2 and submodular terms). */
export function alphaExpansion(e: GridEnergy, options: AlphaExpansionOptions = {}): AlphaExpansionResult {
  checkGridEnergy(e);
  const { width, height, numLabels: K } = e;
  if (K > 255) throw new RangeError(`alphaExpansion supports up to 255 labels, got ${K}`);
  const N = width * height;
  const maxSweeps = options.maxSweeps ?? 10;
  const labels = new Uint8Array(N);
  if (options.init) {
    checkLabels(e, options.init);
    for (let p = 0; p < N; p++) {
      const v = options.init[p]!;
      if (!(v >= 0 && v < K)) throw new RangeError(`init[${p}] = ${v} is not a label in [0, ${K})`);
      labels[p] = v;
    }
  } else unaryArgmin(e, labels);
  const C = compatibilityOf(e);
  const U = e.unary;
  const dirs = gridDirections(e.connectivity);
  const graph = options.graph ?? new MaxFlow(N, N * dirs.length);
  const e0 = new Float64Array(N);
  const e1 = new Float64Array(N);
  const proposal = new Uint8Array(N);
  let energy = gridEnergy(e, labels);
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    sweeps++;
    let improved = false;
    for (let alpha = 0; alpha < K; alpha++) {
      graph.reset();
      graph.addNodes(N);
      for (let p = 0; p < N; p++) {
        e0[p] = U[p * K + labels[p]!]!;
        e1[p] = U[p * K + alpha]!;
      }
      const caa = C[alpha * K + alpha]!;
      for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(e.connectivity, width, height)) {
        const base = d * N;
        for (let y = 0; y < yEnd; y++) {
          for (let x = x0; x < x1; x++) {
            const p = y * width + x;
            const w = e.edgeWeights[base + p]!;
            if (w === 0) continue;
            const q = p + off;
            const lp = labels[p]!;
            const lq = labels[q]!;
            let A = w * C[lp * K + lq]!;
            const B = w * C[lp * K + alpha]!;
            const Cq = w * C[alpha * K + lq]!;
            const D = w * caa;
            if (lp === alpha && lq === alpha) continue; // both options give label α: a constant
            if (B + Cq < A + D) A = B + Cq - D; // truncate a non-submodular term
            addPairTerm(graph, e0, e1, p, q, A, B, Cq, D);
          }
        }
      }
      for (let p = 0; p < N; p++) {
        const a = e0[p]!;
        const b = e1[p]!;
        if (a < b) graph.addTWeights(p, b - a, 0);
        else graph.addTWeights(p, 0, a - b);
      }
      graph.maxflow();
      let changed = false;
      for (let p = 0; p < N; p++) {
        const l = graph.inSourceSegment(p) ? labels[p]! : alpha;
        proposal[p] = l;
        if (l !== labels[p]) changed = true;
      }
      if (!changed) continue;
      const pe = gridEnergy(e, proposal);
      if (pe < energy - 1e-12 * Math.max(1, Math.abs(energy))) {
        labels.set(proposal);
        energy = pe;
        improved = true;
      }
    }
    if (!improved) break;
  }
  return { labels, energy, sweeps };
}
