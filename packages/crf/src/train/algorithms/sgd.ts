/**
 * SGD with L2 (CRFsuite's l2sgd): the learning rate calibrated on a sample, inverse-time decay, optionally averaged.
 */
import { createRng, sgdMinimize } from '@ebmkit/core';
import type { EncodedCorpus } from '../../corpus.js';
import type { FeatureIndex } from '../../feature-index.js';
import { LikelihoodWorkspace, negLogLikelihood } from '../objective.js';
import type { SgdTrainer } from '../options.js';
import type { CrfAlgorithm } from './algorithm.js';

export const SGD: CrfAlgorithm<SgdTrainer> = {
  name: 'sgd',
  description: 'stochastic gradient descent on the L2-regularised likelihood (CRFsuite l2sgd)',
  hyperparameters: [
    { key: 'c2', type: 'number', min: 0, default: 1, help: 'L2 coefficient c2 of c2·‖w‖²' },
    { key: 'epochs', type: 'number', integer: true, min: 1, default: 50, help: 'Passes over the data, counted from the start' },
    { key: 'calibrate', type: 'boolean', default: true, help: 'Calibrate the initial learning rate on a sample' },
    { key: 'eta0', type: 'number', positive: true, default: 0.1, help: 'Initial learning rate when not calibrating' },
    { key: 'averaging', type: 'boolean', default: false, help: 'Average the iterates' },
    { key: 'delta', type: 'number', min: 0, default: 1e-6, help: 'Stop when the epoch objective improves by less than this over --period epochs' },
    { key: 'period', type: 'number', integer: true, min: 1, default: 10, help: 'Epochs of the delta test' },
  ],
  budget: 'epochs',
  async run(ctx, p, budget) {
    const { index, corpus } = ctx;
    const c2 = p.c2!;
    const result = await sgdMinimize(
      {
        numExamples: corpus.numSequences,
        dim: index.numWeights,
        example: exampleGradient(index, corpus),
      },
      {
        rng: createRng(ctx.seed),
        c2,
        epochs: budget!,
        calibrate: p.calibrate!,
        ...(p.calibrate === false ? { schedule: { kind: 'inverse', eta0: p.eta0!, lambda: (2 * c2) / corpus.numSequences } } : {}),
        averaging: p.averaging!,
        delta: p.delta!,
        period: p.period!,
        w0: ctx.w0,
        onEpoch: (e) => ctx.report(e.epoch, e.loss, NaN, () => e.weights()),
      },
    );
    return {
      w: result.w,
      iterations: result.epochs,
      objective: result.losses[result.losses.length - 1] ?? NaN,
      status: result.status,
      extra: { eta0: result.eta0 },
    };
  },
};

/** The per-sequence gradient of the negative log-likelihood, written sparsely into SGD's sink. */
function exampleGradient(index: FeatureIndex, corpus: EncodedCorpus): Parameters<typeof sgdMinimize>[0]['example'] {
  const ws = new LikelihoodWorkspace(index.numLabels);
  const dense = new Float64Array(index.numWeights);
  const L = index.numLabels;
  const transitionGrad = new Float64Array(L * L);
  return (s, wv, sink) => {
    const loss = negLogLikelihood(index, corpus, s, s + 1, wv.values, dense, ws, wv.scale);
    // Move the touched state-feature entries and the masked transition block to the sink.
    forEachStateFeature(index, corpus, s, (k) => {
      if (dense[k] !== 0) {
        sink.add(k, dense[k]!);
        dense[k] = 0;
      }
    });
    for (let q = 0; q < L * L; q++) {
      transitionGrad[q] = dense[index.numState + q]!;
      dense[index.numState + q] = 0;
    }
    sink.addDense(transitionGrad, index.numState);
    return loss;
  };
}

/** Calls `fn(k)` for every state feature k touched by sequence s (with repeats). */
function forEachStateFeature(index: FeatureIndex, corpus: EncodedCorpus, s: number, fn: (k: number) => void): void {
  const { attrStart } = index;
  for (let i = corpus.seqStart[s]!; i < corpus.seqStart[s + 1]!; i++) {
    for (let j = corpus.itemStart[i]!; j < corpus.itemStart[i + 1]!; j++) {
      const a = corpus.attr[j]!;
      for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) fn(k);
    }
  }
}
