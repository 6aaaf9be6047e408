import test from 'ava';
import { createRng, sparseDot } from '@ebmkit/core';
import { enumerateLabellings } from '@ebmkit/core/testing';
import {
  BcfwLearner,
  createLearner,
  DenseChainModel,
  MulticlassModel,
  NSlackLearner,
  OneSlackLearner,
  PerceptronLearner,
  SubgradientLearner,
  type SsvmFit,
} from '@ebmkit/ssvm';
import { chainData, multiclassData } from './helpers.ts';

/** Orthogonal examples x_i = c_i·e_i: the problem decouples, and each part has the closed-form optimum derived in docs/ssvm.md. */
function orthogonalProblem() {
  const c = [1, 2, 0.5, 3, 1.5];
  const K = 3;
  const n = c.length;
  const X = c.map((ci, i) => {
    const x = new Float64Array(n);
    x[i] = ci;
    return x;
  });
  const Y = [0, 2, 1, 1, 0];
  const C = 1;
  // per example with λ' = λn = 1/C: ρ = λ'(K−1)/(sK); P_i = ρ/2 if ρ ≤ 1, else 1 − 1/(2ρ); P* = (1/n)Σ P_i
  let pStar = 0;
  for (const ci of c) {
    const rho = ((1 / C) * (K - 1)) / (ci * ci * K);
    pStar += rho <= 1 ? rho / 2 : 1 - 1 / (2 * rho);
  }
  return { model: new MulticlassModel({ classes: K, features: n }), X, Y, C, pStar: pStar / n };
}

const last = (fit: SsvmFit) => fit.log[fit.log.length - 1]!;

test('every learner reaches the closed-form optimum of the multiclass SVM on orthogonal data', (t) => {
  const { model, X, Y, C, pStar } = orthogonalProblem();
  for (const name of ['nslack', 'oneslack'] as const) {
    const fit = createLearner(name, model, { C, tolerance: 1e-8, maxPasses: 2000 }).fit(X, Y);
    const e = last(fit);
    t.is(fit.status, 'converged', name);
    t.true(Math.abs(e.primal - pStar) <= 1e-6 * pStar, `${name}: primal ${e.primal} vs closed form ${pStar}`);
    t.true(e.dual <= pStar + 1e-12, `${name}: dual ${e.dual} exceeds the optimum ${pStar}`);
  }
  // Frank–Wolfe and subgradient converge sublinearly: looser targets
  const bcfw = new BcfwLearner(model, { C, tolerance: 1e-3, maxPasses: 3000 }).fit(X, Y);
  t.is(bcfw.status, 'converged');
  t.true(last(bcfw).primal - pStar <= 1e-3 * pStar && last(bcfw).dual <= pStar + 1e-12);
  const sg = new SubgradientLearner(model, { C, maxPasses: 1500, evaluateEvery: 1500 }).fit(X, Y);
  t.true(Math.abs(last(sg).primal - pStar) <= 2e-3 * pStar, `subgradient: ${last(sg).primal} vs ${pStar}`);
});

test('on random multiclass and chain problems all learners agree on the optimum, and the dual never exceeds any primal', (t) => {
  const rng = createRng(7);
  const mc = multiclassData(rng, 40, 3, 4, 1.5);
  const mcModel = new MulticlassModel({ classes: 3, features: 4 });
  const ch = chainData(9, 25, 3, 4, { minT: 2, maxT: 4 });
  const chModel = new DenseChainModel({ labels: 3, features: 4 });
  type Name = Parameters<typeof createLearner>[0];
  const problems = [
    { label: 'multiclass', run: (name: Name, o: object) => createLearner(name, mcModel, o).fit(mc.X, mc.Y) },
    { label: 'chain', run: (name: Name, o: object) => createLearner(name, chModel, o).fit(ch.X, ch.Y) },
  ];
  for (const p of problems) {
    const C = 0.05;
    // reference: the n-slack QP solved to a relative gap of 1e-8 gives a certified lower bound on the optimum
    const ref = p.run('nslack', { C, tolerance: 1e-8, maxPasses: 1000 });
    t.is(ref.status, 'converged', p.label);
    const lower = last(ref).dual;
    const fits = {
      bcfw: p.run('bcfw', { C, tolerance: 1e-3, maxPasses: 1000 }),
      oneslack: p.run('oneslack', { C, tolerance: 1e-6, maxPasses: 500 }),
      subgradient: p.run('subgradient', { C, maxPasses: 400, evaluateEvery: 400 }),
    };
    const tols = { bcfw: 1e-3, oneslack: 1e-6, subgradient: 1e-3 };
    for (const [name, fit] of Object.entries(fits)) {
      const e = last(fit);
      t.true(e.primal - lower <= tols[name as keyof typeof tols] * e.primal, `${p.label}/${name}: primal ${e.primal} vs certified lower bound ${lower}`);
      t.true(e.primal >= lower - 1e-12, `${p.label}/${name}: primal ${e.primal} below the dual bound ${lower}`);
    }
    for (const fit of [ref, fits.bcfw, fits.oneslack]) {
      for (const e of fit.log) {
        t.true(e.dual <= e.primal + 1e-12, `${p.label}/${fit.learner} pass ${e.pass}: dual ${e.dual} > primal ${e.primal}`);
        t.true(e.dual <= last(ref).primal + 1e-12, `${p.label}/${fit.learner} pass ${e.pass}: dual above the optimum`);
      }
    }
  }
});

