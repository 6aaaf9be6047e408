/**
 * The JEM training recipe as flags: their declarations and the one function from parsed flags to `trainJem` options.
 * `ebm jem train` and the JEM benchmark (scripts/bench/ebm-jem) both use them, so the recipe the benchmark documents
 * is run by the same code as the command users run.
 */
import type { JemTrainOptions } from '@ebmkit/core/energy';
import { UsageError } from '../errors.js';
import type { OptionSpec, ParsedOptions } from '../options.js';

/** The recipe's flags (one name per concept; old spellings still accepted with a deprecation note). */
export const JEM_RECIPE_FLAGS = [
  { name: 'steps', type: 'number', integer: true, min: 1, default: 1000, help: 'Training steps, warm-up included' },
  { name: 'warmup', type: 'number', integer: true, min: 0, default: 200, help: 'Supervised steps (cross-entropy only) before joint training' },
  { name: 'batch-size', type: 'number', integer: true, min: 1, default: 64, deprecated: ['batch'], help: 'Data rows per step' },
  { name: 'learning-rate', type: 'number', min: 0, default: 1e-4, deprecated: ['lr'], help: 'Adam learning rate (JEM paper: 1e-4)' },
  { name: 'warmup-learning-rate', type: 'number', min: 0, deprecated: ['warmup-lr'], help: 'Adam learning rate during the warm-up (default: --learning-rate); e.g. 1e-3' },
  {
    name: 'warmup-schedule',
    type: 'enum',
    choices: ['constant', 'cosine'],
    default: 'constant',
    help: 'Warm-up rate: constant, or cosine (annealed from --warmup-learning-rate to --learning-rate over the warm-up)',
  },
  { name: 'fresh-optimizer', type: 'boolean', help: "Start the JEM steps with a new Adam (drop the warm-up's moment estimates)" },
  {
    name: 'jem-optimizer',
    type: 'enum',
    choices: ['adam', 'sgd'],
    default: 'adam',
    help: 'Optimiser of the JEM steps: adam, or sgd (SGD with --momentum at --learning-rate, after an Adam warm-up at --warmup-learning-rate)',
  },
  { name: 'momentum', type: 'number', min: 0, max: 0.999, default: 0.9, help: 'Momentum of --jem-optimizer sgd' },
  {
    name: 'jem-layer-rates',
    type: 'list',
    help: 'Learning-rate multipliers of the JEM steps, one per layer with weights, input side first (missing ones: 1); e.g. 0.1 runs the first layer at a tenth of the rate, 0 freezes it',
  },
  { name: 'sgld-steps', type: 'number', integer: true, min: 0, default: 20, help: 'SGLD steps per training step' },
  { name: 'sgld-step', type: 'number', min: 0, default: 1, help: 'SGLD step size' },
  { name: 'sgld-noise', type: 'number', min: 0, default: 0.01, help: 'SGLD noise standard deviation' },
  { name: 'clamp', type: 'boolean', help: 'Clamp SGLD samples to the model input range [-1, 1] after each step' },
  { name: 'buffer', type: 'number', integer: true, min: 1, default: 10000, help: 'Replay buffer capacity' },
  { name: 'reinit', type: 'number', min: 0, max: 1, default: 0.05, help: 'Probability of restarting a buffer draw from noise' },
  {
    name: 'buffer-init',
    type: 'enum',
    choices: ['uniform', 'class-gaussians'],
    default: 'uniform',
    help: 'SGLD starts: uniform noise (the paper) or one Gaussian per class fitted to the data (JEM++; steadier, better OOD scores)',
  },
  { name: 'data-noise', type: 'number', min: 0, default: 0.03, help: 'Std of Gaussian noise added to data batches' },
  { name: 'flip', type: 'number', min: 0, max: 1, default: 0, help: 'Probability of mirroring a data image left-right (image data whose mirror images are as likely, e.g. photographs)' },
  {
    name: 'negative-batch-size',
    type: 'number',
    integer: true,
    min: 1,
    deprecated: ['negatives', 'neg-batch'],
    help: 'SGLD samples per step (default: --batch-size); more lower the variance of the log p(x) term',
  },
  { name: 'energy-penalty', type: 'number', min: 0, default: 0, help: 'α of the energy-magnitude penalty α(E(data)² + E(samples)²)' },
  { name: 'px-weight', type: 'number', min: 0, default: 1, help: 'Weight of the log p(x) term against log p(y|x) (weight 1); 0 trains the classifier only' },
] as const satisfies readonly OptionSpec[];

/** The recipe flags, parsed. */
export type JemRecipeFlags = ParsedOptions<typeof JEM_RECIPE_FLAGS>;

/**
 * The `trainJem` options of the recipe flags (everything but data, checkpoints, early stopping and callbacks).
 * `clampRange` is the model's input range that `--clamp` keeps SGLD samples in.
 */
export function jemRecipeOptions(f: JemRecipeFlags, clampRange: { min: number; max: number } = { min: -1, max: 1 }): JemTrainOptions {
  return {
    steps: f.steps,
    warmupSteps: f.warmup,
    batchSize: f.batchSize,
    ...(f.negativeBatchSize !== undefined ? { negativeBatchSize: f.negativeBatchSize } : {}),
    learningRate: f.learningRate,
    ...(f.warmupLearningRate !== undefined ? { warmupLearningRate: f.warmupLearningRate } : {}),
    ...(f.warmupSchedule === 'cosine' ? { warmupSchedule: 'cosine' as const } : {}),
    ...(f.freshOptimizer ? { restartOptimizer: true } : {}),
    ...(f.jemOptimizer === 'sgd' ? { jemOptimizer: 'sgd' as const, momentum: f.momentum } : {}),
    ...(f.jemLayerRates.length > 0 ? { jemLayerRates: layerRates(f.jemLayerRates) } : {}),
    energyPenalty: f.energyPenalty,
    pxWeight: f.pxWeight,
    sgld: { stepSize: f.sgldStep, noise: f.sgldNoise, steps: f.sgldSteps, ...(f.clamp ? { clamp: { ...clampRange } } : {}) },
    bufferCapacity: f.buffer,
    reinitProbability: f.reinit,
    bufferInit: f.bufferInit,
    dataNoise: f.dataNoise,
    flipProbability: f.flip,
  };
}

/** `--jem-layer-rates` as numbers (each finite and ≥ 0). */
function layerRates(values: readonly string[]): number[] {
  return values.map((v) => {
    const r = v.trim() === '' ? NaN : Number(v);
    if (!(Number.isFinite(r) && r >= 0)) throw new UsageError(`--jem-layer-rates: '${v}' is not a number ≥ 0`);
    return r;
  });
}
