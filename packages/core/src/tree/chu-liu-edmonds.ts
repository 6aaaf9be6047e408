/**
 * Chu–Liu–Edmonds maximum spanning arborescence rooted at node 0 on a dense score matrix `scores[h·N + d]`.
 * Pick every node's best head; contract each cycle into one node with re-scored entering arcs (score − score of the
 * cycle arc it replaces), in place; expand. O(N²) for a dense graph (Tarjan's bound), see `contract`.
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

/**
 * Contraction in place on one N×N matrix: each cycle of best incoming arcs becomes a new node that takes over the
 * slot of the cycle's first member (its incoming scores re-scored, its outgoing scores the members' best); nodes
 * whose best head was in the cycle now point to the new node. A contraction costs O(N·|cycle|) and finding cycles
 * O(N), so the whole search is O(N²) however many contractions there are. Expansion walks the contractions back:
 * each contracted node's entering arc enters one member, every other member keeps its cycle arc.
 */
function contract(scores: Float64Array, N: number): Int32Array {
  const S = Float64Array.from(scores);
  const orig = new Int32Array(N * N);
  for (let i = 0; i < N * N; i++) orig[i] = i;
  const active = new Uint8Array(N).fill(1);
  const slotNode = Int32Array.from({ length: N }, (_, i) => i);
  const parentNode = new Int32Array(2 * N).fill(-1);
  const enter = new Int32Array(2 * N).fill(-1);
  const cycleArc = new Int32Array(2 * N).fill(-1);
  const contractions: { node: number; members: number[] }[] = [];
  const bestIn = new Int32Array(N);
  const bestInOf = (v: number): number => {
    let best = 0;
    let bv = -Infinity;
    for (let u = 0; u < N; u++) {
      if (u === v || !active[u]) continue;
      const x = S[u * N + v]!;
      if (x > bv) (bv = x), (best = u);
    }
    return best;
  };
  for (let v = 1; v < N; v++) bestIn[v] = bestInOf(v);
  const stamp = new Int32Array(N).fill(-1);
  const inCycle = new Uint8Array(N);
  let nextId = N;
  for (;;) {
    // Find a cycle among the active slots.
    let cycle: number[] | null = null;
    stamp.fill(-1);
    for (let s = 1; s < N && cycle === null; s++) {
      if (!active[s] || stamp[s] !== -1) continue;
      let v = s;
      while (v !== 0 && stamp[v] === -1) {
        stamp[v] = s;
        v = bestIn[v]!;
      }
      if (v !== 0 && stamp[v] === s) {
        cycle = [v];
        for (let u = bestIn[v]!; u !== v; u = bestIn[u]!) cycle.push(u);
      }
    }
    if (cycle === null) break;
    const X = nextId++;
    const c = cycle[0]!;
    const members: number[] = [];
    for (const s of cycle) {
      const node = slotNode[s]!;
      members.push(node);
      cycleArc[node] = orig[bestIn[s]! * N + s]!;
      parentNode[node] = X;
      inCycle[s] = 1;
    }
    contractions.push({ node: X, members });
    for (let u = 0; u < N; u++) {
      if (!active[u] || inCycle[u]) continue;
      let bi = -Infinity;
      let ai = -1;
      let bo = -Infinity;
      let ao = -1;
      for (const s of cycle) {
        const x = S[u * N + s]! - S[bestIn[s]! * N + s]!;
        if (x > bi) (bi = x), (ai = s);
        const y = S[s * N + u]!;
        if (y > bo) (bo = y), (ao = s);
      }
      S[u * N + c] = bi;
      if (ai >= 0) orig[u * N + c] = orig[u * N + ai]!;
      if (u !== 0) {
        S[c * N + u] = bo;
        if (ao >= 0) orig[c * N + u] = orig[ao * N + u]!;
      }
    }
    for (const s of cycle) if (s !== c) active[s] = 0;
    slotNode[c] = X;
    bestIn[c] = bestInOf(c);
    for (let w = 1; w < N; w++) if (active[w] && w !== c && inCycle[bestIn[w]!]) bestIn[w] = c;
    for (const s of cycle) inCycle[s] = 0;
  }
  for (let v = 1; v < N; v++) if (active[v]) enter[slotNode[v]!] = orig[bestIn[v]! * N + v]!;
  for (let k = contractions.length - 1; k >= 0; k--) {
    const { node: X, members } = contractions[k]!;
    const e = enter[X]!;
    let m = e % N;
    while (parentNode[m] !== X) m = parentNode[m]!;
    for (const v of members) enter[v] = v === m ? e : cycleArc[v]!;
  }
  const head = new Int32Array(N);
  head[0] = -1;
  for (let v = 1; v < N; v++) head[v] = Math.floor(enter[v]! / N);
  return head;
}
