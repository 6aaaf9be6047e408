import test from 'ava';
import {
  createRng,
  learningRate,
  minimizeLbfgs,
  sgdMinimize,
  type LearningRateSchedule,
  type SgdProblem,
} from '@ebmkit/core';

test('learningRate follows each schedule formula', (t) => {
  const close = (a: number, b: number) => t.true(Math.abs(a - b) <= 1e-15 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
  close(learningRate({ kind: 'constant', eta: 0.3 }, 1000), 0.3);
  for (const s of [0, 1, 10, 12345]) {
    close(learningRate({ kind: 'inverse', eta0: 0.5, lambda: 0.01 }, s), 0.5 / (1 + 0.01 * 0.5 * s));
    close(learningRate({ kind: 'exponential', eta0: 0.5, decay: 0.99 }, s), 0.5 * 0.99 ** s);
    close(learningRate({ kind: 'step', eta0: 0.5, factor: 0.1, every: 10 }, s), 0.5 * 0.1 ** Math.floor(s / 10));
  }
  // CRFsuite's form η_t = 1/(λ(t₀ + t)) with t₀ = 1/(λη₀) is the same schedule.
  const lambda = 0.02;
  const eta0 = 0.4;
  close(learningRate({ kind: 'inverse', eta0, lambda }, 77), 1 / (lambda * (1 / (lambda * eta0) + 77)));
  t.is(learningRate({ kind: 'step', eta0: 1, factor: 0.5, every: 3 }, 2), 1);
  t.is(learningRate({ kind: 'step', eta0: 1, factor: 0.5, every: 3 }, 3), 0.5);
});

test('learningRate refuses bad schedules with the value in the message', (t) => {
  t.throws(() => learningRate({ kind: 'constant', eta: -1 }, 0), { instanceOf: RangeError, message: /eta .*-1/ });
  t.throws(() => learningRate({ kind: 'exponential', eta0: 1, decay: 1.5 }, 0), { instanceOf: RangeError, message: /decay.*1\.5/ });
  t.throws(() => learningRate({ kind: 'step', eta0: 1, factor: 0.5, every: 0 }, 0), { instanceOf: RangeError, message: /every.*0/ });
  t.throws(() => learningRate({ kind: 'nope' } as unknown as LearningRateSchedule, 0), { instanceOf: RangeError, message: /unknown kind "nope"/ });
  t.throws(() => learningRate({ kind: 'constant', eta: 1 }, -1), { instanceOf: RangeError, message: /t must be/ });
});

/** Ridge regression: N examples, D features; loss_i = ½(x_iᵀw − y_i)². */
function ridge(N: number, D: number, seed: number) {
  const rng = createRng(seed);
  const X = rng.fillNormal(new Float64Array(N * D));
  const wTrue = Float64Array.from({ length: D }, (_, j) => (j % 2 === 0 ? 1 : -2) * (1 + j / D));
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += X[i * D + j]! * wTrue[j]!;
    y[i] = s + 0.3 * rng.normal();
  }
  const problem: SgdProblem = {
    numExamples: N,
    dim: D,
    example(i, w, grad) {
      let s = 0;
      for (let j = 0; j < D; j++) s += w.get(j) * X[i * D + j]!;
      const r = s - y[i]!;
      for (let j = 0; j < D; j++) grad.add(j, r * X[i * D + j]!);
      return 0.5 * r * r;
    },
  };
  /** The exact minimiser of Σ ½(x_iᵀw − y_i)² + c2‖w‖²: (XᵀX + 2c2·I) w = Xᵀy, by Gaussian elimination. */
  const solve = (c2: number): Float64Array => {
    const A = new Float64Array(D * (D + 1));
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < D; b++) {
        let s = a === b ? 2 * c2 : 0;
        for (let i = 0; i < N; i++) s += X[i * D + a]! * X[i * D + b]!;
        A[a * (D + 1) + b] = s;
      }
      let s = 0;
      for (let i = 0; i < N; i++) s += X[i * D + a]! * y[i]!;
      A[a * (D + 1) + D] = s;
    }
    for (let k = 0; k < D; k++) {
      for (let r = k + 1; r < D; r++) {
        const m = A[r * (D + 1) + k]! / A[k * (D + 1) + k]!;
        for (let c = k; c <= D; c++) A[r * (D + 1) + c] -= m * A[k * (D + 1) + c]!;
      }
    }
    const w = new Float64Array(D);
    for (let k = D - 1; k >= 0; k--) {
      let s = A[k * (D + 1) + D]!;
      for (let c = k + 1; c < D; c++) s -= A[k * (D + 1) + c]! * w[c]!;
      w[k] = s / A[k * (D + 1) + k]!;
    }
    return w;
  };
  return { problem, solve };
}

