/**
 * Checkpoints of tfjs-trained energies in the ebmkit model-file format: the trainable variables (in order), the
 * optimiser's slots, sampler state (persistent chains or a replay buffer), the rng state and the step, so training
 * can resume exactly. Also the divergence error every trainer throws when its loss stops being finite.
 */
import * as tf from './tf.js';
import { loadModel, saveModel } from '../io/model-file.js';
import type { Tensor as FileTensor } from '../io/safetensors.js';

/** Model-file kind of a training checkpoint. */
export const CHECKPOINT_KIND = 'ebm-checkpoint';
/** Layout version of checkpoints. */
export const CHECKPOINT_VERSION = 1;

/** Metadata stored in a checkpoint. */
export interface CheckpointMetadata {
  /** Last completed step. */
  step: number;
  /** The trainer's rng state (4 words). */
  rngState: number[];
  /** Names and shapes of the variables, in order. */
  variables: { name: string; shape: number[] }[];
  /** Names of the optimiser's slot tensors, in order. */
  optimizer: string[];
  /** Which trainer wrote it (e.g. 'contrastive', 'jem'). */
  trainer: string;
  /** Anything else the trainer wants back (JSON). */
  extra: unknown;
}

/** What a checkpoint holds once loaded. */
export interface Checkpoint {
  metadata: CheckpointMetadata;
  /** Variable values, in order. */
  variables: Float32Array[];
  /** Optimiser slots (shape and values), in order of `metadata.optimizer`. */
  optimizer: { shape: number[]; data: Float32Array }[];
  /** Extra float32 arrays (sampler state), by name. */
  arrays: Record<string, FileTensor>;
}

/** Thrown when training diverges (non-finite or exploding loss or gradients): names the step and the kept checkpoint. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    /** The step (1-based) whose loss or gradients were bad. */
    readonly step: number,
    /** What was wrong, e.g. "loss is NaN". */
    readonly reason: string,
    /** The last good checkpoint, when one was written: its path and step. */
    readonly checkpoint?: { path: string; step: number },
  ) {
    super(
      `training diverged at step ${step}: ${reason}; ` +
        (checkpoint
          ? `the last good checkpoint (step ${checkpoint.step}) is kept at ${checkpoint.path} and the weights were restored from it`
          : 'no checkpoint was written yet (set a checkpoint path and interval to keep one)'),
    );
  }
}

/** Copies of the variables' current values. */
export function snapshotVariables(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
}

/** Assigns saved values to the variables (shapes must match in size). */
export function restoreVariables(variables: readonly tf.Variable[], values: readonly Float32Array[], source = 'checkpoint'): void {
  if (values.length !== variables.length) throw new RangeError(`${source}: holds ${values.length} variables, the model has ${variables.length}`);
  variables.forEach((v, i) => {
    if (values[i]!.length !== v.size) {
      throw new RangeError(`${source}: variable ${i} (${v.name}) has ${values[i]!.length} values, expected ${v.size} for shape [${v.shape.join(', ')}]`);
    }
  });
  tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(values[i]!, v.shape, 'float32'))));
}

