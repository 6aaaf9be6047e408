/**
 * Class-conditional inpainting with a trained JEM, by composing energies at test time (no retraining):
 * E_total(x) = E_JEM(x | y) + (λ/2)·‖M ⊙ (x − x_obs)‖², with E_JEM(x | y) = −f(x)[y] (or −logsumexp f(x) without a
 * class) and M the mask of observed pixels. SGLD on E_total from the observed pixels (unobserved ones drawn uniformly
 * on the data range) fills in the rest as class y while the quadratic term holds the observed pixels.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { composeEnergies, maskedQuadraticEnergy, type EnergyFunction } from '../energy-function.js';
import { sgld, type SamplerStepCallback } from '../langevin.js';
import type { Jem } from './jem-model.js';

/** Options of `inpaintJem`. */
export interface InpaintOptions {
  /** One input's observed values x_obs, flat, in the model's data range (unobserved entries are ignored). */
  observed: Float32Array;
  /** M: 1 for observed entries, 0 for the ones to fill in (values in [0, 1] weigh entries). */
  mask: Float32Array;
  /** Class y of E_JEM(x | y); undefined: the unconditional E(x). */
  classLabel?: number;
  /** λ, the weight of the constraint (default 1/stepSize: observed pixels are reset at each step, up to the JEM's pull). */
  weight?: number;
  /** Samples to draw (default 16). */
  n?: number;
  /** SGLD steps (default 200), step size (default 1) and noise (default 0.01), as `sampleJem`. */
  steps?: number;
  stepSize?: number;
  noise?: number;
  onStep?: SamplerStepCallback;
}

/** Mean energy terms over the samples. */
export interface InpaintTerms {
  /** E_JEM(x | y) (or E(x)). */
  model: number;
  /** (λ/2)·‖M ⊙ (x − x_obs)‖². */
  constraint: number;
  /** Their sum, E_total. */
  total: number;
}

/** Result of `inpaintJem`. */
export interface InpaintResult {
  /** The samples, flat rows [n × Π inputShape], in the model's data range. */
  samples: Float32Array;
  /** Mean terms of the energy sum at the start and at the end of the chains. */
  start: InpaintTerms;
  end: InpaintTerms;
  /** λ used. */
  weight: number;
  /** Largest and mean |x − x_obs| over the observed entries (mask ≥ 0.5) of the samples. */
  maxObservedDeviation: number;
  meanObservedDeviation: number;
}

/** The energy sum of `inpaintJem` and its two parts, for inspection and tests. */
export function inpaintingEnergy(jem: Jem, observed: Float32Array, mask: Float32Array, weight: number, classLabel?: number): { total: EnergyFunction; model: EnergyFunction; constraint: EnergyFunction } {
  const model = classLabel === undefined ? jem.energy : jem.classEnergy(classLabel);
  const constraint = maskedQuadraticEnergy(observed, mask);
  return { total: composeEnergies([[model, 1], [constraint, weight]]), model, constraint };
}

/** Fills in the unobserved part of `options.observed` by SGLD on the energy sum; see the module comment. */
export function inpaintJem(jem: Jem, options: InpaintOptions, rng: Rng): InpaintResult {
  const shape = jem.inputShape;
  const D = shape.reduce((a, b) => a * b, 1);
  const { observed, mask } = options;
  if (observed.length !== D || mask.length !== D) throw new RangeError(`inpaintJem: the model takes ${D} values, got ${observed.length} observed and ${mask.length} mask values`);
  for (let j = 0; j < D; j++) if (!(mask[j]! >= 0 && mask[j]! <= 1)) throw new RangeError(`inpaintJem: mask value ${mask[j]} at ${j} outside [0, 1]`);
  const n = options.n ?? 16;
  const stepSize = options.stepSize ?? 1;
  const weight = options.weight ?? 1 / stepSize;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`inpaintJem: n must be an integer ≥ 1, got ${n}`);
  if (!(stepSize > 0 && Number.isFinite(stepSize))) throw new RangeError(`inpaintJem: stepSize must be a finite number > 0, got ${stepSize}`);
  if (!(weight >= 0 && weight * stepSize < 2)) {
    throw new RangeError(`inpaintJem: constraint weight ${weight} × step size ${stepSize} = ${weight * stepSize}; the explicit SGLD step is stable only below 2`);
  }
  const { min, max } = jem.metadata.dataRange;
  const parts = inpaintingEnergy(jem, observed, mask, weight, options.classLabel);
  const start = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) start[i * D + j] = mask[j]! >= 0.5 ? observed[j]! : min + (max - min) * rng.uniform();
  }
  const terms = (x: tf.Tensor): InpaintTerms =>
    tf.tidy(() => {
      const model = tf.mean(parts.model(x)).dataSync()[0]!;
      const constraint = weight * tf.mean(parts.constraint(x)).dataSync()[0]!;
      return { model, constraint, total: model + constraint };
    });
  const x0 = tf.tensor(start, [n, ...shape], 'float32');
  const x = sgld(parts.total, x0, { stepSize, noise: options.noise ?? 0.01, steps: options.steps ?? 200, clamp: { min, max } }, rng, options.onStep);
  const result = { start: terms(x0), end: terms(x) };
  const samples = Float32Array.from(x.dataSync() as Float32Array);
  tf.dispose([x0, x]);
  let maxObservedDeviation = 0;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) {
      if (mask[j]! < 0.5) continue;
      const d = Math.abs(samples[i * D + j]! - observed[j]!);
      maxObservedDeviation = Math.max(maxObservedDeviation, d);
      sum += d;
      count++;
    }
  }
  return { samples, ...result, weight, maxObservedDeviation, meanObservedDeviation: count > 0 ? sum / count : 0 };
}
