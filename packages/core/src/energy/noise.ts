/**
 * Noise tensors drawn from an injected `Rng`: every random number a sampler uses comes from the caller's seeded
 * generator (drawn into a typed array, then copied into a tfjs tensor), never from tfjs's own unseeded generators.
 */
import * as tf from './tf.js';
import type { Rng } from '../rng.js';

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`noise shape [${shape.join(', ')}] has an invalid dimension ${d}`);
    n *= d;
  }
  return n;
}

/** A float32 tensor of N(mean, std²) draws from `rng`. */
export function normalNoise(rng: Rng, shape: readonly number[], std = 1, mean = 0): tf.Tensor {
  const data = rng.fillNormal(new Float32Array(sizeOf(shape)), mean, std);
  return tf.tensor(data, [...shape], 'float32');
}

/** A float32 tensor of U[lo, hi) draws from `rng`. */
export function uniformNoise(rng: Rng, shape: readonly number[], lo = 0, hi = 1): tf.Tensor {
  const data = rng.fillUniform(new Float32Array(sizeOf(shape)), lo, hi);
  return tf.tensor(data, [...shape], 'float32');
}
