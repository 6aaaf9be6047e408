import test from 'ava';
import {
  addHammingLoss,
  ChainDistribution,
  ChainWorkspace,
  createRng,
  hammingLoss,
  MaxSemiring,
  SumSemiring,
  type ChainPotentials,
} from '@ebmkit/core';
import {
  bruteForceChain,
  bruteForceSemiring,
  chiSquareTest,
  enumerateLabellings,
  labellingIndex,
  randomChainPotentials,
} from '@ebmkit/core/testing';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

// Every (T, L) with T ≤ 5, L ≤ 4, several random draws each, with and without start/end and forbidden transitions.
function* cases(): Generator<{ name: string; p: ChainPotentials }> {
  const rng = createRng(20261129);
  for (let T = 1; T <= 5; T++) {
    for (let L = 1; L <= 4; L++) {
      for (let rep = 0; rep < 3; rep++) {
        const startEnd = rep === 1;
        const forbid = rep === 2 && L > 2 ? 0.3 : 0;
        yield {
          name: `T=${T} L=${L} rep=${rep}`,
          p: randomChainPotentials(rng, T, L, { scale: 1.5, startEnd, forbidTransitions: forbid }),
        };
      }
    }
  }
}

test('log Z equals brute-force enumeration in the sum semiring', (t) => {
  for (const { name, p } of cases()) {
    const bf = bruteForceChain(p);
    const d = new ChainDistribution(p);
    t.true(close(d.logPartition, bf.logZ), `${name}: ${d.logPartition} vs ${bf.logZ}`);
    t.true(close(bruteForceSemiring(p, SumSemiring), bf.logZ), name);
  }
});

test('Viterbi (max semiring) equals brute-force argmax and score', (t) => {
  for (const { name, p } of cases()) {
    const bf = bruteForceChain(p);
    const best = new ChainDistribution(p).argmax();
    t.true(close(best.score, bf.argmax.score), `${name}: ${best.score} vs ${bf.argmax.score}`);
    t.true(close(bruteForceSemiring(p, MaxSemiring), bf.argmax.score), name);
    // The path's own score must be the reported score (ties may pick a different but equally good path).
    t.true(close(new ChainDistribution(p).score(best.labels), bf.argmax.score), name);
  }
});

test('node and edge marginals equal brute force', (t) => {
  for (const { name, p } of cases()) {
    const bf = bruteForceChain(p);
    const m = new ChainDistribution(p).marginals({ edges: true });
    t.true(maxDiff(m.node, bf.node) < 1e-10, `${name} node ${maxDiff(m.node, bf.node)}`);
    t.true(maxDiff(m.edges!, bf.edges) < 1e-10, `${name} edges`);
    t.true(maxDiff(m.edgeSum, bf.edgeSum) < 1e-10, `${name} edgeSum`);
  }
});

test('top-k equals the k best labellings by enumeration', (t) => {
  for (const { name, p } of cases()) {
    const bf = bruteForceChain(p);
    for (const k of [1, 3, 7]) {
      const got = new ChainDistribution(p).topK(k);
      const want = bf.topK(k);
      t.is(got.length, want.length, `${name} k=${k}`);
      for (let i = 0; i < want.length; i++) {
        t.true(close(got[i]!.score, want[i]!.score), `${name} k=${k} rank ${i}: ${got[i]!.score} vs ${want[i]!.score}`);
        t.true(close(new ChainDistribution(p).score(got[i]!.labels), got[i]!.score), `${name} k=${k} rank ${i} self-score`);
      }
      // Distinct labellings.
      t.is(new Set(got.map((g) => g.labels.join(','))).size, got.length, `${name} k=${k} distinct`);
    }
  }
});

test('entropy and log-probabilities equal brute force', (t) => {
  for (const { name, p } of cases()) {
    const bf = bruteForceChain(p);
    const d = new ChainDistribution(p);
    t.true(close(d.entropy(), bf.entropy, 1e-8), `${name}: ${d.entropy()} vs ${bf.entropy}`);
    let i = 0;
    for (const y of enumerateLabellings(p.T, p.L)) {
      const lp = d.logProb(y);
      const want = Math.log(bf.probs[i++]!);
      t.true(lp === want || close(lp, want, 1e-9), `${name} logProb`);
    }
  }
});

test('samples follow the exact distribution (chi-square, fixed seed)', (t) => {
  const rng = createRng(7);
  const p = randomChainPotentials(rng, 4, 3, { scale: 1, startEnd: true });
  const bf = bruteForceChain(p);
  const d = new ChainDistribution(p);
  const counts = new Float64Array(bf.probs.length);
  const n = 40000;
  for (let s = 0; s < n; s++) counts[labellingIndex(d.sample(rng), p.L)]!++;
  const { pValue, statistic, df } = chiSquareTest(counts, bf.probs);
  t.true(pValue > 0.001, `chi2 = ${statistic} on ${df} df, p = ${pValue}`);
  // And the test has power: samples from a different distribution are rejected.
  const q = randomChainPotentials(createRng(8), 4, 3, { scale: 1, startEnd: true });
  const other = new ChainDistribution(q);
  const counts2 = new Float64Array(bf.probs.length);
  for (let s = 0; s < n; s++) counts2[labellingIndex(other.sample(rng), p.L)]!++;
  t.true(chiSquareTest(counts2, bf.probs).pValue < 1e-6);
});