test('the logged primal equals a brute-force evaluation of the objective', (t) => {
  const model = new DenseChainModel({ labels: 3, features: 2 });
  const { X, Y } = chainData(4, 8, 3, 2, { minT: 1, maxT: 3 });
  const fit = new BcfwLearner(model, { C: 2, maxPasses: 3, tolerance: 0 }).fit(X, Y);
  const n = X.length;
  let hinge = 0;
  for (let i = 0; i < n; i++) {
    const base = sparseDot(model.jointFeature(X[i]!, Y[i]!), fit.w);
    let best = -Infinity;
    for (const yh of enumerateLabellings(X[i]!.T, 3)) best = Math.max(best, model.loss(Y[i]!, yh) + sparseDot(model.jointFeature(X[i]!, yh), fit.w) - base);
    hinge += best;
  }
  let w2 = 0;
  for (const v of fit.w) w2 += v * v;
  const primal = (fit.lambda / 2) * w2 + hinge / n;
  t.true(Math.abs(last(fit).primal - primal) < 1e-10);
  t.is(fit.lambda, 1 / (2 * n));
  t.is(fit.log.length, 3);
  t.true(Object.isFrozen(fit) && Object.isFrozen(fit.log));
});

test('BCFW reports a decreasing gap through onPass and stops at the relative tolerance', (t) => {
  const ch = chainData(21, 30, 3, 5);
  const gaps: number[] = [];
  const fit = new BcfwLearner(new DenseChainModel({ labels: 3, features: 5 }), {
    C: 0.05,
    tolerance: 1e-3,
    maxPasses: 500,
    onPass: (e) => void gaps.push(e.gap),
  }).fit(ch.X, ch.Y);
  t.is(fit.status, 'converged');
  t.true(gaps.length >= 2 && gaps[gaps.length - 1]! <= 1e-3 * last(fit).primal);
  t.true(gaps[gaps.length - 1]! < gaps[0]!);
  t.true(gaps.every((g) => g >= -1e-12));
});

test('onPass returning false stops training', (t) => {
  const { model, X, Y } = orthogonalProblem();
  const fit = new SubgradientLearner(model, { maxPasses: 50, onPass: (e) => e.pass < 3 }).fit(X, Y);
  t.is(fit.status, 'stopped');
  t.is(fit.passes, 3);
});

test('warm start: from a good solution every learner starts near the optimum and the dual stays a lower bound', (t) => {
  const ch = chainData(31, 30, 3, 4);
  const model = new DenseChainModel({ labels: 3, features: 4 });
  const C = 0.05;
  const ref = new NSlackLearner(model, { C, tolerance: 1e-8, maxPasses: 2000 }).fit(ch.X, ch.Y);
  const pStar = last(ref).primal;
  const lower = last(ref).dual;
  // a perturbed optimum: warm-started dual learners converge with a valid dual (BCFW and one-slack in fewer passes)
  const rng = createRng(1);
  const w0 = Float64Array.from(ref.w, (v) => v + 0.02 * rng.normal());
  for (const name of ['bcfw', 'nslack', 'oneslack'] as const) {
    const cold = createLearner(name, model, { C, tolerance: 1e-3, maxPasses: 500 }).fit(ch.X, ch.Y);
    const warm = createLearner(name, model, { C, tolerance: 1e-3, maxPasses: 500, w0 }).fit(ch.X, ch.Y);
    t.is(warm.status, 'converged', name);
    t.log(`${name}: warm start ${warm.passes} passes, cold ${cold.passes}`);
    if (name !== 'nslack') t.true(warm.passes < cold.passes, `${name}: warm start ${warm.passes} passes vs cold ${cold.passes}`);
    if (name === 'bcfw') t.true(warm.log[0]!.primal < cold.log[0]!.primal);
    for (const e of warm.log) t.true(e.dual <= pStar + 1e-9, `${name}: warm dual ${e.dual} above the optimum ${pStar}`);
    t.true(last(warm).primal - lower <= 1.5e-3 * pStar);
  }
  const sg = new SubgradientLearner(model, { C, maxPasses: 1, w0: ref.w }).fit(ch.X, ch.Y);
  const sgCold = new SubgradientLearner(model, { C, maxPasses: 1 }).fit(ch.X, ch.Y);
  t.true(last(sg).primal < last(sgCold).primal, `subgradient from the optimum: ${last(sg).primal} vs cold ${last(sgCold).primal}`);
  t.true(last(sg).primal < pStar * 1.1);
  const pc = new PerceptronLearner(model, { maxPasses: 1, w0: ref.w, averaging: false }).fit(ch.X, ch.Y);
  t.not(pc.w[0], 0);
});

