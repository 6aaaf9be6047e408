/**
 * The Metropolis-adjusted Langevin algorithm: propose x' = x − (α/2)g(x) + √α·ε with g = (clipped) ∇ₓE, accept with
 * probability min(1, exp(E(x) − E(x') + log q(x | x') − log q(x' | x))), q(· | x) = N(x − (α/2)g(x), αI). Each chain of
 * the batch accepts or rejects on its own; the uniforms and normals come from the injected `Rng`.
 */
import * as tf from './tf.js';
import type { Rng } from '../rng.js';
import { energyAndGradient, type EnergyFunction } from './energy-function.js';
import type { SamplerStepCallback } from './langevin.js';
import { normalNoise } from './noise.js';
import { checkSamplerOptions, type MalaOptions } from './sampler-options.js';

/** A MALA run: the final batch (caller disposes) and the fraction of proposals accepted over all chains and steps. */
export interface MalaResult {
  x: tf.Tensor;
  acceptanceRate: number;
}

/** Sums every axis but the first: [N, ...] → [N]. */
function perSample(t: tf.Tensor): tf.Tensor1D {
  return t.rank === 1 ? (t as tf.Tensor1D) : (tf.sum(t, Array.from({ length: t.rank - 1 }, (_, i) => i + 1)) as tf.Tensor1D);
}

/** A [N] mask reshaped to broadcast against [N, ...]. */
function broadcastMask(mask: tf.Tensor1D, rank: number): tf.Tensor {
  return rank === 1 ? mask : tf.reshape(mask, [mask.shape[0], ...Array<number>(rank - 1).fill(1)]);
}

/** MALA for `options.steps` steps from `x0` [N, ...]; p ∝ exp(−E) is exactly invariant. */
export function mala(energy: EnergyFunction, x0: tf.Tensor, options: Omit<MalaOptions, 'kind'>, rng: Rng, onStep?: SamplerStepCallback): MalaResult {
  const o: MalaOptions = { ...options, kind: 'mala' };
  checkSamplerOptions(o);
  const alpha = o.stepSize;
  const n = x0.shape[0] ?? 1;
  const clip = (g: tf.Tensor) => (o.gradClip === undefined ? g : tf.clipByValue(g, -o.gradClip, o.gradClip));
  let x = x0.clone();
  let { energy: e, grad: g } = energyAndGradient(energy, x);
  let accepted = 0;
  for (let s = 1; s <= o.steps; s++) {
    const eps = normalNoise(rng, x.shape);
    const prop = tf.tidy(() => tf.add(tf.sub(x, tf.mul(clip(g), alpha / 2)), tf.mul(eps, Math.sqrt(alpha))));
    const { energy: e1, grad: g1 } = energyAndGradient(energy, prop);
    const logA = tf.tidy(() => {
      // log q(x | x') = −‖x − x' + (α/2)g(x')‖²/(2α); log q(x' | x) = −‖ε‖²/2.
      const back = tf.add(tf.sub(x, prop), tf.mul(clip(g1), alpha / 2));
      const logBack = tf.div(perSample(tf.square(back)), -2 * alpha);
      const logFwd = tf.mul(perSample(tf.square(eps)), -0.5);
      return tf.add(tf.sub(e, e1), tf.sub(logBack, logFwd));
    });
    const la = logA.dataSync();
    logA.dispose();
    eps.dispose();
    const accept = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const a = la[i]!;
      // NaN (e.g. an infinite proposal energy) rejects.
      if (a >= 0 || Math.log(rng.uniform()) < a) {
        accept[i] = 1;
        accepted++;
      }
    }
    const [nx, ne, ng] = tf.tidy(() => {
      const m = tf.tensor1d(accept);
      // where() rather than blending keeps a rejected NaN/∞ proposal out of the state.
      const pick = (a: tf.Tensor, b: tf.Tensor) => tf.where(tf.cast(tf.broadcastTo(broadcastMask(m, a.rank), a.shape), 'bool'), b, a);
      return [pick(x, prop), pick(e, e1) as tf.Tensor1D, pick(g, g1)] as const;
    });
    tf.dispose([x, e, g, prop, e1, g1]);
    x = nx;
    e = ne;
    g = ng;
    onStep?.(s, x);
  }
  e.dispose();
  g.dispose();
  return { x, acceptanceRate: o.steps > 0 ? accepted / (o.steps * n) : NaN };
}