function dist(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

const N = 200;
const c2 = 5;
const { problem: ridgeProblem, solve } = ridge(N, 5, 1);
const wStar = solve(c2);
const wNorm = Math.hypot(...wStar);

// Each schedule, tuned by hand for this problem, must land within 2% of ‖w*‖ (≈ 7) of the exact minimiser after
// 30 epochs; from w = 0 the start is 100% away. (SGD's noise floor for these rates is ≈ 0.1–1%.)
const schedules: Array<[string, LearningRateSchedule | undefined]> = [
  ['default (inverse, λ = 2c2/N)', undefined],
  ['constant', { kind: 'constant', eta: 0.01 }],
  ['inverse', { kind: 'inverse', eta0: 0.1, lambda: (2 * c2) / N }],
  ['exponential', { kind: 'exponential', eta0: 0.05, decay: 0.999 }],
  ['step', { kind: 'step', eta0: 0.05, factor: 0.5, every: 400 }],
];
for (const [name, schedule] of schedules) {
  test(`SGD with the ${name} schedule drives ridge regression to its exact optimum`, async (t) => {
    const r = await sgdMinimize(ridgeProblem, { rng: createRng(3), c2, epochs: 30, ...(schedule ? { schedule } : {}) });
    t.is(r.status, 'max-epochs');
    t.is(r.epochs, 30);
    t.is(r.updates, 30 * N);
    t.is(r.losses.length, 30);
    const e = dist(r.w, wStar);
    t.true(e < 0.02 * wNorm, `‖w − w*‖ = ${e} (‖w*‖ = ${wNorm})`);
    t.log(`${name}: ‖w − w*‖/‖w*‖ = ${(e / wNorm).toExponential(2)}`);
  });
}

test('averaging the iterates beats the last iterate of a constant-rate run', async (t) => {
  const schedule: LearningRateSchedule = { kind: 'constant', eta: 0.05 };
  const last = await sgdMinimize(ridgeProblem, { rng: createRng(3), c2, epochs: 30, schedule });
  const avg = await sgdMinimize(ridgeProblem, { rng: createRng(3), c2, epochs: 30, schedule, averaging: { start: 1000 } });
  const eLast = dist(last.w, wStar);
  const eAvg = dist(avg.w, wStar);
  t.true(eAvg < 0.2 * eLast, `averaged ${eAvg} vs last ${eLast}`);
  t.deepEqual(avg.losses, last.losses, 'averaging does not change the iterates themselves');
});

/**
 * A sparse problem: every example touches 3 of 50 weights (squared loss). Used to compare the scaled-weight
 * implementation with a naive dense SGD, w ← (1 − ηλ)w − η∇loss_i(w), step by step.
 */
function sparseRegression(N: number, D: number, seed: number) {
  const rng = createRng(seed);
  const idx = new Int32Array(N * 3);
  const val = new Float64Array(N * 3);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < 3; k++) {
      idx[i * 3 + k] = rng.int(D);
      val[i * 3 + k] = rng.normal();
    }
    y[i] = rng.normal() * 2;
  }
  const lossGrad = (i: number, wj: (j: number) => number, add: (j: number, v: number) => void): number => {
    let s = 0;
    for (let k = 0; k < 3; k++) s += wj(idx[i * 3 + k]!) * val[i * 3 + k]!;
    const r = s - y[i]!;
    for (let k = 0; k < 3; k++) add(idx[i * 3 + k]!, r * val[i * 3 + k]!);
    return 0.5 * r * r;
  };
  const problem: SgdProblem = {
    numExamples: N,
    dim: D,
    example: (i, w, grad) =>
      lossGrad(
        i,
        (j) => w.get(j),
        (j, v) => grad.add(j, v),
      ),
  };
  /** Naive dense SGD in the given example order; returns the last iterate and the average from update `start`. */
  const naive = (order: number[], epochs: number, schedule: LearningRateSchedule, c2: number, start: number) => {
    const lambda = (2 * c2) / N;
    const w = new Float64Array(D);
    const g = new Float64Array(D);
    const sum = new Float64Array(D);
    let count = 0;
    let t = 0;
    for (let e = 0; e < epochs; e++) {
      for (const i of order) {
        const eta = learningRate(schedule, t);
        g.fill(0);
        lossGrad(
          i,
          (j) => w[j]!,
          (j, v) => {
            g[j] += v;
          },
        );
        for (let j = 0; j < D; j++) w[j] = (1 - eta * lambda) * w[j]! - eta * g[j]!;
        if (t >= start) {
          for (let j = 0; j < D; j++) sum[j] += w[j]!;
          count++;
        }
        t++;
      }
    }
    return { w, avg: sum.map((v) => v / count) };
  };
  return { problem, naive };
}

