import { ChainWorkspace } from '@ebmkit/core';
import type { LabelScheme } from '../constraints.js';
import type { EncodedCorpus } from '../corpus.js';
import { conlleval } from '../eval/conlleval.js';
import type { FeatureIndex } from '../feature-index.js';
import { stateScores, transitionWeights } from '../potentials.js';

/**
 * Viterbi-decodes an encoded corpus with weights `w` and scores it against its gold labels: token accuracy,
 * and conlleval chunk F1 when the labels form a chunk scheme. Gold labels unseen in training (−1) count as errors.
 */
export function evaluateEncoded(
  index: FeatureIndex,
  corpus: EncodedCorpus,
  w: Float64Array,
  labels: readonly string[],
  scheme: LabelScheme,
  goldStrings?: readonly (readonly string[])[],
): { accuracy: number; f1?: number } {
  const L = index.numLabels;
  const ws = new ChainWorkspace();
  const transition = transitionWeights(index, w);
  let unary = new Float64Array(0);
  let correct = 0;
  let total = 0;
  const guessed: string[][] = [];
  for (let s = 0; s < corpus.numSequences; s++) {
    const i0 = corpus.seqStart[s]!;
    const T = corpus.seqStart[s + 1]! - i0;
    if (unary.length < T * L) unary = new Float64Array(T * L * 2);
    const out = new Int32Array(T);
    if (T > 0) {
      stateScores(index, corpus, s, w, unary);
      ws.viterbi({ T, L, unary, transition }, out);
    }
    for (let t = 0; t < T; t++) if (out[t] === corpus.label[i0 + t]) correct++;
    total += T;
    if (scheme !== 'none') guessed.push(Array.from(out, (y) => labels[y]!));
  }
  const accuracy = total ? correct / total : 0;
  if (scheme === 'none' || !goldStrings) return { accuracy };
  return { accuracy, f1: conlleval(goldStrings, guessed).overall.f1 };
}
