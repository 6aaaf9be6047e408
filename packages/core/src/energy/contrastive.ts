/**
 * Contrastive maximum likelihood for any tfjs energy with trainable variables: minimise
 * mean E(x⁺) − mean E(x⁻) + α(mean E(x⁺)² + mean E(x⁻)²), whose gradient estimates that of the negative
 * log-likelihood when x⁻ ~ p_θ. Negatives come from CD-k (chains start at the data batch), persistent chains (PCD) or a
 * replay buffer, each run by any gradient sampler. Training is watched for divergence (non-finite or exploding loss or
 * gradients: stop, name the step, restore and keep the last good checkpoint) and can checkpoint and resume.
 */
import * as tf from './tf.js';
import type { Rng } from '../rng.js';
import {
  DivergenceError,
  restoreVariables,
  resumeTraining,
  saveCheckpoint,
  snapshotVariables,
  type GoodCheckpoint,
} from './checkpoint.js';
import type { EnergyFunction } from './energy-function.js';
import { PersistentChains } from './persistent-chains.js';
import { normalInit, ReplayBuffer, type NoiseInit } from './replay-buffer.js';
import { runSampler } from './run-sampler.js';
import { checkSamplerOptions, type SamplerOptions } from './sampler-options.js';

/** Where the negative samples x⁻ come from. */
export type NegativeSource =
  /** CD-k: chains start at the current data batch and run `sampler.steps` steps. */
  | { kind: 'cd'; sampler: SamplerOptions }
  /** PCD: `chains` persistent chains (default: the batch size) started from `init` noise, advanced each step. */
  | { kind: 'pcd'; sampler: SamplerOptions; chains?: number; init?: NoiseInit }
  /** Replay buffer: starts drawn from a buffer (capacity, re-init probability, init noise), written back afterwards. */
  | { kind: 'replay'; sampler: SamplerOptions; capacity?: number; reinitProbability?: number; init?: NoiseInit };

/** Progress of one training step. */
export interface ContrastiveStep {
  step: number;
  loss: number;
  /** Mean energy of the data batch and of the negatives. */
  energyData: number;
  energySample: number;
}

/** Options of `trainContrastive`. */
export interface ContrastiveOptions {
  /** Training data, flat row-major: `data.length = N × Π sampleShape`. */
  data: Float32Array;
  /** Shape of one sample, e.g. [2] or [28, 28, 1]. */
  sampleShape: readonly number[];
  /** The energy's trainable variables (for a tfjs-layers model: `layersVariables(model)`). */
  variables: readonly tf.Variable[];
  negatives: NegativeSource;
  /** Total number of optimisation steps (including those of a resumed checkpoint). */
  steps: number;
  /** Batch size (default 64); data rows are drawn uniformly with replacement. */
  batchSize?: number;
  /** tfjs optimiser (default Adam, learning rate 1e-3). */
  optimizer?: tf.Optimizer;
  /** α of the energy-magnitude penalty α(E(x⁺)² + E(x⁻)²) (default 0). */
  energyPenalty?: number;
  /** |loss| above this is divergence (default 1e7). */
  maxAbsLoss?: number;
  /** Write a checkpoint to `path` every `every` steps (and after the last step). */
  checkpoint?: { path: string; every: number; extra?: unknown };
  /** Resume from this checkpoint (variables, optimiser, sampler state, rng, step). */
  resume?: string;
  /** Called after every step. */
  onStep?: (s: ContrastiveStep) => void;
  /**
   * Called before each step's loss with the step number; a test hook (e.g. to corrupt a weight and check that
   * divergence is caught). Not needed in normal use.
   */
  beforeStep?: (step: number) => void;
}

/** Result of `trainContrastive`. */
export interface ContrastiveResult {
  /** Last completed step. */
  step: number;
  /** Loss of each step run by this call. */
  losses: number[];
  /** Step of the last checkpoint written, if any. */
  checkpointStep?: number;
}

/** The tf.Variables behind a tfjs-layers model's trainable weights, in the model's order. */
export function layersVariables(model: { trainableWeights: { read(): tf.Tensor }[] }): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Trains `energy` by contrastive maximum likelihood. Throws `DivergenceError` naming the step when the loss or a
 * gradient is non-finite or |loss| > `maxAbsLoss`; the weights are then restored from the last good checkpoint (whose
 * file is left untouched). `rng` drives batches and all sampler noise; on resume its state comes from the checkpoint.
 */
