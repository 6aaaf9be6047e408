/**
 * Line searches along a fixed direction d from a point x₀: Moré–Thuente (strong Wolfe conditions, safeguarded
 * cubic/quadratic interpolation; Moré & Thuente 1994, the MINPACK-2 `dcsrch` scheme that libLBFGS uses) and
 * backtracking with the Armijo (sufficient decrease) condition, which OWL-QN needs because its trial points are
 * projected onto an orthant.
 *
 * Both searches are NaN-safe: a trial point where f or ∇f is NaN or ±Infinity is treated as "too far" and the
 * step shrinks tenfold towards the best point seen (no later trial goes beyond it; once such a wall has been met,
 * Moré–Thuente accepts a point with sufficient decrease whose slope still points towards the wall). On failure the searches leave x and ∇f at the best trial point whenever
 * one lowered f (flag `improved`); otherwise the caller restores x₀.
 */

/** How a line search ended. Everything except 'ok' is a failure. */
export type LineSearchCode =
  | 'ok'
  /** The bracketing interval became narrower than machine precision allows (rounding errors). */
  | 'rounding'
  /** `maxEvaluations` trial points were evaluated without meeting the conditions. */
  | 'max-evaluations'
  /** The step reached `minStep`. */
  | 'min-step'
  /** The step reached `maxStep`. */
  | 'max-step'
  /** The direction is not a descent direction (initial slope ≥ 0 or not finite). */
  | 'not-descent'
  /** The problem's `aborted()` returned true. */
  | 'aborted';

/**
 * The one-dimensional problem a line search sees. The optimiser owns the buffers; the search only moves along
 * the ray through these callbacks.
 */
export interface LineSearchProblem {
  /** Sets the current point x to the trial point for `step` (x₀ + step·d, projected for OWL-QN). */
  moveTo(step: number): void;
  /** Evaluates the objective at the current point (writing its gradient); may return NaN or ±Infinity. */
  evaluate(): number | Promise<number>;
  /** ∇f(x)·d at the current point (used by Moré–Thuente). */
  slope(): number;
  /** The first-order change predicted for the current point, (x − x₀)·∇f(x₀) (Armijo test of backtracking). */
  predicted(step: number): number;
  /** True when the run was cancelled; checked after every evaluation. */
  aborted(): boolean;
}

/** Line-search parameters (libLBFGS names and defaults). */
export interface LineSearchParams {
  /** Sufficient-decrease (Armijo) constant, 0 < ftol < 0.5. Default 1e-4. */
  ftol: number;
  /** Curvature constant of the strong Wolfe condition, ftol < gtol < 1 (Moré–Thuente only). Default 0.9. */
  gtol: number;
  /** Relative width of the bracketing interval below which the search gives up (rounding). Default 1e-16. */
  xtol: number;
  /** Smallest step tried. Default 1e-20. */
  minStep: number;
  /** Largest step tried. Default 1e20. */
  maxStep: number;
  /** Most objective evaluations per search. Default 20. */
  maxEvaluations: number;
}

/** Default line-search parameters (libLBFGS / CRFsuite). */
export const DEFAULT_LINE_SEARCH: Readonly<LineSearchParams> = Object.freeze({
  ftol: 1e-4,
  gtol: 0.9,
  xtol: 1e-16,
  minStep: 1e-20,
  maxStep: 1e20,
  maxEvaluations: 20,
});

/** What a line search reports. */
export interface LineSearchOutcome {
  code: LineSearchCode;
  /** The accepted step ('ok'), or the best step found on failure (0 when nothing lowered f). */
  step: number;
  /** f at `step` (f₀ when nothing lowered f). Always finite. */
  f: number;
  /** Objective evaluations used. */
  evaluations: number;
  /** True when the current point (x, ∇f) is at `step` with f < f₀ ('ok' always; on failure when progress was made). */
  improved: boolean;
}

