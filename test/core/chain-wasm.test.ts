// The WebAssembly SIMD sum-product kernels against the JavaScript reference loops: the committed module is the
// compiled .wat, and log Z, node marginals, summed and per-position edge marginals agree to rounding for many
// shapes (odd L, L = 1, T = 1), with forbidden transitions, start/end potentials, infeasible chains, and a
// workspace that grows (memory growth with a cached transition table).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { ChainWorkspace, createRng, type ChainPotentials } from '@ebmkit/core';
import { randomChainPotentials } from '@ebmkit/core/testing';
// @ts-expect-error a plain .mjs build script without type declarations
import { compileWat, targetOf } from '../../scripts/build-wasm.mjs';

test('the committed kernel modules are the compiled .wat files (npm run build:wasm)', async (t) => {
  for (const src of [
    'packages/core/src/chain/wasm/sum-product.wat',
    'packages/crf/src/train/wasm/state-features.wat',
    'packages/core/src/energy/boltzmann/wasm/rbm-binary.wat',
  ]) {
    const expected = (await compileWat(src)) as string;
    t.is(readFileSync(new URL(`../../${targetOf(src) as string}`, import.meta.url), 'utf8'), expected, `${src}: run npm run build:wasm`);
  }
});

test('the kernels are used in Node by default and can be turned off', (t) => {
  t.true(new ChainWorkspace().usesWasm);
  t.false(new ChainWorkspace({ wasm: false }).usesWasm);
});

function run(ws: ChainWorkspace, p: ChainPotentials) {
  const node = new Float64Array(p.T * p.L);
  const edgeSum = new Float64Array(p.L * p.L).fill(0.5); // accumulated into
  const edges = new Float64Array(Math.max(0, p.T - 1) * p.L * p.L);
  const logZ = ws.sumProduct(p, node, edgeSum, edges);
  return { logZ, node, edgeSum, edges, logZ2: ws.logPartition(p) };
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1e-300, Math.abs(a[i]!), Math.abs(b[i]!)));
  return m;
}

test('log Z and marginals equal the JavaScript loops for many shapes', (t) => {
  const rng = createRng(41);
  const wasm = new ChainWorkspace();
  const js = new ChainWorkspace({ wasm: false });
  let cases = 0;
  for (const L of [1, 2, 3, 5, 8, 9, 10, 17, 22]) {
    for (const T of [1, 2, 3, 7, 40]) {
      for (const opts of [{}, { forbidTransitions: 0.3 }, { startEnd: true, scale: 3 }]) {
        const p = randomChainPotentials(rng, T, L, opts);
        const a = run(wasm, p);
        const b = run(js, p);
        const where = `T ${T}, L ${L}, ${JSON.stringify(opts)}`;
        t.true(Math.abs(a.logZ - b.logZ) <= 1e-12 * Math.max(1, Math.abs(b.logZ)), `${where}: log Z ${a.logZ} vs ${b.logZ}`);
        t.true(Math.abs(a.logZ2 - b.logZ) <= 1e-12 * Math.max(1, Math.abs(b.logZ)), `${where}: logPartition`);
        t.true(maxRelDiff(a.node, b.node) < 1e-11, `${where}: node marginals ${maxRelDiff(a.node, b.node)}`);
        t.true(maxRelDiff(a.edgeSum, b.edgeSum) < 1e-11, `${where}: summed edge marginals`);
        t.true(maxRelDiff(a.edges, b.edges) < 1e-11, `${where}: edge marginals`);
        cases++;
      }
    }
  }
  t.is(cases, 135);
});

test('an impossible chain gives −∞ on both paths; a growing workspace keeps its cached table valid', (t) => {
  const L = 4;
  const transition = new Float64Array(L * L).fill(-Infinity);
  for (let a = 0; a < L; a++) transition[a * L + ((a + 1) % L)] = 0; // only a → a+1
  const unary = new Float64Array(3 * L).fill(-Infinity);
  unary[0] = 0; // y0 = 0
  unary[L + 3] = 0; // y1 = 3, unreachable from 0
  unary[2 * L + 0] = 0;
  const p: ChainPotentials = { T: 3, L, unary, transition };
  t.is(new ChainWorkspace().logPartition(p), -Infinity);
  t.is(new ChainWorkspace({ wasm: false }).logPartition(p), -Infinity);

  const rng = createRng(43);
  const grow = new ChainWorkspace();
  const fresh = new ChainWorkspace({ wasm: false });
  const table = randomChainPotentials(rng, 2, 6).transition;
  for (const T of [2, 5, 30, 400, 3000, 20000]) {
    const p2: ChainPotentials = { T, L: 6, unary: rng.fillNormal(new Float64Array(T * 6), 0, 1), transition: table };
    const a = run(grow, p2);
    const b = run(fresh, p2);
    t.true(Math.abs(a.logZ - b.logZ) <= 1e-12 * Math.abs(b.logZ), `T ${T}: ${a.logZ} vs ${b.logZ}`);
    t.true(maxRelDiff(a.node, b.node) < 1e-9, `T ${T}: node marginals`);
  }
});
