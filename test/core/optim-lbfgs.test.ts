import test from 'ava';
import {
  createRng,
  DEFAULT_LINE_SEARCH,
  minimizeLbfgs,
  moreThuenteLineSearch,
  type LbfgsIteration,
  type Objective,
} from '@ebmkit/core';

/** Extended Rosenbrock Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at all-ones. */
function rosenbrock(x: Float64Array, g: Float64Array): number {
  const n = x.length;
  g.fill(0);
  let f = 0;
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i]! * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

function rosenbrockStart(n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = i % 2 === 0 ? -1.2 : 1;
  return x;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number> | number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - (typeof b === 'number' ? b : b[i]!)));
  return m;
}

function allFinite(a: Float64Array): boolean {
  return a.every((v) => Number.isFinite(v));
}

// Tolerances: the gradient test stops at ‖g‖ ≤ ε·max(1, ‖x‖) ≈ ε·√n. Near the minimum ‖x − x*‖ ≲ ‖g‖ / λ_min(H),
// and λ_min of the Rosenbrock Hessian at all-ones is 0.40 (n = 2) and 0.50 (n = 10); so with the default
// ε = 1e-5 the error is at most ≈ 1e-5·√10 / 0.4 ≈ 8e-5 (we allow 2e-4), and with ε = 1e-9 at most ≈ 8e-9.
for (const n of [2, 10]) {
  for (const lineSearch of ['more-thuente', 'backtracking'] as const) {
    test(`Rosenbrock ${n}-D converges to all-ones (${lineSearch}, default stopping)`, async (t) => {
      const r = await minimizeLbfgs(rosenbrock, rosenbrockStart(n), { lineSearch });
      t.is(r.status, 'converged', r.message);
      t.true(maxAbsDiff(r.x, 1) < 2e-4, `max |x − 1| = ${maxAbsDiff(r.x, 1)}`);
      t.true(r.fx < 1e-8);
      t.true(r.iterations < 200, `${r.iterations} iterations`);
      t.log(`${n}-D ${lineSearch}: ${r.iterations} iterations, ${r.evaluations} evaluations, f = ${r.fx}`);
    });
    test(`Rosenbrock ${n}-D to high accuracy (${lineSearch}, epsilon 1e-9)`, async (t) => {
      const r = await minimizeLbfgs(rosenbrock, rosenbrockStart(n), { lineSearch, epsilon: 1e-9, delta: 0 });
      t.true(r.status === 'converged' || r.status === 'rounding-error', r.message);
      t.true(maxAbsDiff(r.x, 1) < 1e-7, `max |x − 1| = ${maxAbsDiff(r.x, 1)}`);
      t.log(`${n}-D ${lineSearch} eps 1e-9: ${r.status}, ${r.iterations} iterations, ${r.evaluations} evaluations`);
    });
  }
}

test('convex quadratic ½xᵀQx − bᵀx reaches Q⁻¹b', async (t) => {
  const n = 40;
  const rng = createRng(7);
  // Q = MᵀM + 0.1·I (SPD), x* random, b = Q·x*.
  const M = rng.fillNormal(new Float64Array(n * n));
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.1 : 0;
      for (let k = 0; k < n; k++) s += M[k * n + i]! * M[k * n + j]!;
      Q[i * n + j] = s / n;
    }
  }
  const xstar = rng.fillNormal(new Float64Array(n));
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += Q[i * n + j]! * xstar[j]!;
  const f: Objective = (x, g) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      let qx = 0;
      for (let j = 0; j < n; j++) qx += Q[i * n + j]! * x[j]!;
      g[i] = qx - b[i]!;
      v += 0.5 * x[i]! * qx - b[i]! * x[i]!;
    }
    return v;
  };
  const r = await minimizeLbfgs(f, new Float64Array(n), { epsilon: 1e-10, delta: 0 });
  t.true(r.status === 'converged' || r.status === 'rounding-error', r.message);
  // λ_min(Q) ≥ 0.1/n... the residual bound ‖x − x*‖ ≤ ‖g‖/λ_min; checked directly:
  t.true(maxAbsDiff(r.x, xstar) < 1e-6, `max |x − x*| = ${maxAbsDiff(r.x, xstar)}`);
});

