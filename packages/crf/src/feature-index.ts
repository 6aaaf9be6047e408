import type { EncodedCorpus } from './corpus.js';

/**
 * Which weights exist. State features are (attribute, label) pairs stored attribute-major in CSR form:
 * the features of attribute a are k ∈ [attrStart[a], attrStart[a+1]), each with label `featLabel[k]`
 * and weight w[k]. Transition features are the dense L×L block w[numState + a·L + b]; `transitionMask`
 * marks which of them are real features (the others stay 0).
 */
export interface FeatureIndex {
  readonly numAttributes: number;
  readonly numLabels: number;
  readonly attrStart: Int32Array;
  readonly featLabel: Int32Array;
  /** Number of state features (= attrStart[numAttributes]). */
  readonly numState: number;
  /** 1 where the transition a → b is a feature, [a·L + b]. */
  readonly transitionMask: Uint8Array;
  /** Length of the weight vector: numState + L·L. */
  readonly numWeights: number;
}

/** Options controlling feature generation (CRFsuite's `feature.*` parameters). */
export interface FeatureGenerationOptions {
  /** Drop state features seen fewer than this many times (CRFsuite `feature.minfreq`, default 0: keep all). */
  minFrequency?: number;
  /** Create attribute × label features for every label, not only the pairs seen in training (default false). */
  allPossibleStates?: boolean;
  /** Create every label-bigram transition feature, not only the bigrams seen (default false). */
  allPossibleTransitions?: boolean;
  /** Use transition features at all (default true; a CRF++ template without a `B` line turns them off). */
  transitions?: boolean;
}

/** Generates the feature set from a training corpus (as CRFsuite does: from observed pairs by default). */
export function buildFeatureIndex(
  corpus: EncodedCorpus,
  numAttributes: number,
  numLabels: number,
  options: FeatureGenerationOptions = {},
): FeatureIndex {
  const L = numLabels;
  const A = numAttributes;
  const minFreq = options.minFrequency ?? 0;
  const transitionMask = new Uint8Array(L * L);
  const { seqStart, itemStart, attr, label } = corpus;
  let attrStart: Int32Array;
  let featLabel: Int32Array;
  if (options.allPossibleStates) {
    attrStart = new Int32Array(A + 1);
    featLabel = new Int32Array(A * L);
    for (let a = 0; a <= A; a++) attrStart[a] = a * L;
    for (let k = 0; k < A * L; k++) featLabel[k] = k % L;
  } else {
    // Count (attribute, label) pairs by sorting packed keys a·L + y.
    const n = attr.length;
    const keys = new Float64Array(n);
    let m = 0;
    for (let i = 0; i < corpus.seqStart[corpus.numSequences]!; i++) {
      const y = label[i]!;
      if (y < 0) continue;
      for (let j = itemStart[i]!; j < itemStart[i + 1]!; j++) keys[m++] = attr[j]! * L + y;
    }
    const sorted = keys.subarray(0, m).sort();
    const counts = new Int32Array(A + 1);
    const kept: number[] = [];
    for (let r = 0; r < m; ) {
      let e = r;
      let freq = 0;
      while (e < m && sorted[e] === sorted[r]) {
        e++;
        freq++;
      }
      if (freq >= minFreq) {
        kept.push(sorted[r]!);
        counts[Math.floor(sorted[r]! / L)]!++;
      }
      r = e;
    }
    attrStart = new Int32Array(A + 1);
    for (let a = 0; a < A; a++) attrStart[a + 1] = attrStart[a]! + counts[a]!;
    featLabel = new Int32Array(kept.length);
    for (let k = 0; k < kept.length; k++) featLabel[k] = kept[k]! % L;
  }
  if (options.transitions === false) {
    // no transition features: the mask stays all zero
  } else if (options.allPossibleTransitions) transitionMask.fill(1);
  else {
    for (let s = 0; s < corpus.numSequences; s++) {
      for (let i = seqStart[s]! + 1; i < seqStart[s + 1]!; i++) {
        const a = label[i - 1]!;
        const b = label[i]!;
        if (a >= 0 && b >= 0) transitionMask[a * L + b] = 1;
      }
    }
  }
  const numState = attrStart[A]!;
  return { numAttributes: A, numLabels: L, attrStart, featLabel, numState, transitionMask, numWeights: numState + L * L };
}

/** Number of real features: state features plus masked-in transitions. */
export function countFeatures(index: FeatureIndex): number {
  let n = index.numState;
  for (const m of index.transitionMask) n += m;
  return n;
}

/** The state feature id for (attribute a, label y), or −1 if there is none. */
export function stateFeature(index: FeatureIndex, a: number, y: number): number {
  if (a < 0 || a >= index.numAttributes) return -1;
  for (let k = index.attrStart[a]!; k < index.attrStart[a + 1]!; k++) if (index.featLabel[k] === y) return k;
  return -1;
}
