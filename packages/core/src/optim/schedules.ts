/**
 * Learning-rate schedules for stochastic gradient descent. `t` counts updates (examples processed), from 0.
 */

/** A learning-rate schedule η_t, t = 0, 1, 2, … updates. */
export type LearningRateSchedule =
  /** η_t = eta */
  | { kind: 'constant'; eta: number }
  /**
   * η_t = eta0 / (1 + lambda·eta0·t) (Bottou's sgd, CRFsuite's l2sgd: η_t = 1/(λ(t₀ + t)) with t₀ = 1/(λη₀)).
   * With lambda = the L2 constant λ of the per-example objective this is the rate that is optimal for
   * λ-strongly convex problems; lambda = 0 gives a constant rate.
   */
  | { kind: 'inverse'; eta0: number; lambda: number }
  /** η_t = eta0 · decay^t, 0 < decay ≤ 1 */
  | { kind: 'exponential'; eta0: number; decay: number }
  /** η_t = eta0 · factor^⌊t / every⌋, 0 < factor ≤ 1, `every` in updates */
  | { kind: 'step'; eta0: number; factor: number; every: number };

function positive(name: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`learning-rate schedule: ${name} must be a finite number > 0, got ${v}`);
}

/** Checks a schedule's parameters; throws a RangeError naming the bad field and its value. */
export function checkSchedule(schedule: LearningRateSchedule): void {
  switch (schedule.kind) {
    case 'constant':
      positive('eta', schedule.eta);
      return;
    case 'inverse':
      positive('eta0', schedule.eta0);
      if (!(schedule.lambda >= 0) || !Number.isFinite(schedule.lambda)) {
        throw new RangeError(`learning-rate schedule: lambda must be a finite number >= 0, got ${schedule.lambda}`);
      }
      return;
    case 'exponential':
      positive('eta0', schedule.eta0);
      if (!(schedule.decay > 0 && schedule.decay <= 1)) {
        throw new RangeError(`learning-rate schedule: decay must be in (0, 1], got ${schedule.decay}`);
      }
      return;
    case 'step':
      positive('eta0', schedule.eta0);
      if (!(schedule.factor > 0 && schedule.factor <= 1)) {
        throw new RangeError(`learning-rate schedule: factor must be in (0, 1], got ${schedule.factor}`);
      }
      if (!Number.isInteger(schedule.every) || schedule.every < 1) {
        throw new RangeError(`learning-rate schedule: every must be an integer >= 1, got ${schedule.every}`);
      }
      return;
    default:
      throw new RangeError(
        `learning-rate schedule: unknown kind ${JSON.stringify((schedule as { kind: unknown }).kind)} ` +
          `(expected 'constant', 'inverse', 'exponential' or 'step')`,
      );
  }
}

/** η_t without checks (the schedule was checked once by the caller). */
export function learningRateUnchecked(schedule: LearningRateSchedule, t: number): number {
  switch (schedule.kind) {
    case 'constant':
      return schedule.eta;
    case 'inverse':
      return schedule.eta0 / (1 + schedule.lambda * schedule.eta0 * t);
    case 'exponential':
      return schedule.eta0 * Math.pow(schedule.decay, t);
    case 'step':
      return schedule.eta0 * Math.pow(schedule.factor, Math.floor(t / schedule.every));
  }
}

/** The learning rate η_t of `schedule` at update t (t ≥ 0). */
export function learningRate(schedule: LearningRateSchedule, t: number): number {
  checkSchedule(schedule);
  if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`learningRate: t must be a finite number >= 0, got ${t}`);
  return learningRateUnchecked(schedule, t);
}

/** The schedule with its initial rate replaced by `eta0` (what calibration does). */
export function withInitialRate(schedule: LearningRateSchedule, eta0: number): LearningRateSchedule {
  return schedule.kind === 'constant' ? { kind: 'constant', eta: eta0 } : { ...schedule, eta0 };
}

/** The schedule's rate at t = 0. */
export function initialRate(schedule: LearningRateSchedule): number {
  return schedule.kind === 'constant' ? schedule.eta : schedule.eta0;
}
