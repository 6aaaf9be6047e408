import type { EncodedCorpus } from '../corpus.js';
import type { FeatureIndex } from '../feature-index.js';

/**
 * A corpus resolved against a feature index for the gradient's hot loops: the state features of attribute
 * occurrence j are k ∈ [range[2j], range[2j+1]) and their labels are `labels[k]`.
 *
 * The two loops over features (state scores, expected counts) are bound by memory latency: per occurrence they
 * read attrStart[a], featLabel[k…] and w[k…] at random places. Streaming the ranges in occurrence order
 * removes the attrStart read, and one-byte labels (L ≤ 256) put four times as many labels in a cache line.
 */
export interface FeatureRanges {
  /** [2j] start, [2j + 1] end of occurrence j's state features. */
  readonly range: Int32Array;
  /** featLabel in the narrowest unsigned type that holds L − 1. */
  readonly labels: Uint8Array | Uint16Array | Int32Array;
}

/** Resolves every attribute occurrence of `corpus` to its range of state features in `index`. */
export function featureRanges(index: FeatureIndex, corpus: EncodedCorpus): FeatureRanges {
  const { attrStart, featLabel, numLabels } = index;
  const { attr } = corpus;
  const range = new Int32Array(2 * attr.length);
  for (let j = 0; j < attr.length; j++) {
    const a = attr[j]!;
    range[2 * j] = attrStart[a]!;
    range[2 * j + 1] = attrStart[a + 1]!;
  }
  const labels = numLabels <= 256 ? Uint8Array.from(featLabel) : numLabels <= 65536 ? Uint16Array.from(featLabel) : featLabel;
  return { range, labels };
}