/** Writes a checkpoint atomically. `arrays` are extra float32 tensors (sampler state). */
export async function saveCheckpoint(
  path: string,
  parts: {
    step: number;
    rngState: Uint32Array;
    variables: readonly tf.Variable[];
    values?: readonly Float32Array[];
    optimizer?: tf.Optimizer;
    trainer: string;
    extra?: unknown;
    arrays?: Record<string, { shape: number[]; data: Float32Array }>;
  },
): Promise<void> {
  const values = parts.values ?? snapshotVariables(parts.variables);
  const tensors: Record<string, FileTensor> = {};
  parts.variables.forEach((v, i) => {
    tensors[`var/${i}`] = { dtype: 'F32', shape: [...v.shape], data: values[i]! };
  });
  const optNames: string[] = [];
  if (parts.optimizer) {
    const named = await parts.optimizer.getWeights();
    for (const [i, w] of named.entries()) {
      optNames.push(w.name);
      tensors[`opt/${i}`] = { dtype: 'F32', shape: [...w.tensor.shape], data: Float32Array.from(w.tensor.dataSync() as Float32Array) };
    }
  }
  for (const [name, a] of Object.entries(parts.arrays ?? {})) tensors[`arr/${name}`] = { dtype: 'F32', shape: a.shape, data: a.data };
  const metadata: CheckpointMetadata = {
    step: parts.step,
    rngState: Array.from(parts.rngState),
    variables: parts.variables.map((v) => ({ name: v.name, shape: [...v.shape] })),
    optimizer: optNames,
    trainer: parts.trainer,
    extra: parts.extra ?? null,
  };
  await saveModel(path, { kind: CHECKPOINT_KIND, formatVersion: CHECKPOINT_VERSION, metadata, tensors });
}

/** Reads a checkpoint written by `saveCheckpoint` (validated by the model-file loader). */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const file = await loadModel<CheckpointMetadata>(path, { kind: CHECKPOINT_KIND, maxFormatVersion: CHECKPOINT_VERSION });
  const m = file.metadata;
  const f32 = (name: string): Float32Array => {
    const t = file.tensors[name];
    if (!t || t.dtype !== 'F32') throw new RangeError(`${path}: checkpoint tensor "${name}" is missing or not F32`);
    return t.data as Float32Array;
  };
  const arrays: Record<string, FileTensor> = {};
  for (const [name, t] of Object.entries(file.tensors)) if (name.startsWith('arr/')) arrays[name.slice(4)] = t;
  return {
    metadata: m,
    variables: m.variables.map((_, i) => f32(`var/${i}`)),
    optimizer: m.optimizer.map((_, i) => ({ shape: file.tensors[`opt/${i}`]?.shape ?? [], data: f32(`opt/${i}`) })),
    arrays,
  };
}

/**
 * Restores an optimiser's slots from a checkpoint. The optimiser must be of the same class and see the variables in
 * the same order (tfjs optimisers match slots to variables by position).
 */
export async function restoreOptimizer(optimizer: tf.Optimizer, ckpt: Checkpoint): Promise<void> {
  if (ckpt.optimizer.length === 0) return;
  const named = ckpt.metadata.optimizer.map((name, i) => ({ name, tensor: tf.tensor(ckpt.optimizer[i]!.data, ckpt.optimizer[i]!.shape, 'float32') }));
  await optimizer.setWeights(named);
  tf.dispose(named.map((w) => w.tensor));
}

/** The last checkpoint known to be good: where it is, its step and the variable values it holds. */
export interface GoodCheckpoint {
  path: string;
  step: number;
  values: Float32Array[];
}

/**
 * Resumes a trainer from a checkpoint it wrote: checks that `trainer` wrote it (a clear error names the file and
 * both trainers otherwise), restores the variables, the optimiser slots and the rng state, and returns the
 * checkpoint (for its extra arrays) with the step to continue from and the good checkpoint it now is.
 */
export async function resumeTraining(
  path: string,
  trainer: string,
  variables: readonly tf.Variable[],
  optimizer: tf.Optimizer,
  rng: { setState(state: Uint32Array): void },
): Promise<{ checkpoint: Checkpoint; step: number; lastGood: GoodCheckpoint }> {
  const ck = await loadCheckpoint(path);
  if (ck.metadata.trainer !== trainer) throw new RangeError(`${path}: a ${ck.metadata.trainer} checkpoint, not a ${trainer} one`);
  restoreVariables(variables, ck.variables, path);
  await restoreOptimizer(optimizer, ck);
  rng.setState(Uint32Array.from(ck.metadata.rngState));
  const step = ck.metadata.step;
  return { checkpoint: ck, step, lastGood: { path, step, values: ck.variables } };
}
