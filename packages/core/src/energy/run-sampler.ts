/** One entry point for every gradient sampler of continuous x, dispatching on `SamplerOptions.kind`. */
import type * as tf from './tf.js';
import type { Rng } from '../rng.js';
import type { EnergyFunction } from './energy-function.js';
import { langevin, sgld, type SamplerStepCallback } from './langevin.js';
import { mala } from './mala.js';
import type { SamplerOptions } from './sampler-options.js';

/** A sampler run: the final batch (the caller disposes it) and, for MALA, the acceptance rate. */
export interface SampleResult {
  x: tf.Tensor;
  acceptanceRate?: number;
}

/** Runs the sampler `options` describes on `energy` from the batch `x0` (not disposed). */
export function runSampler(energy: EnergyFunction, x0: tf.Tensor, options: SamplerOptions, rng: Rng, onStep?: SamplerStepCallback): SampleResult {
  switch (options.kind) {
    case 'langevin':
      return { x: langevin(energy, x0, options, rng, onStep) };
    case 'sgld':
      return { x: sgld(energy, x0, options, rng, onStep) };
    case 'mala':
      return mala(energy, x0, options, rng, onStep);
    default:
      throw new RangeError(`unknown sampler kind ${JSON.stringify((options as { kind: unknown }).kind)}; expected langevin, sgld or mala`);
  }
}
