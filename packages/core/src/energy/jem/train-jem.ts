/**
 * Joint training of a JEM: maximise log p(y | x) + log p(x) (Grathwohl et al. 2019). The log p(x) gradient is the
 * contrastive one, E(x⁺) − E(x⁻) with E = −logsumexp f, and the negatives x⁻ come from SGLD chains restarted from a
 * replay buffer (paper defaults: SGLD step 1, noise 0.01, 20 steps, buffer 10,000, re-init 5 % from U[−1, 1]).
 * A supervised warm-up (cross-entropy only) comes first. Divergence (non-finite or exploding loss or gradients) stops
 * training with the step named and the last good checkpoint kept; checkpoints resume exactly where they left off.
 * Optional early stopping watches held-out in-distribution data during the JEM steps: the log p(x) term shrinks the
 * logits as training goes on, so held-out accuracy sinks and calibration worsens; training stops at the first check
 * that breaks a limit and keeps the weights of the last check that held.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { fitClassGaussians, gaussianMixtureInit } from '../gaussian-init.js';
import { DivergenceError, loadCheckpoint, restoreVariables, resumeTraining, saveCheckpoint, snapshotVariables, type GoodCheckpoint } from '../checkpoint.js';
import { sgld } from '../langevin.js';
import { ReplayBuffer, uniformInit } from '../replay-buffer.js';
import type { ClampRange } from '../sampler-options.js';
import { classificationMetrics, predictJem } from './evaluate-jem.js';
import type { JointLossGradients, JointLossWeights } from './fast-cnn.js';
import type { Jem } from './jem-model.js';

/** Labelled training data, inputs already scaled to the model's data range. */
export interface LabelledData {
  /** Flat row-major inputs, `x.length = n × Π inputShape`. */
  x: Float32Array;
  /** One class per row. */
  y: Int32Array;
}

/** SGLD settings for JEM's negatives (defaults from the paper). */
export interface JemSgldOptions {
  /** Gradient step (default 1). */
  stepSize?: number;
  /** Noise standard deviation (default 0.01). */
  noise?: number;
  /** Steps per training iteration (default 20). */
  steps?: number;
  /** Clamp samples to a range after each step (default: none, as in the paper). */
  clamp?: ClampRange;
}

