import type { BcfwOptions } from './bcfw.js';
import type { SsvmLearner } from './learner.js';
import type { NSlackOptions } from './n-slack.js';
import type { OneSlackOptions } from './one-slack.js';
import type { PerceptronOptions } from './perceptron.js';
import { ssvmLearner, type SsvmLearnerName } from './registry.js';
import type { SsvmModel } from './ssvm-model.js';
import type { SubgradientOptions } from './subgradient.js';

/**
 * Options accepted by `createLearner` (each learner reads its own). `averaging` (default true) returns the
 * averaged iterate of BCFW, the subgradient method ('weighted') and the perceptron; false returns the last one.
 */
export type LearnerOptions = Omit<BcfwOptions, 'averaging'> &
  NSlackOptions &
  OneSlackOptions &
  Omit<SubgradientOptions, 'averaging'> &
  Omit<PerceptronOptions, 'averaging'> & { averaging?: boolean };

/** A learner by name, from the registry (the CLI's, the CRF trainer's and the segmenter's entry point). */
export function createLearner<X, Y>(name: SsvmLearnerName, model: SsvmModel<X, Y>, options: LearnerOptions = {}): SsvmLearner<X, Y> {
  return ssvmLearner(name).create(model, options);
}
