/**
 * White-box adversarial attacks on a JEM's classifier and JEM's defence against them (Grathwohl et al. 2019, §5.3):
 * projected gradient ascent (PGD, Madry et al. 2018) on the cross-entropy of the true label, in an L∞ or L2 ball of
 * radius ε around each input, with gradients ∇ₓ from tfjs autodiff through the classifier; and SGLD input
 * refinement, a few SGLD steps on E(x) = −logsumexp f(x) from the (attacked) input before classifying.
 *
 * PGD starts at a uniform random point of the ball, takes `steps` ascent steps (L∞: the gradient's sign; L2: the
 * gradient over its norm), projects back onto the ball and clamps to the model's data range after each, and returns
 * per input the iterate of highest loss among all it evaluated (the clean input included), so an attack never
 * lowers the loss it maximises. With refinement given to `pgdAttack` the attack is adaptive: the gradient is taken
 * at the refined point and passed straight through the refinement (BPDA with the identity, Athalye et al. 2018).
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { sgld } from '../langevin.js';
import { normalNoise, uniformNoise } from '../noise.js';
import { argmaxRows } from './metrics.js';
import type { Jem } from './jem-model.js';
import type { LabelledData } from './train-jem.js';

/** Norm of the threat model. */
export type AttackNorm = 'linf' | 'l2';

/** Options of `pgdAttack`. */
export interface PgdOptions {
  norm: AttackNorm;
  /** Radius ε of the ball (in model input units; ≥ 0; 0 returns the inputs). */
  eps: number;
  /** Ascent steps (default 20). */
  steps?: number;
  /** Step length α (default 2.5 ε / steps, Madry et al.'s choice). */
  stepSize?: number;
  /** Start at a uniform random point of the ball (default true); false starts at the input. */
  randomStart?: boolean;
  /** Attack through this refinement (BPDA, identity backward pass); default: attack the classifier alone. */
  refine?: RefineOptions;
}

/** SGLD input refinement on E(x) = −logsumexp f(x), clamped to the model's data range. */
export interface RefineOptions {
  /** SGLD steps (0 = none). */
  steps: number;
  /** Gradient step (default 1, JEM's SGLD step). */
  stepSize?: number;
  /** Noise standard deviation (default 0.01). */
  noise?: number;
}

/** Per-row cross-entropy −log p(y|x) [N] of a batch. */
export function crossEntropyRows(jem: Jem, x: tf.Tensor, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const f = jem.logits(x);
    const picked = tf.sum(tf.mul(f, tf.oneHot(labels, jem.classes)), 1);
    return tf.sub(tf.logSumExp(f, 1), picked) as tf.Tensor1D;
  });
}

/**
 * Per-row cross-entropy and its gradient with respect to the inputs (the gradient of the batch sum, i.e. each row's
 * own gradient); the caller disposes both. Uses the model's hand-derived passes (`jem.fastPath()`) where they apply
 * unless `autodiff` is set; tfjs autodiff over the plain forward pass otherwise (the reference).
 */
export function crossEntropyAndInputGradient(jem: Jem, x: tf.Tensor, labels: Int32Array, autodiff = false): { loss: tf.Tensor1D; grad: tf.Tensor } {
  if (labels.length !== x.shape[0]) throw new RangeError(`crossEntropyAndInputGradient: ${labels.length} labels for a batch of ${x.shape[0]}`);
  const fast = autodiff ? undefined : jem.fastPath();
  if (fast) return fast.crossEntropyAndInputGradient(x, labels);
  const y = tf.tensor1d(labels, 'int32');
  try {
    const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => crossEntropyRows(jem, xx, y))(x);
    return { loss: value as tf.Tensor1D, grad };
  } finally {
    y.dispose();
  }
}

function checkRefine(r: RefineOptions, who: string): { steps: number; stepSize: number; noise: number } {
  const o = { steps: r.steps, stepSize: r.stepSize ?? 1, noise: r.noise ?? 0.01 };
  if (!Number.isSafeInteger(o.steps) || o.steps < 0) throw new RangeError(`${who}: refinement steps must be an integer ≥ 0, got ${o.steps}`);
  if (!(o.stepSize > 0 && Number.isFinite(o.stepSize))) throw new RangeError(`${who}: refinement step size must be a finite number > 0, got ${o.stepSize}`);
  if (!(o.noise >= 0 && Number.isFinite(o.noise))) throw new RangeError(`${who}: refinement noise must be a finite number ≥ 0, got ${o.noise}`);
  return o;
}

/**
 * SGLD refinement of a batch: `options.steps` steps of x ← clamp(x − s ∇ₓE(x) + σ ε) on the JEM's energy from `x`.
 * Returns a new tensor (a clone of `x` for 0 steps); `x` is not disposed.
 */
export function refineInputs(jem: Jem, x: tf.Tensor, options: RefineOptions, rng: Rng): tf.Tensor {
  const r = checkRefine(options, 'refineInputs');
  if (r.steps === 0) return x.clone();
  const { min, max } = jem.metadata.dataRange;
  return sgld(jem.energy, x, { stepSize: r.stepSize, noise: r.noise, steps: r.steps, clamp: { min, max } }, rng);
}

