/**
 * Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) and OWL-QN, its orthant-wise variant for
 * f(x) + c1·‖x‖₁ (Andrew & Gao 2007), on Float64Array, with libLBFGS's stopping rules and CRFsuite's defaults.
 *
 * The objective may be asynchronous (a gradient summed by worker threads). Per iteration the optimiser does
 * O(memory · n) work in flat loops and allocates nothing beyond the buffers made at the start
 * (x, g, the previous x and g, the direction, the 2·memory history vectors, and for OWL-QN the pseudo-gradient).
 */

import {
  DEFAULT_LINE_SEARCH,
  backtrackingLineSearch,
  moreThuenteLineSearch,
  type LineSearchOutcome,
  type LineSearchParams,
  type LineSearchProblem,
} from './line-search.js';
import { dot, negate, norm1, norm2 } from './vector.js';

/**
 * A differentiable objective: writes ∇f(x) into `grad` (every entry) and returns f(x), or a promise of it.
 * `x` must not be modified. The optimiser passes the same two buffers on every call.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number | Promise<number>;

/** Why `minimizeLbfgs` stopped. */
export type LbfgsStatus =
  /** ‖g‖ / max(1, ‖x‖) ≤ epsilon (g is the pseudo-gradient for OWL-QN). */
  | 'converged'
  /** The relative decrease of f over `period` iterations fell below `delta`. */
  | 'delta'
  /** `maxIterations` iterations were done. */
  | 'max-iterations'
  /** `onIteration` returned false, or the `signal` was aborted. */
  | 'stopped'
  /** The line search found no acceptable step (e.g. every trial point was non-finite or did not decrease f). */
  | 'line-search-failed'
  /** The line search's interval shrank below machine precision: no further progress is representable. */
  | 'rounding-error';

/** Progress after one iteration, handed to `onIteration`. */
export interface LbfgsIteration {
  /** 1-based iteration number. */
  iteration: number;
  /** The objective at x, including the L1 term c1·‖x‖₁ for OWL-QN. */
  fx: number;
  /** The current point (the optimiser's buffer: read it, copy it, do not modify or keep it). */
  x: Float64Array;
  /** The gradient at x; for OWL-QN the pseudo-gradient (the optimiser's buffer, read-only). */
  g: Float64Array;
  /** ‖x‖₂ */
  xnorm: number;
  /** ‖g‖₂ */
  gnorm: number;
  /** The accepted line-search step along the direction. */
  step: number;
  /** Objective evaluations so far (all iterations). */
  evaluations: number;
  /** Seconds since the start of `minimizeLbfgs`. */
  seconds: number;
}

/** Options of `minimizeLbfgs` (all optional; defaults are libLBFGS's, which CRFsuite uses). */
export interface LbfgsOptions {
  /** Number of correction pairs kept (m). Default 6. */
  memory?: number;
  /** Gradient test: stop when ‖g‖ / max(1, ‖x‖) ≤ epsilon. Default 1e-5. */
  epsilon?: number;
  /** Delta test: stop when |f_{k−period} − f_k| / |f_k| < delta. 0 turns the test off. Default 1e-5. */
  delta?: number;
  /** Distance in iterations of the delta test. 0 turns it off. Default 10. */
  period?: number;
  /** Most iterations. Default Infinity. */
  maxIterations?: number;
  /** L1 strength; > 0 runs OWL-QN on f(x) + c1·Σ_{i ∈ l1Range} |x_i|. Default 0. */
  c1?: number;
  /** Half-open index range [start, end) of the variables the L1 term penalises. Default: all. */
  l1Range?: readonly [number, number];
  /** 'more-thuente' (strong Wolfe; the default without L1) or 'backtracking' (Armijo; required and default for OWL-QN). */
  lineSearch?: 'more-thuente' | 'backtracking';
  /** Most objective evaluations per line search. Default 20. */
  maxLineSearch?: number;
  /** Smallest line-search step. Default 1e-20. */
  minStep?: number;
  /** Largest line-search step. Default 1e20. */
  maxStep?: number;
  /** Armijo constant of the line search. Default 1e-4. */
  ftol?: number;
  /** Curvature constant of the strong Wolfe condition (Moré–Thuente). Default 0.9. */
  gtol?: number;
  /** Relative interval width at which Moré–Thuente reports a rounding error. Default 1e-16. */
  xtol?: number;
  /** Called after every iteration; returning (or resolving to) false stops the run with status 'stopped'. */
  onIteration?: (info: LbfgsIteration) => boolean | void | Promise<boolean | void>;
  /** Aborting it stops the run (status 'stopped') at the next evaluation; the best point so far is returned. */
  signal?: AbortSignal;
  /**
   * Allocates the x and gradient buffers handed to the objective (e.g. on a SharedArrayBuffer that worker threads
   * read). Must return a zero-filled Float64Array of the given length. Default `new Float64Array(length)`.
   */
  allocate?: (length: number) => Float64Array;
}

