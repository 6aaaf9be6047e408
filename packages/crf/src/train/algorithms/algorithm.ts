/**
 * What a CRF training algorithm declares: its name, one line of description, its hyperparameters with their defaults
 * and bounds (written once, here in each algorithm's file), which hyperparameter is its iteration budget, and how it
 * runs. `registry.ts` lists them; `trainCrf`, the checks of `Crf.train`'s options and `ebm crf train`'s flags and help
 * derive from the declarations (the way CRFsuite has one file per trainer).
 */
import type { EncodedCorpus } from '../../corpus.js';
import type { FeatureIndex } from '../../feature-index.js';
import type { CrfTrainer } from '../options.js';

/** One hyperparameter of an algorithm: a field of its trainer object. */
export interface Hyperparameter {
  /** The trainer field, e.g. `c2`, `maxIterations`, `C` (the CLI flag is its kebab-case, `C` → `--c`/`-C`). */
  readonly key: string;
  /** One line of help. */
  readonly help: string;
  readonly type: 'number' | 'boolean';
  /** Reject fractions. */
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Strictly positive. */
  readonly positive?: boolean;
  /** The default (absent: none, e.g. no iteration limit). */
  readonly default?: number | boolean;
}

/** What the trainer gives an algorithm. */
export interface AlgorithmContext {
  readonly index: FeatureIndex;
  readonly corpus: EncodedCorpus;
  /** Starting weights (zeros, or a resumed checkpoint's). */
  readonly w0: Float64Array;
  /** Gradient worker threads asked for (undefined: one per core); capped at the core count by the algorithm. */
  readonly threads: number | undefined;
  readonly seed: number;
  /**
   * Records iteration `iteration` of this run (1-based; the trainer adds a resumed run's offset), evaluates dev data,
   * writes checkpoints; resolves to false when training should stop.
   */
  report(iteration: number, objective: number, gradientNorm: number, w: () => Float64Array): Promise<boolean>;
}

/** How a run of an algorithm ended. */
export interface AlgorithmResult {
  readonly w: Float64Array;
  /** Iterations (epochs, passes) done by this run. */
  readonly iterations: number;
  readonly objective: number;
  readonly status: string;
  /** Values worth keeping in the model's training info beyond the hyperparameters (e.g. the calibrated eta0). */
  readonly extra?: Readonly<Record<string, number | string | boolean>>;
}

/** A training algorithm of the CRF. */
export interface CrfAlgorithm<T extends CrfTrainer = CrfTrainer> {
  readonly name: T['algorithm'];
  /** One line for help texts. */
  readonly description: string;
  readonly hyperparameters: readonly Hyperparameter[];
  /** The hyperparameter that bounds the iterations (a total: a resumed run does what is left of it). */
  readonly budget: 'maxIterations' | 'epochs' | 'passes';
  /**
   * Trains from `ctx.w0`. `params` is the trainer with every declared default filled in; `budget` is what is left of
   * the budget hyperparameter (≥ 1; undefined when it has no limit).
   */
  run(ctx: AlgorithmContext, params: T, budget: number | undefined): Promise<AlgorithmResult>;
}

/** The hyperparameter declarations' defaults as an object. */
export function defaultsOf(hyperparameters: readonly Hyperparameter[]): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const h of hyperparameters) if (h.default !== undefined) out[h.key] = h.default;
  return out;
}
