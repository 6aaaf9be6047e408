/**
 * Stochastic gradient descent for sums of per-example losses with sparse gradients and an L2 penalty, using the
 * weight-scaling trick of Bottou's sgd and CRFsuite's l2sgd: the weights are stored as w = scale · v, so the L2
 * shrinkage w ← (1 − ηλ)·w of every step costs O(1) (it only changes `scale`) and a step costs O(nnz of ∇loss_i).
 * Optional Polyak averaging of the iterates and CRFsuite-style calibration of the initial learning rate.
 *
 * Objective (CRFsuite's convention, the same one its L-BFGS trainer uses):
 *
 *     F(w) = Σ_{i=1..N} loss_i(w) + c2 · ‖w‖²  =  Σ_i [ loss_i(w) + (λ/2)·‖w‖² ],   λ = 2·c2 / N.
 *
 * Each update takes one example i and does w ← (1 − η_t·λ)·w − η_t·∇loss_i(w), i.e. a plain SGD step on the
 * per-example objective loss_i + (λ/2)‖w‖² with the gradient taken at the current w.
 */

import type { Rng } from '../rng.js';
import {
  checkSchedule,
  initialRate,
  learningRateUnchecked,
  withInitialRate,
  type LearningRateSchedule,
} from './schedules.js';

/** The weights as the example callback sees them: w_j = scale · values[j]. Read-only for the callback. */
export interface ScaledWeights {
  /** The unscaled vector v (length dim). */
  readonly values: Float64Array;
  /** The common factor; w = scale · v. */
  readonly scale: number;
  /** w_j = scale · values[j]. */
  get(j: number): number;
}

/** Where the example callback reports ∇loss_i(w); entries with the same index add up. */
export interface GradientSink {
  /** Adds `value` to component `index` of the gradient. */
  add(index: number, value: number): void;
  /** Adds a dense block: component offset + k gets values[k] (zeros are skipped). */
  addDense(values: ArrayLike<number>, offset?: number): void;
}

/** A sum of per-example losses over `dim` weights. */
export interface SgdProblem {
  /** Number of examples N. */
  numExamples: number;
  /** Number of weights. */
  dim: number;
  /**
   * Loss of example i at the weights w, reporting ∇loss_i(w) (without the L2 term) to `grad`. The update is
   * applied after the callback returns, so it may read `w` throughout.
   */
  example(i: number, w: ScaledWeights, grad: GradientSink): number;
}

/** Calibration of the initial learning rate (CRFsuite's l2sgd calibration; its defaults). */
export interface SgdCalibration {
  /** First candidate η₀. Default 0.1. */
  eta?: number;
  /** Factor between candidates. Default 2. */
  rate?: number;
  /** Examples in the calibration sample (drawn with the rng). Default 1000 (or N if smaller). */
  samples?: number;
  /** Number of candidates that must lower the sample objective before the search stops. Default 10. */
  candidates?: number;
  /** Most candidates tried. Default 20. */
  maxTrials?: number;
}

/** Progress after one epoch, handed to `onEpoch`. */
export interface SgdEpoch {
  /** 1-based epoch number. */
  epoch: number;
  /** Σ_i loss_i over the epoch (each at the weights before its update) + c2·‖w‖² at the end of the epoch. */
  loss: number;
  /** The learning rate of the last update. */
  eta: number;
  /** Updates (examples processed) so far. */
  updates: number;
  /** Seconds since the start. */
  seconds: number;
  /** A copy of the weights the result would hold now (averaged when averaging); O(dim). */
  weights(): Float64Array;
}