export async function trainContrastive(energy: EnergyFunction, options: ContrastiveOptions, rng: Rng): Promise<ContrastiveResult> {
  const D = sizeOf(options.sampleShape);
  const batch = options.batchSize ?? 64;
  const alpha = options.energyPenalty ?? 0;
  const maxAbs = options.maxAbsLoss ?? 1e7;
  if (!(D >= 1) || options.data.length % D !== 0 || options.data.length === 0) {
    throw new RangeError(`trainContrastive: data length ${options.data.length} is not a positive multiple of the sample size ${D} ([${options.sampleShape.join(', ')}])`);
  }
  if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`trainContrastive: batchSize must be an integer ≥ 1, got ${batch}`);
  if (!Number.isSafeInteger(options.steps) || options.steps < 0) throw new RangeError(`trainContrastive: steps must be an integer ≥ 0, got ${options.steps}`);
  if (!(alpha >= 0)) throw new RangeError(`trainContrastive: energyPenalty must be ≥ 0, got ${alpha}`);
  if (options.variables.length === 0) throw new RangeError('trainContrastive: no variables to train');
  if (options.checkpoint && !(Number.isSafeInteger(options.checkpoint.every) && options.checkpoint.every >= 1)) {
    throw new RangeError(`trainContrastive: checkpoint.every must be an integer ≥ 1, got ${options.checkpoint.every}`);
  }
  checkSamplerOptions(options.negatives.sampler);
  const N = options.data.length / D;
  const shape = [...options.sampleShape];
  const vars = options.variables;
  const optimizer = options.optimizer ?? tf.train.adam(1e-3);
  const neg = options.negatives;

  let chains: PersistentChains | undefined;
  let buffer: ReplayBuffer | undefined;
  if (neg.kind === 'pcd') {
    const n = neg.chains ?? batch;
    const init = new Float32Array(n * D);
    (neg.init ?? normalInit(1))(rng, init);
    chains = new PersistentChains(tf.tidy(() => tf.tensor(init, [n, ...shape])));
  } else if (neg.kind === 'replay') {
    buffer = new ReplayBuffer(
      { sampleShape: shape, capacity: neg.capacity ?? 10_000, reinitProbability: neg.reinitProbability ?? 0.05, init: neg.init ?? normalInit(1) },
      rng,
    );
  }

  let step = 0;
  let lastGood: GoodCheckpoint | undefined;
  if (options.resume) {
    const r = await resumeTraining(options.resume, 'contrastive', vars, optimizer, rng);
    const st = r.checkpoint.arrays['state'];
    if (chains && st) chains.reset(tf.tidy(() => tf.tensor(st.data as Float32Array, st.shape)));
    if (buffer && st) buffer.restore(st.data as Float32Array);
    ({ step, lastGood } = r);
  }

  const writeCheckpoint = async (): Promise<void> => {
    const cp = options.checkpoint!;
    const values = snapshotVariables(vars);
    const arrays: Record<string, { shape: number[]; data: Float32Array }> = {};
    if (chains) arrays['state'] = { shape: [...chains.state.shape], data: Float32Array.from(chains.state.dataSync() as Float32Array) };
    if (buffer) arrays['state'] = { shape: [buffer.capacity, ...shape], data: buffer.data };
    await saveCheckpoint(cp.path, {
      step,
      rngState: rng.getState(),
      variables: vars,
      values,
      optimizer,
      trainer: 'contrastive',
      extra: { negatives: neg.kind, batchSize: batch, energyPenalty: alpha, ...(cp.extra !== undefined ? { user: cp.extra } : {}) },
      arrays,
    });
    lastGood = { path: cp.path, step, values };
  };

  const diverged = (reason: string): DivergenceError => {
    if (lastGood) restoreVariables(vars, lastGood.values);
    return new DivergenceError(step + 1, reason, lastGood && { path: lastGood.path, step: lastGood.step });
  };

  const losses: number[] = [];
  const rows = new Float32Array(batch * D);
  try {
    while (step < options.steps) {
      options.beforeStep?.(step + 1);
      for (let i = 0; i < batch; i++) {
        const r = rng.int(N);
        rows.set(options.data.subarray(r * D, (r + 1) * D), i * D);
      }
      const xPos = tf.tensor(rows, [batch, ...shape], 'float32');
      let xNeg: tf.Tensor;
      if (neg.kind === 'cd') {
        xNeg = runSampler(energy, xPos, neg.sampler, rng).x;
      } else if (neg.kind === 'pcd') {
        xNeg = chains!.advance(energy, neg.sampler, rng);
      } else {
        const d = buffer!.draw(batch, rng);
        xNeg = runSampler(energy, d.x, neg.sampler, rng).x;
        d.x.dispose();
        buffer!.write(d.slots, xNeg);
      }
      let eData = NaN;
      let eSample = NaN;
      const { value, grads } = tf.variableGrads(() => {
        const ep = tf.mean(energy(xPos));
        const en = tf.mean(energy(xNeg));
        eData = ep.dataSync()[0]!;
        eSample = en.dataSync()[0]!;
        let loss = tf.sub(ep, en);
        if (alpha > 0) loss = tf.add(loss, tf.mul(alpha, tf.add(tf.square(ep), tf.square(en))));
        return loss as tf.Scalar;
      }, vars as tf.Variable[]);
      tf.dispose([xPos, xNeg]);
      const loss = value.dataSync()[0]!;
      value.dispose();
      const finiteGrads = tf.tidy(() => tf.all(tf.stack(Object.values(grads).map((g) => tf.all(tf.isFinite(g))))).dataSync()[0] === 1);
      if (!Number.isFinite(loss) || Math.abs(loss) > maxAbs || !finiteGrads) {
        tf.dispose(grads);
        const reason = !Number.isFinite(loss)
          ? `loss is ${loss} (E(data) ${eData}, E(samples) ${eSample})`
          : Math.abs(loss) > maxAbs
            ? `|loss| = ${Math.abs(loss).toExponential(3)} exceeds ${maxAbs.toExponential(0)} (E(data) ${eData}, E(samples) ${eSample})`
            : 'a gradient is not finite';
        throw diverged(reason);
      }
      optimizer.applyGradients(grads);
      tf.dispose(grads);
      step++;
      losses.push(loss);
      options.onStep?.({ step, loss, energyData: eData, energySample: eSample });
      const cp = options.checkpoint;
      if (cp && (step % cp.every === 0 || step === options.steps)) await writeCheckpoint();
    }
  } finally {
    chains?.dispose();
  }
  return { step, losses, ...(lastGood ? { checkpointStep: lastGood.step } : {}) };
}