/** Options of `trainJem`. */
export interface JemTrainOptions {
  /** Total steps, warm-up included (a resumed run continues up to this). */
  steps: number;
  /** Leading steps of supervised training only (default 0). */
  warmupSteps?: number;
  /** Batch size (default 64). */
  batchSize?: number;
  /**
   * SGLD samples per JEM step (default: `batchSize`). More negatives lower the variance of the log p(x) gradient
   * (E(x⁻) is averaged over them) at the cost of proportionally more sampling time.
   */
  negativeBatchSize?: number;
  /** Adam learning rate when no optimiser is given (default 1e-4, the paper's). */
  learningRate?: number;
  /**
   * Learning rate during the supervised warm-up (default: `learningRate`). Plain classifier training tolerates a
   * larger step (e.g. 1e-3) than the joint one; the optimiser's rate is switched back when the JEM steps begin.
   * Applies to the default Adam and to a given optimiser with a `learningRate` field.
   */
  warmupLearningRate?: number;
  /**
   * How the warm-up's rate moves (default 'constant': `warmupLearningRate` throughout). 'cosine' anneals it from
   * `warmupLearningRate` at the first warm-up step to `learningRate` at the last (½(1 + cos(π·s / warmupSteps)) of the
   * way between them), so the JEM steps start from a classifier that has settled into a minimum instead of the last
   * iterate of a large constant step, whose logits (and so its log p(x) = logsumexp f) vary more from seed to seed.
   * Needs `warmupLearningRate`.
   */
  warmupSchedule?: 'constant' | 'cosine';
  optimizer?: tf.Optimizer;
  /**
   * Start the JEM steps with a new Adam at `learningRate`, discarding the moment estimates of the warm-up (as when
   * JEM training starts from a pretrained classifier); default false. Only with the default optimiser.
   */
  restartOptimizer?: boolean;
  /**
   * The optimiser of the JEM steps (default 'adam'). 'sgd' runs them with SGD with momentum at `learningRate`
   * (momentum `momentum`) after an Adam warm-up at `warmupLearningRate`: Adam moves every weight by about the
   * learning rate whatever its gradient, so once the log p(x) gradient is mostly sampling noise it keeps moving the
   * classifier at full speed; SGD's steps shrink with the gradient as the energies of data and samples meet. Only with
   * the default optimiser; with a warm-up, `warmupLearningRate` is required (the rates of the two are not comparable).
   */
  jemOptimizer?: 'adam' | 'sgd';
  /** Momentum of `jemOptimizer: 'sgd'` (default 0.9). */
  momentum?: number;
  /**
   * Learning-rate multipliers of the JEM steps, one per layer with weights (kernel and bias alike), input side first;
   * layers past the end of the list keep 1 (default: all 1). E.g. `[0.1]` moves the first layer at a tenth of the
   * rate: on images the log p(x) gradient sits mostly in the first conv layer's filters and biases (see
   * docs/jem-experiments.md), so this slows what the log p(x) term changes there without slowing the classifier's
   * upper layers; 0 freezes a layer. Each scaled variable's update is multiplied after the optimiser's step
   * (w ← w₀ + s·(w₁ − w₀)), which for Adam, SGD and SGD with momentum — whose state depends on the gradients only —
   * is exactly that variable at rate s·learningRate. The warm-up's steps are not scaled.
   */
  jemLayerRates?: readonly number[];
  sgld?: JemSgldOptions;
  /** Replay buffer capacity (default 10,000). */
  bufferCapacity?: number;
  /**
   * How SGLD starts are initialised and re-initialised: 'uniform' noise on the data range (default, the paper's), or
   * 'class-gaussians', a mixture of one Gaussian per class fitted to the training data (JEM++'s informative
   * initialisation; see gaussian-init.ts).
   */
  bufferInit?: 'uniform' | 'class-gaussians';
  /** Re-initialisation probability of buffer draws (default 0.05). */
  reinitProbability?: number;
  /** Weight of log p(x) (default 1) and of log p(y|x) (default 1). */
  pxWeight?: number;
  pyxWeight?: number;
  /** Std of Gaussian noise added to data batches (default 0.03, as JEM). */
  dataNoise?: number;
  /**
   * Probability of flipping a data row left–right (default 0: no flips, and no random draws for them). Needs image
   * inputs [height, width, channels]; use it only where mirrored images are as likely as the originals (natural
   * photographs) — not on Fashion-MNIST, whose shoes all face left: mirrored ones are images the test set never shows.
   */
  flipProbability?: number;
  /** α of an optional energy-magnitude penalty α(E(x⁺)² + E(x⁻)²) (default 0). */
  energyPenalty?: number;
  /** |loss| above this is divergence (default 1e8, as the JEM code). */
  maxAbsLoss?: number;
  /** Checkpoint every `every` steps (and at the end) to `path`. */
  checkpoint?: { path: string; every: number };
  /** Resume from a checkpoint written by `trainJem`. */
  resume?: string;
  /**
   * Use the hand-derived passes of fast-cnn.ts for the updates when the model and backend allow (default true);
   * false forces tfjs autodiff (the reference; samplers follow the energy's own `gradientSession`).
   */
  fastKernels?: boolean;
  /** Early stopping on held-out data (see `JemEarlyStopOptions`); default: none, all `steps` run. */
  earlyStop?: JemEarlyStopOptions;
  /** Called after every step. */
  onStep?: (s: JemStep) => void;
  /** Test hook, called before each step with its number. */
  beforeStep?: (step: number) => void;
}

/**
 * Early stopping for the JEM steps, judged on held-out labelled data of the training distribution only (no
 * out-of-distribution data). A check scores `data` (accuracy, ECE with 15 bins, NLL, mean energy) when the JEM steps
 * begin (the reference), every `every` JEM steps after that, and after the last step. Training stops at the first
 * check with ECE above `maxEce` or accuracy more than `maxAccuracyDrop` below the reference's, and the weights of the
 * last check that held are put back (none held: the model is left as it is). The reference is only meaningful when
 * the JEM steps start from a trained classifier: a warm-up, or a model trained before this call.
 */
