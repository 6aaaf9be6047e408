/**
 * Langevin dynamics for continuous x: the exact unadjusted update x ← x − (α/2)∇ₓE(x) + √α·ε and the SGLD variant
 * x ← x − s·∇ₓE(x) + σ·ε with separate step size s and noise scale σ. Both are one loop, `driftNoiseChain`, with
 * (drift, noise) = (α/2, √α) or (s, σ). All noise comes from the injected `Rng`.
 */
import * as tf from './tf.js';
import type { Rng } from '../rng.js';
import type { EnergyFunction } from './energy-function.js';
import { normalNoise } from './noise.js';
import { checkSamplerOptions, type ClampRange, type LangevinOptions, type SgldOptions } from './sampler-options.js';

/** Called after each transition with the step number (1-based) and the current batch (owned by the sampler). */
export type SamplerStepCallback = (step: number, x: tf.Tensor) => void;

/**
 * Runs `steps` transitions of x ← x − drift·clip(∇ₓE(x)) + noise·ε (then clamps) from `x0` and returns the final batch
 * (a new tensor the caller disposes; `x0` is not disposed).
 */
export function driftNoiseChain(
  energy: EnergyFunction,
  x0: tf.Tensor,
  drift: number,
  noise: number,
  steps: number,
  rng: Rng,
  gradClip?: number,
  clamp?: ClampRange,
  onStep?: SamplerStepCallback,
): tf.Tensor {
  const session = energy.gradientSession?.();
  const gradOf = session ? (x: tf.Tensor) => session.energyAndGradient(x).grad : tf.grad((x: tf.Tensor) => energy(x));
  let x = x0.clone();
  try {
    for (let s = 1; s <= steps; s++) {
      const prev = x;
      x = tf.tidy(() => {
        let g = gradOf(prev);
        if (gradClip !== undefined) g = tf.clipByValue(g, -gradClip, gradClip);
        let next = tf.sub(prev, tf.mul(g, drift));
        if (noise > 0) next = tf.add(next, normalNoise(rng, prev.shape, noise));
        if (clamp !== undefined) next = tf.clipByValue(next, clamp.min, clamp.max);
        return next;
      });
      prev.dispose();
      onStep?.(s, x);
    }
  } finally {
    session?.dispose();
  }
  return x;
}

/**
 * Unadjusted Langevin dynamics, exactly x ← x − (α/2)∇ₓE(x) + √α·ε, ε ~ N(0, I), for `options.steps` steps from the
 * batch `x0` [N, ...]. Returns the final batch (caller disposes). Its stationary law approaches p ∝ exp(−E) as α → 0
 * (for a Gaussian with precision λ the variance is inflated by 1/(1 − αλ/4)); use MALA for exactness.
 */
export function langevin(energy: EnergyFunction, x0: tf.Tensor, options: Omit<LangevinOptions, 'kind'>, rng: Rng, onStep?: SamplerStepCallback): tf.Tensor {
  const o: LangevinOptions = { ...options, kind: 'langevin' };
  checkSamplerOptions(o);
  return driftNoiseChain(energy, x0, o.stepSize / 2, Math.sqrt(o.stepSize), o.steps, rng, o.gradClip, o.clamp, onStep);
}

/**
 * SGLD as used for EBM training (Du & Mordatch 2019, JEM): x ← x − stepSize·∇ₓE(x) + noise·ε. Targets exp(−E/T) with
 * T = noise²/(2·stepSize). Returns the final batch (caller disposes).
 */
export function sgld(energy: EnergyFunction, x0: tf.Tensor, options: Omit<SgldOptions, 'kind'>, rng: Rng, onStep?: SamplerStepCallback): tf.Tensor {
  const o: SgldOptions = { ...options, kind: 'sgld' };
  checkSamplerOptions(o);
  return driftNoiseChain(energy, x0, o.stepSize, o.noise, o.steps, rng, o.gradClip, o.clamp, onStep);
}
