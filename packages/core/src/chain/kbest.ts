import type { ChainPotentials } from './potentials.js';

/** One labelling with its score (log-weight). */
export interface ScoredLabels {
  labels: Int32Array;
  score: number;
}

/**
 * The k-best semiring DP: each cell holds the k best scores in decreasing order (⊕ merges two lists
 * keeping the k best, ⊗ adds a log-weight to every entry), with back-pointers packed as a·k + rank.
 * Returns up to k labellings in decreasing score order (fewer if fewer have finite score); ties are
 * broken by lower predecessor label, then lower rank, so the result is deterministic.
 * Memory: T·L·k back-pointers (Int32) and two rows of scores.
 */
export function kBest(p: ChainPotentials, k: number): ScoredLabels[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const { T, L, unary, transition } = p;
  const K = k;
  const back = new Int32Array(T * L * K).fill(-1);
  let prev = new Float64Array(L * K).fill(-Infinity);
  let cur = new Float64Array(L * K).fill(-Infinity);
  for (let y = 0; y < L; y++) prev[y * K] = unary[y]! + (p.start ? p.start[y]! : 0);
  const candS = new Float64Array(K);
  const candB = new Int32Array(K);
  for (let t = 1; t < T; t++) {
    for (let b = 0; b < L; b++) {
      candS.fill(-Infinity);
      candB.fill(-1);
      for (let a = 0; a < L; a++) {
        const tr = transition[a * L + b]!;
        if (tr === -Infinity) continue;
        for (let r = 0; r < K; r++) {
          const s = prev[a * K + r]! + tr;
          if (!(s > candS[K - 1]!)) break; // lists are sorted: later ranks are no better
          insertTop(candS, candB, K, s, a * K + r);
        }
      }
      const u = unary[t * L + b]!;
      const o = b * K;
      for (let r = 0; r < K; r++) {
        cur[o + r] = candS[r]! + u;
        back[(t * L + b) * K + r] = candB[r]!;
      }
    }
    const tmp = prev;
    prev = cur;
    cur = tmp;
  }
  // Final ⊕ over labels (with end potentials).
  candS.fill(-Infinity);
  candB.fill(-1);
  for (let y = 0; y < L; y++) {
    const e = p.end ? p.end[y]! : 0;
    for (let r = 0; r < K; r++) {
      const s = prev[y * K + r]! + e;
      if (!(s > candS[K - 1]!)) break;
      insertTop(candS, candB, K, s, y * K + r);
    }
  }
  const result: ScoredLabels[] = [];
  for (let i = 0; i < K; i++) {
    const score = candS[i]!;
    if (score === -Infinity) break;
    const labels = new Int32Array(T);
    let ptr = candB[i]!;
    for (let t = T - 1; t >= 0; t--) {
      const y = Math.floor(ptr / K);
      labels[t] = y;
      ptr = back[(t * L + y) * K + (ptr % K)]!;
    }
    result.push({ labels, score });
  }
  return result;
}

/** Inserts (s, ptr) into the sorted top-K lists if it beats the last entry (strictly: earlier wins ties). */
function insertTop(S: Float64Array, B: Int32Array, K: number, s: number, ptr: number): void {
  let i = K - 1;
  while (i > 0 && s > S[i - 1]!) {
    S[i] = S[i - 1]!;
    B[i] = B[i - 1]!;
    i--;
  }
  S[i] = s;
  B[i] = ptr;
}
