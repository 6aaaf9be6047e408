import test from 'ava';
import { createRng } from '@ebmkit/core';
import { chiSquareTest } from '@ebmkit/core/testing';
import { alphaExpansion, binaryGraphCut, gibbsSample, gridEnergy, icm, meanField, pottsCompatibility } from '@ebmkit/segment';
import { bruteForceGrid, labellingIndex, randomGridEnergy } from './helpers.js';

test('binary graph cut finds the brute-force minimum on every 3×3 grid tried (Potts and submodular, 4- and 8-connected)', (t) => {
  const rng = createRng(1);
  for (let trial = 0; trial < 60; trial++) {
    const conn = trial % 2 === 0 ? 4 : 8;
    const compat =
      trial % 3 === 0
        ? undefined
        : Float64Array.from([rng.uniform() - 0.5, 1 + rng.uniform(), 0.5 + rng.uniform(), rng.uniform() - 0.5]);
    const e = randomGridEnergy(rng, 3, 3, 2, conn, compat ? { compatibility: compat } : {});
    const bf = bruteForceGrid(e);
    const gc = binaryGraphCut(e);
    t.true(Math.abs(gc.energy - bf.minEnergy) < 1e-9, `trial ${trial}: graph cut ${gc.energy} vs brute force ${bf.minEnergy}`);
    t.true(Math.abs(gridEnergy(e, gc.labels) - gc.energy) < 1e-12);
  }
});

test('binary graph cut refuses a non-submodular compatibility and a 3-label energy', (t) => {
  const rng = createRng(2);
  const e = randomGridEnergy(rng, 2, 2, 2, 4, { compatibility: Float64Array.from([1, 0, 0, 1]) });
  t.throws(() => binaryGraphCut(e), { message: /not submodular/ });
  t.throws(() => binaryGraphCut(randomGridEnergy(rng, 2, 2, 3, 4)), { message: /2 labels/ });
});

test('α-expansion is exact on binary grids and within the Potts factor 2 on 2×3 ternary grids; never worse than ICM start', (t) => {
  const rng = createRng(3);
  let exact = 0;
  for (let trial = 0; trial < 40; trial++) {
    const conn = trial % 2 === 0 ? 4 : 8;
    const e = randomGridEnergy(rng, 3, 2, 3, conn, { compatibility: pottsCompatibility(3) });
    const bf = bruteForceGrid(e);
    const ae = alphaExpansion(e);
    t.true(ae.energy >= bf.minEnergy - 1e-9);
    // Potts bound E(ŷ) ≤ 2·E(y*) for non-negative unaries: measure both above Σ_p min_k U_p(k).
    let shift = 0;
    for (let p = 0; p < 6; p++) shift += Math.min(e.unary[3 * p]!, e.unary[3 * p + 1]!, e.unary[3 * p + 2]!);
    t.true(ae.energy - shift <= 2 * (bf.minEnergy - shift) + 1e-9, 'within the Potts factor 2');
    t.true(Math.abs(gridEnergy(e, ae.labels) - ae.energy) < 1e-12);
    if (Math.abs(ae.energy - bf.minEnergy) < 1e-9) exact++;
    const b = randomGridEnergy(rng, 3, 3, 2, conn);
    t.true(Math.abs(alphaExpansion(b).energy - bruteForceGrid(b).minEnergy) < 1e-9, 'binary expansion is one exact cut');
  }
  t.true(exact >= 36, `α-expansion found the exact minimum on ${exact}/40 ternary grids`);
});

test('α-expansion with a learned (non-metric) compatibility never raises the energy of its start', (t) => {
  const rng = createRng(4);
  for (let trial = 0; trial < 20; trial++) {
    const C = new Float64Array(9);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) C[a * 3 + b] = a === b ? 0 : 3 * rng.uniform();
    const e = randomGridEnergy(rng, 3, 2, 3, 8, { compatibility: C });
    const init = Uint8Array.from({ length: 6 }, () => rng.int(3));
    const ae = alphaExpansion(e, { init });
    t.true(ae.energy <= gridEnergy(e, init) + 1e-12);
    t.true(ae.energy >= bruteForceGrid(e).minEnergy - 1e-9);
  }
});