/** The outcome of `minimizeLbfgs`. x and fx are always finite. */
export interface LbfgsResult {
  /** The final point (the buffer from `allocate`, a fresh copy; x0 is not modified). */
  x: Float64Array;
  /** The objective at x, including the L1 term for OWL-QN. */
  fx: number;
  /** ‖g‖₂ at x (pseudo-gradient for OWL-QN). */
  gnorm: number;
  /** Completed iterations (accepted line-search steps). */
  iterations: number;
  /** Objective evaluations, including the one at x0. */
  evaluations: number;
  status: LbfgsStatus;
  /** A sentence saying why it stopped, with the numbers. */
  message: string;
  /** Wall-clock seconds. */
  seconds: number;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && v - v === 0;
}

function checkInteger(name: string, v: number, min: number, allowInfinity = false): void {
  if (allowInfinity && v === Infinity) return;
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`minimizeLbfgs: ${name} must be an integer >= ${min}${allowInfinity ? ' or Infinity' : ''}, got ${v}`);
  }
}

function checkNonNegative(name: string, v: number): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`minimizeLbfgs: ${name} must be a finite number >= 0, got ${v}`);
}

/**
 * OWL-QN pseudo-gradient of f + c1·‖x_[start,end)‖₁: the one-sided derivative of steepest descent, with 0 where
 * x_i = 0 and |g_i| ≤ c1. Outside the range it is g.
 */
function pseudoGradient(x: Float64Array, g: Float64Array, pg: Float64Array, c1: number, start: number, end: number): void {
  for (let i = 0; i < start; i++) pg[i] = g[i]!;
  for (let i = start; i < end; i++) {
    const xi = x[i]!;
    const gi = g[i]!;
    if (xi < 0) pg[i] = gi - c1;
    else if (xi > 0) pg[i] = gi + c1;
    else if (gi < -c1) pg[i] = gi + c1;
    else if (gi > c1) pg[i] = gi - c1;
    else pg[i] = 0;
  }
  const n = x.length;
  for (let i = end; i < n; i++) pg[i] = g[i]!;
}

/**
 * The L-BFGS two-loop recursion d = −H·pg (Nocedal 1980), H built from the `count` newest pairs (s_j, y_j) in a
 * ring of `m` slots ending before `next`, with H₀ = gamma·I. Each dot product is fused with the preceding update
 * of d, so the recursion reads the history in 2·count + 1 passes over n instead of 4·count + 2 (the arithmetic, and
 * so the result, is the same as the textbook loops).
 */
function twoLoop(
  pg: Float64Array,
  d: Float64Array,
  S: Float64Array[],
  Y: Float64Array[],
  rho: Float64Array,
  alpha: Float64Array,
  next: number,
  count: number,
  m: number,
  gamma: number,
): void {
  const n = d.length;
  if (count === 0) {
    for (let i = 0; i < n; i++) d[i] = -pg[i]! * gamma;
    return;
  }
  // First loop, newest to oldest: alpha_j = rho_j·s_j·d; d −= alpha_j·y_j.
  let j = (next + m - 1) % m;
  let s = S[j]!;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const di = -pg[i]!;
    d[i] = di;
    acc += s[i]! * di;
  }
  for (let c = 0; c < count; c++) {
    const a = acc * rho[j]!;
    alpha[j] = a;
    const y = Y[j]!;
    acc = 0;
    if (c + 1 < count) {
      j = (j + m - 1) % m;
      s = S[j]!;
      for (let i = 0; i < n; i++) {
        const di = d[i]! - a * y[i]!;
        d[i] = di;
        acc += s[i]! * di;
      }
    } else {
      // Oldest pair: also scale by gamma (H₀) and start the second loop's first dot product y_j·d.
      for (let i = 0; i < n; i++) {
        const di = (d[i]! - a * y[i]!) * gamma;
        d[i] = di;
        acc += y[i]! * di;
      }
    }
  }
  // Second loop, oldest to newest: beta = rho_j·y_j·d; d += (alpha_j − beta)·s_j.
  for (let c = 0; c < count; c++) {
    const coef = alpha[j]! - rho[j]! * acc;
    const sj = S[j]!;
    acc = 0;
    if (c + 1 < count) {
      j = (j + 1) % m;
      const y = Y[j]!;
      for (let i = 0; i < n; i++) {
        const di = d[i]! + coef * sj[i]!;
        d[i] = di;
        acc += y[i]! * di;
      }
    } else {
      for (let i = 0; i < n; i++) d[i] += coef * sj[i]!;
    }
  }
}

