import test from 'ava';
import { createRng, minimizeLbfgs, type Objective, type Rng } from '@ebmkit/core';

/** A random n×n orthogonal matrix (Gram–Schmidt on Gaussian columns), row-major. */
function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const Q = rng.fillNormal(new Float64Array(n * n));
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += Q[i * n + j]! * Q[i * n + k]!;
      for (let i = 0; i < n; i++) Q[i * n + j] -= d * Q[i * n + k]!;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += Q[i * n + j]! ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) Q[i * n + j] /= s;
  }
  return Q;
}

/** ½‖Ax − b‖² with its gradient Aᵀ(Ax − b); A is n×n row-major. */
function leastSquares(A: Float64Array, b: Float64Array): (x: Float64Array, g: Float64Array) => number {
  const n = b.length;
  const r = new Float64Array(n);
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let s = -b[i]!;
      for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
      r[i] = s;
      f += 0.5 * s * s;
    }
    g.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[j] += A[i * n + j]! * r[i]!;
    return f;
  };
}

/**
 * A = Q·D with Q orthogonal and D = diag(d), so AᵀA = D² and ½‖Ax − b‖² + c1‖x‖₁ separates:
 * ½d_i²x_i² − c_i x_i + c1|x_i| with c = D·Qᵀb, whose minimiser is soft(c_i, c1) / d_i². The columns are scaled
 * (d in [0.5, 2], condition number 16) so that the problem is not trivially conditioned. c1 is placed so that no
 * |c_i| is within 10% of it (the zero pattern is then well defined).
 */
function sparseProblem(n: number, seed: number) {
  const rng = createRng(seed);
  const Q = randomOrthogonal(n, rng);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = 0.5 + 1.5 * rng.uniform();
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = Q[i * n + j]! * d[j]!;
  const b = rng.fillNormal(new Float64Array(n), 0, 2);
  const c = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Q[i * n + j]! * b[i]!;
    c[j] = d[j]! * s;
  }
  const mags = Array.from(c, Math.abs).sort((u, v) => u - v);
  // Pick c1 between two consecutive |c| around the middle with the largest relative gap.
  let c1 = 0;
  let bestGap = 0;
  for (let k = Math.floor(n / 4); k < Math.floor((3 * n) / 4); k++) {
    const gap = (mags[k + 1]! - mags[k]!) / mags[k + 1]!;
    if (gap > bestGap) {
      bestGap = gap;
      c1 = 0.5 * (mags[k]! + mags[k + 1]!);
    }
  }
  const soft = (v: number, tau: number) => Math.sign(v) * Math.max(Math.abs(v) - tau, 0);
  const solution = (tau: number, range: [number, number] = [0, n]) =>
    Float64Array.from(c, (ci, i) => (i >= range[0] && i < range[1] ? soft(ci, tau) : ci) / d[i]! ** 2);
  return { A, b, c, d, c1, bestGap, solution, objective: leastSquares(A, b) };
}

test('OWL-QN finds the exact sparse optimum (soft-thresholding) of ½‖Ax − b‖² + c1‖x‖₁', async (t) => {
  const n = 30;
  const P = sparseProblem(n, 11);
  t.true(P.bestGap > 0.1, `c1 is well separated from every |c_i| (gap ${P.bestGap})`);
  const xstar = P.solution(P.c1);
  const zeros = xstar.reduce((k, v) => k + (v === 0 ? 1 : 0), 0);
  t.true(zeros >= 5 && zeros <= n - 5, `${zeros} zeros in the optimum`);
  const r = await minimizeLbfgs(P.objective, new Float64Array(n), { c1: P.c1, epsilon: 1e-10, delta: 0 });
  t.true(r.status === 'converged' || r.status === 'rounding-error', r.message);
  // Exact zero pattern: the zeros are exactly 0, never tiny numbers.
  for (let i = 0; i < n; i++) {
    if (xstar[i] === 0) t.is(r.x[i], 0, `x[${i}] should be exactly 0`);
    else t.not(r.x[i], 0, `x[${i}] should be non-zero`);
  }
  // Values: with f = O(1) the Armijo test cannot see decreases below ~1e-16·|f|, so the run ends (converged or
  // rounding-error) once ‖pg‖ ≈ √(2·λ_max·1e-16·|f|) ≲ 1e-7; with Hessian eigenvalues d_i² ≥ 0.25 that leaves
  // |x − x*| ≤ ‖pg‖/0.25 ≲ 4e-7.
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(r.x[i]! - xstar[i]!));
  t.true(err < 1e-6, `max |x − x*| = ${err}`);
  // fx includes the L1 term.
  let l1 = 0;
  for (let i = 0; i < n; i++) l1 += Math.abs(r.x[i]!);
  const smooth = P.objective(Float64Array.from(r.x), new Float64Array(n));
  t.true(Math.abs(r.fx - (smooth + P.c1 * l1)) < 1e-9 * Math.max(1, Math.abs(r.fx)));
  t.log(`OWL-QN n=${n}: ${r.iterations} iterations, ${r.evaluations} evaluations, ${zeros} zeros`);
});

test('OWL-QN with default stopping already gets the zero pattern right', async (t) => {
  const n = 30;
  const P = sparseProblem(n, 12);
  const xstar = P.solution(P.c1);
  const r = await minimizeLbfgs(P.objective, new Float64Array(n), { c1: P.c1 });
  t.true(r.status === 'converged' || r.status === 'delta', r.message);
  for (let i = 0; i < n; i++) t.is(r.x[i] === 0, xstar[i] === 0, `zero pattern at ${i}`);
});