/** Options of `sgdMinimize`. */
export interface SgdOptions {
  /** Randomness for shuffling and calibration (required: results are reproducible for a seed). */
  rng: Rng;
  /** L2 strength in F(w) = Σ_i loss_i + c2·‖w‖². Default 0. */
  c2?: number;
  /** Passes over the data. Default 10. */
  epochs?: number;
  /**
   * Learning rates, indexed by update count t. Default {kind: 'inverse', eta0: 0.1 (or the calibrated one),
   * lambda: 2·c2/N} — CRFsuite's l2sgd schedule.
   */
  schedule?: LearningRateSchedule;
  /** Return the average of the iterates (Polyak–Ruppert), from update `start` on (default 0). Default false. */
  averaging?: boolean | { start?: number };
  /** Calibrate η₀ on a sample first and use it in the schedule (replacing eta0, or eta of a constant schedule). */
  calibrate?: boolean | SgdCalibration;
  /** Shuffle the examples at every epoch. Default true. */
  shuffle?: boolean;
  /** CRFsuite's l2sgd stopping test: stop when (F_{e−period} − F_e)/|F_e| < delta. Default 0 (off). */
  delta?: number;
  /** Epoch distance of the delta test. Default 10. */
  period?: number;
  /** Initial weights (copied). Default zeros. */
  w0?: Float64Array;
  /** Called after each epoch; returning (or resolving to) false stops with status 'stopped'. */
  onEpoch?: (info: SgdEpoch) => boolean | void | Promise<boolean | void>;
  /** Aborting it stops at the next example (status 'stopped'). */
  signal?: AbortSignal;
}

/** The outcome of `sgdMinimize`. */
export interface SgdResult {
  /** The final weights (the average of the iterates when averaging). */
  w: Float64Array;
  /** Epochs completed. */
  epochs: number;
  /** The epoch objective of every completed epoch (see `SgdEpoch.loss`). */
  losses: number[];
  /** The initial learning rate used (calibrated or given). */
  eta0: number;
  /** Updates done. */
  updates: number;
  status: 'max-epochs' | 'delta' | 'stopped';
  message: string;
}

/** Growable buffer of (index, value) pairs. */
class SparseSink implements GradientSink {
  idx: Int32Array;
  val: Float64Array;
  size = 0;
  constructor(
    private readonly dim: number,
    capacity = 64,
  ) {
    this.idx = new Int32Array(capacity);
    this.val = new Float64Array(capacity);
  }
  private grow(): void {
    const idx = new Int32Array(this.idx.length * 2);
    idx.set(this.idx);
    const val = new Float64Array(this.val.length * 2);
    val.set(this.val);
    this.idx = idx;
    this.val = val;
  }
  add(index: number, value: number): void {
    if (!((index >>> 0) === index && index < this.dim)) {
      throw new RangeError(`sgdMinimize: gradient index ${index} is not an integer in [0, ${this.dim})`);
    }
    if (this.size === this.idx.length) this.grow();
    this.idx[this.size] = index;
    this.val[this.size] = value;
    this.size++;
  }
  addDense(values: ArrayLike<number>, offset = 0): void {
    if (!Number.isInteger(offset) || offset < 0 || offset + values.length > this.dim) {
      throw new RangeError(`sgdMinimize: dense block [${offset}, ${offset + values.length}) exceeds dim ${this.dim}`);
    }
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (v !== 0) {
        if (this.size === this.idx.length) this.grow();
        this.idx[this.size] = offset + k;
        this.val[this.size] = v;
        this.size++;
      }
    }
  }
}

/** `scale` below which it is folded into v (O(dim), every ln(1/RENORMALISE_BELOW)/(ηλ) updates). */
const RENORMALISE_BELOW = 1e-5;

/**
 * The optimiser's state: w = scale·v. With averaging, the sum of the averaged iterates is
 * Σ_k w_k = base + sum·v − u, kept up to date sparsely: u_j += sum·Δv_j on each update, then sum += scale.
 * (Proof: adding w_{k+1} = s_{k+1}(v_k + Δv) to base + S·v_k − u gives base + (S + s_{k+1})·v_{k+1} − (u + S·Δv).)
 * Renormalisation folds sum·v − u into the dense `base`, so that sum and u restart from 0 and the cancellation in
 * sum·v − u stays within a factor 1/RENORMALISE_BELOW.
 */