/**
 * Minimises `objective` from `x0` with L-BFGS, or with OWL-QN when `options.c1 > 0`.
 *
 * Stopping, checked after every iteration in this order: `onIteration` returning false or `signal` aborted
 * ('stopped'); ‖g‖/max(1,‖x‖) ≤ epsilon ('converged'); |f_{k−period} − f_k|/|f_k| < delta ('delta');
 * k = maxIterations ('max-iterations'). When a line search along the quasi-Newton direction fails for another
 * reason than rounding, the curvature pairs are dropped and steepest descent is tried from the best point seen;
 * if that fails too (or the failure is a rounding error) the run ends at the best point found
 * ('line-search-failed' or 'rounding-error'). x and fx are never NaN. x0 with a zero gradient returns at once
 * as 'converged'.
 *
 * @throws RangeError for invalid options, an empty x0, or an objective that is not finite at x0.
 */
/** libLBFGS's defaults of the stopping tests and the memory (the CRF's quasi-Newton trainers show them in help). */
export const LBFGS_DEFAULTS = Object.freeze({ memory: 6, epsilon: 1e-5, delta: 1e-5, period: 10 });

export async function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions = {}): Promise<LbfgsResult> {
  const started = performance.now();
  const n = x0.length;
  if (n === 0) throw new RangeError('minimizeLbfgs: x0 is empty');
  const m = options.memory ?? LBFGS_DEFAULTS.memory;
  const epsilon = options.epsilon ?? LBFGS_DEFAULTS.epsilon;
  const delta = options.delta ?? LBFGS_DEFAULTS.delta;
  const period = options.period ?? LBFGS_DEFAULTS.period;
  const maxIterations = options.maxIterations ?? Infinity;
  const c1 = options.c1 ?? 0;
  checkInteger('memory', m, 1);
  checkNonNegative('epsilon', epsilon);
  checkNonNegative('delta', delta);
  checkInteger('period', period, 0);
  checkInteger('maxIterations', maxIterations, 0, true);
  checkNonNegative('c1', c1);
  const owl = c1 > 0;
  let l1Start = 0;
  let l1End = n;
  if (options.l1Range !== undefined) {
    const [a, b] = options.l1Range;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b > n) {
      throw new RangeError(`minimizeLbfgs: l1Range [${a}, ${b}) must satisfy 0 <= start <= end <= ${n} (integers)`);
    }
    l1Start = a;
    l1End = b;
  }
  const lineSearch = options.lineSearch ?? (owl ? 'backtracking' : 'more-thuente');
  if (lineSearch !== 'more-thuente' && lineSearch !== 'backtracking') {
    throw new RangeError(`minimizeLbfgs: lineSearch must be 'more-thuente' or 'backtracking', got ${String(lineSearch)}`);
  }
  if (owl && lineSearch !== 'backtracking') {
    throw new RangeError(`minimizeLbfgs: OWL-QN (c1 = ${c1} > 0) needs lineSearch 'backtracking', got '${lineSearch}'`);
  }
  const prm: LineSearchParams = {
    ftol: options.ftol ?? DEFAULT_LINE_SEARCH.ftol,
    gtol: options.gtol ?? DEFAULT_LINE_SEARCH.gtol,
    xtol: options.xtol ?? DEFAULT_LINE_SEARCH.xtol,
    minStep: options.minStep ?? DEFAULT_LINE_SEARCH.minStep,
    maxStep: options.maxStep ?? DEFAULT_LINE_SEARCH.maxStep,
    maxEvaluations: options.maxLineSearch ?? DEFAULT_LINE_SEARCH.maxEvaluations,
  };
  checkInteger('maxLineSearch', prm.maxEvaluations, 1);
  if (!(prm.ftol > 0 && prm.ftol < 0.5)) throw new RangeError(`minimizeLbfgs: ftol must be in (0, 0.5), got ${prm.ftol}`);
  if (!(prm.gtol > prm.ftol && prm.gtol < 1)) {
    throw new RangeError(`minimizeLbfgs: gtol must be in (ftol = ${prm.ftol}, 1), got ${prm.gtol}`);
  }
  checkNonNegative('xtol', prm.xtol);
  if (!(prm.minStep > 0) || !(prm.maxStep > prm.minStep)) {
    throw new RangeError(`minimizeLbfgs: need 0 < minStep < maxStep, got minStep ${prm.minStep}, maxStep ${prm.maxStep}`);
  }
  for (let i = 0; i < n; i++) {
    if (!isFiniteNumber(x0[i])) throw new RangeError(`minimizeLbfgs: x0[${i}] is not finite (${x0[i]})`);
  }
  const { onIteration, signal } = options;

  // Buffers, all made here; the loop below allocates nothing of size n.
  const allocate = options.allocate ?? ((len: number) => new Float64Array(len));
  const x = allocate(n);
  const g = allocate(n);
  if (!(x instanceof Float64Array) || x.length !== n || !(g instanceof Float64Array) || g.length !== n || x === g) {
    throw new RangeError(`minimizeLbfgs: allocate(${n}) must return a new Float64Array of length ${n} on each call`);
  }
  x.set(x0);
  const xp = new Float64Array(n);
  const gp = new Float64Array(n);
  const d = new Float64Array(n);
  const pg = owl ? new Float64Array(n) : g; // the (pseudo-)gradient that drives the direction
  const sBuf = new Float64Array(m * n);
  const yBuf = new Float64Array(m * n);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    S.push(sBuf.subarray(j * n, (j + 1) * n));
    Y.push(yBuf.subarray(j * n, (j + 1) * n));
  }
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let evaluations = 0;

  /** f(x) (+ L1 term), or NaN when f or any gradient entry is not finite. */
  const evaluate = async (): Promise<number> => {
    const r = objective(x, g);
    const f0 = typeof r === 'number' ? r : await r;
    evaluations++;
    if (typeof f0 !== 'number') {
      throw new TypeError(`minimizeLbfgs: the objective must return a number, got ${typeof f0}`);
    }
    if (!(f0 - f0 === 0)) return NaN;
    let check = 0;
    for (let i = 0; i < n; i++) check += g[i]! * 0;
    if (check !== 0) return NaN; // NaN/Infinity in g makes the sum NaN
    return owl ? f0 + c1 * norm1(x, l1Start, l1End) : f0;
  };

  let dg0 = 0; // slope at the start of the current line search
  const problem: LineSearchProblem = {
    moveTo: owl
      ? (stp: number) => {
          for (let i = 0; i < l1Start; i++) x[i] = xp[i]! + stp * d[i]!;
          for (let i = l1Start; i < l1End; i++) {
            const xi = xp[i]! + stp * d[i]!;
            // The orthant of the start point; at x_i = 0 the one the pseudo-gradient points into.
            const o = xp[i]! !== 0 ? xp[i]! : -pg[i]!;
            x[i] = xi * o > 0 ? xi : 0;
          }
          for (let i = l1End; i < n; i++) x[i] = xp[i]! + stp * d[i]!;
        }
      : (stp: number) => {
          for (let i = 0; i < n; i++) x[i] = xp[i]! + stp * d[i]!;
        },
    evaluate,
    slope: () => dot(g, d),
    predicted: owl
      ? () => {
          // (x − xp)·pg(xp); pg still holds the pseudo-gradient at xp during the search.
          let s = 0;
          for (let i = 0; i < n; i++) s += (x[i]! - xp[i]!) * pg[i]!;
          return s;
        }
      : (stp: number) => stp * dg0,
    aborted: () => signal?.aborted === true,
  };
  const search = lineSearch === 'more-thuente' ? moreThuenteLineSearch : backtrackingLineSearch;

  const finish = (status: LbfgsStatus, message: string, iterations: number, fx: number, gnorm: number): LbfgsResult => ({
    x,
    fx,
    gnorm,
    iterations,
    evaluations,
    status,
    message,
    seconds: (performance.now() - started) / 1000,
  });

  let fx = await evaluate();
  if (!(fx - fx === 0)) {
    throw new RangeError(`minimizeLbfgs: the objective or its gradient is not finite at x0 (f = ${fx})`);
  }
  if (owl) pseudoGradient(x, g, pg, c1, l1Start, l1End);
  let xnorm = norm2(x);
  let gnorm = norm2(pg);
  if (gnorm === 0 || gnorm / Math.max(1, xnorm) <= epsilon) {
    return finish('converged', `x0 is already optimal: ‖g‖/max(1,‖x‖) = ${gnorm / Math.max(1, xnorm)} <= epsilon ${epsilon}`, 0, fx, gnorm);
  }
  if (maxIterations === 0) return finish('max-iterations', 'maxIterations is 0', 0, fx, gnorm);

  const pf = delta > 0 && period > 0 ? new Float64Array(period) : null;
  if (pf) pf[0] = fx;
  negate(pg, d);
  let step = 1 / gnorm;
  let k = 0; // completed iterations
  let count = 0; // stored correction pairs
  let next = 0; // slot of the next pair
  let gamma = 1; // initial Hessian scaling y·s / y·y of the newest pair

  for (;;) {
    if (signal?.aborted) return finish('stopped', `aborted after ${k} iterations`, k, fx, gnorm);
    xp.set(x);
    gp.set(g);
    const fp = fx;
    dg0 = dot(pg, d);
    if (!(dg0 < 0)) {
      if (count > 0) {
        // Curvature information gone bad: restart from steepest descent.
        count = 0;
        gamma = 1;
        negate(pg, d);
        step = 1 / gnorm;
        continue;
      }
      return finish('line-search-failed', `steepest descent is not a descent direction (slope ${dg0})`, k, fx, gnorm);
    }
    const ls: LineSearchOutcome = await search(problem, fx, dg0, step, prm);
    if (ls.code !== 'ok') {
      if (ls.improved) {
        fx = ls.f;
        if (owl) pseudoGradient(x, g, pg, c1, l1Start, l1End);
        gnorm = norm2(pg);
      } else {
        x.set(xp);
        g.set(gp);
        fx = fp;
      }
      if (ls.code === 'aborted') return finish('stopped', `aborted after ${k} iterations`, k, fx, gnorm);
      if (count > 0 && ls.code !== 'rounding') {
        // The quasi-Newton direction failed (not for lack of precision): forget the curvature pairs and try
        // steepest descent from the best point before giving up.
        count = 0;
        gamma = 1;
        negate(pg, d);
        step = 1 / gnorm;
        continue;
      }
      const status: LbfgsStatus = ls.code === 'rounding' ? 'rounding-error' : 'line-search-failed';
      return finish(
        status,
        `line search failed at iteration ${k + 1} (${ls.code} after ${ls.evaluations} evaluations)` +
          (ls.improved ? `; returning its best point, f = ${fx}` : '; returning the last iterate'),
        k,
        fx,
        gnorm,
      );
    }
    fx = ls.f;
    step = ls.step;
    k++;
    if (owl) pseudoGradient(x, g, pg, c1, l1Start, l1End);
    xnorm = norm2(x);
    gnorm = norm2(pg);

    if (onIteration) {
      const r = onIteration({
        iteration: k,
        fx,
        x,
        g: pg,
        xnorm,
        gnorm,
        step,
        evaluations,
        seconds: (performance.now() - started) / 1000,
      });
      const keepGoing = r instanceof Promise ? await r : r;
      if (keepGoing === false) return finish('stopped', `onIteration returned false at iteration ${k}`, k, fx, gnorm);
    }
    const gtest = gnorm / Math.max(1, xnorm);
    if (gtest <= epsilon) {
      return finish('converged', `‖g‖/max(1,‖x‖) = ${gtest} <= epsilon ${epsilon} after ${k} iterations`, k, fx, gnorm);
    }
    if (pf) {
      if (k >= period) {
        const old = pf[k % period]!;
        const rate = Math.abs(old - fx) / Math.abs(fx);
        if (!(rate >= delta)) {
          // (NaN only when f was 0 both times: no progress.)
          return finish(
            'delta',
            `relative decrease over the last ${period} iterations ${rate} < delta ${delta} after ${k} iterations`,
            k,
            fx,
            gnorm,
          );
        }
      }
      pf[k % period] = fx;
    }
    if (k >= maxIterations) return finish('max-iterations', `reached maxIterations ${maxIterations}`, k, fx, gnorm);

    // New correction pair s = x − xp, y = g − gp (the smooth gradient, also for OWL-QN).
    const s = S[next]!;
    const y = Y[next]!;
    let ys = 0;
    let yy = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const si = x[i]! - xp[i]!;
      const yi = g[i]! - gp[i]!;
      s[i] = si;
      y[i] = yi;
      ys += yi * si;
      yy += yi * yi;
      ss += si * si;
    }
    // Keep the pair only with safely positive curvature (always true after a strong-Wolfe step on a smooth f).
    if (ys > 1e-10 * Math.sqrt(ss * yy)) {
      rho[next] = 1 / ys;
      gamma = ys / yy;
      next = (next + 1) % m;
      if (count < m) count++;
    }

    twoLoop(pg, d, S, Y, rho, alpha, next, count, m, gamma);
    if (owl) {
      // Keep only the components that agree in sign with steepest descent −pg.
      for (let i = l1Start; i < l1End; i++) if (d[i]! * pg[i]! >= 0) d[i] = 0;
    }
    step = count > 0 ? 1 : 1 / gnorm;
  }
}
