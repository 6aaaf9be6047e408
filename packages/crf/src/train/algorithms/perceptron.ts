/** The averaged structured perceptron on the CRF's features (Collins 2002). */
import { ChainWorkspace, createRng } from '@ebmkit/core';
import type { EncodedCorpus } from '../../corpus.js';
import type { FeatureIndex } from '../../feature-index.js';
import { stateScores, transitionWeights } from '../../potentials.js';
import type { PerceptronTrainer } from '../options.js';
import type { CrfAlgorithm } from './algorithm.js';

export const PERCEPTRON: CrfAlgorithm<PerceptronTrainer> = {
  name: 'perceptron',
  description: 'averaged structured perceptron (Collins 2002) on the CRF features',
  hyperparameters: [{ key: 'epochs', type: 'number', integer: true, min: 1, default: 10, help: 'Passes over the data, counted from the start' }],
  budget: 'epochs',
  async run(ctx, _p, budget) {
    const r = await averagedPerceptron(ctx.index, ctx.corpus, ctx.w0, budget!, ctx.seed, (e, mistakes, wAvg) => ctx.report(e, mistakes, NaN, wAvg));
    return { w: r.w, iterations: r.epochs, objective: r.mistakes, status: r.status };
  },
};

/**
 * Averaged structured perceptron: Viterbi with the current weights; on a mistake add the gold features and
 * subtract the predicted ones. Averages with the lazy trick (w_avg = w − u/c, u accumulating c·update).
 */
async function averagedPerceptron(
  index: FeatureIndex,
  corpus: EncodedCorpus,
  w0: Float64Array,
  epochs: number,
  seed: number,
  onEpoch: (epoch: number, mistakes: number, wAvg: () => Float64Array) => Promise<boolean>,
): Promise<{ w: Float64Array; epochs: number; mistakes: number; status: string }> {
  const L = index.numLabels;
  const { attrStart, featLabel, numState } = index;
  const w = Float64Array.from(w0);
  const u = new Float64Array(w.length);
  let c = 1;
  const rng = createRng(seed);
  const order = Int32Array.from({ length: corpus.numSequences }, (_, i) => i);
  const ws = new ChainWorkspace();
  let unary = new Float64Array(0);
  let pred = new Int32Array(0);
  const avg = () => {
    const out = new Float64Array(w.length);
    for (let k = 0; k < w.length; k++) out[k] = w[k]! - u[k]! / c;
    return out;
  };
  const update = (k: number, d: number) => {
    w[k]! += d;
    u[k]! += c * d;
  };
  const addItem = (i: number, y: number, d: number) => {
    for (let j = corpus.itemStart[i]!; j < corpus.itemStart[i + 1]!; j++) {
      const a = corpus.attr[j]!;
      const v = corpus.value === null ? d : d * corpus.value[j]!;
      for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) if (featLabel[k] === y) update(k, v);
    }
  };
  let mistakes = 0;
  let e = 0;
  let status = 'max-epochs';
  for (e = 1; e <= epochs; e++) {
    rng.shuffle(order);
    mistakes = 0;
    for (const s of order) {
      const i0 = corpus.seqStart[s]!;
      const T = corpus.seqStart[s + 1]! - i0;
      if (T === 0) continue;
      if (unary.length < T * L) unary = new Float64Array(T * L * 2);
      if (pred.length < T) pred = new Int32Array(T * 2);
      stateScores(index, corpus, s, w, unary);
      ws.viterbi({ T, L, unary, transition: transitionWeights(index, w) }, pred);
      let wrong = false;
      for (let t = 0; t < T; t++) if (pred[t] !== corpus.label[i0 + t]) wrong = true;
      if (wrong) {
        mistakes++;
        for (let t = 0; t < T; t++) {
          const g = corpus.label[i0 + t]!;
          const p = pred[t]!;
          if (g !== p) {
            addItem(i0 + t, g, 1);
            addItem(i0 + t, p, -1);
          }
          if (t > 0) {
            const gt = corpus.label[i0 + t - 1]! * L + g;
            const pt = pred[t - 1]! * L + p;
            if (gt !== pt) {
              if (index.transitionMask[gt]) update(numState + gt, 1);
              if (index.transitionMask[pt]) update(numState + pt, -1);
            }
          }
        }
      }
      c++;
    }
    if (!(await onEpoch(e, mistakes, avg))) {
      status = 'stopped';
      break;
    }
    if (mistakes === 0) {
      status = 'separated';
      break;
    }
  }
  return { w: avg(), epochs: Math.min(e, epochs), mistakes, status };
}

