/**
 * Energies over continuous x as tfjs functions: a batch [N, ...] of points in, one energy per point [N] out, so that
 * p(x) ∝ exp(−E(x)). Gradients ∇ₓE come from tfjs autodiff. Energies add: `composeEnergies` is a product of experts,
 * `conditionEnergy` adds a constraint energy E_c(x, c) at test time without retraining.
 */
import * as tf from './tf.js';

/**
 * An energy over a batch: `x` of shape [N, ...] → energies of shape [N] (one per sample). It must be written with
 * tfjs ops (so ∇ₓE exists) and each sample's energy must depend on that sample only.
 *
 * An energy may carry `gradientSession`: a faster way to E and ∇ₓE than autodiff (a JEM classifier's hand-derived
 * backward pass). Gradient-based samplers open one session per run (the energy's parameters must not change during
 * it) and fall back to autodiff when there is none or it returns undefined (e.g. on another backend).
 */
export type EnergyFunction = ((x: tf.Tensor) => tf.Tensor1D) & { gradientSession?: () => GradientSession | undefined };

/** E and ∇ₓE over one sampler run with fixed parameters; `dispose` frees what the session cached. */
export interface GradientSession {
  energyAndGradient(x: tf.Tensor): EnergyAndGradient;
  dispose(): void;
}

/** A constraint energy E_c(x, c) for conditioning: low where x agrees with the condition c. */
export type ConditionEnergy<C> = (x: tf.Tensor, condition: C) => tf.Tensor1D;

/** One weighted expert of a product of experts. */
export type WeightedEnergy = readonly [energy: EnergyFunction, weight: number];

/**
 * The product of experts p(x) ∝ Π pᵢ(x)^{wᵢ}, i.e. the energy E(x) = Σ wᵢ Eᵢ(x). Weights must be finite; a weight 0
 * expert is skipped. Throws a RangeError for an empty list or a non-finite weight.
 */
export function composeEnergies(terms: readonly WeightedEnergy[]): EnergyFunction {
  if (terms.length === 0) throw new RangeError('composeEnergies: at least one [energy, weight] pair is needed');
  terms.forEach(([e, w], i) => {
    if (typeof e !== 'function') throw new TypeError(`composeEnergies: term ${i} is not an energy function`);
    if (!Number.isFinite(w)) throw new RangeError(`composeEnergies: weight of term ${i} is ${w}, expected a finite number`);
  });
  const live = terms.filter(([, w]) => w !== 0);
  return (x) =>
    tf.tidy(() => {
      if (live.length === 0) return tf.zeros([x.shape[0]!]) as tf.Tensor1D;
      let sum: tf.Tensor1D | undefined;
      for (const [e, w] of live) {
        const term = w === 1 ? e(x) : tf.mul(e(x), w);
        sum = sum === undefined ? (term as tf.Tensor1D) : (tf.add(sum, term) as tf.Tensor1D);
      }
      return sum!;
    });
}

/**
 * Conditions an energy on `condition` at test time: E(x | c) = E(x) + weight · E_c(x, c). The result is an ordinary
 * `EnergyFunction`, usable by every sampler.
 */
export function conditionEnergy<C>(energy: EnergyFunction, constraint: ConditionEnergy<C>, condition: C, weight = 1): EnergyFunction {
  if (!Number.isFinite(weight)) throw new RangeError(`conditionEnergy: weight is ${weight}, expected a finite number`);
  return composeEnergies([
    [energy, 1],
    [(x) => constraint(x, condition), weight],
  ]);
}

/** Energies [N] and gradients ∇ₓE (shape of x) of a batch; the caller disposes both. */
export interface EnergyAndGradient {
  energy: tf.Tensor1D;
  grad: tf.Tensor;
}

/**
 * Evaluates E(x) and ∇ₓE(x) for a batch in one forward/backward pass (the gradient of Σₙ E(xₙ), which is each
 * sample's own gradient because samples are independent). Variables touched by `energy` get no gradient. Uses the
 * energy's `gradientSession` when it has one.
 */
export function energyAndGradient(energy: EnergyFunction, x: tf.Tensor): EnergyAndGradient {
  const session = energy.gradientSession?.();
  if (session) {
    try {
      return session.energyAndGradient(x);
    } finally {
      session.dispose();
    }
  }
  // With no dy, tfjs seeds the backward pass with ones: the gradient of Σₙ E(xₙ), and `value` keeps the N energies.
  const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => energy(xx))(x);
  return { energy: value as tf.Tensor1D, grad };
}

/**
 * The quadratic constraint E_c(x) = ½ ‖M ⊙ (x − x_obs)‖² per row: low where x agrees with the observed values
 * `observed` on the entries where `mask` is non-zero (M; e.g. 1 for observed pixels, 0 for the ones to fill in).
 * Both are one sample's values, flat (length = Π of x's shape past the batch dimension). Composed with weight λ it adds
 * (λ/2)‖M ⊙ (x − x_obs)‖², whose gradient λ M ⊙ (x − x_obs) pulls the observed entries back; under an explicit
 * gradient step s (SGLD, Langevin) that pull is stable only for λ·s < 2 (λ·s = 1 resets them each step).
 */
export function maskedQuadraticEnergy(observed: Float32Array, mask: Float32Array): EnergyFunction {
  if (observed.length !== mask.length) throw new RangeError(`maskedQuadraticEnergy: ${observed.length} observed values, ${mask.length} mask values`);
  return (x) =>
    tf.tidy(() => {
      const n = x.shape[0]!;
      const D = x.size / Math.max(n, 1);
      if (D !== observed.length) throw new RangeError(`maskedQuadraticEnergy: rows of ${D} values, the constraint has ${observed.length}`);
      const d = tf.mul(tf.sub(tf.reshape(x, [n, D]), tf.tensor2d(observed, [1, D])), tf.tensor2d(mask, [1, D]));
      return tf.mul(tf.sum(tf.square(d), 1), 0.5) as tf.Tensor1D;
    });
}