test('forbidden transitions are never sampled, decoded or given mass', (t) => {
  const L = 3;
  const transition = new Float64Array(L * L);
  transition[0 * L + 2] = -Infinity; // 0 → 2 forbidden
  const unary = new Float64Array(6 * L);
  unary[1 * L + 0] = 5;
  unary[2 * L + 2] = 5; // the forbidden path would be best without the constraint
  const d = new ChainDistribution({ T: 6, L, unary, transition });
  const best = d.argmax().labels;
  for (let i = 1; i < best.length; i++) t.false(best[i - 1] === 0 && best[i] === 2);
  t.is(d.marginals().edgeSum[0 * L + 2], 0);
  const rng = createRng(3);
  for (let s = 0; s < 2000; s++) {
    const y = d.sample(rng);
    for (let i = 1; i < y.length; i++) t.false(y[i - 1] === 0 && y[i] === 2);
  }
});

test('an impossible chain has log Z = −∞ and argmax throws a clear error', (t) => {
  const L = 2;
  const unary = new Float64Array([0, -Infinity, -Infinity, 0]);
  const transition = new Float64Array([0, -Infinity, 0, 0]); // 0 → 1 forbidden, but t0 must be 0 and t1 must be 1
  const d = new ChainDistribution({ T: 2, L, unary, transition });
  t.is(d.logPartition, -Infinity);
  t.throws(() => d.argmax(), { message: /no labelling/ });
});

test('NaN or +∞ potentials are refused with the position in the message', (t) => {
  const unary = new Float64Array(6);
  unary[4] = NaN;
  t.throws(() => new ChainDistribution({ T: 3, L: 2, unary, transition: new Float64Array(4) }), {
    message: /unary\[t=2, y=0\] is NaN/,
  });
  t.throws(() => new ChainDistribution({ T: 3, L: 2, unary: new Float64Array(5), transition: new Float64Array(4) }), {
    message: /unary length 5 < T·L/,
  });
});

test('T = 100,000 and L = 50: finite log Z, normalised marginals, consistent Viterbi', (t) => {
  const rng = createRng(11);
  const T = 100_000;
  const L = 50;
  const p = randomChainPotentials(rng, T, L, { scale: 3 });
  const d = new ChainDistribution(p);
  const logZ = d.logPartition;
  t.true(Number.isFinite(logZ), `logZ = ${logZ}`);
  const best = d.argmax();
  t.true(Number.isFinite(best.score));
  t.true(close(d.score(best.labels), best.score, 1e-12));
  t.true(best.score <= logZ);
  const m = d.marginals();
  let worst = 0;
  for (let s = 0; s < T; s += 997) {
    let sum = 0;
    for (let y = 0; y < L; y++) {
      const v = m.node[s * L + y]!;
      t.true(v >= 0 && v <= 1 + 1e-12);
      sum += v;
    }
    worst = Math.max(worst, Math.abs(sum - 1));
  }
  t.true(worst < 1e-9, `node marginals sum off by ${worst}`);
  let edgeTotal = 0;
  for (const v of m.edgeSum) edgeTotal += v;
  t.true(Math.abs(edgeTotal - (T - 1)) < 1e-6 * T);
  t.true(Number.isFinite(d.entropy()));
  t.false(Number.isNaN(d.logProb(d.sample(rng))));
});

test('very large potentials (scale 1e3) stay exact against brute force', (t) => {
  const rng = createRng(5);
  for (let rep = 0; rep < 5; rep++) {
    const p = randomChainPotentials(rng, 4, 3, { scale: 1000 });
    const bf = bruteForceChain(p);
    const d = new ChainDistribution(p);
    t.true(close(d.logPartition, bf.logZ, 1e-12), `${d.logPartition} vs ${bf.logZ}`);
    t.true(maxDiff(d.marginals().node, bf.node) < 1e-9);
  }
});

test('a reused workspace gives the same results as fresh distributions', (t) => {
  const rng = createRng(9);
  const ws = new ChainWorkspace();
  for (let rep = 0; rep < 20; rep++) {
    const p = randomChainPotentials(rng, 1 + rng.int(30), 1 + rng.int(6));
    const node = new Float64Array(p.T * p.L);
    const edgeSum = new Float64Array(p.L * p.L);
    const logZ = ws.sumProduct(p, node, edgeSum);
    const d = new ChainDistribution(p);
    t.true(close(logZ, d.logPartition, 1e-12));
    t.true(maxDiff(node, d.marginals().node) < 1e-12);
    t.true(maxDiff(edgeSum, d.marginals().edgeSum) < 1e-12);
  }
});