test('the perceptron separates separable data (multiclass and chain)', (t) => {
  const rng = createRng(2);
  const mc = multiclassData(rng, 60, 4, 3, 0.05); // tight clusters: separable
  const fit = new PerceptronLearner(new MulticlassModel({ classes: 4, features: 3 }), { maxPasses: 100, averaging: false }).fit(mc.X, mc.Y);
  t.is(fit.status, 'separated');
  t.is(last(fit).trainingLoss, 0);
  const ch = chainData(5, 20, 3, 6, { noise: 0.05 });
  const model = new DenseChainModel({ labels: 3, features: 6 });
  for (const averaging of [false, true]) {
    const f = new PerceptronLearner(model, { maxPasses: 100, averaging }).fit(ch.X, ch.Y);
    t.is(f.status, 'separated');
    t.is(last(f).trainingLoss, 0);
    for (let i = 0; i < ch.X.length; i++) t.deepEqual(model.inference(ch.X[i]!, f.w), ch.Y[i]);
  }
});

test('seeded runs are reproducible', (t) => {
  const ch = chainData(8, 15, 3, 3);
  const model = new DenseChainModel({ labels: 3, features: 3 });
  const a = new BcfwLearner(model, { maxPasses: 4, seed: 5, tolerance: 0 }).fit(ch.X, ch.Y);
  const b = new BcfwLearner(model, { maxPasses: 4, rng: createRng(5), tolerance: 0 }).fit(ch.X, ch.Y);
  t.deepEqual(a.w, b.w);
});

test('bad options and inputs give clear errors', (t) => {
  const { model, X, Y } = orthogonalProblem();
  for (const C of [0, -1, NaN, Infinity]) {
    t.throws(() => new BcfwLearner(model, { C }), { instanceOf: RangeError, message: new RegExp(`C must be a finite number > 0, got ${C}`) });
    t.throws(() => new NSlackLearner(model, { C }), { message: /C must be/ });
    t.throws(() => new OneSlackLearner(model, { C }), { message: /C must be/ });
    t.throws(() => new SubgradientLearner(model, { C }), { message: /C must be/ });
    t.throws(() => new PerceptronLearner(model, { C }), { message: /C must be/ });
  }
  t.throws(() => new BcfwLearner(model, { maxPasses: 0 }), { message: /maxPasses must be >= 1, got 0/ });
  t.throws(() => new BcfwLearner(model, { maxPasses: NaN }), { instanceOf: RangeError, message: /maxPasses expects an integer, got NaN/ });
  t.throws(() => new BcfwLearner(model, { tolerance: -1 }), { message: /tolerance must be >= 0, got -1/ });
  t.throws(() => new BcfwLearner(model).fit(X, Y.slice(1)), { message: /5 inputs but 4 outputs/ });
  t.throws(() => new BcfwLearner(model).fit([], []), { message: /no training examples/ });
  t.throws(() => new BcfwLearner(model, { w0: new Float64Array(3) }).fit(X, Y), { message: /w0 length 3 !== model.sizeJointFeature 15/ });
  const bad = X.map((x) => x.slice());
  bad[3]![1] = NaN;
  t.throws(() => new BcfwLearner(model).fit(bad, Y), { message: /training example #4: feature 2 is NaN/ });
  const chain = new DenseChainModel({ labels: 2, features: 2 });
  const cx = [
    { T: 2, D: 2, features: new Float64Array(4) },
    { T: 2, D: 2, features: new Float64Array(3) },
  ];
  const cy = [new Int32Array(2), new Int32Array(2)];
  t.throws(() => new SubgradientLearner(chain).fit(cx, cy), { message: /training example #2: features length 3 !== T·D = 2·2/ });
  t.throws(() => new SubgradientLearner(chain).fit([{ T: 0, D: 2, features: new Float64Array(0) }], [new Int32Array(0)]), {
    message: /training example #1: empty sequence/,
  });
  t.throws(() => createLearner('nope' as 'bcfw', model), { message: /unknown learner "nope"/ });
});
