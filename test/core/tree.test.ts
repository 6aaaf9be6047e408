import test from 'ava';
import { createRng, isProjective, TreeDistribution, treeError, type TreePotentials } from '@ebmkit/core';
import { bruteForceTree, checkGradient, chiSquareTest, enumerateTrees, randomTreePotentials, treeKey } from '@ebmkit/core/testing';

const CASES = [
  { name: 'non-projective single-root', projective: false, multiRoot: false },
  { name: 'non-projective multi-root', projective: false, multiRoot: true },
  { name: 'projective single-root', projective: true, multiRoot: false },
  { name: 'projective multi-root', projective: true, multiRoot: true },
] as const;

// Known counts: rooted labelled trees (n+1)^(n−1); single-root arborescences n^(n−1); projective ones by Catalan-like numbers.
test('enumerateTrees counts the known numbers of trees', (t) => {
  t.is([...enumerateTrees(4, { multiRoot: true })].length, 5 ** 3);
  t.is([...enumerateTrees(4)].length, 4 ** 3);
  // Projective single-root trees over n words: 1, 2, 7, 30 (= C(3n−2, n−1)/n)... n = 4 → 30, multi-root 1, 3, 12, 55.
  t.is([...enumerateTrees(4, { projective: true })].length, 30);
  t.is([...enumerateTrees(4, { projective: true, multiRoot: true })].length, 55);
});

test('isProjective and treeError catch crossings, cycles and root counts', (t) => {
  t.true(isProjective([-1, 2, 0, 2], 3));
  t.false(isProjective([-1, 3, 4, 0, 3], 4)); // 3→1 crosses 4→2
  t.false(isProjective([-1, 3, 0, 4, 2], 4)); // 3→1 crosses 2→4 (heads inside both)
  t.regex(treeError([-1, 2, 1], 2)!, /root|cycle/);
  t.regex(treeError([-1, 0, 0], 2)!, /2 words are attached/);
  t.is(treeError([-1, 0, 0], 2, { multiRoot: true }), null);
  t.regex(treeError([-1, 2, 3, 2, 0], 4)!, /cycle/);
  t.regex(treeError([-1, 7], 1)!, /expected 0\.\.1/);
});

for (const c of CASES) {
  test(`${c.name}: log Z, marginals, argmax and entropy equal enumeration for n = 1..6`, (t) => {
    const rng = createRng(11);
    for (let n = 1; n <= 6; n++) {
      for (let rep = 0; rep < 3; rep++) {
        const p = randomTreePotentials(rng, n, { scale: 1.5 });
        const bf = bruteForceTree(p, c);
        const dist = new TreeDistribution(p, c);
        t.true(Math.abs(dist.logPartition - bf.logZ) < 1e-9, `n=${n} logZ ${dist.logPartition} vs ${bf.logZ}`);
        const mu = dist.marginals();
        let worst = 0;
        for (let i = 0; i < mu.length; i++) worst = Math.max(worst, Math.abs(mu[i]! - bf.marginals[i]!));
        t.true(worst < 1e-9, `n=${n} marginals off by ${worst}`);
        const best = dist.argmax();
        t.deepEqual([...best.heads], [...bf.argmax.heads], `n=${n} argmax`);
        t.true(Math.abs(best.score - bf.argmax.score) < 1e-9);
        t.true(Math.abs(dist.entropy() - bf.entropy) < 1e-9, `n=${n} entropy`);
        const i = rng.int(bf.trees.length);
        t.true(Math.abs(dist.logProb(bf.trees[i]!) - Math.log(bf.probs[i]!)) < 1e-9);
      }
    }
  });

  test(`${c.name}: samples follow the enumerated distribution (chi-square)`, (t) => {
    const rng = createRng(5);
    for (const n of [3, 4]) {
      const p = randomTreePotentials(rng, n, { scale: 1 });
      const bf = bruteForceTree(p, c);
      const dist = new TreeDistribution(p, c);
      const index = new Map(bf.trees.map((tr, i) => [treeKey(tr), i]));
      const counts = new Float64Array(bf.trees.length);
      const draws = 6000;
      for (let s = 0; s < draws; s++) {
        const tr = dist.sample(rng);
        const k = index.get(treeKey(tr));
        t.not(k, undefined, `sample ${[...tr]} is not an allowed tree`);
        counts[k!]! += 1;
      }
      const { pValue } = chiSquareTest(counts, bf.probs);
      t.true(pValue > 1e-3, `n=${n} chi-square p = ${pValue}`);
    }
  });

  test(`${c.name}: marginals are the finite-difference gradient of log Z`, (t) => {
    const rng = createRng(3);
    const p = randomTreePotentials(rng, 5);
    const N = 6;
    const finite: number[] = [];
    for (let h = 0; h < N; h++) for (let d = 1; d < N; d++) if (h !== d) finite.push(h * N + d);
    const logZ = (arcs: Float64Array) => new TreeDistribution({ n: 5, arcs }, c).logPartition;
    const grad = (arcs: Float64Array) => new TreeDistribution({ n: 5, arcs }, c).marginals();
    const check = checkGradient(logZ, grad, p.arcs, { indices: finite, epsilon: 1e-5 });
    t.true(check.maxAbsError < 1e-7, `max error ${check.maxAbsError}`);
  });
}

