/**
 * The structured-SVM learners of @ebmkit/ssvm as CRF training algorithms, one per entry of the ssvm learner registry
 * (its descriptions and defaults; `perceptron` is called `perceptron-ssvm` here). The CRF's weights are the learner's
 * weights over `CrfStructuredModel`.
 */
import { SSVM_LEARNER_REGISTRY, SSVM_LEARNERS } from '@ebmkit/ssvm';
import { crfNameOfLearner, trainCrfSsvm, type SsvmCrfTrainer } from '../../structured-model.js';
import type { CrfAlgorithm } from './algorithm.js';

/** One CRF algorithm per ssvm learner, in the registry's order. */
export const SSVM_ALGORITHMS: readonly CrfAlgorithm<SsvmCrfTrainer>[] = SSVM_LEARNERS.map((learner) => {
  const entry = SSVM_LEARNER_REGISTRY[learner];
  return {
    name: crfNameOfLearner(learner),
    description: `structured SVM: ${entry.description}`,
    hyperparameters: [
      { key: 'C', type: 'number', positive: true, default: entry.defaults.C, help: 'Regularisation C > 0 of the structured-SVM learners (λ = 1/(C·n))' },
      { key: 'passes', type: 'number', integer: true, min: 1, default: entry.defaults.maxPasses, help: 'Most passes over the data, counted from the start' },
      ...(entry.dual
        ? [{ key: 'tolerance', type: 'number', min: 0, default: entry.defaults.tolerance, help: 'Stop at a duality gap ≤ tolerance × primal' } as const]
        : []),
    ],
    budget: 'passes',
    async run(ctx, p, budget) {
      const r = await trainCrfSsvm(ctx.index, ctx.corpus, { ...p, passes: budget! }, {
        w0: ctx.w0,
        seed: ctx.seed,
        onPass: (e, wv) => ctx.report(e.pass, e.primal, NaN, () => wv),
      });
      return { w: r.w, iterations: r.passes, objective: r.objective, status: r.status };
    },
  } satisfies CrfAlgorithm<SsvmCrfTrainer>;
});