test('loss-augmented decoding with folded Hamming loss equals brute-force max of score + loss', (t) => {
  const rng = createRng(13);
  for (let rep = 0; rep < 30; rep++) {
    const T = 1 + rng.int(5);
    const L = 1 + rng.int(4);
    const p = randomChainPotentials(rng, T, L);
    const y = Int32Array.from({ length: T }, () => rng.int(L));
    const cw = Float64Array.from({ length: L }, () => 0.5 + rng.uniform());
    const aug = { ...p, unary: addHammingLoss(p.unary, T, L, y, { classWeights: cw }) };
    const got = new ChainDistribution(aug).argmax();
    let best = -Infinity;
    for (const yy of enumerateLabellings(T, L)) {
      best = Math.max(best, new ChainDistribution(p).score(yy) + hammingLoss(y, yy, cw));
    }
    t.true(close(got.score, best), `${got.score} vs ${best}`);
    t.true(close(new ChainDistribution(p).score(got.labels) + hammingLoss(y, got.labels, cw), best));
  }
});

test('the log-domain semiring and a generic semiring built from plus/times run the same DP exactly', async (t) => {
  const { backtrace, forward, genericMatvec, liftChain, LogSemiring } = await import('@ebmkit/core');
  const rng = createRng(21);
  const p = randomChainPotentials(rng, 4, 3, { scale: 1, startEnd: true });
  const bf = bruteForceChain(p);
  const T = p.T;
  const L = p.L;
  const alpha = new Float64Array(T * L);
  const logScale = new Float64Array(T);
  const scratch = new Float64Array(L);
  const generic = { ...LogSemiring, name: 'generic-log', matvec: genericMatvec(LogSemiring) };
  for (const sr of [LogSemiring, generic, SumSemiring, { ...MaxSemiring, matvec: genericMatvec(MaxSemiring) }]) {
    const chain = liftChain(sr, p);
    const total = forward(sr, chain, alpha, logScale);
    const want = sr.name.includes('max') ? bf.argmax.score : bf.logZ;
    t.true(close(total, want, 1e-12), `${sr.name}: ${total} vs ${want}`);
  }
  // Backward sampling in the log domain follows the exact distribution too.
  const chain = liftChain(LogSemiring, p);
  forward(LogSemiring, chain, alpha, logScale);
  const counts = new Float64Array(bf.probs.length);
  const y = new Int32Array(T);
  for (let s = 0; s < 20000; s++) counts[labellingIndex(backtrace(LogSemiring, chain, alpha, rng, y, scratch), L)]!++;
  const chi = chiSquareTest(counts, bf.probs);
  t.true(chi.pValue > 0.001, `chi2 ${chi.statistic} df ${chi.df} p ${chi.pValue}`);
});

test('a workspace alternating semirings and transition tables matches fresh distributions (cache invalidation)', (t) => {
  const rng = createRng(31);
  const ws = new ChainWorkspace();
  const a = randomChainPotentials(rng, 6, 4);
  const b = { ...randomChainPotentials(rng, 6, 4), unary: a.unary };
  const sameValues = { ...a, transition: Float64Array.from(a.transition) }; // equal values, another array
  for (const p of [a, b, a, sameValues, b, a]) {
    const d = new ChainDistribution(p);
    const y = new Int32Array(p.T);
    t.true(close(ws.viterbi(p, y), d.argmax().score, 1e-12));
    const node = new Float64Array(p.T * p.L);
    const es = new Float64Array(p.L * p.L);
    t.true(close(ws.sumProduct(p, node, es), d.logPartition, 1e-12));
    t.true(maxDiff(node, d.marginals().node) < 1e-12);
    t.true(maxDiff(es, d.marginals().edgeSum) < 1e-12);
    t.true(close(ws.logPartition(p), d.logPartition, 1e-12));
  }
  // Mutating a table in place between calls is seen too.
  const p = randomChainPotentials(rng, 5, 3);
  const before = ws.logPartition(p);
  p.transition[4] += 1;
  const after = ws.logPartition(p);
  t.true(close(after, new ChainDistribution(p).logPartition, 1e-12));
  t.not(before, after);
});

test("MaxSemiring's blocked matvec equals the plain max-plus loop exactly (any L, −∞ entries, with and without u)", async (t) => {
  const { genericMatvec } = await import('@ebmkit/core');
  const plain = genericMatvec(MaxSemiring);
  const rng = createRng(47);
  for (let L = 1; L <= 11; L++) {
    for (let rep = 0; rep < 20; rep++) {
      const draw = (n: number) => Float64Array.from({ length: n }, () => (rng.uniform() < 0.15 ? -Infinity : 10 * (rng.uniform() - 0.5)));
      const v = draw(2 * L);
      const N = draw(L * L);
      const u = draw(3 * L);
      for (const withU of [false, true]) {
        const want = new Float64Array(2 * L).fill(7);
        const got = new Float64Array(2 * L).fill(7);
        plain(L, v, L, N, withU ? u : null, L, want, L);
        MaxSemiring.matvec(L, v, L, N, withU ? u : null, L, got, L);
        t.deepEqual(got, want, `L=${L} u=${withU}`);
      }
    }
  }
});