test('stable in log space for 250 words with large scores', (t) => {
  const rng = createRng(9);
  const n = 250;
  const p: TreePotentials = randomTreePotentials(rng, n, { scale: 40 });
  for (const c of CASES) {
    const dist = new TreeDistribution(p, c);
    const logZ = dist.logPartition;
    t.true(Number.isFinite(logZ), `${c.name} log Z ${logZ}`);
    const mu = dist.marginals();
    const N = n + 1;
    let worst = 0;
    for (let d = 1; d < N; d++) {
      let s = 0;
      for (let h = 0; h < N; h++) s += mu[h * N + d]!;
      worst = Math.max(worst, Math.abs(s - 1));
    }
    t.true(worst < 1e-6, `${c.name}: a dependent's marginals sum to 1 ± ${worst}`);
    const best = dist.argmax();
    t.is(treeError(best.heads, n, c), null);
    t.true(best.score <= logZ + 1e-6);
    t.true(dist.entropy() >= 0);
  }
});

test('argmax of the non-projective distribution scores at least the projective one', (t) => {
  const rng = createRng(21);
  for (let rep = 0; rep < 20; rep++) {
    const p = randomTreePotentials(rng, 12);
    const np = new TreeDistribution(p).argmax();
    const pr = new TreeDistribution(p, { projective: true }).argmax();
    t.true(np.score >= pr.score - 1e-9);
    t.true(isProjective(pr.heads, 12));
  }
});

test('bad potentials and trees are rejected with the values', (t) => {
  t.throws(() => new TreeDistribution({ n: 0, arcs: new Float64Array(1) }), { message: /n must be an integer ≥ 1, got 0/ });
  t.throws(() => new TreeDistribution({ n: 2, arcs: new Float64Array(4) }), { message: /arcs length 4 !== \(n\+1\)² = 9/ });
  const arcs = new Float64Array(9);
  arcs[1] = NaN;
  t.throws(() => new TreeDistribution({ n: 2, arcs }), { message: /arcs\[0→1\] is NaN/ });
  const d = new TreeDistribution({ n: 2, arcs: new Float64Array(9) });
  t.throws(() => d.logProb([-1, 2, 1]), { message: /logProb: .*(cycle|root)/ });
});

test('Chu–Liu–Edmonds finds a best tree on many small graphs, ties and nested cycles included', (t) => {
  const rng = createRng(77);
  for (let rep = 0; rep < 100; rep++) {
    const n = 4 + (rep % 2);
    const p = randomTreePotentials(rng, n, { scale: 2 });
    // Rounded scores: many ties and greedy heads with several, nested cycles.
    for (let i = 0; i < p.arcs.length; i++) if (Number.isFinite(p.arcs[i]!)) p.arcs[i] = Math.round(p.arcs[i]!);
    for (const multiRoot of [false, true]) {
      const bf = bruteForceTree(p, { multiRoot });
      const best = new TreeDistribution(p, { multiRoot }).argmax();
      t.is(treeError(best.heads, n, { multiRoot }), null);
      t.is(best.score, bf.argmax.score, `rep ${rep} n=${n} multiRoot=${multiRoot}`);
    }
  }
});
