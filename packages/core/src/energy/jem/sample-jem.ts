/**
 * Sampling from a JEM: unconditional p(x) ∝ exp(logsumexp f(x)) or class-conditional p(x | y) ∝ exp(f(x)[y]), by SGLD
 * from uniform noise over the data range (or from given starts, e.g. a replay buffer), clamped to the data range.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { sgld, type SamplerStepCallback } from '../langevin.js';
import { uniformNoise } from '../noise.js';
import type { Jem } from './jem-model.js';

/** Options of `sampleJem`. */
export interface JemSampleOptions {
  /** Number of samples. */
  n: number;
  /** Class to condition on (p(x | y)); unconditional when undefined. */
  classLabel?: number;
  /** SGLD steps (default 100), step size (default 1) and noise (default 0.01). */
  steps?: number;
  stepSize?: number;
  noise?: number;
  /** Starting points [n, ...inputShape] (default uniform noise over the data range). */
  init?: tf.Tensor;
  onStep?: SamplerStepCallback;
}

/** Draws `options.n` samples; returns a tensor [n, ...inputShape] the caller disposes. */
export function sampleJem(jem: Jem, options: JemSampleOptions, rng: Rng): tf.Tensor {
  const { n } = options;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`sampleJem: n must be an integer ≥ 1, got ${n}`);
  const { min, max } = jem.metadata.dataRange;
  const energy = options.classLabel === undefined ? jem.energy : jem.classEnergy(options.classLabel);
  const x0 = options.init ?? uniformNoise(rng, [n, ...jem.inputShape], min, max);
  if (x0.shape[0] !== n) throw new RangeError(`sampleJem: init has ${x0.shape[0]} rows, n is ${n}`);
  const out = sgld(
    energy,
    x0,
    { stepSize: options.stepSize ?? 1, noise: options.noise ?? 0.01, steps: options.steps ?? 100, clamp: { min, max } },
    rng,
    options.onStep,
  );
  if (!options.init) x0.dispose();
  return out;
}