test('the L2 weight-scaling trick gives the same iterates as naive dense SGD (with renormalisation)', async (t) => {
  const Nn = 60;
  const D = 50;
  const { problem, naive } = sparseRegression(Nn, D, 21);
  // λ·η = (2·c2/N)·η = 0.05 per update: the scale shrinks by e^-1 every ~20 updates and falls below the 1e-5
  // renormalisation threshold every ~225 updates, i.e. 5 times over 20 epochs of 60 examples.
  const c2v = 7.5;
  const schedule: LearningRateSchedule = { kind: 'constant', eta: 0.2 };
  const order = Array.from({ length: Nn }, (_, i) => i);
  const ref = naive(order, 20, schedule, c2v, 40);
  const r = await sgdMinimize(problem, { rng: createRng(1), c2: c2v, epochs: 20, schedule, shuffle: false });
  const ra = await sgdMinimize(problem, {
    rng: createRng(1),
    c2: c2v,
    epochs: 20,
    schedule,
    shuffle: false,
    averaging: { start: 40 },
  });
  const scale = Math.max(...ref.w.map(Math.abs));
  t.true(scale > 0.05, 'the weights are not trivially zero');
  t.true(dist(r.w, ref.w) < 1e-12 * Math.sqrt(D) * scale, `last iterate differs by ${dist(r.w, ref.w)}`);
  t.log(`scaled vs naive: last ${dist(r.w, ref.w).toExponential(1)}, average ${dist(ra.w, ref.avg).toExponential(1)}, max |w| ${scale}`);
  // The average is recovered as (base + sum·v − u)/T, whose cancellation can cost up to a factor
  // 1/1e-5 (the renormalisation threshold) over machine precision: allow 1e-10 relative.
  t.true(dist(ra.w, ref.avg) < 1e-10 * Math.sqrt(D) * scale, `average differs by ${dist(ra.w, ref.avg)}`);

  // And with a decaying schedule and no L2 (scale stays 1).
  const s2: LearningRateSchedule = { kind: 'inverse', eta0: 0.3, lambda: 0.05 };
  const ref2 = naive(order, 3, s2, 0, 0);
  const r2 = await sgdMinimize(problem, { rng: createRng(1), epochs: 3, schedule: s2, shuffle: false, averaging: true });
  t.true(dist(r2.w, ref2.avg) < 1e-12 * Math.sqrt(D) * Math.max(...ref2.avg.map(Math.abs)));
});