export interface JemEarlyStopOptions {
  /** Held-out rows, scaled like the training data; keep them out of the training data. */
  data: LabelledData;
  /** JEM steps between checks (default 25). */
  every?: number;
  /** Largest held-out expected calibration error allowed (default: no limit). */
  maxEce?: number;
  /** Largest fall of held-out accuracy below the reference check's, e.g. 0.03 for 3 points (default: no limit). */
  maxAccuracyDrop?: number;
  /** Called after every check. */
  onCheck?: (c: JemCheck) => void;
}

/** One early-stopping check on the held-out data. */
export interface JemCheck {
  /** Steps completed when it was taken. */
  step: number;
  accuracy: number;
  ece: number;
  /** Mean −log p(y|x). */
  nll: number;
  /** Mean energy −logsumexp f(x) of the held-out rows. */
  energy: number;
  /** Whether it kept within the limits. */
  ok: boolean;
}

/** Progress of one step. */
export interface JemStep {
  step: number;
  phase: 'warmup' | 'jem';
  loss: number;
  /** Cross-entropy of the batch and its accuracy. */
  crossEntropy: number;
  batchAccuracy: number;
  /** Mean energy −logsumexp f of the data batch and of the SGLD samples (NaN in warm-up). */
  energyData: number;
  energySample: number;
  /** Milliseconds spent in SGLD and in the parameter update (forward, backward, optimiser). */
  sgldMs: number;
  updateMs: number;
}

/** Result of `trainJem`. */
export interface JemTrainResult {
  step: number;
  /** The replay buffer (for sampling after training). */
  buffer: ReplayBuffer;
  /** Early-stopping checks, in order (empty without `earlyStop`). */
  checks: JemCheck[];
  /**
   * Present when early stopping ended training: the step of the failing check, why, and the step whose weights were
   * put back (undefined when no check had held).
   */
  stopped?: { step: number; reason: string; restoredStep?: number };
}

