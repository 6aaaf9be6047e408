/**
 * The CRF's training algorithms, one file each (CRFsuite's layout): the likelihood trainers, the CRF's own
 * perceptron, and one structured-SVM algorithm per learner of @ebmkit/ssvm's registry. `trainCrf`, the option checks
 * of `Crf.train` and `ebm crf train` (its `--algorithm` choices, flags and help) derive from this list.
 */
import type { CrfTrainer } from '../options.js';
import type { CrfAlgorithm, Hyperparameter } from './algorithm.js';
import { LBFGS } from './lbfgs.js';
import { OWLQN } from './owlqn.js';
import { PERCEPTRON } from './perceptron.js';
import { SGD } from './sgd.js';
import { SSVM_ALGORITHMS } from './ssvm.js';

/** Every CRF training algorithm, in the order help texts list them. */
export const CRF_ALGORITHM_REGISTRY: readonly CrfAlgorithm<any>[] = [LBFGS, OWLQN, SGD, PERCEPTRON, ...SSVM_ALGORITHMS];

/** Names of the training algorithms. */
export const CRF_ALGORITHMS: readonly CrfTrainer['algorithm'][] = CRF_ALGORITHM_REGISTRY.map((a) => a.name);

/** The algorithm called `name`; a RangeError listing them for an unknown name. */
export function crfAlgorithm(name: string): CrfAlgorithm<any> {
  const a = CRF_ALGORITHM_REGISTRY.find((x) => x.name === name);
  if (!a) throw new RangeError(`unknown algorithm ${JSON.stringify(name)}; expected one of ${CRF_ALGORITHMS.join(', ')}`);
  return a;
}

/** Every hyperparameter key with the algorithms that take it and their defaults, for flag tables and help. */
export function crfHyperparameters(): { key: string; declaration: Hyperparameter; algorithms: { name: string; default?: number | boolean }[] }[] {
  const byKey = new Map<string, { key: string; declaration: Hyperparameter; algorithms: { name: string; default?: number | boolean }[] }>();
  for (const a of CRF_ALGORITHM_REGISTRY) {
    for (const h of a.hyperparameters) {
      let e = byKey.get(h.key);
      if (!e) byKey.set(h.key, (e = { key: h.key, declaration: h, algorithms: [] }));
      e.algorithms.push({ name: a.name, ...(h.default !== undefined ? { default: h.default } : {}) });
    }
  }
  return [...byKey.values()];
}