test('x0 already optimal (g = 0) returns at once, converged, x unchanged', async (t) => {
  const x0 = Float64Array.from([3, -2]);
  let calls = 0;
  const r = await minimizeLbfgs(
    (x, g) => {
      calls++;
      g[0] = 2 * (x[0]! - 3);
      g[1] = 2 * (x[1]! + 2);
      return (x[0]! - 3) ** 2 + (x[1]! + 2) ** 2;
    },
    x0,
    { epsilon: 0 },
  );
  t.is(r.status, 'converged');
  t.is(r.iterations, 0);
  t.is(r.evaluations, 1);
  t.is(calls, 1);
  t.deepEqual(Array.from(r.x), [3, -2]);
  t.is(r.fx, 0);
  t.not(r.x, x0, 'the result is a copy; x0 is not modified');
});

// f(x) = Σ softplus(x_i) − 0.3·x_i, minimiser x_i = logit(0.3), made undefined (NaN, Infinity, or a NaN gradient)
// for x_i > 3. Far from the minimum f is almost linear, so the curvature estimates are poor and the line searches
// overshoot into the undefined region; the test counts those evaluations to make sure it exercises them.
function softplusWall(mode: 'nan' | 'infinity' | 'gradient-nan', counter: { bad: number }): Objective {
  return (x, g) => {
    let f = 0;
    let outside = false;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i]!;
      f += (xi > 0 ? xi + Math.log1p(Math.exp(-xi)) : Math.log1p(Math.exp(xi))) - 0.3 * xi;
      g[i] = 1 / (1 + Math.exp(-xi)) - 0.3;
      if (xi > 3) {
        outside = true;
        if (mode === 'gradient-nan') g[i] = NaN;
      }
    }
    if (!outside) return f;
    counter.bad++;
    return mode === 'nan' ? NaN : mode === 'infinity' ? Infinity : f;
  };
}
const LOGIT_03 = Math.log(0.3 / 0.7);

for (const mode of ['nan', 'infinity', 'gradient-nan'] as const) {
  for (const lineSearch of ['more-thuente', 'backtracking'] as const) {
    test(`non-finite objective (${mode}) beyond the domain never yields NaN (${lineSearch})`, async (t) => {
      const counter = { bad: 0 };
      const fxs: number[] = [];
      const r = await minimizeLbfgs(softplusWall(mode, counter), Float64Array.from([-40, -30, -20, -1]), {
        lineSearch,
        onIteration: (info) => {
          fxs.push(info.fx);
          t.true(allFinite(info.x) && allFinite(info.g));
        },
      });
      t.true(counter.bad > 0, 'the run met non-finite values');
      t.true(Number.isFinite(r.fx) && allFinite(r.x), `fx ${r.fx}`);
      t.true(fxs.every((v) => Number.isFinite(v)));
      t.true(r.x.every((v) => v <= 3));
      t.is(r.status, 'converged', r.message);
      // |g_i| = |σ(x_i) − 0.3| ≤ ‖g‖ ≤ 1e-5 and σ' = 0.21 at the minimum, so |x_i − x*| ≲ 5e-5.
      t.true(maxAbsDiff(r.x, LOGIT_03) < 1e-4, `max |x − x*| = ${maxAbsDiff(r.x, LOGIT_03)}`);
      t.log(`${mode} ${lineSearch}: ${r.iterations} iterations, ${r.evaluations} evaluations, ${counter.bad} non-finite`);
    });
  }
}

