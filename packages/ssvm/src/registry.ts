/**
 * The one list of structured-SVM learners: name → constructor, defaults, whether it has a dual, and a one-line
 * description. `createLearner`, the `ebm ssvm` and `ebm crf` commands (and their help texts), the CRF's algorithm list
 * and the segmenter's SSVM choice all derive from it; adding a learner is one entry here.
 */
import { BcfwLearner } from './bcfw.js';
import type { LearnerOptions } from './create-learner.js';
import type { SsvmLearner } from './learner.js';
import { NSlackLearner } from './n-slack.js';
import { OneSlackLearner } from './one-slack.js';
import { SSVM_DEFAULTS, type ResolvedOptions } from './options.js';
import { PERCEPTRON_DEFAULTS, PerceptronLearner } from './perceptron.js';
import type { SsvmModel } from './ssvm-model.js';
import { SubgradientLearner } from './subgradient.js';

/** One learner of the registry. */
export interface SsvmLearnerEntry {
  /** One line for help texts and listings. */
  readonly description: string;
  /** True when the learner certifies a duality gap and stops at `tolerance`; false ones run `maxPasses`. */
  readonly dual: boolean;
  /** Defaults of the common options for this learner. */
  readonly defaults: Readonly<ResolvedOptions>;
  /**
   * Builds the learner. `averaging` (default true) returns the averaged iterate of BCFW, the subgradient method
   * ('weighted') and the perceptron; false returns the last one.
   */
  create<X, Y>(model: SsvmModel<X, Y>, options: LearnerOptions): SsvmLearner<X, Y>;
}

/** Names of the learners, in the order help texts list them (the registry below must have exactly these keys). */
export const SSVM_LEARNERS = ['bcfw', 'oneslack', 'nslack', 'subgradient', 'perceptron'] as const;

/** A learner name. */
export type SsvmLearnerName = (typeof SSVM_LEARNERS)[number];

/** Every learner. */
export const SSVM_LEARNER_REGISTRY: Readonly<Record<SsvmLearnerName, SsvmLearnerEntry>> = {
  bcfw: {
    description: 'block-coordinate Frank–Wolfe (Lacoste-Julien et al. 2013): one example per step, exact line search, duality gap',
    dual: true,
    defaults: SSVM_DEFAULTS,
    create: (model, options) => new BcfwLearner(model, options),
  },
  oneslack: {
    description: 'one-slack cutting planes (Joachims et al. 2009): one joint constraint per pass, dual QP',
    dual: true,
    defaults: SSVM_DEFAULTS,
    create: (model, options) => new OneSlackLearner(model, options),
  },
  nslack: {
    description: 'n-slack cutting planes (Tsochantaridis et al. 2005): a working set per example, dual QP',
    dual: true,
    defaults: SSVM_DEFAULTS,
    create: (model, options) => new NSlackLearner(model, options),
  },
  subgradient: {
    description: 'stochastic subgradient descent on the primal (Ratliff et al. 2007), weighted averaging; no gap',
    dual: false,
    defaults: SSVM_DEFAULTS,
    create: (model, options) => new SubgradientLearner(model, { ...options, averaging: options.averaging === false ? 'none' : 'weighted' }),
  },
  perceptron: {
    description: 'averaged structured perceptron (Collins 2002): update on mistakes, stops when separated; no gap',
    dual: false,
    defaults: PERCEPTRON_DEFAULTS,
    create: (model, options) => new PerceptronLearner(model, options),
  },
};

/** The registry entry of `name`; a RangeError listing the learners for an unknown name. */
export function ssvmLearner(name: string): SsvmLearnerEntry {
  if (!Object.hasOwn(SSVM_LEARNER_REGISTRY, name)) {
    throw new RangeError(`unknown learner ${JSON.stringify(name)}; expected one of ${SSVM_LEARNERS.join(', ')}`);
  }
  return SSVM_LEARNER_REGISTRY[name as SsvmLearnerName];
}

/** `name: description` lines of every learner, for help texts (`prefix` renames, e.g. perceptron → perceptron-ssvm). */
export function ssvmLearnerHelp(rename: (name: SsvmLearnerName) => string = (n) => n): string {
  return SSVM_LEARNERS.map((n) => `${rename(n)}: ${SSVM_LEARNER_REGISTRY[n].description}`).join('\n');
}
