import type { Rng } from '../rng.js';

/**
 * Wilson's algorithm (loop-erased random walks; Wilson 1996, directed weighted form): an exact sample of a spanning
 * arborescence directed towards `root`, with probability ∝ Π exp(θ(head → dep)). From each node not yet in the tree,
 * walk by drawing a head ∝ exp(θ(h → v)) (`colLog[v·N + h]`, −∞ for forbidden heads, including v itself),
 * overwriting earlier choices (which erases loops), until the walk reaches the tree; then add the walk.
 * Expected time is the walk's mean hitting time of the root: fast for moderate scores, slow for very peaked ones.
 * Writes `heads[v]` for v ≠ root, v ∈ `nodes`; `inTree` marks nodes already in the tree (the root at least).
 */
export function wilsonSample(
  colLog: Float64Array,
  N: number,
  nodes: ArrayLike<number>,
  inTree: Uint8Array,
  heads: Int32Array,
  rng: Rng,
): Int32Array {
  for (let k = 0; k < nodes.length; k++) {
    let u = nodes[k]!;
    while (!inTree[u]) {
      heads[u] = rng.categoricalLog(colLog, u * N, N);
      u = heads[u]!;
    }
    u = nodes[k]!;
    while (!inTree[u]) {
      inTree[u] = 1;
      u = heads[u]!;
    }
  }
  return heads;
}