/** Trains `jem` in place on `data`; see the module comment. `rng` drives batches, data noise, buffer and SGLD. */
export async function trainJem(jem: Jem, data: LabelledData, options: JemTrainOptions, rng: Rng): Promise<JemTrainResult> {
  const shape = jem.inputShape;
  const D = shape.reduce((a, b) => a * b, 1);
  const K = jem.classes;
  const n = data.y.length;
  if (data.x.length !== n * D) throw new RangeError(`trainJem: ${data.x.length} input values for ${n} labels × ${D} ([${shape.join(', ')}])`);
  if (n === 0) throw new RangeError('trainJem: no training data');
  for (let i = 0; i < n; i++) {
    const c = data.y[i]!;
    if (!(c >= 0 && c < K)) throw new RangeError(`trainJem: label ${c} of row ${i} outside [0, ${K})`);
  }
  const B = options.batchSize ?? 64;
  const BN = options.negativeBatchSize ?? B;
  const warm = options.warmupSteps ?? 0;
  const sg = {
    stepSize: options.sgld?.stepSize ?? 1,
    noise: options.sgld?.noise ?? 0.01,
    steps: options.sgld?.steps ?? 20,
    ...(options.sgld?.clamp ? { clamp: options.sgld.clamp } : {}),
  };
  const pxW = options.pxWeight ?? 1;
  const pyxW = options.pyxWeight ?? 1;
  const dataNoise = options.dataNoise ?? 0.03;
  const flipP = options.flipProbability ?? 0;
  if (!(flipP >= 0 && flipP <= 1)) throw new RangeError(`trainJem: flipProbability must be in [0, 1], got ${flipP}`);
  if (flipP > 0 && shape.length !== 3) throw new RangeError(`trainJem: flipProbability needs image inputs [height, width, channels], got [${shape.join(', ')}]`);
  const alpha = options.energyPenalty ?? 0;
  const maxAbs = options.maxAbsLoss ?? 1e8;
  if (!Number.isSafeInteger(options.steps) || options.steps < 0) throw new RangeError(`trainJem: steps must be an integer ≥ 0, got ${options.steps}`);
  if (!Number.isSafeInteger(B) || B < 1) throw new RangeError(`trainJem: batchSize must be an integer ≥ 1, got ${B}`);
  if (!Number.isSafeInteger(BN) || BN < 1) throw new RangeError(`trainJem: negativeBatchSize must be an integer ≥ 1, got ${BN}`);
  if (!(sg.stepSize > 0) || !(sg.noise >= 0) || !Number.isSafeInteger(sg.steps) || sg.steps < 0) {
    throw new RangeError(`trainJem: bad SGLD settings step ${sg.stepSize}, noise ${sg.noise}, steps ${sg.steps}`);
  }
  if (options.restartOptimizer && options.optimizer) throw new RangeError('trainJem: restartOptimizer applies to the default Adam only; give no optimizer');
  const jemOpt = options.jemOptimizer ?? 'adam';
  const momentum = options.momentum ?? 0.9;
  if (jemOpt !== 'adam' && jemOpt !== 'sgd') throw new RangeError(`trainJem: jemOptimizer must be 'adam' or 'sgd', got ${String(jemOpt)}`);
  if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`trainJem: momentum must be in [0, 1), got ${momentum}`);
  if (jemOpt === 'sgd' && options.optimizer) throw new RangeError("trainJem: jemOptimizer 'sgd' replaces the default optimiser; give no optimizer");
  if (jemOpt === 'sgd' && (options.warmupSteps ?? 0) > 0 && options.warmupLearningRate === undefined) {
    throw new RangeError("trainJem: jemOptimizer 'sgd' with a warm-up needs warmupLearningRate (the warm-up's Adam rate)");
  }
  const vars = jem.variables();
  const rateScale = layerRateScales(jem, vars, options.jemLayerRates);
  const baseRate = options.learningRate ?? 1e-4;
  /** The optimiser of the JEM steps when it differs from the warm-up's. */
  const sgdOptimizer = () => (momentum > 0 ? tf.train.momentum(baseRate, momentum) : tf.train.sgd(baseRate));
  let optimizer = options.optimizer ?? (jemOpt === 'sgd' && (options.warmupSteps ?? 0) === 0 ? sgdOptimizer() : tf.train.adam(baseRate));
  let rated = optimizer as unknown as { learningRate?: number };
  const jemRate = rated.learningRate;
  const warmRate = options.warmupLearningRate;
  if (warmRate !== undefined && !(warmRate > 0 && Number.isFinite(warmRate))) {
    throw new RangeError(`trainJem: warmupLearningRate must be a finite number > 0, got ${warmRate}`);
  }
  const schedule = options.warmupSchedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'cosine') throw new RangeError(`trainJem: warmupSchedule must be 'constant' or 'cosine', got ${String(schedule)}`);
  if (schedule === 'cosine' && warm > 0 && warmRate === undefined) throw new RangeError("trainJem: warmupSchedule 'cosine' needs warmupLearningRate");
  if (warmRate !== undefined && typeof jemRate !== 'number') {
    throw new RangeError('trainJem: warmupLearningRate needs an optimiser with a numeric learningRate field');
  }
  const { min, max } = jem.metadata.dataRange;
  const bufferInit = options.bufferInit ?? 'uniform';
  if (bufferInit !== 'uniform' && bufferInit !== 'class-gaussians') throw new RangeError(`trainJem: bufferInit must be 'uniform' or 'class-gaussians', got ${String(bufferInit)}`);
  const init = bufferInit === 'uniform' ? uniformInit(min, max) : gaussianMixtureInit(fitClassGaussians(data.x, data.y, K), min, max);
  const buffer = new ReplayBuffer(
    { sampleShape: shape, capacity: options.bufferCapacity ?? 10_000, reinitProbability: options.reinitProbability ?? 0.05, init },
    rng,
  );

  const es = options.earlyStop;
  const every = es?.every ?? 25;
  const maxEce = es?.maxEce ?? Infinity;
  const maxDrop = es?.maxAccuracyDrop ?? Infinity;
  if (es) {
    if (es.data.x.length !== es.data.y.length * D || es.data.y.length === 0) {
      throw new RangeError(`trainJem: early-stopping data has ${es.data.x.length} input values for ${es.data.y.length} labels × ${D} (needs ≥ 1 row)`);
    }
    if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`trainJem: earlyStop.every must be an integer ≥ 1, got ${every}`);
    if (!(maxEce >= 0) || !(maxDrop >= 0)) throw new RangeError(`trainJem: earlyStop limits must be ≥ 0, got maxEce ${maxEce}, maxAccuracyDrop ${maxDrop}`);
  }

  let step = 0;
  let lastGood: GoodCheckpoint | undefined;
  /** Held-out accuracy when the JEM steps began (kept in checkpoints, so that a resumed run compares with it). */
  let reference: number | undefined;
  if (options.resume) {
    // A run resumed inside its SGD JEM steps restores SGD's slots into an SGD optimiser.
    if (jemOpt === 'sgd' && warm > 0 && (await loadCheckpoint(options.resume)).metadata.step >= warm) {
      optimizer.dispose();
      optimizer = sgdOptimizer();
      rated = optimizer as unknown as { learningRate?: number };
    }
    const r = await resumeTraining(options.resume, 'jem', vars, optimizer, rng);
    const st = r.checkpoint.arrays['buffer'];
    if (st) buffer.restore(st.data as Float32Array);
    ({ step, lastGood } = r);
    const ref = (r.checkpoint.metadata.extra as { earlyStopReference?: unknown } | null)?.earlyStopReference;
    if (typeof ref === 'number') reference = ref;
  }

  const checks: JemCheck[] = [];
  let held: { step: number; values: Float32Array[] } | undefined;
  let stopped: JemTrainResult['stopped'];
  /** Scores the held-out data; false (with the last good weights restored) when a limit is broken. */
  const check = (): boolean => {
    const { probs, energy } = predictJem(jem, es!.data.x);
    const m = classificationMetrics(probs, es!.data.y, K);
    reference ??= m.accuracy;
    const broken: string[] = [];
    if (m.ece > maxEce) broken.push(`held-out ECE ${m.ece.toFixed(4)} > ${maxEce}`);
    if (reference - m.accuracy > maxDrop) {
      broken.push(`held-out accuracy ${m.accuracy.toFixed(4)} is ${(reference - m.accuracy).toFixed(4)} below ${reference.toFixed(4)} (allowed ${maxDrop})`);
    }
    let meanEnergy = 0;
    for (const e of energy) meanEnergy += e / energy.length;
    const c: JemCheck = { step, accuracy: m.accuracy, ece: m.ece, nll: m.nll, energy: meanEnergy, ok: broken.length === 0 };
    checks.push(c);
    es!.onCheck?.(c);
    if (c.ok) {
      held = { step, values: snapshotVariables(vars) };
      return true;
    }
    if (held) restoreVariables(vars, held.values);
    stopped = { step, reason: broken.join('; '), ...(held ? { restoredStep: held.step } : {}) };
    return false;
  };

  const rows = new Float32Array(B * D);
  const noiseRow = new Float64Array(D);
  const labels = new Int32Array(B);
  while (step < options.steps) {
    const phase: JemStep['phase'] = step < warm ? 'warmup' : 'jem';
    // The first check of this call, when the JEM steps begin (or a resumed run continues them).
    if (es && phase === 'jem' && !held && !check()) break;
    if ((options.restartOptimizer || jemOpt === 'sgd') && warm > 0 && step === warm) {
      optimizer.dispose();
      optimizer = jemOpt === 'sgd' ? sgdOptimizer() : tf.train.adam(jemRate!);
      rated = optimizer as unknown as { learningRate?: number };
    }
    options.beforeStep?.(step + 1);
    for (let i = 0; i < B; i++) {
      const r = rng.int(n);
      labels[i] = data.y[r]!;
      const off = i * D;
      rows.set(data.x.subarray(r * D, (r + 1) * D), off);
      if (flipP > 0 && rng.uniform() < flipP) flipRowLeftRight(rows, off, shape[0]!, shape[1]!, shape[2]!);
      if (dataNoise > 0) {
        rng.fillNormal(noiseRow); // the numbers of D successive normal() calls
        for (let j = 0; j < D; j++) rows[off + j]! += dataNoise * noiseRow[j]!;
      }
    }
    const xPos = tf.tensor(rows, [B, ...shape], 'float32');
    const yOne = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), K), 'float32')) as tf.Tensor2D;
    let xNeg: tf.Tensor | undefined;
    let sgldMs = 0;
    if (phase === 'jem' && pxW !== 0) {
      const t0 = performance.now();
      const d = buffer.draw(BN, rng);
      xNeg = sgld(jem.energy, d.x, sg, rng);
      d.x.dispose();
      buffer.write(d.slots, xNeg);
      sgldMs = performance.now() - t0;
    }
    const t1 = performance.now();
    const weights = { pyx: pyxW, px: pxW, alpha };
    const fast = options.fastKernels === false ? undefined : jem.fastPath();
    const r = fast ? fast.jointLossGradients(xPos, yOne, xNeg, weights) : autodiffJointLoss(jem, vars, xPos, yOne, xNeg, weights);
    tf.dispose([xPos, yOne]);
    xNeg?.dispose();
    const { loss, crossEntropy: xent, accuracy: acc, energyData: eData, energySample: eSample, grads } = r;
    const finite = tf.tidy(() => tf.all(tf.stack(Object.values(grads).map((g) => tf.all(tf.isFinite(g))))).dataSync()[0] === 1);
    if (!Number.isFinite(loss) || Math.abs(loss) > maxAbs || !finite) {
      tf.dispose(grads);
      const reason = !Number.isFinite(loss)
        ? `loss is ${loss} (cross-entropy ${xent}, E(data) ${eData}, E(samples) ${eSample})`
        : Math.abs(loss) > maxAbs
          ? `|loss| = ${Math.abs(loss).toExponential(3)} exceeds ${maxAbs.toExponential(0)} (E(data) ${eData}, E(samples) ${eSample})`
          : 'a gradient is not finite';
      if (lastGood) restoreVariables(vars, lastGood.values);
      throw new DivergenceError(step + 1, reason, lastGood && { path: lastGood.path, step: lastGood.step });
    }
    if (warmRate !== undefined) {
      rated.learningRate =
        phase !== 'warmup' ? jemRate : schedule === 'cosine' ? jemRate! + (warmRate - jemRate!) * 0.5 * (1 + Math.cos((Math.PI * step) / warm)) : warmRate;
    }
    const scaled = phase === 'jem' ? rateScale : [];
    const before = scaled.map(([i]) => tf.clone(vars[i]!));
    optimizer.applyGradients(grads);
    tf.dispose(grads);
    if (scaled.length > 0) {
      tf.tidy(() => scaled.forEach(([i, s], k) => vars[i]!.assign(tf.add(before[k]!, tf.mul(tf.sub(vars[i]!, before[k]!), s)))));
      tf.dispose(before);
    }
    const updateMs = performance.now() - t1;
    step++;
    options.onStep?.({ step, phase, loss, crossEntropy: xent, batchAccuracy: acc, energyData: eData, energySample: eSample, sgldMs, updateMs });
    const cp = options.checkpoint;
    if (cp && (step % cp.every === 0 || step === options.steps)) {
      const values = snapshotVariables(vars);
      await saveCheckpoint(cp.path, {
        step,
        rngState: rng.getState(),
        variables: vars,
        values,
        optimizer,
        trainer: 'jem',
        extra: { batchSize: B, negativeBatchSize: BN, warmupSteps: warm, sgld: sg, ...(reference !== undefined ? { earlyStopReference: reference } : {}) },
        arrays: { buffer: { shape: [buffer.capacity, ...shape], data: buffer.data } },
      });
      lastGood = { path: cp.path, step, values };
    }
    if (es && phase === 'jem' && ((step - warm) % every === 0 || step === options.steps) && !check()) break;
  }
  return { step, buffer, checks, ...(stopped ? { stopped } : {}) };
}

