/**
 * A replay buffer of sampler states for EBM training (Du & Mordatch 2019; JEM): short-run chains start from past
 * samples instead of fresh noise, and are written back where they came from. Each drawn start is re-initialised from
 * noise with a small probability (default 5 %) so the buffer keeps exploring. States live in one flat Float32Array
 * (`data[slot * sampleSize + i]`); the buffer starts full of noise.
 */
import * as tf from './tf.js';
import type { Rng } from '../rng.js';

/** Fills `out` (one or more samples, flat) with initial noise. */
export type NoiseInit = (rng: Rng, out: Float32Array) => void;

/** Uniform noise on [lo, hi) (JEM's default init is U[−1, 1)). */
export function uniformInit(lo = -1, hi = 1): NoiseInit {
  if (!(lo < hi)) throw new RangeError(`uniformInit: need lo < hi, got [${lo}, ${hi}]`);
  return (rng, out) => void rng.fillUniform(out, lo, hi);
}

/** Gaussian noise N(mean, std²). */
export function normalInit(std = 1, mean = 0): NoiseInit {
  if (!(std >= 0)) throw new RangeError(`normalInit: std must be ≥ 0, got ${std}`);
  return (rng, out) => void rng.fillNormal(out, mean, std);
}

/** Options of a `ReplayBuffer`. */
export interface ReplayBufferOptions {
  /** Shape of one sample, e.g. [28, 28, 1] or [2]. */
  sampleShape: readonly number[];
  /** Number of stored samples (default 10,000, JEM's). */
  capacity?: number;
  /** Probability that a drawn start is fresh noise instead of a stored sample (default 0.05). */
  reinitProbability?: number;
  /** Noise for the initial fill and for re-initialisation (default `uniformInit(-1, 1)`). */
  init?: NoiseInit;
}

/** Starts drawn from a replay buffer: a batch tensor, the slots they came from, and which ones are fresh noise. */
export interface ReplayDraw {
  /** [n, ...sampleShape] float32; the caller disposes it. */
  x: tf.Tensor;
  /** Slot of each row, for `write`. */
  slots: Int32Array;
  /** 1 where the row was re-initialised from noise. */
  fresh: Uint8Array;
}

/** A fixed-capacity store of sampler states with noise re-initialisation and write-back. */
export class ReplayBuffer {
  /** Shape of one sample. */
  readonly sampleShape: readonly number[];
  /** Elements per sample. */
  readonly sampleSize: number;
  readonly capacity: number;
  readonly reinitProbability: number;
  /** The states, `capacity × sampleSize`, row-major. */
  readonly data: Float32Array;
  private readonly init: NoiseInit;

  /** Creates a buffer filled with noise drawn from `rng`. */
  constructor(options: ReplayBufferOptions, rng: Rng) {
    const capacity = options.capacity ?? 10_000;
    const reinit = options.reinitProbability ?? 0.05;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ReplayBuffer: capacity must be an integer ≥ 1, got ${capacity}`);
    if (!(reinit >= 0 && reinit <= 1)) throw new RangeError(`ReplayBuffer: reinitProbability must be in [0, 1], got ${reinit}`);
    let size = 1;
    for (const d of options.sampleShape) {
      if (!Number.isSafeInteger(d) || d < 1) throw new RangeError(`ReplayBuffer: sampleShape [${options.sampleShape.join(', ')}] has an invalid dimension ${d}`);
      size *= d;
    }
    this.sampleShape = [...options.sampleShape];
    this.sampleSize = size;
    this.capacity = capacity;
    this.reinitProbability = reinit;
    this.init = options.init ?? uniformInit(-1, 1);
    this.data = new Float32Array(capacity * size);
    this.init(rng, this.data);
  }

  /**
   * Draws `n` starts as flat arrays: each a uniformly chosen stored slot, replaced by fresh noise with probability
   * `reinitProbability`. `out` (n × sampleSize) is filled and returned with the slots and fresh flags.
   */
  drawArray(n: number, rng: Rng, out = new Float32Array(n * this.sampleSize)): { data: Float32Array; slots: Int32Array; fresh: Uint8Array } {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`ReplayBuffer.draw: n must be an integer ≥ 1, got ${n}`);
    if (out.length !== n * this.sampleSize) throw new RangeError(`ReplayBuffer.draw: out has length ${out.length}, expected ${n} × ${this.sampleSize}`);
    const D = this.sampleSize;
    const slots = new Int32Array(n);
    const fresh = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const slot = rng.int(this.capacity);
      slots[i] = slot;
      if (this.reinitProbability > 0 && rng.uniform() < this.reinitProbability) {
        fresh[i] = 1;
        this.init(rng, out.subarray(i * D, (i + 1) * D));
      } else {
        out.set(this.data.subarray(slot * D, (slot + 1) * D), i * D);
      }
    }
    return { data: out, slots, fresh };
  }

  /** Draws `n` starts as a tensor [n, ...sampleShape] (see `drawArray`). */
  draw(n: number, rng: Rng): ReplayDraw {
    const { data, slots, fresh } = this.drawArray(n, rng);
    return { x: tf.tensor(data, [n, ...this.sampleShape], 'float32'), slots, fresh };
  }

  /** Writes samples back into `slots` (row i of `x` into slot `slots[i]`); `x` is a tensor or a flat array. */
  write(slots: Int32Array, x: tf.Tensor | Float32Array): void {
    const values = x instanceof Float32Array ? x : (x.dataSync() as Float32Array);
    const D = this.sampleSize;
    if (values.length !== slots.length * D) throw new RangeError(`ReplayBuffer.write: ${values.length} values for ${slots.length} slots of ${D}`);
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (!(s >= 0 && s < this.capacity)) throw new RangeError(`ReplayBuffer.write: slot ${s} outside [0, ${this.capacity})`);
      this.data.set(values.subarray(i * D, (i + 1) * D), s * D);
    }
  }

  /** Copies the stored states from `data` (e.g. a checkpoint); the length must match. */
  restore(data: ArrayLike<number>): void {
    if (data.length !== this.data.length) throw new RangeError(`ReplayBuffer.restore: ${data.length} values, expected ${this.capacity} × ${this.sampleSize}`);
    this.data.set(data);
  }
}