test('l1Range penalises only its range; the other variables take their unpenalised optimum', async (t) => {
  const n = 24;
  const P = sparseProblem(n, 13);
  const range: [number, number] = [4, 16];
  const xstar = P.solution(P.c1, range);
  const r = await minimizeLbfgs(P.objective, new Float64Array(n), { c1: P.c1, l1Range: range, epsilon: 1e-10, delta: 0 });
  t.true(r.status === 'converged' || r.status === 'rounding-error', r.message);
  let err = 0;
  for (let i = 0; i < n; i++) {
    err = Math.max(err, Math.abs(r.x[i]! - xstar[i]!));
    if (xstar[i] === 0) t.is(r.x[i], 0, `x[${i}] in range should be exactly 0`);
  }
  t.true(err < 1e-6, `max |x − x*| = ${err}`); // (tolerance as in the first test)
  // Outside the range nothing is shrunk: x_i = c_i/d_i², non-zero, even where |c_i| < c1.
  let outsideBelowC1 = 0;
  for (let i = 0; i < n; i++) {
    if (i >= range[0] && i < range[1]) continue;
    t.not(r.x[i], 0);
    if (Math.abs(P.c[i]!) < P.c1) outsideBelowC1++;
  }
  t.true(outsideBelowC1 > 0, 'some unpenalised variable would have been zeroed by the penalty');
  // fx counts only the range in the L1 term.
  let l1 = 0;
  for (let i = range[0]; i < range[1]; i++) l1 += Math.abs(r.x[i]!);
  t.true(Math.abs(r.fx - (P.objective(Float64Array.from(r.x), new Float64Array(n)) + P.c1 * l1)) < 1e-9);
});

test('OWL-QN on a non-separable problem satisfies the L1 optimality conditions', async (t) => {
  // A random (not orthogonal) A: at the optimum, g_i = −c1·sign(x_i) where x_i ≠ 0 and |g_i| ≤ c1 where x_i = 0.
  const n = 20;
  const rng = createRng(5);
  const A = rng.fillNormal(new Float64Array(n * n), 0, 1 / Math.sqrt(n));
  for (let i = 0; i < n; i++) A[i * n + i] += 1;
  const b = rng.fillNormal(new Float64Array(n));
  const c1 = 0.3;
  const f = leastSquares(A, b);
  const r = await minimizeLbfgs(f, new Float64Array(n), { c1, epsilon: 1e-10, delta: 0 });
  t.true(r.status === 'converged' || r.status === 'rounding-error', r.message);
  const g = new Float64Array(n);
  f(Float64Array.from(r.x), g);
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    if (r.x[i] === 0) {
      zeros++;
      t.true(Math.abs(g[i]!) <= c1 + 1e-6, `|g_${i}| = ${Math.abs(g[i]!)} at a zero`);
    } else {
      // (‖pg‖ ends near 1e-7 for f = O(1): see the precision argument in the first test.)
      t.true(Math.abs(g[i]! + c1 * Math.sign(r.x[i]!)) < 1e-6, `stationarity at ${i}`);
    }
  }
  t.true(zeros > 0 && zeros < n, `${zeros} zeros`);
});

test('OWL-QN never produces NaN when the objective is undefined beyond a wall', async (t) => {
  // Σ softplus(x_i) − 0.3x_i, NaN for x_i > 3; only x_0 is penalised, so the others can overshoot the wall.
  let bad = 0;
  const f: Objective = (x, g) => {
    let v = 0;
    let outside = false;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      v += (xi > 0 ? xi + Math.log1p(Math.exp(-xi)) : Math.log1p(Math.exp(xi))) - 0.3 * xi;
      g[i] = 1 / (1 + Math.exp(-xi)) - 0.3;
      if (xi > 3) outside = true;
    }
    if (outside) bad++;
    return outside ? NaN : v;
  };
  const r = await minimizeLbfgs(f, Float64Array.from([-40, -30, -20, -1]), {
    c1: 0.1,
    l1Range: [0, 1],
    onIteration: (info) => {
      t.true(Number.isFinite(info.fx));
    },
  });
  t.true(bad > 0, 'the run met NaN values');
  t.is(r.status, 'converged', r.message);
  t.true(Number.isFinite(r.fx) && r.x.every((v) => Number.isFinite(v)));
  // Penalised x_0: σ(x) = 0.4 → logit(0.4); the others σ(x) = 0.3.
  t.true(Math.abs(r.x[0]! - Math.log(0.4 / 0.6)) < 1e-4);
  for (let i = 1; i < 4; i++) t.true(Math.abs(r.x[i]! - Math.log(0.3 / 0.7)) < 1e-4);
});

test('a variable whose optimum is 0 stays exactly 0 at every iteration from a zero start', async (t) => {
  // f = ½(x0 − 3)² + ½(x1 + 0.05)²; with c1 = 0.1, x1* = 0 (|g_1(0)| = 0.05 ≤ c1) and x0* = 2.9.
  const f: Objective = (x, g) => {
    g[0] = x[0]! - 3;
    g[1] = x[1]! + 0.05;
    return 0.5 * (x[0]! - 3) ** 2 + 0.5 * (x[1]! + 0.05) ** 2;
  };
  const seen: number[] = [];
  const r = await minimizeLbfgs(f, Float64Array.from([0, 0]), {
    c1: 0.1,
    onIteration: (info) => {
      seen.push(info.x[1]!);
    },
  });
  t.is(r.status, 'converged', r.message);
  t.true(seen.every((v) => v === 0));
  t.is(r.x[1], 0);
  t.true(Math.abs(r.x[0]! - 2.9) < 1e-6);
});
