/**
 * Options shared by the gradient-based samplers of continuous x (Langevin, SGLD, MALA), as one discriminated union
 * that `runSampler` dispatches on, and the checks applied at the public boundary.
 */

/** Clamp every coordinate to [min, max] after each step (e.g. the data range [−1, 1] of images). */
export interface ClampRange {
  readonly min: number;
  readonly max: number;
}

/** Options every gradient sampler understands. */
export interface CommonSamplerOptions {
  /** Number of transitions (≥ 0). */
  readonly steps: number;
  /** Clip each component of ∇ₓE to [−gradClip, gradClip] before the step (off when undefined). */
  readonly gradClip?: number;
}

/** Unadjusted Langevin dynamics, exactly x ← x − (α/2)∇ₓE(x) + √α·ε, ε ~ N(0, I). Samples p ∝ exp(−E) as α → 0. */
export interface LangevinOptions extends CommonSamplerOptions {
  readonly kind: 'langevin';
  /** α > 0. */
  readonly stepSize: number;
  /** Clamp to a data range after each step (optional). */
  readonly clamp?: ClampRange;
}

/**
 * The practical SGLD variant (Du & Mordatch 2019; JEM): x ← x − stepSize·∇ₓE(x) + noise·ε with separate step size and
 * noise scale. It targets exp(−E/T) with temperature T = noise² / (2·stepSize) (T = 1 when noise = √(2·stepSize));
 * JEM's defaults (step 1, noise 0.01) run it very cold, as a noisy gradient descent.
 */
export interface SgldOptions extends CommonSamplerOptions {
  readonly kind: 'sgld';
  /** Multiplies the gradient (> 0). */
  readonly stepSize: number;
  /** Standard deviation of the added Gaussian noise (≥ 0). */
  readonly noise: number;
  readonly clamp?: ClampRange;
}

/**
 * Metropolis-adjusted Langevin (MALA): the Langevin move x' = x − (α/2)∇ₓE(x) + √α·ε as a proposal, accepted with the
 * Metropolis–Hastings probability, so p ∝ exp(−E) is invariant for any α (gradient clipping keeps it exact; clamping is
 * not offered because it would not).
 */
export interface MalaOptions extends CommonSamplerOptions {
  readonly kind: 'mala';
  /** α > 0. */
  readonly stepSize: number;
}

/** Any gradient sampler of continuous x. */
export type SamplerOptions = LangevinOptions | SgldOptions | MalaOptions;

/** Throws a RangeError naming the first invalid option. */
export function checkSamplerOptions(o: SamplerOptions, who = o.kind): void {
  if (!Number.isSafeInteger(o.steps) || o.steps < 0) throw new RangeError(`${who}: steps must be an integer ≥ 0, got ${o.steps}`);
  if (!(o.stepSize > 0) || !Number.isFinite(o.stepSize)) throw new RangeError(`${who}: stepSize must be a finite number > 0, got ${o.stepSize}`);
  if (o.gradClip !== undefined && !(o.gradClip > 0)) throw new RangeError(`${who}: gradClip must be > 0 when given, got ${o.gradClip}`);
  if (o.kind === 'sgld' && (!(o.noise >= 0) || !Number.isFinite(o.noise))) {
    throw new RangeError(`${who}: noise must be a finite number ≥ 0, got ${o.noise}`);
  }
  if (o.kind !== 'mala' && o.clamp !== undefined) {
    const { min, max } = o.clamp;
    if (!(min < max)) throw new RangeError(`${who}: clamp range needs min < max, got [${min}, ${max}]`);
  }
}