class State implements ScaledWeights {
  scale = 1;
  sum = 0;
  averaged = 0;
  readonly base: Float64Array | null;
  constructor(
    readonly values: Float64Array,
    readonly u: Float64Array | null,
  ) {
    this.base = u ? new Float64Array(values.length) : null;
  }
  get(j: number): number {
    return this.scale * this.values[j]!;
  }
  /** Folds the scale into v when it gets small (keeps v in range; O(dim), rare). */
  renormalise(): void {
    const c = this.scale;
    const v = this.values;
    const { u, base } = this;
    if (u && base && this.sum !== 0) {
      const a = this.sum;
      for (let j = 0; j < v.length; j++) {
        base[j] += a * v[j]! - u[j]!;
        u[j] = 0;
      }
      this.sum = 0;
    }
    for (let j = 0; j < v.length; j++) v[j] *= c;
    this.scale = 1;
  }
  norm2(): number {
    const v = this.values;
    let s = 0;
    for (let j = 0; j < v.length; j++) s += v[j]! * v[j]!;
    return this.scale * this.scale * s;
  }
  /** The current (or averaged) weights, materialised into `out`. */
  weights(out: Float64Array, averaged: boolean): Float64Array {
    const v = this.values;
    if (averaged && this.u && this.base && this.averaged > 0) {
      const { u, base } = this;
      const a = this.sum;
      const inv = 1 / this.averaged;
      for (let j = 0; j < v.length; j++) out[j] = (base[j]! + a * v[j]! - u[j]!) * inv;
    } else {
      for (let j = 0; j < v.length; j++) out[j] = this.scale * v[j]!;
    }
    return out;
  }
}

class Diverged extends Error {}

/**
 * One pass over `order[0..count)`: the SGD updates from update counter t0 on. Returns Σ loss_i.
 * Throws `Diverged` when a loss is not finite or the shrinkage factor 1 − ηλ is not positive.
 */
function pass(
  problem: SgdProblem,
  state: State,
  sink: SparseSink,
  order: Int32Array,
  count: number,
  schedule: LearningRateSchedule,
  lambda: number,
  t0: number,
  averageFrom: number,
  signal: AbortSignal | undefined,
): { loss: number; updates: number; eta: number; aborted: boolean } {
  const v = state.values;
  const u = state.u;
  let sumLoss = 0;
  let t = t0;
  let eta = NaN;
  for (let k = 0; k < count; k++) {
    if (signal?.aborted) return { loss: sumLoss, updates: t - t0, eta, aborted: true };
    const i = order[k]!;
    eta = learningRateUnchecked(schedule, t);
    sink.size = 0;
    const loss = problem.example(i, state, sink);
    if (!(loss - loss === 0)) throw new Diverged(`example ${i} returned a non-finite loss (${loss}) at update ${t}, learning rate ${eta}`);
    sumLoss += loss;
    const decay = 1 - eta * lambda;
    if (!(decay > 0)) throw new Diverged(`learning rate ${eta} × λ ${lambda} >= 1 at update ${t}: the L2 step would flip the weights`);
    state.scale *= decay;
    const gain = -eta / state.scale;
    const idx = sink.idx;
    const val = sink.val;
    const n = sink.size;
    const averaging = u !== null && t >= averageFrom;
    if (averaging) {
      const a = state.sum;
      for (let e = 0; e < n; e++) {
        const j = idx[e]!;
        const dv = gain * val[e]!;
        v[j] += dv;
        u[j] += a * dv;
      }
      state.sum += state.scale;
      state.averaged++;
    } else {
      for (let e = 0; e < n; e++) v[idx[e]!] += gain * val[e]!;
    }
    if (state.scale < RENORMALISE_BELOW) state.renormalise();
    t++;
  }
  return { loss: sumLoss, updates: t - t0, eta, aborted: false };
}

function checkPositiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`sgdMinimize: ${name} must be an integer >= 1, got ${v}`);
}