/**
 * The (variable index, multiplier) pairs of `jemLayerRates` whose multiplier is not 1: the i-th layer of `jem.model`
 * that has trainable weights takes the i-th rate for all its weights.
 */
function layerRateScales(jem: Jem, vars: readonly tf.Variable[], rates: readonly number[] | undefined): [number, number][] {
  if (rates === undefined) return [];
  const layers = jem.model.layers.filter((l) => l.trainableWeights.length > 0);
  if (rates.length > layers.length) {
    throw new RangeError(`trainJem: jemLayerRates has ${rates.length} entries, the model has ${layers.length} layers with weights`);
  }
  rates.forEach((r, i) => {
    if (!(r >= 0 && Number.isFinite(r))) throw new RangeError(`trainJem: jemLayerRates[${i}] must be a finite number ≥ 0, got ${r}`);
  });
  const index = new Map(vars.map((v, i) => [v.name, i]));
  const out: [number, number][] = [];
  layers.forEach((l, li) => {
    const r = rates[li] ?? 1;
    if (r === 1) return;
    for (const w of l.trainableWeights) {
      const i = index.get((w.read() as tf.Variable).name);
      if (i === undefined) throw new Error(`trainJem: weight ${w.name} of layer ${l.name} is not among the model's variables`);
      out.push([i, r]);
    }
  });
  return out;
}

