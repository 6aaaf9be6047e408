/**
 * Arc potentials of a dependency tree over n words: log-weights (negative energies) θ(h → d) stored flat as
 * `arcs[h·(n+1) + d]` for heads h ∈ 0..n (0 is the root) and dependents d ∈ 1..n. Entries with d = 0 or h = d are
 * ignored. A tree is a head array `heads[d]` (d = 1..n) with `heads[0] = −1`.
 */
export interface TreePotentials {
  /** Number of words (the root is node 0, words are 1..n). */
  readonly n: number;
  /** θ(h → d) at [h·(n+1) + d], length (n+1)². */
  readonly arcs: Float64Array;
}

/** Which trees the distribution ranges over. */
export interface TreeOptions {
  /** Only projective trees (Eisner) instead of all spanning arborescences (matrix-tree theorem). Default false. */
  projective?: boolean;
  /** Allow several words attached to the root. Default false (exactly one root word, as in UD). */
  multiRoot?: boolean;
}

/** Checks the shape and values of tree potentials (finite or −∞ on used entries). */
export function checkTreePotentials(p: TreePotentials): void {
  const { n, arcs } = p;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`tree potentials: n must be an integer ≥ 1, got ${n}`);
  const N = n + 1;
  if (!(arcs instanceof Float64Array) || arcs.length !== N * N) {
    throw new RangeError(`tree potentials: arcs length ${arcs?.length} !== (n+1)² = ${N * N}`);
  }
  for (let h = 0; h < N; h++) {
    for (let d = 1; d < N; d++) {
      if (h === d) continue;
      const v = arcs[h * N + d]!;
      if (Number.isNaN(v) || v === Infinity) throw new RangeError(`arcs[${h}→${d}] is ${v}; potentials must be finite or −∞`);
    }
  }
}

/** Score (sum of arc log-weights) of a head array; −∞ if it uses a forbidden arc. Does not check tree-ness. */
export function treeScore(p: TreePotentials, heads: ArrayLike<number>): number {
  const N = p.n + 1;
  let s = 0;
  for (let d = 1; d < N; d++) s += p.arcs[heads[d]! * N + d]!;
  return s;
}

/**
 * Why `heads` is not a valid tree over n words (wrong length, head out of range, self-loop, cycle, root count;
 * non-projective when `projective`), or null when it is.
 */
export function treeError(heads: ArrayLike<number>, n: number, options: TreeOptions = {}): string | null {
  if (heads.length !== n + 1) return `heads length ${heads.length} !== n + 1 = ${n + 1}`;
  let roots = 0;
  for (let d = 1; d <= n; d++) {
    const h = heads[d]!;
    if (!Number.isInteger(h) || h < 0 || h > n) return `head of word ${d} is ${h}, expected 0..${n}`;
    if (h === d) return `word ${d} is its own head`;
    if (h === 0) roots++;
  }
  if (roots === 0) return 'no word is attached to the root';
  if (roots > 1 && !options.multiRoot) return `${roots} words are attached to the root, expected exactly one`;
  // Cycle check: follow heads from each word, colouring visited nodes.
  const state = new Uint8Array(n + 1); // 0 unvisited, 1 on current path, 2 done
  state[0] = 2;
  for (let d = 1; d <= n; d++) {
    let v = d;
    while (state[v] === 0) {
      state[v] = 1;
      v = heads[v]!;
    }
    if (state[v] === 1) return `cycle through word ${v}`;
    v = d;
    while (state[v] === 1) {
      state[v] = 2;
      v = heads[v]!;
    }
  }
  if (options.projective && !isProjective(heads, n)) return 'tree is not projective';
  return null;
}

/** True when no two arcs of the tree cross (drawn above the sentence with the root at position 0). O(n²). */
export function isProjective(heads: ArrayLike<number>, n: number): boolean {
  for (let a = 1; a <= n; a++) {
    const lo = Math.min(a, heads[a]!);
    const hi = Math.max(a, heads[a]!);
    for (let b = a + 1; b <= n; b++) {
      const l2 = Math.min(b, heads[b]!);
      const h2 = Math.max(b, heads[b]!);
      // Two arcs cross when exactly one end of one lies strictly inside the other.
      if ((l2 > lo && l2 < hi && (h2 > hi || h2 < lo)) || (h2 > lo && h2 < hi && (l2 < lo || l2 > hi))) return false;
    }
  }
  return true;
}