function checkPgd(o: PgdOptions): { steps: number; stepSize: number; randomStart: boolean } {
  if (o.norm !== 'linf' && o.norm !== 'l2') throw new RangeError(`pgdAttack: norm must be 'linf' or 'l2', got ${String(o.norm)}`);
  if (!(o.eps >= 0 && Number.isFinite(o.eps))) throw new RangeError(`pgdAttack: eps must be a finite number ≥ 0, got ${o.eps}`);
  const steps = o.steps ?? 20;
  if (!Number.isSafeInteger(steps) || steps < 1) throw new RangeError(`pgdAttack: steps must be an integer ≥ 1, got ${steps}`);
  const stepSize = o.stepSize ?? (2.5 * o.eps) / steps;
  if (!(stepSize >= 0 && Number.isFinite(stepSize))) throw new RangeError(`pgdAttack: stepSize must be a finite number ≥ 0, got ${stepSize}`);
  return { steps, stepSize, randomStart: o.randomStart ?? true };
}

/** Rows of δ [N, ...] scaled so that each row's L2 norm is at most `eps` (rows of norm 0 stay 0). */
function projectL2(delta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const n = delta.shape[0]!;
    const flat = tf.reshape(delta, [n, -1]);
    const norms = tf.sqrt(tf.sum(tf.square(flat), 1, true));
    const factor = tf.minimum(tf.scalar(1), tf.div(tf.scalar(eps), tf.maximum(norms, tf.scalar(1e-12))));
    return tf.reshape(tf.mul(flat, factor), delta.shape);
  });
}

/** A uniform random point of the ε-ball around the origin, one per row. */
function randomInBall(norm: AttackNorm, shape: number[], eps: number, rng: Rng): tf.Tensor {
  if (norm === 'linf') return uniformNoise(rng, shape, -eps, eps);
  const n = shape[0]!;
  const D = shape.slice(1).reduce((a, b) => a * b, 1);
  // Uniform in the L2 ball: a Gaussian direction with radius ε·u^(1/D).
  const radii = new Float32Array(n);
  for (let i = 0; i < n; i++) radii[i] = eps * Math.pow(rng.uniform(), 1 / D);
  return tf.tidy(() => {
    const g = tf.reshape(normalNoise(rng, shape), [n, D]);
    const unit = tf.div(g, tf.maximum(tf.sqrt(tf.sum(tf.square(g), 1, true)), tf.scalar(1e-12)));
    return tf.reshape(tf.mul(unit, tf.tensor2d(radii, [n, 1])), shape);
  });
}

/**
 * PGD on the cross-entropy of `labels` around the batch `x` [N, ...inputShape] (inside the model's data range);
 * returns the adversarial batch (a new tensor the caller disposes). See the module comment.
 */
export function pgdAttack(jem: Jem, x: tf.Tensor, labels: Int32Array, options: PgdOptions, rng: Rng): tf.Tensor {
  const { steps, stepSize, randomStart } = checkPgd(options);
  const { eps, norm } = options;
  const n = x.shape[0]!;
  if (labels.length !== n) throw new RangeError(`pgdAttack: ${labels.length} labels for a batch of ${n}`);
  if (eps === 0) return x.clone();
  const refine = options.refine ? checkRefine(options.refine, 'pgdAttack') : undefined;
  const { min, max } = jem.metadata.dataRange;
  /** Loss and gradient at `xx`, through the refinement when attacking it (straight-through gradient). */
  const lossAndGrad = (xx: tf.Tensor): { loss: tf.Tensor1D; grad: tf.Tensor } => {
    if (!refine || refine.steps === 0) return crossEntropyAndInputGradient(jem, xx, labels);
    const r = refineInputs(jem, xx, refine, rng);
    try {
      return crossEntropyAndInputGradient(jem, r, labels);
    } finally {
      r.dispose();
    }
  };
  /** Keeps per row the candidate of highest loss. */
  let best = x.clone();
  let bestLoss = tf.tidy(() => {
    const judged = refine && refine.steps > 0 ? refineInputs(jem, x, refine, rng) : x;
    return crossEntropyRows(jem, judged, tf.tensor1d(labels, 'int32'));
  });
  const consider = (cand: tf.Tensor, loss: tf.Tensor1D): void => {
    const [nb, nl] = tf.tidy(() => {
      const better = tf.greater(loss, bestLoss);
      const mask = tf.reshape(better, [n, ...new Array<number>(x.shape.length - 1).fill(1)]);
      return [tf.where(tf.broadcastTo(mask, x.shape), cand, best), tf.where(better, loss, bestLoss)];
    });
    tf.dispose([best, bestLoss]);
    best = nb!;
    bestLoss = nl as tf.Tensor1D;
  };
  let adv = randomStart ? tf.tidy(() => tf.clipByValue(tf.add(x, randomInBall(norm, [...x.shape], eps, rng)), min, max)) : x.clone();
  for (let s = 0; s <= steps; s++) {
    const { loss, grad } = lossAndGrad(adv);
    consider(adv, loss);
    if (s === steps) {
      tf.dispose([loss, grad]);
      break;
    }
    const next = tf.tidy(() => {
      let step: tf.Tensor;
      if (norm === 'linf') step = tf.sign(grad);
      else {
        const flat = tf.reshape(grad, [n, -1]);
        step = tf.reshape(tf.div(flat, tf.maximum(tf.sqrt(tf.sum(tf.square(flat), 1, true)), tf.scalar(1e-12))), grad.shape);
      }
      const moved = tf.sub(tf.add(adv, tf.mul(step, stepSize)), x);
      const delta = norm === 'linf' ? tf.clipByValue(moved, -eps, eps) : projectL2(moved, eps);
      // Clamping to the data range only shrinks |δ| coordinate-wise (x is inside the range), so it stays in the ball.
      return tf.clipByValue(tf.add(x, delta), min, max);
    });
    tf.dispose([loss, grad, adv]);
    adv = next;
  }
  adv.dispose();
  bestLoss.dispose();
  return best;
}

