/**
 * Persistent chains (PCD, Tieleman 2008): a batch of sampler states kept between calls, so that each call continues
 * the chains for a few steps under the current energy instead of restarting them.
 */
import * as tf from './tf.js';
import type { Rng } from '../rng.js';
import type { EnergyFunction } from './energy-function.js';
import { runSampler } from './run-sampler.js';
import type { SamplerOptions } from './sampler-options.js';

/** A batch of persistent sampler states. */
export class PersistentChains {
  private x: tf.Tensor;
  /** Acceptance rate of the last `advance` (MALA only). */
  lastAcceptanceRate: number | undefined;

  /** Starts the chains at `init` [chains, ...] (copied; the caller keeps ownership of `init`). */
  constructor(init: tf.Tensor) {
    if (init.rank < 1 || init.shape[0]! < 1) throw new RangeError(`PersistentChains: init must be a batch [chains, ...], got shape [${init.shape.join(', ')}]`);
    this.x = tf.keep(init.clone());
  }

  /** Number of chains. */
  get size(): number {
    return this.x.shape[0]!;
  }

  /** The current states (owned by the chains: valid until the next `advance`, `reset` or `dispose`). */
  get state(): tf.Tensor {
    return this.x;
  }

  /** Runs the sampler `options.steps` more steps under `energy` and returns a copy of the new states (caller disposes). */
  advance(energy: EnergyFunction, options: SamplerOptions, rng: Rng): tf.Tensor {
    const r = runSampler(energy, this.x, options, rng);
    this.x.dispose();
    this.x = tf.keep(r.x);
    this.lastAcceptanceRate = r.acceptanceRate;
    return this.x.clone();
  }

  /** Replaces the states (copied), e.g. when resuming from a checkpoint; the shape must match. */
  reset(states: tf.Tensor): void {
    if (states.shape.join() !== this.x.shape.join()) {
      throw new RangeError(`PersistentChains.reset: shape [${states.shape.join(', ')}] !== [${this.x.shape.join(', ')}]`);
    }
    this.x.dispose();
    this.x = tf.keep(states.clone());
  }

  /** Frees the states. */
  dispose(): void {
    this.x.dispose();
  }
}