test('a dense gradient via addDense gives the same result as sparse adds', async (t) => {
  const D = 5;
  const dense: SgdProblem = {
    ...ridgeProblem,
    example(i, w, grad) {
      const g = new Float64Array(D);
      const loss = ridgeProblem.example(i, w, {
        add: (j, v) => {
          g[j] += v;
        },
        addDense: () => {
          throw new Error('unused');
        },
      });
      grad.addDense(g);
      return loss;
    },
  };
  const a = await sgdMinimize(ridgeProblem, { rng: createRng(8), c2, epochs: 3 });
  const b = await sgdMinimize(dense, { rng: createRng(8), c2, epochs: 3 });
  t.deepEqual(Array.from(a.w), Array.from(b.w));
});

/** L2-regularised logistic regression on separable-ish synthetic data; labels ±1. */
function logistic(N: number, D: number, seed: number) {
  const rng = createRng(seed);
  const X = rng.fillNormal(new Float64Array(N * D));
  const wTrue = rng.fillNormal(new Float64Array(D), 0, 2);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += X[i * D + j]! * wTrue[j]!;
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-s)) ? 1 : -1;
  }
  const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  const problem: SgdProblem = {
    numExamples: N,
    dim: D,
    example(i, w, grad) {
      let s = 0;
      for (let j = 0; j < D; j++) s += w.get(j) * X[i * D + j]!;
      const m = y[i]! * s;
      const p = 1 / (1 + Math.exp(m)); // σ(−m)
      for (let j = 0; j < D; j++) grad.add(j, -y[i]! * p * X[i * D + j]!);
      return softplus(-m);
    },
  };
  /** F(w) = Σ loss_i + c2‖w‖², minimised by L-BFGS as the reference. */
  const full = (c2: number) => (w: Float64Array, g: Float64Array) => {
    g.fill(0);
    let f = 0;
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += w[j]! * X[i * D + j]!;
      const m = y[i]! * s;
      f += softplus(-m);
      const p = 1 / (1 + Math.exp(m));
      for (let j = 0; j < D; j++) g[j] += -y[i]! * p * X[i * D + j]!;
    }
    for (let j = 0; j < D; j++) {
      f += c2 * w[j]! ** 2;
      g[j] += 2 * c2 * w[j]!;
    }
    return f;
  };
  return { problem, full };
}

test('calibrated l2sgd (CRFsuite convention) and L-BFGS minimise the same logistic-regression objective', async (t) => {
  const Nl = 400;
  const D = 8;
  const c2l = 2;
  const { problem, full } = logistic(Nl, D, 4);
  const ref = await minimizeLbfgs(full(c2l), new Float64Array(D), { epsilon: 1e-10, delta: 0 });
  t.true(ref.status === 'converged' || ref.status === 'rounding-error', ref.message);
  const r = await sgdMinimize(problem, { rng: createRng(9), c2: c2l, epochs: 40, calibrate: { samples: 200 } });
  // The calibrated η₀ is one of the candidates 0.1·2^k.
  const k = Math.log2(r.eta0 / 0.1);
  t.true(Math.abs(k - Math.round(k)) < 1e-9 && Math.abs(k) <= 20, `eta0 = ${r.eta0}`);
  const e = dist(r.w, ref.x);
  const refNorm = Math.hypot(...ref.x);
  t.true(e < 0.03 * refNorm, `‖w − w*‖ = ${e} (‖w*‖ = ${refNorm})`);
  // The reported epoch objective is Σ loss + c2‖w‖², close to the optimum value at the end.
  const fEnd = full(c2l)(r.w, new Float64Array(D));
  t.true(fEnd >= ref.fx - 1e-9 && fEnd < ref.fx * 1.001, `F(w) = ${fEnd}, F* = ${ref.fx}`);
  t.true(Math.abs(r.losses.at(-1)! - ref.fx) < 0.02 * ref.fx, `last epoch objective ${r.losses.at(-1)} vs ${ref.fx}`);
  t.log(`calibrated eta0 = ${r.eta0}; ‖w − w*‖/‖w*‖ = ${(e / refNorm).toExponential(2)}`);
});

