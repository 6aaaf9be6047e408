/** OWL-QN: L1 (c1) or elastic-net (c1 and c2) regularised likelihood, sparse weights (CRFsuite's lbfgs with c1 > 0). */
import type { OwlqnTrainer } from '../options.js';
import type { CrfAlgorithm } from './algorithm.js';
import { QUASI_NEWTON_HYPERPARAMETERS, runQuasiNewton } from './quasi-newton.js';

export const OWLQN: CrfAlgorithm<OwlqnTrainer> = {
  name: 'owlqn',
  description: 'OWL-QN on the L1 (or elastic-net) regularised likelihood: sparse models',
  hyperparameters: [
    { key: 'c1', type: 'number', min: 0, default: 1, help: 'L1 coefficient c1 of c1·‖w‖₁' },
    { key: 'c2', type: 'number', min: 0, default: 0, help: 'L2 coefficient c2 of c2·‖w‖²' },
    ...QUASI_NEWTON_HYPERPARAMETERS,
  ],
  budget: 'maxIterations',
  run: (ctx, p, budget) => runQuasiNewton(ctx, p as Required<OwlqnTrainer>, budget),
};
