/** L-BFGS on the L2-regularised negative log-likelihood −Σ log p(y|x) + c2·‖w‖² (CRFsuite's lbfgs with its defaults). */
import type { LbfgsTrainer } from '../options.js';
import type { CrfAlgorithm } from './algorithm.js';
import { QUASI_NEWTON_HYPERPARAMETERS, runQuasiNewton } from './quasi-newton.js';

export const LBFGS: CrfAlgorithm<LbfgsTrainer> = {
  name: 'lbfgs',
  description: 'L-BFGS on the L2-regularised likelihood (CRFsuite lbfgs)',
  hyperparameters: [{ key: 'c2', type: 'number', min: 0, default: 1, help: 'L2 coefficient c2 of c2·‖w‖²' }, ...QUASI_NEWTON_HYPERPARAMETERS],
  budget: 'maxIterations',
  run: (ctx, p, budget) => runQuasiNewton(ctx, { ...(p as Required<LbfgsTrainer>), c1: 0 }, budget),
};
