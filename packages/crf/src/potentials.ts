import type { EncodedCorpus } from './corpus.js';
import type { FeatureIndex } from './feature-index.js';

/**
 * Unary log-potentials of sequence `s`: out[t·L + y] = Σ_{occurrences j of item t} value_j · w[k] over the
 * state features k of attribute attr[j] with label y, times `scale` (weights stored as w = scale·v by SGD).
 * `out` needs length ≥ T·L; returns T.
 */
export function stateScores(
  index: FeatureIndex,
  corpus: EncodedCorpus,
  s: number,
  w: Float64Array,
  out: Float64Array,
  scale = 1,
): number {
  const L = index.numLabels;
  const { attrStart, featLabel } = index;
  const { seqStart, itemStart, attr, value } = corpus;
  const i0 = seqStart[s]!;
  const T = seqStart[s + 1]! - i0;
  out.fill(0, 0, T * L);
  for (let t = 0; t < T; t++) {
    const o = t * L;
    const i = i0 + t;
    const j1 = itemStart[i + 1]!;
    if (value === null) {
      for (let j = itemStart[i]!; j < j1; j++) {
        const a = attr[j]!;
        const k1 = attrStart[a + 1]!;
        for (let k = attrStart[a]!; k < k1; k++) out[o + featLabel[k]!]! += w[k]!;
      }
    } else {
      for (let j = itemStart[i]!; j < j1; j++) {
        const a = attr[j]!;
        const v = value[j]!;
        const k1 = attrStart[a + 1]!;
        for (let k = attrStart[a]!; k < k1; k++) out[o + featLabel[k]!]! += v * w[k]!;
      }
    }
  }
  if (scale !== 1) for (let q = 0; q < T * L; q++) out[q]! *= scale;
  return T;
}
/** The transition block of the weight vector as an L×L table (a view, no copy). */
export function transitionWeights(index: FeatureIndex, w: Float64Array): Float64Array {
  return w.subarray(index.numState, index.numState + index.numLabels * index.numLabels);
}