/**
 * Factor applied to the distance from the best point after a non-finite trial: strong, so that a direction that
 * overshoots a region of finite values by orders of magnitude is pulled back in a few evaluations.
 */
const NONFINITE_SHRINK = 0.1;

function finite(v: number): boolean {
  return v - v === 0;
}

async function evalAt(p: LineSearchProblem): Promise<number> {
  const r = p.evaluate();
  return typeof r === 'number' ? r : await r;
}

/**
 * After a failure: make the current point the best trial point, re-evaluating there if the last evaluation was
 * elsewhere (one extra evaluation, only on this rare path).
 */
async function finishFailure(
  p: LineSearchProblem,
  code: LineSearchCode,
  f0: number,
  bestStep: number,
  bestF: number,
  lastStep: number,
  evaluations: number,
): Promise<LineSearchOutcome> {
  if (bestStep > 0 && bestF < f0) {
    if (lastStep !== bestStep) {
      // After an abort no further evaluation is made: the caller goes back to x₀.
      if (code === 'aborted') return { code, step: 0, f: f0, evaluations, improved: false };
      p.moveTo(bestStep);
      const f = await evalAt(p);
      evaluations++;
      if (!finite(f) || !(f < f0) || !finite(p.slope())) {
        // Non-deterministic objective: give up on the partial progress.
        return { code, step: 0, f: f0, evaluations, improved: false };
      }
      bestF = f;
    }
    return { code, step: bestStep, f: bestF, evaluations, improved: true };
  }
  return { code, step: 0, f: f0, evaluations, improved: false };
}

/** Interval state of Moré–Thuente: the best point (stx) and the other end (sty), with f and f′ at each. */
interface Interval {
  stx: number;
  fx: number;
  dx: number;
  sty: number;
  fy: number;
  dy: number;
  brackt: boolean;
}

/**
 * One safeguarded step of Moré–Thuente: given the interval and a new trial (stp, fp, dp), updates the interval
 * and returns the next trial step. The four cases follow section 4 of Moré & Thuente (1994).
 */
function cstep(I: Interval, stp: number, fp: number, dp: number, stpmin: number, stpmax: number): number {
  const { stx, fx, dx, sty, fy, dy } = I;
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    // Case 1: higher function value; the minimum is bracketed. Take the cubic step if it is closer to stx than
    // the quadratic one, else the average of the two.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(Math.max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    I.brackt = true;
  } else if (sgnd < 0) {
    // Case 2: lower value, derivatives of opposite sign; bracketed. Cubic or secant step, whichever is farther from stp.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(Math.max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    I.brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    // Case 3: lower value, same-sign derivatives, |f′| decreases. The cubic may not have a minimiser in the
    // right direction; fall back to the step bound.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(Math.max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const r = p / q;
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else if (stp > stx) stpc = stpmax;
    else stpc = stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (I.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      if (stp > stx) stpf = Math.min(stp + 0.66 * (sty - stp), stpf);
      else stpf = Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.max(stpmin, Math.min(stpmax, stpf));
    }
  } else {
    // Case 4: lower value, same-sign derivatives, |f′| does not decrease.
    if (I.brackt) {
      const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
      const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
      let gamma = s * Math.sqrt(Math.max(0, (theta / s) * (theta / s) - (dy / s) * (dp / s)));
      if (stp > sty) gamma = -gamma;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      stpf = stp + (p / q) * (sty - stp);
    } else {
      stpf = stp > stx ? stpmax : stpmin;
    }
  }
  // Update the interval that contains a step satisfying the conditions.
  if (fp > fx) {
    I.sty = stp;
    I.fy = fp;
    I.dy = dp;
  } else {
    if (sgnd < 0) {
      I.sty = stx;
      I.fy = fx;
      I.dy = dx;
    }
    I.stx = stp;
    I.fx = fp;
    I.dx = dp;
  }
  return stpf;
}

