import type { EncodedCorpus } from '../corpus.js';

/**
 * Splits sequences [0, n) into `parts` contiguous ranges of about equal cost (cost of a sequence ≈ its
 * length, as forward–backward is linear in T). Returns parts + 1 boundaries.
 */
export function balancedShards(corpus: EncodedCorpus, parts: number): Int32Array {
  const n = corpus.numSequences;
  const bounds = new Int32Array(parts + 1);
  const total = corpus.seqStart[n]! + n; // +1 per sequence: fixed per-sequence overhead
  let s = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (s < n && corpus.seqStart[s + 1]! + (s + 1) <= target) s++;
    bounds[p] = s;
  }
  bounds[parts] = n;
  return bounds;
}

/** The sequences [from, to) of a corpus as a corpus of their own (copied, re-based offsets). */
export function sliceCorpus(c: EncodedCorpus, from: number, to: number): EncodedCorpus {
  const i0 = c.seqStart[from]!;
  const i1 = c.seqStart[to]!;
  const j0 = c.itemStart[i0]!;
  const j1 = c.itemStart[i1]!;
  return {
    numSequences: to - from,
    seqStart: c.seqStart.slice(from, to + 1).map((v) => v - i0),
    itemStart: c.itemStart.slice(i0, i1 + 1).map((v) => v - j0),
    attr: c.attr.slice(j0, j1),
    value: c.value === null ? null : c.value.slice(j0, j1),
    label: c.label.slice(i0, i1),
  };
}
