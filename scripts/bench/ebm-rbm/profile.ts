/**
 * Per-operation profile (process CPU time) of the binary-data RBM engine on Fashion-MNIST (784 × 500, batch 100): wraps each kernel
 * and helper of one BinaryRbmUpdater with a timer and prints ms per epoch for each, for CD-1 and PCD-1.
 *
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-rbm/profile.ts [--batches 200]
 */
import { createRng } from '@ebmkit/core';
import { binarize, rescaleToUnitInterval, Rbm } from '@ebmkit/core/energy';
import { BinaryRbmUpdater } from '../../../packages/core/src/energy/boltzmann/rbm-binary-updater.js';
import { loadFashion } from './data.js';

/** Process CPU time in ms (user + system): the timings here are CPU time, not wall time, on a shared machine. */
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const i = process.argv.indexOf('--batches');
const nb = i >= 0 ? Number(process.argv[i + 1]) : 200;
const tr = await loadFashion('train');
const x = binarize(rescaleToUnitInterval(tr.x, { min: 0, max: 255 }).matrix, 0.5);
let ones = 0;
for (const v of x.data) ones += v;
console.log(`density ${(ones / x.data.length).toFixed(3)}`);
for (const kind of ['cd', 'pcd'] as const) {
  const rng = createRng(0);
  const init = Rbm.random({ numVisible: 784, numHidden: 500, visible: 'bernoulli', rng, std: 0.01 });
  const u = BinaryRbmUpdater.create(init, { data: x, visible: 'bernoulli', batchSize: 100, kind, k: 1, momentum: 0, weightDecay: 0, sampleVisible: true, rng })!;
  const acc = new Map<string, number>();
  const wrap = (obj: any, name: string, label: string | ((a: unknown[]) => string) = name) => {
    if (typeof obj[name] !== 'function') return; // an operation this version does not have
    const f = obj[name].bind(obj);
    obj[name] = (...a: unknown[]) => {
      const t = cpuMs();
      const r = f(...a);
      const l = typeof label === 'string' ? label : label(a);
      acc.set(l, (acc.get(l) ?? 0) + cpuMs() - t);
      return r;
    };
  };
  const k = (u as any).k;
  // rowsSum by direction: up (visible → hidden, cols = padded H) or down (hidden → visible)
  wrap(k, 'rowsSum', (a) => `k.rowsSum ${a[1] === (u as any).Hp ? 'up' : 'down'}`);
  for (const n of ['rowsUpdate', 'add', 'momentumStep', 'transpose', 'sigmoid', 'scale', 'groupRows', 'groupColumns', 'bitRows', 'countIndices', 'splitRows']) wrap(k, n, `k.${n}`);
  for (const n of ['draw', 'zeroHiddenPadding', 'split', 'columns']) wrap(u, n);
  // the rows in a shuffled order, as in training
  const order = new Int32Array(x.rows).map((_, j) => j);
  createRng(5).shuffle(order);
  // warm up
  for (let b = 0; b < 20; b++) u.update(order, b * 100, b * 100 + 100, 0.01);
  acc.clear();
  const t0 = performance.now();
  const c0 = cpuMs();
  for (let b = 0; b < nb; b++) u.update(order, (b % 600) * 100, (b % 600) * 100 + 100, 0.01);
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  const per = 600 / nb;
  if (kind === 'cd') {
    const a = (u as any).onlyPosStarts as Int32Array;
    const b = (u as any).onlyNegStarts as Int32Array;
    console.log(`  units changed per reconstruction: ${(a[100]! / 100).toFixed(1)} off, ${(b[100]! / 100).toFixed(1)} on`);
  }
  const hs = (u as any).hStarts as Int32Array;
  const vs = (u as any).vStarts as Int32Array;
  console.log(`  hidden density of the last sampled hidden rows ${(hs[100]! / 100 / 500).toFixed(3)}, negative visible density ${((vs[200]! - vs[100]!) / 100 / 784).toFixed(3)}`);
  let inner = 0;
  for (const v of acc.values()) inner += v;
  console.log(`${kind}: ${((wall * per) / 1000).toFixed(2)} s/epoch wall, ${((cpu * per) / 1000).toFixed(2)} s/epoch cpu (per operation: cpu)`);
  for (const [n, v] of [...acc].sort((a, b) => b[1] - a[1])) console.log(`  ${n.padEnd(20)} ${(v * per).toFixed(0).padStart(6)} ms/epoch`);
  console.log(`  ${'rest (JS glue)'.padEnd(20)} ${((cpu - inner) * per).toFixed(0).padStart(6)} ms/epoch`);
}
