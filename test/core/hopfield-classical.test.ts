// Classical Hopfield networks: energy descent under asynchronous updates, stored patterns as fixed points,
// synchronous dynamics ending in fixed points or 2-cycles, pseudo-inverse vs Hebbian storage, the model file.
import test from 'ava';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRng, type Rng } from '@ebmkit/core';
import { HopfieldNetwork, hammingDistance, loadHopfield, saveHopfield } from '@ebmkit/core/energy';

/** A random symmetric zero-diagonal network with Gaussian weights and biases. */
function randomNetwork(n: number, rng: Rng, biasScale = 0.3): HopfieldNetwork {
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const w = rng.normal();
      W[i * n + j] = w;
      W[j * n + i] = w;
    }
  }
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = biasScale * rng.normal();
  return new HopfieldNetwork({ size: n, weights: W, bias: b });
}

function randomSpins(rows: number, cols: number, rng: Rng): { rows: number; cols: number; data: Float64Array } {
  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) data[k] = rng.uniform() < 0.5 ? -1 : 1;
  return { rows, cols, data };
}

test('energy is −½ sᵀWs − bᵀs (brute force on a 3-unit network)', (t) => {
  const net = new HopfieldNetwork({ size: 3, weights: Float64Array.from([0, 1, -2, 1, 0, 0.5, -2, 0.5, 0]), bias: Float64Array.from([0.1, -0.2, 0.3]) });
  const s = [1, -1, 1];
  // sᵀWs = 2 (W01 s0 s1 + W02 s0 s2 + W12 s1 s2) = 2 (−1 − 2 − 0.5) = −7; bᵀs = 0.1 + 0.2 + 0.3 = 0.6
  t.true(Math.abs(net.energy(s) - (3.5 - 0.6)) < 1e-12, `E = ${net.energy(s)}`);
});

test('asynchronous updates never raise the energy and stop at a fixed point (random symmetric W)', (t) => {
  const rng = createRng(1);
  for (let trial = 0; trial < 20; trial++) {
    const n = 10 + trial * 3;
    const net = randomNetwork(n, rng);
    const s = randomSpins(1, n, rng).data;
    const r = net.recallAsync(s, rng, { maxSteps: 200 });
    t.true(r.converged, `trial ${trial}: no fixed point in ${r.sweeps} sweeps`);
    for (let k = 1; k < r.energies.length; k++) t.true(r.energies[k]! <= r.energies[k - 1]! + 1e-9, `trial ${trial}: energy rose at sweep ${k}`);
    t.true(Math.abs(r.energies.at(-1)! - net.energy(s)) < 1e-8, 'the tracked energy is the energy of the final state');
    // a fixed point: no single flip lowers the energy
    for (let i = 0; i < n; i++) {
      const f = Float64Array.from(s);
      f[i] = -f[i]!;
      t.true(net.energy(f) >= net.energy(s) - 1e-9, `trial ${trial}: flipping unit ${i} lowers E`);
    }
  }
});

test('asynchronous recall is seeded: the same seed gives the same path', (t) => {
  const rng = createRng(2);
  const net = randomNetwork(40, rng);
  const s0 = randomSpins(1, 40, rng).data;
  const a = Float64Array.from(s0);
  const b = Float64Array.from(s0);
  const ra = net.recallAsync(a, createRng(7));
  const rb = net.recallAsync(b, createRng(7));
  t.deepEqual(Array.from(a), Array.from(b));
  t.deepEqual(ra.energies, rb.energies);
});

test('Hebbian: a few random patterns are fixed points and are recalled from 10 % flips', (t) => {
  const rng = createRng(3);
  const n = 200;
  const patterns = randomSpins(8, n, rng); // P/N = 0.04, well below 0.14
  const net = HopfieldNetwork.hebbian(patterns);
  for (let k = 0; k < 8; k++) {
    const s = patterns.data.slice(k * n, (k + 1) * n);
    const r = net.recallAsync(s, rng);
    t.is(r.flips, 0, `pattern ${k} is not a fixed point`);
    for (let i = 0; i < n; i++) if (rng.uniform() < 0.1) s[i] = -s[i]!;
    net.recallAsync(s, rng);
    t.is(hammingDistance(s, patterns.data.subarray(k * n, (k + 1) * n)), 0, `pattern ${k} not recalled`);
    const sync = patterns.data.slice(k * n, (k + 1) * n);
    t.is(net.recallSync(sync).outcome, 'fixed-point');
  }
});