/**
 * Moré–Thuente line search: finds a step satisfying the strong Wolfe conditions
 * f(x₀ + αd) ≤ f₀ + ftol·α·slope₀ and |∇f(x₀ + αd)·d| ≤ gtol·|slope₀|.
 * `f0` and `slope0` (= ∇f(x₀)·d < 0) describe the start point, `step` is the first trial.
 */
export async function moreThuenteLineSearch(
  p: LineSearchProblem,
  f0: number,
  slope0: number,
  step: number,
  prm: LineSearchParams,
): Promise<LineSearchOutcome> {
  if (!(slope0 < 0) || !finite(slope0)) return { code: 'not-descent', step: 0, f: f0, evaluations: 0, improved: false };
  const { ftol, gtol, xtol, minStep, maxStep, maxEvaluations } = prm;
  const dgtest = ftol * slope0;
  const I: Interval = { stx: 0, fx: f0, dx: slope0, sty: 0, fy: f0, dy: slope0, brackt: false };
  let stage1 = true;
  let width = maxStep - minStep;
  let width1 = 2 * width;
  let stp = step;
  let cap = Infinity; // smallest step at which f or ∇f was not finite
  let evaluations = 0;
  let bestStep = 0;
  let bestF = f0;
  let lastStep = 0;
  for (;;) {
    let stmin: number, stmax: number;
    if (I.brackt) {
      stmin = Math.min(I.stx, I.sty);
      stmax = Math.max(I.stx, I.sty);
    } else {
      stmin = I.stx;
      stmax = stp + 4 * (stp - I.stx);
    }
    stp = Math.max(minStep, Math.min(maxStep, stp));
    if (stp >= cap) stp = I.stx + 0.5 * (cap - I.stx);
    // On unusual termination the last trial is the best point so far.
    if (
      (I.brackt && (stp <= stmin || stp >= stmax)) ||
      evaluations >= maxEvaluations - 1 ||
      (I.brackt && stmax - stmin <= xtol * stmax)
    ) {
      stp = I.stx;
    }
    if (stp <= 0) {
      // Only when every trial beyond x₀ was non-finite down to the last evaluation.
      return finishFailure(p, 'max-evaluations', f0, bestStep, bestF, lastStep, evaluations);
    }
    p.moveTo(stp);
    const f = await evalAt(p);
    evaluations++;
    lastStep = stp;
    if (p.aborted()) return finishFailure(p, 'aborted', f0, bestStep, bestF, lastStep, evaluations);
    const dg = finite(f) ? p.slope() : NaN;
    if (!finite(f) || !finite(dg)) {
      // Not finite: the step is too long; shrink it towards the best point.
      cap = Math.min(cap, stp);
      if (evaluations >= maxEvaluations) {
        return finishFailure(p, 'max-evaluations', f0, bestStep, bestF, lastStep, evaluations);
      }
      const next = I.stx + NONFINITE_SHRINK * (stp - I.stx);
      if (!(next >= minStep) || next === stp) {
        return finishFailure(p, 'min-step', f0, bestStep, bestF, lastStep, evaluations);
      }
      stp = next;
      continue;
    }
    if (f < bestF) {
      bestF = f;
      bestStep = stp;
    }
    const ftest = f0 + stp * dgtest;
    if (I.brackt && (stp <= stmin || stp >= stmax)) {
      return finishFailure(p, 'rounding', f0, bestStep, bestF, lastStep, evaluations);
    }
    if (stp === maxStep && f <= ftest && dg <= dgtest) {
      return finishFailure(p, 'max-step', f0, bestStep, bestF, lastStep, evaluations);
    }
    if (stp === minStep && (f > ftest || dg >= dgtest)) {
      return finishFailure(p, 'min-step', f0, bestStep, bestF, lastStep, evaluations);
    }
    if (I.brackt && stmax - stmin <= xtol * stmax) {
      return finishFailure(p, 'rounding', f0, bestStep, bestF, lastStep, evaluations);
    }
    if (f <= ftest && Math.abs(dg) <= gtol * -slope0) {
      return { code: 'ok', step: stp, f, evaluations, improved: true };
    }
    if (cap < Infinity && f <= ftest && f < f0 && dg < 0) {
      // A wall of non-finite values lies ahead and f still descends towards it: the curvature condition may be
      // unattainable, so sufficient decrease is accepted (the optimiser skips a pair without positive curvature).
      return { code: 'ok', step: stp, f, evaluations, improved: true };
    }
    if (evaluations >= maxEvaluations) {
      return finishFailure(p, 'max-evaluations', f0, bestStep, bestF, lastStep, evaluations);
    }
    if (stage1 && f <= ftest && dg >= Math.min(ftol, gtol) * slope0) stage1 = false;
    const lo = I.brackt ? stmin : minStep;
    const hi = I.brackt ? stmax : Math.min(stmax, cap);
    if (stage1 && f > ftest && f <= I.fx) {
      // Stage 1 works on the modified function ψ(α) = f(α) − f₀ − ftol·α·slope₀.
      I.fx -= I.stx * dgtest;
      I.fy -= I.sty * dgtest;
      I.dx -= dgtest;
      I.dy -= dgtest;
      stp = cstep(I, stp, f - stp * dgtest, dg - dgtest, lo, hi);
      I.fx += I.stx * dgtest;
      I.fy += I.sty * dgtest;
      I.dx += dgtest;
      I.dy += dgtest;
    } else {
      stp = cstep(I, stp, f, dg, lo, hi);
    }
    if (I.brackt) {
      // Force sufficient shrinkage of the interval (bisection when it does not halve over two steps).
      if (Math.abs(I.sty - I.stx) >= 0.66 * width1) stp = I.stx + 0.5 * (I.sty - I.stx);
      width1 = width;
      width = Math.abs(I.sty - I.stx);
    }
  }
}