test('an objective that is NaN everywhere but x0 fails cleanly and returns x0', async (t) => {
  const x0 = Float64Array.from([1, 2, 3]);
  for (const lineSearch of ['more-thuente', 'backtracking'] as const) {
    const r = await minimizeLbfgs(
      (x, g) => {
        for (let i = 0; i < x.length; i++) g[i] = 1;
        return x[0] === 1 && x[1] === 2 && x[2] === 3 ? 5 : NaN;
      },
      x0,
      { lineSearch },
    );
    t.is(r.status, 'line-search-failed', r.message);
    t.deepEqual(Array.from(r.x), [1, 2, 3]);
    t.is(r.fx, 5);
    t.is(r.iterations, 0);
    t.true(r.evaluations <= 1 + DEFAULT_LINE_SEARCH.maxEvaluations + 1);
  }
});

test('with epsilon = delta = 0 the run ends cleanly at the limit of precision, never at maxIterations', async (t) => {
  // f = 1 + Σ (i+1)(x_i − 1)²: the constant 1 hides decreases below 1e-16 relative, so progress must stop.
  const f: Objective = (x, g) => {
    let v = 1;
    for (let i = 0; i < x.length; i++) {
      g[i] = 2 * (i + 1) * (x[i]! - 1);
      v += (i + 1) * (x[i]! - 1) ** 2;
    }
    return v;
  };
  for (const lineSearch of ['more-thuente', 'backtracking'] as const) {
    for (const [name, obj, n] of [
      ['quadratic', f, 10],
      ['Rosenbrock', rosenbrock, 10],
    ] as const) {
      const r = await minimizeLbfgs(obj, name === 'Rosenbrock' ? rosenbrockStart(n) : new Float64Array(n), {
        lineSearch,
        epsilon: 0,
        delta: 0,
        maxIterations: 5000,
      });
      t.true(['converged', 'rounding-error', 'line-search-failed'].includes(r.status), `${name} ${lineSearch}: ${r.message}`);
      t.true(r.iterations < 1000);
      t.true(Number.isFinite(r.fx) && allFinite(r.x));
      t.true(maxAbsDiff(r.x, 1) < 1e-6, `${name} ${lineSearch}: max |x − 1| = ${maxAbsDiff(r.x, 1)}`);
    }
  }
});

test('an objective not finite at x0 is refused with a RangeError', async (t) => {
  await t.throwsAsync(
    minimizeLbfgs((_x, g) => {
      g.fill(0);
      return NaN;
    }, new Float64Array(3)),
    { instanceOf: RangeError, message: /not finite at x0/ },
  );
});

test('delta/period stopping: stops at the first k with |f_{k−period} − f_k|/|f_k| < delta', async (t) => {
  // Σ (x_i − 1)⁴ + 1: a flat minimum where progress slows down geometrically.
  const f = (x: Float64Array, g: Float64Array): number => {
    let v = 1;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - 1;
      v += d ** 4;
      g[i] = 4 * d ** 3;
    }
    return v;
  };
  const period = 3;
  const delta = 1e-3;
  const fs: number[] = [];
  const r = await minimizeLbfgs(f, Float64Array.from([5, -4, 3]), {
    epsilon: 0,
    delta,
    period,
    onIteration: (info) => {
      fs.push(info.fx);
    },
  });
  t.is(r.status, 'delta', r.message);
  const k = r.iterations;
  t.is(fs.length, k);
  const fAt = (i: number) => fs[i - 1]!; // f after iteration i (i ≥ 1)
  const f0 = f(Float64Array.from([5, -4, 3]), new Float64Array(3));
  const fk = (i: number) => (i === 0 ? f0 : fAt(i));
  t.true(Math.abs(fk(k - period) - fk(k)) / Math.abs(fk(k)) < delta);
  for (let i = period; i < k; i++) {
    t.true(Math.abs(fk(i - period) - fk(i)) / Math.abs(fk(i)) >= delta, `should not have stopped at ${i}`);
  }
});