test('ICM reaches a local minimum: no single-pixel change lowers its energy', (t) => {
  const rng = createRng(5);
  for (let trial = 0; trial < 20; trial++) {
    const e = randomGridEnergy(rng, 4, 3, 3, 8);
    const r = icm(e);
    for (let p = 0; p < 12; p++) {
      for (let k = 0; k < 3; k++) {
        const y = r.labels.slice();
        y[p] = k;
        t.true(gridEnergy(e, y) >= r.energy - 1e-12);
      }
    }
  }
});

test('Gibbs sampling matches the exact distribution of a 2×2 ternary grid (chi-square)', (t) => {
  const rng = createRng(6);
  const e = randomGridEnergy(rng, 2, 2, 3, 8, { maxWeight: 1 });
  const bf = bruteForceGrid(e);
  const probs = Array.from(bf.energies, (en) => Math.exp(-en - bf.logZ));
  const counts = new Float64Array(probs.length);
  let y: Uint8Array = new Uint8Array(4);
  for (let s = 0; s < 20000; s++) {
    y = gibbsSample(e, { rng, sweeps: 2, init: y }).labels;
    counts[labellingIndex(y, 3)]++;
  }
  const chi = chiSquareTest(counts, probs);
  t.true(chi.pValue > 1e-3, `chi-square p = ${chi.pValue}`);
});

test('Gibbs marginal estimates are close to the exact marginals on a 2×3 binary grid', (t) => {
  const rng = createRng(7);
  const e = randomGridEnergy(rng, 3, 2, 2, 4, { maxWeight: 1.5 });
  const bf = bruteForceGrid(e);
  const exact = new Float64Array(12);
  bf.energies.forEach((en, i) => {
    const pr = Math.exp(-en - bf.logZ);
    for (let p = 0; p < 6; p++) exact[p * 2 + ((i >> (5 - p)) & 1)] += pr;
  });
  const est = gibbsSample(e, { rng, sweeps: 20000, burnIn: 100, marginals: true }).marginals!;
  for (let i = 0; i < 12; i++) t.true(Math.abs(est[i]! - exact[i]!) < 0.02, `marginal ${i}: ${est[i]} vs ${exact[i]}`);
});

test('mean-field: exact without coupling, free energy ≥ −log Z, and close marginals under weak coupling', (t) => {
  const rng = createRng(8);
  const e0 = randomGridEnergy(rng, 3, 2, 3, 4, { maxWeight: 0 });
  const bf0 = bruteForceGrid(e0);
  const mf0 = meanField(e0);
  t.true(Math.abs(mf0.freeEnergy + bf0.logZ) < 1e-9, 'no coupling: F = −log Z');
  for (let trial = 0; trial < 10; trial++) {
    const e = randomGridEnergy(rng, 3, 2, 3, 8, { maxWeight: 2 });
    const bf = bruteForceGrid(e);
    const mf = meanField(e);
    t.true(mf.freeEnergy >= -bf.logZ - 1e-9, `F ${mf.freeEnergy} < −log Z ${-bf.logZ}`);
    for (let p = 0; p < 6; p++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += mf.marginals[p * 3 + k]!;
      t.true(Math.abs(s - 1) < 1e-12);
    }
  }
  const weak = randomGridEnergy(rng, 3, 2, 2, 4, { maxWeight: 0.05 });
  const bfw = bruteForceGrid(weak);
  const mfw = meanField(weak);
  const exact = new Float64Array(12);
  bfw.energies.forEach((en, i) => {
    const pr = Math.exp(-en - bfw.logZ);
    for (let p = 0; p < 6; p++) exact[p * 2 + ((i >> (5 - p)) & 1)] += pr;
  });
  for (let i = 0; i < 12; i++) t.true(Math.abs(mfw.marginals[i]! - exact[i]!) < 0.01);
});