test('synchronous updates end in a fixed point or a 2-cycle, never a longer cycle', (t) => {
  const rng = createRng(4);
  const seen = { 'fixed-point': 0, 'two-cycle': 0, 'max-steps': 0 };
  for (let trial = 0; trial < 40; trial++) {
    const n = 12;
    const net = randomNetwork(n, rng, 0.1);
    const s = randomSpins(1, n, rng).data;
    // record every state: the first repeat must come 1 or 2 steps after the state it repeats
    const states: string[] = [Array.from(s).join()];
    let firstRepeatPeriod = 0;
    const r = net.recallSync(s, {
      maxSteps: 200,
      onStep: (step) => {
        if (step === 0) return;
        const key = Array.from(s).join();
        const at = states.lastIndexOf(key);
        if (at >= 0 && firstRepeatPeriod === 0) firstRepeatPeriod = states.length - at;
        states.push(key);
      },
    });
    seen[r.outcome]++;
    t.not(r.outcome, 'max-steps', `trial ${trial}`);
    t.true(firstRepeatPeriod === 1 || firstRepeatPeriod === 2, `trial ${trial}: period ${firstRepeatPeriod}`);
    t.is(firstRepeatPeriod, r.outcome === 'fixed-point' ? 1 : 2);
  }
  t.true(seen['two-cycle'] > 0 && seen['fixed-point'] > 0, `both outcomes occur: ${JSON.stringify(seen)}`);
});

test('a hand-made 2-cycle: W = −(J − I) on 2 units flips both forever', (t) => {
  const net = new HopfieldNetwork({ size: 2, weights: Float64Array.from([0, -1, -1, 0]), bias: new Float64Array(2) });
  const s = Float64Array.from([1, 1]);
  const r = net.recallSync(s);
  t.is(r.outcome, 'two-cycle');
  t.is(r.steps, 2);
  t.deepEqual(Array.from(s), [1, 1]);
});

test('pseudo-inverse stores correlated patterns that Hebbian storage cannot', (t) => {
  // 12 patterns on 60 units, each a 70 % copy of one prototype: strongly correlated, P/N = 0.2.
  const rng = createRng(5);
  const n = 60;
  const P = 12;
  const proto = randomSpins(1, n, rng).data;
  const data = new Float64Array(P * n);
  for (let k = 0; k < P; k++) for (let i = 0; i < n; i++) data[k * n + i] = rng.uniform() < 0.7 ? proto[i]! : -proto[i]!;
  const patterns = { rows: P, cols: n, data };
  const stable = (net: HopfieldNetwork) => {
    let count = 0;
    for (let k = 0; k < P; k++) {
      const s = data.slice(k * n, (k + 1) * n);
      if (net.recallAsync(s, createRng(k)).flips === 0) count++;
    }
    return count;
  };
  const pinv = HopfieldNetwork.pseudoInverse(patterns);
  const hebb = HopfieldNetwork.hebbian(patterns);
  t.is(stable(pinv), P, 'every pattern is a fixed point of the projection rule');
  t.true(stable(hebb) <= P / 2, `Hebbian keeps ${stable(hebb)} of ${P}`);
  // the projection rule's W is (projection with zero diagonal): W ξ = (1 − diag) ξ
  const s = data.subarray(0, n);
  const g = pinv.gradient(s);
  for (let i = 0; i < n; i++) t.true(Math.sign(-g[i]!) === s[i], `unit ${i}`);
});

test('storage checks its input', (t) => {
  t.throws(() => HopfieldNetwork.hebbian({ rows: 1, cols: 3, data: Float64Array.from([1, 0, -1]) }), { message: /pattern 0 unit 1 is 0, expected −1 or \+1/ });
  const dup = { rows: 2, cols: 4, data: Float64Array.from([1, -1, 1, 1, 1, -1, 1, 1]) };
  t.throws(() => HopfieldNetwork.pseudoInverse(dup), { message: /linearly dependent|linear combination/ });
  t.throws(() => new HopfieldNetwork({ size: 2, weights: Float64Array.from([0, 1, 2, 0]), bias: new Float64Array(2) }), { message: /not symmetric/ });
  t.throws(() => new HopfieldNetwork({ size: 2, weights: Float64Array.from([1, 0, 0, 0]), bias: new Float64Array(2) }), { message: /diagonal must be 0/ });
  const net = HopfieldNetwork.hebbian({ rows: 1, cols: 3, data: Float64Array.from([1, 1, -1]) });
  t.throws(() => net.recallAsync(Float64Array.from([1, 0.5, 1]), createRng(1)), { message: /state\[1\] is 0.5/ });
});

test('saveHopfield / loadHopfield round-trip a classical network', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hopfield-'));
  try {
    const net = HopfieldNetwork.hebbian(randomSpins(3, 20, createRng(6)));
    const file = path.join(dir, 'h.ebm');
    await saveHopfield(file, net, { shape: [4, 5] });
    const back = await loadHopfield(file);
    t.is(back.type, 'classical');
    t.deepEqual(back.metadata, { shape: [4, 5] });
    t.deepEqual(Array.from((back.network as HopfieldNetwork).weights), Array.from(net.weights));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
