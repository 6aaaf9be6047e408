// Softmax regression: the gradient against finite differences (row weights, L2, intercept, unpenalised columns);
// a known optimum (with a huge penalty only the bias is free, and softmax(bias) must equal the class frequencies);
// stationarity and accuracy of a fit on separable blobs; bad input refused with the values named.
import test from 'ava';
import { createRng, fitSoftmaxRegression, predictSoftmaxRegression, softmaxRegressionObjective } from '@ebmkit/core';
import { checkObjectiveGradient } from '@ebmkit/core/testing';

function blobs(n: number, seed: number) {
  const rng = createRng(seed);
  const centres = [[-2, 0, 1], [2, 0, -1], [0, 2.5, 0]];
  const x = new Float64Array(n * 3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    labels[i] = k;
    for (let j = 0; j < 3; j++) x[i * 3 + j] = centres[k]![j]! + 0.7 * rng.normal();
  }
  return { x, rows: n, features: 3, labels };
}

test('gradient matches finite differences: row weights, L2, intercept and an unpenalised column', (t) => {
  const rng = createRng(1);
  const data = blobs(40, 2);
  const rowWeights = Float64Array.from({ length: 40 }, () => rng.uniform() * 2);
  for (const intercept of [true, false]) {
    const obj = softmaxRegressionObjective(data, { classes: 3, l2: 0.3, rowWeights, intercept, unpenalized: [1] });
    const w = new Float64Array(3 * (intercept ? 4 : 3)).map(() => rng.normal());
    const r = checkObjectiveGradient(obj, w);
    t.true(r.maxRelError < 1e-6, `intercept ${intercept}: max relative error ${r.maxRelError}`);
  }
  // The penalty spares the bias and the listed column: weights there change f only through the likelihood.
  const bare = softmaxRegressionObjective(data, { classes: 3 });
  const pen = softmaxRegressionObjective(data, { classes: 3, l2: 5, unpenalized: [1] });
  const w = new Float64Array(12);
  for (const j of [1, 3]) w[4 + j] = 0.7;
  t.true(Math.abs(pen(w, new Float64Array(12)) - bare(w, new Float64Array(12))) < 1e-12);
  w[4] = 0.5;
  t.true(Math.abs(pen(w, new Float64Array(12)) - bare(w, new Float64Array(12)) - 0.5 * 5 * 0.25) < 1e-9);
});

test('a known optimum: with only the bias free, softmax(bias) equals the class frequencies', async (t) => {
  const data = blobs(90, 3);
  // Relabel to frequencies 1/2, 1/3, 1/6.
  const labels = Int32Array.from({ length: 90 }, (_, i) => (i % 6 < 3 ? 0 : i % 6 < 5 ? 1 : 2));
  const m = await fitSoftmaxRegression({ ...data, labels }, { classes: 3, l2: 1e8, lbfgs: { epsilon: 1e-10, maxIterations: 500 } });
  const b = [0, 1, 2].map((k) => m.weights[k * 4 + 3]!);
  const z = b.reduce((s, v) => s + Math.exp(v), 0);
  const p = b.map((v) => Math.exp(v) / z);
  [1 / 2, 1 / 3, 1 / 6].forEach((q, k) => t.true(Math.abs(p[k]! - q) < 1e-4, `class ${k}: ${p[k]} vs ${q}`));
  for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) t.true(Math.abs(m.weights[k * 4 + j]!) < 1e-6);
});

test('a fit on blobs is stationary and accurate on new rows', async (t) => {
  const train = blobs(300, 4);
  const m = await fitSoftmaxRegression(train, { classes: 3, l2: 0.01, lbfgs: { epsilon: 1e-9, maxIterations: 1000 } });
  const g = new Float64Array(m.weights.length);
  softmaxRegressionObjective(train, { classes: 3, l2: 0.01 })(m.weights, g);
  t.true(g.every((v) => Math.abs(v) < 1e-3), `largest gradient (a sum over 300 rows) ${Math.max(...g.map(Math.abs))}`);
  const test_ = blobs(300, 5);
  const pred = predictSoftmaxRegression(m, test_.x);
  const acc = pred.reduce((s, p, i) => s + (p === test_.labels[i] ? 1 : 0), 0) / 300;
  t.true(acc > 0.95, `accuracy ${acc}`);
});

test('bad input is refused with the values named', async (t) => {
  const d = blobs(6, 6);
  t.throws(() => softmaxRegressionObjective({ ...d, labels: Int32Array.of(0, 1, 2, 3, 0, 1) }, { classes: 3 }), { message: /label 3 of row 3 is not in \[0, 3\)/ });
  t.throws(() => softmaxRegressionObjective({ ...d, rows: 7 }, { classes: 3 }), { message: /18 values for 7 rows × 3 features/ });
  t.throws(() => softmaxRegressionObjective(d, { classes: 3, unpenalized: [3] }), { message: /unpenalized column 3 is not in \[0, 3\)/ });
  t.throws(() => softmaxRegressionObjective(d, { classes: 3, rowWeights: [1] }), { message: /1 row weights for 6 rows/ });
  await t.throwsAsync(fitSoftmaxRegression(d, { classes: 3, w0: new Float64Array(3) }), { message: /w0 has 3 values, expected 12/ });
});