/**
 * Backtracking line search with the Armijo condition f(x) ≤ f₀ + ftol·(x − x₀)·∇f(x₀): halves the step until it
 * holds (the predicted decrease comes from the problem, so OWL-QN's projected points and pseudo-gradient fit in).
 */
export async function backtrackingLineSearch(
  p: LineSearchProblem,
  f0: number,
  slope0: number,
  step: number,
  prm: LineSearchParams,
): Promise<LineSearchOutcome> {
  if (!(slope0 < 0) || !finite(slope0)) return { code: 'not-descent', step: 0, f: f0, evaluations: 0, improved: false };
  const { ftol, minStep, maxStep, maxEvaluations } = prm;
  let stp = Math.min(step, maxStep);
  let sawNonFinite = false;
  let evaluations = 0;
  let bestStep = 0;
  let bestF = f0;
  let lastStep = 0;
  for (;;) {
    if (stp < minStep) return finishFailure(p, 'min-step', f0, bestStep, bestF, lastStep, evaluations);
    p.moveTo(stp);
    const f = await evalAt(p);
    evaluations++;
    lastStep = stp;
    if (p.aborted()) return finishFailure(p, 'aborted', f0, bestStep, bestF, lastStep, evaluations);
    if (finite(f)) {
      if (f < bestF) {
        bestF = f;
        bestStep = stp;
      }
      const predicted = p.predicted(stp);
      // (f < f0 rejects steps too small to change x, where the test degenerates to f0 <= f0.)
      if (f <= f0 + ftol * predicted && f < f0) return { code: 'ok', step: stp, f, evaluations, improved: true };
      // The first-order change is below the precision of f: no decrease can be seen along d any more.
      if (f0 + predicted === f0 && !sawNonFinite) {
        return finishFailure(p, 'rounding', f0, bestStep, bestF, lastStep, evaluations);
      }
    } else {
      sawNonFinite = true;
    }
    if (evaluations >= maxEvaluations) {
      return finishFailure(p, 'max-evaluations', f0, bestStep, bestF, lastStep, evaluations);
    }
    stp *= finite(f) ? 0.5 : NONFINITE_SHRINK;
  }
}