test('maxIterations is respected', async (t) => {
  let calls = 0;
  const r = await minimizeLbfgs(rosenbrock, rosenbrockStart(10), {
    maxIterations: 5,
    onIteration: () => {
      calls++;
    },
  });
  t.is(r.status, 'max-iterations');
  t.is(r.iterations, 5);
  t.is(calls, 5);
  t.true(r.fx < rosenbrock(rosenbrockStart(10), new Float64Array(10)));
});

test('an async objective gives exactly the same run as the sync one', async (t) => {
  const sync = await minimizeLbfgs(rosenbrock, rosenbrockStart(6));
  const asyncObjective: Objective = (x, g) =>
    new Promise((resolve) => setImmediate(() => resolve(rosenbrock(x, g))));
  const asyn = await minimizeLbfgs(asyncObjective, rosenbrockStart(6));
  t.is(asyn.status, sync.status);
  t.is(asyn.iterations, sync.iterations);
  t.is(asyn.evaluations, sync.evaluations);
  t.deepEqual(Array.from(asyn.x), Array.from(sync.x));
});

test('onIteration returning false (or a promise of false) stops with status stopped', async (t) => {
  const infos: LbfgsIteration[] = [];
  const r = await minimizeLbfgs(rosenbrock, rosenbrockStart(2), {
    onIteration: (info) => {
      infos.push({ ...info, x: Float64Array.from(info.x) });
      return info.iteration < 3;
    },
  });
  t.is(r.status, 'stopped');
  t.is(r.iterations, 3);
  t.deepEqual(
    infos.map((i) => i.iteration),
    [1, 2, 3],
  );
  t.deepEqual(Array.from(r.x), Array.from(infos[2]!.x));
  t.true(infos.every((i) => i.evaluations >= i.iteration + 1 && i.seconds >= 0 && i.step > 0));
  t.true(Math.abs(infos[2]!.xnorm - Math.hypot(...infos[2]!.x)) < 1e-12);

  const r2 = await minimizeLbfgs(rosenbrock, rosenbrockStart(2), { onIteration: async (info) => info.iteration !== 2 });
  t.is(r2.status, 'stopped');
  t.is(r2.iterations, 2);
});

test('an aborted signal stops the run with the last good point', async (t) => {
  const ac = new AbortController();
  const r = await minimizeLbfgs(rosenbrock, rosenbrockStart(4), {
    signal: ac.signal,
    onIteration: (info) => {
      if (info.iteration === 4) ac.abort();
    },
  });
  t.is(r.status, 'stopped');
  t.is(r.iterations, 4);
  t.true(Number.isFinite(r.fx));
});

test('aborting during a line search makes no further evaluation and returns a finite point', async (t) => {
  const ac = new AbortController();
  let calls = 0;
  let callsAfterAbort = 0;
  const r = await minimizeLbfgs(
    (x, g) => {
      if (ac.signal.aborted) callsAfterAbort++;
      if (++calls === 7) ac.abort();
      return rosenbrock(x, g);
    },
    rosenbrockStart(2),
    { signal: ac.signal },
  );
  t.is(r.status, 'stopped');
  t.is(callsAfterAbort, 0);
  t.is(r.evaluations, 7);
  t.true(Number.isFinite(r.fx) && allFinite(r.x));
  t.is(rosenbrock(Float64Array.from(r.x), new Float64Array(2)), r.fx, 'fx is the objective at x');
});

test('allocate puts x and g where the caller wants (e.g. shared memory)', async (t) => {
  const seen = new Set<ArrayBufferLike>();
  const r = await minimizeLbfgs(
    (x, g) => {
      seen.add(x.buffer);
      seen.add(g.buffer);
      return rosenbrock(x, g);
    },
    rosenbrockStart(2),
    { allocate: (len) => new Float64Array(new SharedArrayBuffer(len * 8)) },
  );
  t.is(r.status, 'converged');
  t.is(seen.size, 2, 'the same two buffers on every call');
  t.true(r.x.buffer instanceof SharedArrayBuffer);
});

