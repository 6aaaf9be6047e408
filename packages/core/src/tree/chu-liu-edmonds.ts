/**
 * Chu–Liu–Edmonds maximum spanning arborescence rooted at node 0 on a dense score matrix `scores[h·N + d]`.
 * This is the simple contracting version: pick every node's best head, contract a cycle into one node with
 * re-scored entering arcs (score − score of the cycle arc it replaces), recurse, expand. Each contraction costs O(N²),
 * so O(N³) in the worst case (one contraction per node) and O(N²) when the greedy heads have few cycles, as trained
 * parsers' do. (Tarjan's O(N²) version would bound the worst case; not needed at sentence lengths.)
 *
 * With `singleRoot`, every root arc is penalised by a constant larger than the spread of any two trees' scores, so
 * the best tree uses exactly one root arc whenever a single-rooted tree exists; the returned heads are scored on
 * the original matrix. Returns heads (length N, heads[0] = −1).
 */
export function chuLiuEdmonds(scores: Float64Array, N: number, singleRoot: boolean): Int32Array {
  let S = scores;
  if (singleRoot && N > 2) {
    let spread = 1;
    for (let d = 1; d < N; d++) {
      let hi = -Infinity;
      let lo = Infinity;
      for (let h = 0; h < N; h++) {
        if (h === d) continue;
        const v = scores[h * N + d]!;
        if (v === -Infinity) continue;
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
      if (hi > lo) spread += hi - lo;
    }
    S = Float64Array.from(scores);
    for (let d = 1; d < N; d++) S[d]! -= spread;
  }
  return contract(S, N);
}

function contract(S: Float64Array, N: number): Int32Array {
  const head = new Int32Array(N);
  head[0] = -1;
  for (let d = 1; d < N; d++) {
    let best = 0;
    let bv = -Infinity;
    for (let h = 0; h < N; h++) {
      if (h === d) continue;
      const v = S[h * N + d]!;
      if (v > bv) (bv = v), (best = h);
    }
    head[d] = best;
  }
  const cycle = findCycle(head, N);
  if (cycle === null) return head;
  const inCycle = new Uint8Array(N);
  for (const v of cycle) inCycle[v] = 1;
  // New ids: non-cycle nodes keep their order (root stays 0), the cycle becomes the last node c.
  const newId = new Int32Array(N);
  const oldOf: number[] = [];
  for (let v = 0; v < N; v++) if (!inCycle[v]) (newId[v] = oldOf.length), oldOf.push(v);
  const c = oldOf.length;
  const N2 = c + 1;
  for (const v of cycle) newId[v] = c;
  const S2 = new Float64Array(N2 * N2).fill(-Infinity);
  const enterAt = new Int32Array(N2).fill(-1); // for u → c: the cycle node the arc enters
  const leaveFrom = new Int32Array(N2).fill(-1); // for c → d: the cycle node the arc leaves
  for (let i = 0; i < c; i++) {
    const u = oldOf[i]!;
    for (let j = 1; j < c; j++) {
      const v = oldOf[j]!;
      if (u !== v) S2[i * N2 + j] = S[u * N + v]!;
    }
    // Entering arcs u → cycle.
    let bv = -Infinity;
    let at = cycle[0]!;
    for (const v of cycle) {
      const x = S[u * N + v]! - S[head[v]! * N + v]!;
      if (x > bv) (bv = x), (at = v);
    }
    S2[i * N2 + c] = bv;
    enterAt[i] = at;
    // Leaving arcs cycle → d.
    if (i === 0) continue;
    let lv = -Infinity;
    let from = cycle[0]!;
    for (const h of cycle) {
      const x = S[h * N + u]!;
      if (x > lv) (lv = x), (from = h);
    }
    S2[c * N2 + i] = lv;
    leaveFrom[i] = from;
  }
  const head2 = contract(S2, N2);
  const out = new Int32Array(N);
  out[0] = -1;
  for (let j = 1; j < c; j++) {
    const h2 = head2[j]!;
    out[oldOf[j]!] = h2 === c ? leaveFrom[j]! : oldOf[h2]!;
  }
  for (const v of cycle) out[v] = head[v]!;
  const hc = head2[c]!;
  out[enterAt[hc]!] = oldOf[hc]!;
  return out;
}

/** The nodes of one cycle of the head graph, or null if it is a tree. */
function findCycle(head: Int32Array, N: number): number[] | null {
  const mark = new Int32Array(N).fill(-1);
  mark[0] = N;
  for (let s = 1; s < N; s++) {
    let v = s;
    while (mark[v] === -1) {
      mark[v] = s;
      v = head[v]!;
    }
    if (mark[v] === s) {
      const cyc = [v];
      for (let u = head[v]!; u !== v; u = head[u]!) cyc.push(u);
      return cyc;
    }
  }
  return null;
}