/** Mirrors the image at `off` in `x` ([height, width, channels], row-major) left–right in place. */
export function flipRowLeftRight(x: Float32Array, off: number, height: number, width: number, channels: number): void {
  for (let h = 0; h < height; h++) {
    const line = off + h * width * channels;
    for (let a = 0, b = width - 1; a < b; a++, b--) {
      for (let c = 0; c < channels; c++) {
        const i = line + a * channels + c;
        const j = line + b * channels + c;
        const t = x[i]!;
        x[i] = x[j]!;
        x[j] = t;
      }
    }
  }
}

/** The joint loss and its gradients by tfjs autodiff over `jem.logits` (the reference for `FastJemNet`). */
function autodiffJointLoss(jem: Jem, vars: tf.Variable[], xPos: tf.Tensor, yOne: tf.Tensor2D, xNeg: tf.Tensor | undefined, w: JointLossWeights): JointLossGradients {
  const B = xPos.shape[0]!;
  const K = yOne.shape[1];
  let crossEntropy = NaN;
  let accuracy = NaN;
  let energyData = NaN;
  let energySample = NaN;
  const { value, grads } = tf.variableGrads(() => {
    const input = xNeg ? tf.concat([xPos, xNeg], 0) : xPos;
    const f = jem.logits(input);
    const fPos = xNeg ? tf.slice(f, [0, 0], [B, K]) : f;
    const ce = tf.losses.softmaxCrossEntropy(yOne, fPos) as tf.Scalar;
    crossEntropy = ce.dataSync()[0]!;
    accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(fPos, 1), tf.argMax(yOne, 1)), 'float32')).dataSync()[0]!;
    let loss: tf.Scalar = tf.mul(ce, w.pyx);
    if (xNeg) {
      const ePos = tf.mean(tf.neg(tf.logSumExp(fPos, 1)));
      const eNeg = tf.mean(tf.neg(tf.logSumExp(tf.slice(f, [B, 0], [xNeg.shape[0]!, K]), 1)));
      energyData = ePos.dataSync()[0]!;
      energySample = eNeg.dataSync()[0]!;
      loss = tf.add(loss, tf.mul(tf.sub(ePos, eNeg), w.px));
      if (w.alpha > 0) loss = tf.add(loss, tf.mul(w.alpha, tf.add(tf.square(ePos), tf.square(eNeg))));
    }
    return loss;
  }, vars);
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss, crossEntropy, accuracy, energyData, energySample, grads };
}