test('invalid options are refused with the value in the message', async (t) => {
  const x0 = new Float64Array(2);
  await t.throwsAsync(minimizeLbfgs(rosenbrock, new Float64Array(0)), { instanceOf: RangeError, message: /empty/ });
  await t.throwsAsync(minimizeLbfgs(rosenbrock, x0, { memory: 0 }), { instanceOf: RangeError, message: /memory.*got 0/ });
  await t.throwsAsync(minimizeLbfgs(rosenbrock, x0, { epsilon: -1 }), { instanceOf: RangeError, message: /epsilon.*-1/ });
  await t.throwsAsync(minimizeLbfgs(rosenbrock, x0, { c1: 1, lineSearch: 'more-thuente' }), {
    instanceOf: RangeError,
    message: /backtracking/,
  });
  await t.throwsAsync(minimizeLbfgs(rosenbrock, x0, { c1: 1, l1Range: [1, 3] }), {
    instanceOf: RangeError,
    message: /l1Range \[1, 3\)/,
  });
  await t.throwsAsync(minimizeLbfgs(rosenbrock, Float64Array.from([NaN, 0])), { instanceOf: RangeError, message: /x0\[0\]/ });
});

test('Moré–Thuente returns steps satisfying the strong Wolfe conditions (Moré & Thuente 1994, tables 1–3)', async (t) => {
  // φ(α) and φ'(α) of the paper's first three test functions; each searched from several initial steps.
  const beta = 2;
  const fns: Array<[string, (a: number) => [number, number], number, number]> = [
    ['−α/(α²+β)', (a) => [-a / (a * a + beta), (a * a - beta) / (a * a + beta) ** 2], 0.001, 0.1],
    ['(α+0.004)^5 − 2(α+0.004)^4', (a) => [(a + 0.004) ** 5 - 2 * (a + 0.004) ** 4, 5 * (a + 0.004) ** 4 - 8 * (a + 0.004) ** 3], 0.1, 0.1],
    [
      'φ₀(α) + 2(1−β)/(39π)·sin(39πα/2), β=0.01',
      (a) => {
        const b = 0.01;
        const l = 39;
        const phi0 = a <= 1 - b ? 1 - a : a >= 1 + b ? a - 1 : ((a - 1) ** 2) / (2 * b) + b / 2;
        const dphi0 = a <= 1 - b ? -1 : a >= 1 + b ? 1 : (a - 1) / b;
        return [
          phi0 + ((2 * (1 - b)) / (l * Math.PI)) * Math.sin((l * Math.PI * a) / 2),
          dphi0 + (1 - b) * Math.cos((l * Math.PI * a) / 2),
        ];
      },
      0.1,
      0.1,
    ],
  ];
  for (const [name, phi, ftol, gtol] of fns) {
    const [f0, d0] = phi(0);
    for (const a0 of [1e-3, 1e-1, 1e1, 1e3]) {
      let a = 0;
      let cur = phi(0);
      const out = await moreThuenteLineSearch(
        {
          moveTo: (s) => {
            a = s;
          },
          evaluate: () => {
            cur = phi(a);
            return cur[0];
          },
          slope: () => cur[1],
          predicted: (s) => s * d0,
          aborted: () => false,
        },
        f0,
        d0,
        a0,
        { ...DEFAULT_LINE_SEARCH, ftol, gtol },
      );
      t.is(out.code, 'ok', `${name} from ${a0}`);
      const [fa, da] = phi(out.step);
      t.true(fa <= f0 + ftol * out.step * d0, `${name} from ${a0}: sufficient decrease`);
      t.true(Math.abs(da) <= gtol * Math.abs(d0) + 1e-12, `${name} from ${a0}: curvature |φ'| = ${Math.abs(da)}`);
      t.true(out.evaluations <= 20);
    }
  }
});
