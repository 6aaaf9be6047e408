import { BcfwLearner, type BcfwOptions } from './bcfw.js';
import type { SsvmLearner } from './learner.js';
import { NSlackLearner, type NSlackOptions } from './n-slack.js';
import { OneSlackLearner, type OneSlackOptions } from './one-slack.js';
import { SSVM_LEARNERS, type SsvmLearnerName } from './options.js';
import { PerceptronLearner, type PerceptronOptions } from './perceptron.js';
import type { SsvmModel } from './ssvm-model.js';
import { SubgradientLearner, type SubgradientOptions } from './subgradient.js';

/**
 * Options accepted by `createLearner` (each learner reads its own). `averaging` (default true) returns the
 * averaged iterate of BCFW, the subgradient method ('weighted') and the perceptron; false returns the last one.
 */
export type LearnerOptions = Omit<BcfwOptions, 'averaging'> &
  NSlackOptions &
  OneSlackOptions &
  Omit<SubgradientOptions, 'averaging'> &
  Omit<PerceptronOptions, 'averaging'> & { averaging?: boolean };

/** A learner by name (the CLI's and the CRF trainer's entry point). */
export function createLearner<X, Y>(name: SsvmLearnerName, model: SsvmModel<X, Y>, options: LearnerOptions = {}): SsvmLearner<X, Y> {
  switch (name) {
    case 'bcfw':
      return new BcfwLearner(model, options);
    case 'nslack':
      return new NSlackLearner(model, options);
    case 'oneslack':
      return new OneSlackLearner(model, options);
    case 'subgradient':
      return new SubgradientLearner(model, { ...options, averaging: options.averaging === false ? 'none' : 'weighted' });
    case 'perceptron':
      return new PerceptronLearner(model, options);
    default:
      throw new RangeError(`unknown learner ${JSON.stringify(name)}; expected one of ${SSVM_LEARNERS.join(', ')}`);
  }
}