test('results are reproducible with a fixed seed, and depend on it', async (t) => {
  const opts = { c2, epochs: 3, calibrate: { samples: 50, maxTrials: 6 }, averaging: true } as const;
  const a = await sgdMinimize(ridgeProblem, { ...opts, rng: createRng(42) });
  const b = await sgdMinimize(ridgeProblem, { ...opts, rng: createRng(42) });
  const c = await sgdMinimize(ridgeProblem, { ...opts, rng: createRng(43) });
  t.deepEqual(Array.from(a.w), Array.from(b.w));
  t.deepEqual(a.losses, b.losses);
  t.is(a.eta0, b.eta0);
  t.notDeepEqual(Array.from(a.w), Array.from(c.w));
});

test('onEpoch sees each epoch and can stop the run; delta stopping; w0', async (t) => {
  const seen: number[] = [];
  const r = await sgdMinimize(ridgeProblem, {
    rng: createRng(1),
    c2,
    epochs: 10,
    onEpoch: (info) => {
      seen.push(info.epoch);
      t.is(info.updates, info.epoch * N);
      t.is(info.weights().length, 5);
      return info.epoch < 4;
    },
  });
  t.is(r.status, 'stopped');
  t.deepEqual(seen, [1, 2, 3, 4]);
  t.is(r.epochs, 4);

  const d = await sgdMinimize(ridgeProblem, { rng: createRng(1), c2, epochs: 1000, delta: 1e-3, period: 2 });
  t.is(d.status, 'delta', d.message);
  const L = d.losses;
  const e = L.length;
  t.true(e < 1000);
  t.true((L[e - 3]! - L[e - 1]!) / Math.abs(L[e - 1]!) < 1e-3);

  // epochs = 0 returns w0 untouched.
  const w0 = Float64Array.from([1, 2, 3, 4, 5]);
  const z = await sgdMinimize(ridgeProblem, { rng: createRng(1), epochs: 0, w0 });
  t.deepEqual(Array.from(z.w), [1, 2, 3, 4, 5]);
  t.not(z.w, w0);
});

test('bad input is refused with a clear message', async (t) => {
  await t.throwsAsync(sgdMinimize(ridgeProblem, { rng: createRng(1), c2: -1 }), { instanceOf: RangeError, message: /c2.*-1/ });
  await t.throwsAsync(sgdMinimize(ridgeProblem, {} as never), { instanceOf: TypeError, message: /rng/ });
  await t.throwsAsync(sgdMinimize(ridgeProblem, { rng: createRng(1), w0: new Float64Array(3) }), {
    instanceOf: RangeError,
    message: /w0 length 3 !== dim 5/,
  });
  const badIndex: SgdProblem = { numExamples: 2, dim: 3, example: (_i, _w, g) => (g.add(3, 1), 0) };
  await t.throwsAsync(sgdMinimize(badIndex, { rng: createRng(1) }), { instanceOf: RangeError, message: /index 3 .*\[0, 3\)/ });
  const nan: SgdProblem = { numExamples: 2, dim: 3, example: () => NaN };
  await t.throwsAsync(sgdMinimize(nan, { rng: createRng(1) }), { instanceOf: RangeError, message: /non-finite loss/ });
  // η·λ ≥ 1 would flip the weights' sign.
  await t.throwsAsync(sgdMinimize(ridgeProblem, { rng: createRng(1), c2: 100, schedule: { kind: 'constant', eta: 1 } }), {
    instanceOf: RangeError,
    message: /λ/,
  });
});