/**
 * CRFsuite-style calibration: on a random sample of examples, runs one pass from w0 for each candidate η₀
 * (η, η·rate, η·rate², … while the sample objective goes down, then η/rate, η/rate², …) and returns the candidate
 * with the lowest sample objective Σ loss_i + (λ/2)·M·‖w‖².
 */
function calibrateEta(
  problem: SgdProblem,
  w0: Float64Array,
  schedule: LearningRateSchedule,
  lambda: number,
  rng: Rng,
  opts: SgdCalibration,
): number {
  const eta0 = opts.eta ?? 0.1;
  const rate = opts.rate ?? 2;
  const candidates = opts.candidates ?? 10;
  const maxTrials = opts.maxTrials ?? 20;
  const M = Math.min(opts.samples ?? 1000, problem.numExamples);
  if (!(eta0 > 0) || !Number.isFinite(eta0)) throw new RangeError(`sgdMinimize: calibrate.eta must be > 0, got ${eta0}`);
  if (!(rate > 1) || !Number.isFinite(rate)) throw new RangeError(`sgdMinimize: calibrate.rate must be > 1, got ${rate}`);
  checkPositiveInteger('calibrate.samples', M);
  checkPositiveInteger('calibrate.candidates', candidates);
  checkPositiveInteger('calibrate.maxTrials', maxTrials);

  const all = new Int32Array(problem.numExamples);
  for (let i = 0; i < all.length; i++) all[i] = i;
  rng.shuffle(all);
  const sample = all.slice(0, M);
  const order = new Int32Array(M);
  const sink = new SparseSink(problem.dim);
  const state = new State(new Float64Array(problem.dim), null);

  const objectiveAt = (eta: number | null): number => {
    state.values.set(w0);
    state.scale = 1;
    if (eta === null) {
      // The objective at w0 itself (gradients discarded).
      let s = 0;
      for (let k = 0; k < M; k++) {
        sink.size = 0;
        s += problem.example(sample[k]!, state, sink);
      }
      return s + 0.5 * lambda * M * state.norm2();
    }
    order.set(sample);
    rng.shuffle(order);
    try {
      const r = pass(problem, state, sink, order, M, withInitialRate(schedule, eta), lambda, 0, Infinity, undefined);
      const f = r.loss + 0.5 * lambda * M * state.norm2();
      return f - f === 0 ? f : Infinity;
    } catch (e) {
      if (e instanceof Diverged) return Infinity;
      throw e;
    }
  };

  const initial = objectiveAt(null);
  if (!(initial - initial === 0)) throw new RangeError(`sgdMinimize: calibration objective at w0 is not finite (${initial})`);
  let bestEta = eta0;
  let bestF = Infinity;
  let eta = eta0;
  let left = candidates;
  let decreasing = false;
  for (let trial = 0; trial < maxTrials; trial++) {
    const f = objectiveAt(eta);
    const ok = f < initial;
    if (f < bestF) {
      bestF = f;
      bestEta = eta;
    }
    if (ok) left--;
    if (!decreasing) {
      if (ok && left > 0) eta *= rate;
      else {
        decreasing = true;
        left = candidates;
        eta = eta0 / rate;
      }
    } else {
      if (left <= 0) break;
      eta /= rate;
    }
  }
  if (!(bestF < Infinity)) throw new RangeError(`sgdMinimize: calibration found no learning rate with a finite objective (tried from ${eta0})`);
  return bestEta;
}

/**
 * Minimises Σ_i loss_i(w) + c2·‖w‖² by SGD with the weight-scaling trick (see the module comment for the exact
 * objective and update). Deterministic for a given `rng` seed.
 *
 * @throws RangeError for invalid options, or when an update diverges (non-finite loss, or η·λ ≥ 1).
 */
