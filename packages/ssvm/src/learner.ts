import { createRng, type Rng } from '@ebmkit/core';
import { Oracle, norm2 } from './oracle.js';
import { lambdaFromC, resolveOptions, type ResolvedOptions, type SsvmFit, type SsvmLearnerName, type SsvmOptions, type SsvmPass, type SsvmStatus } from './options.js';
import type { SsvmModel } from './ssvm-model.js';

/**
 * What a learner's training loop works with: the oracle over the data, λ, the rng, the warm start, a clock that
 * excludes evaluation time, and the log.
 */
export class TrainingRun<X, Y> {
  readonly oracle: Oracle<X, Y>;
  readonly n: number;
  readonly dim: number;
  readonly lambda: number;
  readonly rng: Rng;
  /** Warm-start weights, or null for a cold start (w = 0). */
  readonly w0: Float64Array | null;
  readonly log: SsvmPass[] = [];
  private readonly start = performance.now();
  private paused = 0;

  constructor(
    model: SsvmModel<X, Y>,
    X: readonly X[],
    Y: readonly Y[],
    readonly opts: ResolvedOptions,
    private readonly options: SsvmOptions,
    readonly learner: SsvmLearnerName,
  ) {
    this.oracle = new Oracle(model, X, Y);
    this.n = this.oracle.n;
    this.dim = this.oracle.dim;
    this.lambda = lambdaFromC(opts.C, this.n);
    this.rng = options.rng ?? createRng(options.seed ?? 1);
    const w0 = options.w0;
    if (w0 !== undefined) {
      if (!(w0 instanceof Float64Array)) throw new TypeError('w0 must be a Float64Array');
      if (w0.length !== this.dim) throw new RangeError(`w0 length ${w0.length} !== model.sizeJointFeature ${this.dim}`);
      for (let k = 0; k < w0.length; k++) if (!Number.isFinite(w0[k])) throw new RangeError(`w0[${k}] is ${w0[k]}, not a finite number`);
    }
    this.w0 = w0 && w0.some((v) => v !== 0) ? Float64Array.from(w0) : null;
  }

  /** Training wall seconds so far (evaluations excluded). */
  seconds(): number {
    return (performance.now() - this.start - this.paused) / 1000;
  }

  /** Whether pass `pass` is evaluated (every `evaluateEvery` passes, and always the last). */
  due(pass: number): boolean {
    return pass % this.opts.evaluateEvery === 0 || pass === this.opts.maxPasses;
  }

  /** λ/2·‖w‖² + mean hinge, evaluated exactly (time excluded from the clock). */
  primal(w: Float64Array): number {
    const t0 = performance.now();
    const { hinge } = this.oracle.evaluate(w);
    this.paused += performance.now() - t0;
    return (this.lambda / 2) * norm2(w) + hinge;
  }

  /**
   * Evaluates `w` (the weights the learner would return now), logs the pass with the given certified dual (NaN
   * if none), calls onPass; returns the entry and the status to stop with, or null to continue.
   */
  record(pass: number, w: Float64Array, dual: number): { entry: SsvmPass; stop: SsvmStatus | null } {
    const seconds = this.seconds();
    const t0 = performance.now();
    const { hinge, trainingLoss } = this.oracle.evaluate(w);
    const primal = (this.lambda / 2) * norm2(w) + hinge;
    const gap = Number.isNaN(dual) ? NaN : primal - dual;
    const entry: SsvmPass = { pass, primal, dual, gap, trainingLoss, seconds, oracleCalls: this.oracle.calls };
    this.log.push(entry);
    let stop: SsvmStatus | null = null;
    if (this.options.onPass?.(entry, w) === false) stop = 'stopped';
    else if (!Number.isNaN(gap) && gap <= this.opts.tolerance * Math.abs(primal)) stop = 'converged';
    this.paused += performance.now() - t0;
    return { entry, stop };
  }

  /** The immutable result. */
  finish(w: Float64Array, status: SsvmStatus, passes: number): SsvmFit {
    const fit: SsvmFit = {
      learner: this.learner,
      w: Float64Array.from(w),
      log: Object.freeze(this.log.map((e) => Object.freeze({ ...e }))),
      status,
      passes,
      C: this.opts.C,
      lambda: this.lambda,
    };
    return Object.freeze(fit);
  }
}

/**
 * A structured-SVM learner over any `StructuredModel`: construct with the model and options, then `fit(X, Y)`
 * for the fitted weights and log, or iterate `run(X, Y)` to get each pass's log entry as it is written (an async
 * caller can await between passes) — the generator's return value is the fit.
 */
export abstract class SsvmLearner<X, Y> {
  /** The learner's name. */
  abstract readonly name: SsvmLearnerName;
  /** Validated options. */
  readonly opts: ResolvedOptions;

  constructor(
    readonly model: SsvmModel<X, Y>,
    readonly options: SsvmOptions = {},
    defaults: Partial<ResolvedOptions> = {},
  ) {
    this.opts = resolveOptions(options, defaults);
  }

  /** Trains to the end and returns the fitted weights and log. */
  fit(X: readonly X[], Y: readonly Y[]): SsvmFit {
    const it = this.run(X, Y);
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
    }
  }

  /** Training as a generator of log entries (one per evaluated pass) returning the fit. */
  *run(X: readonly X[], Y: readonly Y[]): Generator<SsvmPass, SsvmFit, undefined> {
    const run = new TrainingRun(this.model, X, Y, this.opts, this.options, this.name);
    return yield* this.train(run);
  }

  /** The learner's loop. */
  protected abstract train(run: TrainingRun<X, Y>): Generator<SsvmPass, SsvmFit, undefined>;
}
