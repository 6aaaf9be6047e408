/**
 * Exact minimisation of a binary grid energy with a submodular pairwise term by one s–t minimum cut
 * (Kolmogorov & Zabih, "What energy functions can be minimized via graph cuts?", 2004).
 *
 * Label 0 is the source side, label 1 the sink side: the arc source → p is cut when p takes label 1, so it carries
 * U_p(1); p → sink carries U_p(0). A pair term [[A, B], [C, D]] (rows: label of p) splits into parts that depend on
 * one node (moved into the unaries) and arcs p → q (cut by labels 0, 1) and q → p (cut by 1, 0) whose capacities
 * are non-negative exactly when the term is submodular (B + C ≥ A + D).
 */
import { gridDirections, gridEdgeSpans } from '../grid/grid.js';
import { checkGridEnergy, compatibilityOf, gridEnergy, type GridEnergy } from '../grid/grid-energy.js';
import { MaxFlow } from './max-flow.js';

/** The result of an exact binary graph cut. */
export interface GraphCutResult {
  /** The minimum-energy labelling (0/1 per pixel). */
  labels: Uint8Array;
  /** Its energy E(labels). */
  energy: number;
  /** The max-flow value (equals energy minus the constant parts moved out of the graph). */
  flow: number;
}

/**
 * Accumulates a pairwise term [[A, B], [C, D]] (rows: label of p, columns: label of q) between nodes p and q: the
 * parts that depend on one node go into `e0`/`e1` (energies of labels 0/1), the rest becomes an edge of `graph`
 * with non-negative capacities. Requires B + C ≥ A + D (submodular).
 */
export function addPairTerm(
  graph: MaxFlow,
  e0: Float64Array,
  e1: Float64Array,
  p: number,
  q: number,
  A: number,
  B: number,
  C: number,
  D: number,
): void {
  // [[A, B], [C, D]] = [[A, A], [D, D]] (p only) + [[0, b], [c, 0]]
  e0[p] += A;
  e1[p] += D;
  const b = B - A;
  const c = C - D;
  if (b < 0) {
    // b·[p=0] − b·[q=0] + (b + c)·[p=1, q=0]
    e0[p] += b;
    e0[q] -= b;
    if (b + c > 0) graph.addEdge(p, q, 0, b + c);
  } else if (c < 0) {
    // −c·[p=0] + c·[q=0] + (b + c)·[p=0, q=1]
    e0[p] -= c;
    e0[q] += c;
    if (b + c > 0) graph.addEdge(p, q, b + c, 0);
  } else if (b > 0 || c > 0) {
    graph.addEdge(p, q, b, c);
  }
}

/**
 * Minimises a binary (K = 2) grid energy exactly. The compatibility must be submodular
 * (C01 + C10 ≥ C00 + C11); Potts is. Pass `graph` to reuse its buffers across calls.
 */
export function binaryGraphCut(e: GridEnergy, options: { graph?: MaxFlow } = {}): GraphCutResult {
  checkGridEnergy(e);
  if (e.numLabels !== 2) throw new RangeError(`binaryGraphCut needs 2 labels, got ${e.numLabels} (use alphaExpansion)`);
  const C = compatibilityOf(e);
  const c00 = C[0]!;
  const c01 = C[1]!;
  const c10 = C[2]!;
  const c11 = C[3]!;
  if (c01 + c10 < c00 + c11) {
    throw new RangeError(`compatibility [[${c00}, ${c01}], [${c10}, ${c11}]] is not submodular (C01 + C10 < C00 + C11): graph cuts cannot minimise it`);
  }
  const { width, height } = e;
  const N = width * height;
  const dirs = gridDirections(e.connectivity);
  const graph = options.graph ?? new MaxFlow(N, N * dirs.length);
  graph.reset();
  graph.addNodes(N);
  const e0 = new Float64Array(N);
  const e1 = new Float64Array(N);
  const U = e.unary;
  for (let p = 0; p < N; p++) {
    e0[p] = U[2 * p]!;
    e1[p] = U[2 * p + 1]!;
  }
  const potts = c00 === 0 && c11 === 0 && c01 >= 0 && c10 >= 0;
  for (const { d, off, x0, x1, yEnd } of gridEdgeSpans(e.connectivity, width, height)) {
    const base = d * N;
    for (let y = 0; y < yEnd; y++) {
      for (let x = x0; x < x1; x++) {
        const p = y * width + x;
        const w = e.edgeWeights[base + p]!;
        if (w === 0) continue;
        if (potts) graph.addEdge(p, p + off, w * c01, w * c10);
        else addPairTerm(graph, e0, e1, p, p + off, w * c00, w * c01, w * c10, w * c11);
      }
    }
  }
  for (let p = 0; p < N; p++) {
    const a = e0[p]!;
    const b = e1[p]!;
    if (a < b) graph.addTWeights(p, b - a, 0);
    else graph.addTWeights(p, 0, a - b);
  }
  const flow = graph.maxflow();
  const labels = new Uint8Array(N);
  for (let p = 0; p < N; p++) labels[p] = graph.inSourceSegment(p) ? 0 : 1;
  return { labels, energy: gridEnergy(e, labels), flow };
}