export async function sgdMinimize(problem: SgdProblem, options: SgdOptions): Promise<SgdResult> {
  const started = performance.now();
  const { numExamples: N, dim } = problem;
  checkPositiveInteger('numExamples', N);
  checkPositiveInteger('dim', dim);
  if (typeof problem.example !== 'function') throw new TypeError('sgdMinimize: problem.example must be a function');
  const { rng, onEpoch, signal } = options;
  if (!rng || typeof rng.shuffle !== 'function') throw new TypeError('sgdMinimize: options.rng (an Rng) is required');
  const c2 = options.c2 ?? 0;
  if (!(c2 >= 0) || !Number.isFinite(c2)) throw new RangeError(`sgdMinimize: c2 must be a finite number >= 0, got ${c2}`);
  const epochs = options.epochs ?? 10;
  if (!(epochs === 0 || (Number.isInteger(epochs) && epochs > 0))) {
    throw new RangeError(`sgdMinimize: epochs must be an integer >= 0, got ${epochs}`);
  }
  const delta = options.delta ?? 0;
  const period = options.period ?? 10;
  if (!(delta >= 0) || !Number.isFinite(delta)) throw new RangeError(`sgdMinimize: delta must be >= 0, got ${delta}`);
  checkPositiveInteger('period', period);
  const lambda = (2 * c2) / N;
  let schedule: LearningRateSchedule = options.schedule ?? { kind: 'inverse', eta0: 0.1, lambda };
  checkSchedule(schedule);
  const w0 = options.w0 ?? new Float64Array(dim);
  if (w0.length !== dim) throw new RangeError(`sgdMinimize: w0 length ${w0.length} !== dim ${dim}`);
  const averaging = options.averaging ?? false;
  const averageFrom = averaging === false ? Infinity : averaging === true ? 0 : (averaging.start ?? 0);
  if (!(averageFrom >= 0)) throw new RangeError(`sgdMinimize: averaging.start must be >= 0, got ${averageFrom}`);

  if (options.calibrate) {
    const opts = options.calibrate === true ? {} : options.calibrate;
    schedule = withInitialRate(schedule, calibrateEta(problem, w0, schedule, lambda, rng, opts));
  }

  const state = new State(Float64Array.from(w0), averaging === false ? null : new Float64Array(dim));
  const sink = new SparseSink(dim);
  const order = new Int32Array(N);
  for (let i = 0; i < N; i++) order[i] = i;
  const shuffle = options.shuffle ?? true;
  const losses: number[] = [];
  let t = 0;
  const useAverage = averaging !== false;
  const result = (status: SgdResult['status'], message: string): SgdResult => ({
    w: state.weights(new Float64Array(dim), useAverage),
    epochs: losses.length,
    losses,
    eta0: initialRate(schedule),
    updates: t,
    status,
    message,
  });

  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (shuffle) rng.shuffle(order);
    let r: ReturnType<typeof pass>;
    try {
      r = pass(problem, state, sink, order, N, schedule, lambda, t, averageFrom, signal);
    } catch (e) {
      if (e instanceof Diverged) throw new RangeError(`sgdMinimize: diverged in epoch ${epoch}: ${e.message}; lower the learning rate`);
      throw e;
    }
    t += r.updates;
    if (r.aborted) return result('stopped', `aborted in epoch ${epoch} after ${t} updates`);
    const loss = r.loss + c2 * state.norm2();
    losses.push(loss);
    if (onEpoch) {
      const out = onEpoch({
        epoch,
        loss,
        eta: r.eta,
        updates: t,
        seconds: (performance.now() - started) / 1000,
        weights: () => state.weights(new Float64Array(dim), useAverage),
      });
      const keepGoing = out instanceof Promise ? await out : out;
      if (keepGoing === false) return result('stopped', `onEpoch returned false after epoch ${epoch}`);
    }
    if (delta > 0 && epoch > period) {
      const old = losses[epoch - 1 - period]!;
      const improvement = (old - loss) / Math.abs(loss);
      if (!(improvement >= delta)) {
        return result('delta', `relative improvement over ${period} epochs ${improvement} < delta ${delta} after epoch ${epoch}`);
      }
    }
  }
  return result('max-epochs', `completed ${epochs} epochs (${t} updates)`);
}