/** Options of `robustAccuracy`. */
export interface RobustAccuracyOptions {
  /** The attack (its `refine` makes it adaptive to the refinement). */
  attack: PgdOptions;
  /**
   * Also classify the attacked inputs after SGLD refinement (JEM's defence), reported as `refinedAccuracy` beside the
   * unrefined `accuracy` of the same attacked inputs; default: no refinement.
   */
  refine?: RefineOptions;
  /** Rows per batch (default 250). */
  batchSize?: number;
}

/** Result of `robustAccuracy`. */
export interface RobustAccuracy {
  /** Share of rows classified correctly after the attack. */
  accuracy: number;
  /** Share classified correctly after the attack and the refinement (present when `refine` was given). */
  refinedAccuracy?: number;
  /** Mean cross-entropy of the true label at the clean inputs and at the attacked ones (before any refinement). */
  cleanLoss: number;
  attackLoss: number;
  /** Largest distance of an attacked input from its clean one, in the attack's norm. */
  maxPerturbation: number;
  rows: number;
}

/**
 * Accuracy of `jem` on `data` (flat rows in the model's range) under `options.attack`, optionally refining the
 * attacked inputs by SGLD before classifying. Batches are attacked in order with draws from `rng`, so a seed repeats.
 */
export function robustAccuracy(jem: Jem, data: LabelledData, options: RobustAccuracyOptions, rng: Rng): RobustAccuracy {
  const shape = jem.inputShape;
  const D = shape.reduce((a, b) => a * b, 1);
  const n = data.y.length;
  if (data.x.length !== n * D) throw new RangeError(`robustAccuracy: ${data.x.length} input values for ${n} labels × ${D} ([${shape.join(', ')}])`);
  if (n === 0) throw new RangeError('robustAccuracy: no rows');
  const B = options.batchSize ?? 250;
  if (!Number.isSafeInteger(B) || B < 1) throw new RangeError(`robustAccuracy: batchSize must be an integer ≥ 1, got ${B}`);
  if (options.refine) checkRefine(options.refine, 'robustAccuracy');
  let correct = 0;
  let refinedCorrect = 0;
  let cleanLoss = 0;
  let attackLoss = 0;
  let maxPerturbation = 0;
  for (let s = 0; s < n; s += B) {
    const m = Math.min(B, n - s);
    const labels = data.y.subarray(s, s + m);
    const x = tf.tensor(data.x.subarray(s * D, (s + m) * D), [m, ...shape], 'float32');
    const adv = pgdAttack(jem, x, labels, options.attack, rng);
    const refined = options.refine ? refineInputs(jem, adv, options.refine, rng) : undefined;
    tf.tidy(() => {
      const y = tf.tensor1d(labels, 'int32');
      const pred = argmaxRows(jem.logits(adv).dataSync() as Float32Array, jem.classes);
      for (let i = 0; i < m; i++) if (pred[i] === labels[i]) correct++;
      if (refined) {
        const p = argmaxRows(jem.logits(refined).dataSync() as Float32Array, jem.classes);
        for (let i = 0; i < m; i++) if (p[i] === labels[i]) refinedCorrect++;
      }
      cleanLoss += tf.sum(crossEntropyRows(jem, x, y)).dataSync()[0]!;
      attackLoss += tf.sum(crossEntropyRows(jem, adv, y)).dataSync()[0]!;
      const d = tf.reshape(tf.sub(adv, x), [m, D]);
      const dist = options.attack.norm === 'linf' ? tf.max(tf.abs(d)) : tf.max(tf.sqrt(tf.sum(tf.square(d), 1)));
      maxPerturbation = Math.max(maxPerturbation, dist.dataSync()[0]!);
    });
    tf.dispose([x, adv, ...(refined ? [refined] : [])]);
  }
  return { accuracy: correct / n, ...(options.refine ? { refinedAccuracy: refinedCorrect / n } : {}), cleanLoss: cleanLoss / n, attackLoss: attackLoss / n, maxPerturbation, rows: n };
}
