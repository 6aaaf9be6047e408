/**
 * Kernel profile of the JEM CNN on the wasm backend (one thread): exclusive milliseconds per tfjs kernel (time inside
 * kernels a kernel calls is charged to those) for one supervised update and one SGLD step. A diagnostic for
 * packages/core/src/energy/conv-gradients.ts; it writes nothing. Run:
 *   node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/profile-kernels.ts [--reps N]
 * Environment: B=128 for the batch size of a JEM update (data and samples; default 64), BY_SHAPE=1 to split every
 * kernel's line by the shapes of its inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { Jem, sgld } from '@ebmkit/core/energy';

const repsArg = process.argv.indexOf('--reps');
const reps = repsArg >= 0 ? Number(process.argv[repsArg + 1]) : 3;
await selectBackend('wasm');

const totals = new Map<string, { ms: number; calls: number }>();
const stack: number[] = []; // child time accumulated per open frame
for (const k of tf.getKernelsForBackend('wasm')) {
  const fn = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: ((args: unknown) => {
      stack.push(0);
      const t0 = performance.now();
      const r = (fn as (a: unknown) => unknown)(args);
      const dt = performance.now() - t0;
      const child = stack.pop()!;
      if (stack.length) stack[stack.length - 1]! += dt;
      const a = args as { inputs: Record<string, { shape: number[] }> };
      const key = process.env['BY_SHAPE'] ? `${k.kernelName} ${Object.values(a.inputs).map((t) => t.shape.join('x')).join(' ')}` : k.kernelName;
      const e = totals.get(key) ?? { ms: 0, calls: 0 };
      e.ms += dt - child;
      e.calls++;
      totals.set(key, e);
      return r;
    }) as tf.KernelFunc,
  });
}

function report(title: string, wall: number, n: number): void {
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
  const kern = rows.reduce((s, [, v]) => s + v.ms, 0);
  console.log(`\n${title}: ${(wall / n).toFixed(1)} ms per rep wall, ${(kern / n).toFixed(1)} ms in kernels`);
  for (const [name, v] of rows.slice(0, 25)) console.log(`  ${name.padEnd(44)} ${(v.ms / n).toFixed(2).padStart(8)} ms  ${(v.calls / n).toFixed(0).padStart(4)} calls`);
  totals.clear();
}

const jem = Jem.create({ kind: 'cnn', inputShape: [28, 28, 1], classes: 10 }, createRng(1));
const vars = jem.variables();
const opt = tf.train.adam(1e-4);
const B = Number(process.env['B'] ?? 64);
const x = tf.randomUniform([B, 28, 28, 1], -1, 1, 'float32', 1);
const y = tf.cast(tf.oneHot(tf.tensor1d(new Int32Array(B).map((_, i) => i % 10), 'int32'), 10), 'float32');
const supStep = () => {
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, jem.logits(x)) as tf.Scalar, vars);
  value.dataSync();
  opt.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
  tf.dispose([value, grads]);
};
supStep();
totals.clear();
let t0 = performance.now();
for (let r = 0; r < reps; r++) supStep();
report(`supervised update, batch ${B}`, performance.now() - t0, reps);

sgld(jem.energy, x, { stepSize: 1, noise: 0.01, steps: 1 }, createRng(0)).dispose();
totals.clear();
t0 = performance.now();
for (let r = 0; r < reps; r++) {
  const o = sgld(jem.energy, x, { stepSize: 1, noise: 0.01, steps: 1 }, createRng(r));
  o.dataSync();
  o.dispose();
}
report(`SGLD step, batch ${B}`, performance.now() - t0, reps);
// The supervised update as trainJem makes it on the fast path (FastJemNet.jointLossGradients, the finiteness
// check, Adam), batch 64: what the bench's "ms per supervised step" times.
const fast = jem.fastPath();
if (fast) {
  const opt2 = tf.train.adam(1e-4);
  const fastStep = () => {
    const r = fast.jointLossGradients(x, y as tf.Tensor2D, undefined, { pyx: 1, px: 1, alpha: 0 });
    tf.tidy(() => tf.all(tf.stack(Object.values(r.grads).map((g) => tf.all(tf.isFinite(g))))).dataSync());
    opt2.applyGradients(r.grads as tf.NamedTensorMap as Record<string, tf.Variable>);
    tf.dispose(r.grads);
  };
  fastStep();
  totals.clear();
  t0 = performance.now();
  for (let r = 0; r < reps; r++) fastStep();
  report(`supervised update on the fast path (trainJem's), batch ${B}`, performance.now() - t0, reps);
}
console.log(`tensors alive: ${tf.memory().numTensors}`);
