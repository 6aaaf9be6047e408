import type { FeatureGenerationOptions } from '../feature-index.js';
import type { FeatureSpec } from '../feature-spec.js';
import type { LabeledSequence } from '../corpus.js';
import type { SsvmCrfTrainer } from '../structured-model.js';

/** L-BFGS on the L2-regularised negative log-likelihood −Σ log p(y|x) + c2·‖w‖² (CRFsuite's defaults). */
export interface LbfgsTrainer {
  algorithm: 'lbfgs';
  /** L2 coefficient (default 1, as CRFsuite). */
  c2?: number;
  /** Stop when the objective improved by less than delta (relative) over `period` iterations (1e-5, 10). */
  delta?: number;
  period?: number;
  /** Gradient-norm test ‖g‖/max(1,‖w‖) < epsilon (default 1e-5). */
  epsilon?: number;
  maxIterations?: number;
  /** L-BFGS memory (default 6). */
  memory?: number;
}

/** OWL-QN: L1 (c1) or elastic net (c1 and c2). */
export interface OwlqnTrainer {
  algorithm: 'owlqn';
  /** L1 coefficient (default 1). */
  c1?: number;
  /** L2 coefficient (default 0). */
  c2?: number;
  delta?: number;
  period?: number;
  epsilon?: number;
  maxIterations?: number;
  memory?: number;
}

/** SGD with L2 (CRFsuite's l2sgd: calibrated learning rate, inverse-time decay), optionally averaged. */
export interface SgdTrainer {
  algorithm: 'sgd';
  /** L2 coefficient (default 1). */
  c2?: number;
  /** Passes over the data (default 50). */
  epochs?: number;
  /** Calibrate the initial learning rate on a sample (default true). */
  calibrate?: boolean;
  /** Initial learning rate when not calibrating (default 0.1). */
  eta0?: number;
  /** Average the iterates (default false). */
  averaging?: boolean;
  /** Stop when the epoch objective improved by less than delta over `period` epochs (default 1e-6, 10). */
  delta?: number;
  period?: number;
}

/** Averaged structured perceptron (Collins 2002). */
export interface PerceptronTrainer {
  algorithm: 'perceptron';
  /** Passes over the data (default 10). */
  epochs?: number;
}

/** A training algorithm and its hyperparameters (SsvmCrfTrainer: the structured-SVM learners, structured-model.ts). */
export type CrfTrainer = LbfgsTrainer | OwlqnTrainer | SgdTrainer | PerceptronTrainer | SsvmCrfTrainer;

/** Progress after an iteration (L-BFGS/OWL-QN) or epoch (SGD/perceptron). */
export interface CrfProgress {
  iteration: number;
  /** Training objective (regularised negative log-likelihood; number of mistakes for the perceptron). */
  objective: number;
  /** ‖gradient‖ (quasi-Newton trainers), else NaN. */
  gradientNorm: number;
  /** Dev-set scores when a dev set was given. */
  dev?: { accuracy: number; f1?: number };
  seconds: number;
}

/** Options of `Crf.train` / `trainCrf`. */
export interface CrfTrainOptions {
  /** Algorithm and hyperparameters (default L-BFGS with c2 = 1). */
  trainer?: CrfTrainer;
  /** Feature generation (CRFsuite's feature.minfreq, possible_states, possible_transitions). */
  featureGeneration?: FeatureGenerationOptions;
  /** How the items' attributes were made; stored in the model so that `tag` can take tokens (default 'attributes'). */
  features?: FeatureSpec;
  /** Worker threads for the gradient (default: available cores). */
  threads?: number;
  /** Held-out sequences evaluated after every iteration (token accuracy, and chunk F1 for B-/I- labels). */
  dev?: readonly LabeledSequence[];
  /** Stop when the dev score has not improved for this many evaluations, keeping the best weights (default: off). */
  earlyStopping?: number;
  /** Seed of the rng used by SGD and the perceptron (shuffling, calibration). Default 1. */
  seed?: number;
  /** Called after each iteration/epoch; returning false stops training. */
  onProgress?: (p: CrfProgress) => boolean | void;
  /** Checkpointing: the weights are written to `dir` every `every` iterations (default 10); `resume` continues from it. */
  checkpoint?: { dir: string; every?: number; resume?: boolean };
  /** Where training data came from, for error messages. */
  source?: string;
}
