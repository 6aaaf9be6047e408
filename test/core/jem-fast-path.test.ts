// The JEM fast path (jem/fast-cnn.ts + the glue kernels of wasm/tensor-glue.wat) against tfjs autodiff on the wasm
// backend: E and ∇ₓE (random inputs and inputs with exact ties in the max-pooling windows), the joint loss and every
// weight gradient, the fused kernels against plain tfjs ops (Swish over a wide range, first-maximum pooling), whole
// training runs with and without it, and where it must stay off.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { FastJemNet, Jem, sgld, trainJem, winogradConv3x3, winogradFilter, type JemArchitecture } from '@ebmkit/core/energy';

test.before(async () => {
  await selectBackend('wasm');
});

/** max |a − b| / max |b|. */
function relErr(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1e-30, tf.max(tf.abs(b)).dataSync()[0]!));
}

// conv2 over 32 channels: the fast path takes Winograd there
const CNN: JemArchitecture = { kind: 'cnn', inputShape: [12, 12, 1], classes: 5, filters: [32, 8], dense: 16 };
const MLP: JemArchitecture = { kind: 'mlp', inputShape: [6, 2], classes: 3, hidden: [8, 4] };

test('E, class energies and their ∇ₓ from the fast path equal autodiff (CNN with ties in pooling windows, MLP)', (t) => {
  for (const arch of [CNN, MLP]) {
    const jem = Jem.create(arch, createRng(3));
    const fast = FastJemNet.of(jem.model);
    t.truthy(fast, `${arch.kind}: fast path available on wasm`);
    const n = 6;
    const D = arch.inputShape.reduce((a, b) => a * b, 1);
    const xs = tf.randomUniform([n, ...arch.inputShape], -1, 1, 'float32', 7).dataSync() as Float32Array;
    // Rows 0 and 1 constant (−1 and 0.3): every pooling window of the first conv layer is a tie.
    xs.fill(-1, 0, D);
    xs.fill(0.3, D, 2 * D);
    const x = tf.tensor(xs, [n, ...arch.inputShape]);
    const ref = tf.valueAndGrad((xx: tf.Tensor) => jem.energy(xx))(x);
    const session = fast!.session();
    const got = session.energyAndGradient(x);
    t.true(relErr(got.energy, ref.value) < 1e-5, `${arch.kind}: energies`);
    t.true(relErr(got.grad, ref.grad) < 1e-4, `${arch.kind}: gradients ${relErr(got.grad, ref.grad)}`);
    t.true(tf.max(tf.abs(ref.grad)).dataSync()[0]! > 0, 'the gradient is not trivially zero');
    session.dispose();
    // Class energies E(x | y) = −f(x)[y], one class for all rows and one per row.
    for (const y of [2, Int32Array.from([0, 1, 2, 0, 1, 2])]) {
      const e = jem.classEnergy(y);
      const r = tf.valueAndGrad((xx: tf.Tensor) => e(xx))(x);
      const s = e.gradientSession!()!;
      const c = s.energyAndGradient(x);
      t.true(relErr(c.energy, r.value) < 1e-5 && relErr(c.grad, r.grad) < 1e-4, `${arch.kind}: class energy ${String(y)}`);
      s.dispose();
      tf.dispose([r.value, r.grad, c.energy, c.grad]);
    }
    tf.dispose([x, ref.value, ref.grad, got.energy, got.grad]);
    jem.dispose();
  }
});

test('the joint loss and all weight gradients from the fast path equal autodiff (with and without samples, 3 samples for 5 data)', (t) => {
  for (const arch of [CNN, MLP]) {
    const jem = Jem.create(arch, createRng(5));
    const fast = FastJemNet.of(jem.model)!;
    const vars = jem.variables();
    const B = 5;
    const K = arch.classes;
    const xPos = tf.randomUniform([B, ...arch.inputShape], -1, 1, 'float32', 11);
    const M = 3;
    const xNeg = tf.randomUniform([M, ...arch.inputShape], -1, 1, 'float32', 12);
    const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0], 'int32'), K), 'float32') as tf.Tensor2D;
    for (const neg of [xNeg, undefined]) {
      const w = { pyx: 0.8, px: 0.3, alpha: 0.05 };
      const ref = tf.variableGrads(() => {
        const f = jem.logits(neg ? tf.concat([xPos, neg], 0) : xPos);
        const fPos = tf.slice(f, [0, 0], [B, K]);
        let loss = tf.mul(tf.losses.softmaxCrossEntropy(y, fPos), w.pyx) as tf.Scalar;
        if (neg) {
          const ePos = tf.mean(tf.neg(tf.logSumExp(fPos, 1)));
          const eNeg = tf.mean(tf.neg(tf.logSumExp(tf.slice(f, [B, 0], [M, K]), 1)));
          loss = tf.add(tf.add(loss, tf.mul(tf.sub(ePos, eNeg), w.px)), tf.mul(w.alpha, tf.add(tf.square(ePos), tf.square(eNeg))));
        }
        return loss;
      }, vars);
      const got = fast.jointLossGradients(xPos, y, neg, w);
      t.true(Math.abs(got.loss - ref.value.dataSync()[0]!) < 1e-5 * Math.max(1, Math.abs(got.loss)), `${arch.kind}: loss ${got.loss}`);
      t.is(Number.isNaN(got.energySample), !neg);
      t.is(Object.keys(got.grads).length, vars.length);
      for (const v of vars) {
        const e = relErr(got.grads[v.name]!, ref.grads[v.name]!);
        t.true(e < 1e-4, `${arch.kind} ${v.name} ${neg ? 'with' : 'without'} samples: ${e}`);
      }
      tf.dispose([ref.value, ref.grads, got.grads]);
    }
    tf.dispose([xPos, xNeg, y]);
    jem.dispose();
  }
});

test('the fused Swish kernel matches tfjs over [−100, 100] and its derivative matches finite differences', (t) => {
  const n = 4096;
  const z = tf.reshape(tf.linspace(-100, 100, n), [n / 8, 8]);
  const bias = tf.tensor1d([0, 0.5, -0.5, 1, -1, 2, -2, 0.25]);
  const [a, d] = tf.engine().runKernel('EbmBiasAct', { z, bias }, { act: 1 }) as tf.Tensor[];
  const zb = tf.add(z, bias);
  const ref = tf.mul(zb, tf.sigmoid(zb));
  t.true(tf.max(tf.abs(tf.sub(a!, ref))).dataSync()[0]! < 1e-5, 'swish within 1e-5');
  // d/dz swish by central differences in float64 on the same points.
  const zs = zb.dataSync();
  const ds = d!.dataSync();
  const sw = (v: number) => v / (1 + Math.exp(-v));
  let worst = 0;
  for (let i = 0; i < zs.length; i++) worst = Math.max(worst, Math.abs(ds[i]! - (sw(zs[i]! + 1e-4) - sw(zs[i]! - 1e-4)) / 2e-4));
  t.true(worst < 1e-4, `derivative error ${worst}`);
  tf.dispose([z, bias, a!, d!, zb, ref]);
});

test('fused bias + Swish + 2×2 max-pooling keeps the first maximum and its backward pass routes there', (t) => {
  // One image, 2 × 4, four channels (the kernel needs C % 4 = 0). Channel 0: window 0 holds 5 at (0, 1) and a tied 5
  // at (1, 0); window 1 is all 3. Channel 1 is channel 0 negated (Swish's dip: not monotone), channels 2, 3 distinct.
  const ch0 = [
    [0.1, 5, 3, 3],
    [5, 1, 3, 3],
  ];
  const z4 = tf.tensor4d([ch0.map((row, h) => row.map((v, w) => [v, -v, 0.3 * h - 0.7 * w, Math.sin(3 * h + w)]))]);
  const C = 4;
  const bias = tf.zeros([C]);
  const [p, idx, d] = tf.engine().runKernel('EbmBiasActPool2', { z: z4, bias }, { act: 1 }) as tf.Tensor[];
  const ref = tf.maxPool(tf.mul(z4, tf.sigmoid(z4)) as tf.Tensor4D, 2, 2, 'valid');
  t.true(relErr(p!, ref) < 1e-5);
  const ids = idx!.dataSync();
  t.is(ids[0], 1, 'window 0, channel 0: 5 at (0, 1) comes before the tied 5 at (1, 0)');
  t.is(ids[C], 0, 'window 1, channel 0: all equal → the first element');
  const gp = tf.onesLike(p!);
  const gz = tf.engine().runKernel('EbmUnpool2Mul', { gp, idx: idx!, d: d! }, {}) as tf.Tensor;
  const refGrad = tf.grad((zz: tf.Tensor) => tf.sum(tf.maxPool(tf.mul(zz, tf.sigmoid(zz)) as tf.Tensor4D, 2, 2, 'valid')))(z4);
  t.true(relErr(gz, refGrad) < 1e-5, `unpool × derivative: ${relErr(gz, refGrad)}`);
  tf.dispose([z4, bias, p!, idx!, d!, ref, gp, gz, refGrad]);
});

test('the input gradient through a pooled convolution from the pooled gradient equals the dense route (all channel blocks, both paddings)', (t) => {
  // Ci 1 and 3 (single channels), 4 and 8 (blocks of 4), 36 and 64 (blocks of 32 + 4, two of 32); 'same' and 'valid';
  // 3 × 3 and 2 × 3 filters; a zero pooled gradient in places (left out of the lists).
  const cases: [number, number, number, number, number, number, 'same' | 'valid'][] = [
    // N, IH, IW, Ci, Co, KH×KW code, pad
    [2, 8, 6, 1, 8, 33, 'same'],
    [1, 7, 8, 3, 4, 23, 'valid'],
    [2, 6, 6, 4, 12, 33, 'same'],
    [1, 10, 8, 8, 4, 33, 'valid'],
    [2, 6, 4, 36, 8, 33, 'same'],
    [1, 4, 6, 64, 16, 23, 'same'],
  ];
  for (const [N, IH, IW, Ci, Co, kk, pad] of cases) {
    const KH = Math.floor(kk / 10);
    const KW = kk % 10;
    const x = tf.randomUniform([N, IH, IW, Ci], -1, 1, 'float32', Ci + Co);
    const W = tf.randomUniform([KH, KW, Ci, Co], -0.5, 0.5, 'float32', Ci * Co);
    const z = tf.conv2d(x as tf.Tensor4D, W as tf.Tensor4D, 1, pad);
    const bias = tf.randomUniform([Co], -0.2, 0.2, 'float32', 3);
    const [p, idx, d] = tf.engine().runKernel('EbmBiasActPool2', { z, bias }, { act: 1 }) as tf.Tensor[];
    const gp = tf.mul(tf.randomNormal(p!.shape, 0, 1, 'float32', 7), tf.cast(tf.greater(tf.randomUniform(p!.shape, 0, 1, 'float32', 8), 0.2), 'float32'));
    const gz = tf.engine().runKernel('EbmUnpool2Mul', { gp, idx: idx!, d: d! }, {}) as tf.Tensor;
    const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', inputShape: x.shape };
    const ref = tf.engine().runKernel('Conv2DBackpropInput', { dy: gz, filter: W }, attrs) as tf.Tensor;
    const got = tf.engine().runKernel('EbmPool2ConvBackInput', { gp, idx: idx!, d: d!, filter: W }, { pad, inputShape: x.shape }) as tf.Tensor;
    t.deepEqual(got.shape, x.shape);
    const e = relErr(got, ref);
    t.true(e < 1e-5, `N ${N} ${IH}×${IW}×${Ci} → ${Co}, ${KH}×${KW} ${pad}: ${e}`);
    tf.dispose([x, W, z, bias, p!, idx!, d!, gp, gz, ref, got]);
  }
});

test('the Winograd F(2×2, 3×3) convolution equals the direct one (even and odd sizes, both paddings)', (t) => {
  const cases: [number, number, number, number, number, 'same' | 'valid'][] = [
    [2, 6, 6, 4, 4, 'same'],
    [1, 7, 5, 8, 12, 'same'],
    [3, 9, 8, 32, 64, 'same'],
    [1, 7, 6, 12, 8, 'valid'],
    [2, 8, 9, 4, 16, 'valid'],
  ];
  for (const [N, H, W, Ci, Co, pad] of cases) {
    const x = tf.randomUniform([N, H, W, Ci], -1, 1, 'float32', H * W + Ci) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, Ci, Co], -0.5, 0.5, 'float32', Co) as tf.Tensor4D;
    const U = winogradFilter(w);
    const got = winogradConv3x3(x, U, pad);
    const ref = tf.conv2d(x, w, 1, pad);
    t.deepEqual(got.shape, ref.shape);
    const e = relErr(got, ref);
    t.true(e < 1e-5, `${N}×${H}×${W}×${Ci} → ${Co} ${pad}: ${e}`);
    tf.dispose([x, w, ...U, got, ref]);
  }
  const x3 = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  const U3 = winogradFilter(tf.zeros([3, 3, 3, 4]));
  t.throws(() => winogradConv3x3(x3, U3, 'same'), { message: /multiples of 4/ });
  t.throws(() => winogradConv3x3(tf.zeros([1, 4, 4, 8]) as tf.Tensor4D, U3, 'same'), { message: /16 \[8, Co\] transforms/ });
  tf.dispose([x3, ...U3]);
});

test('training with the fast path follows autodiff training (12 negatives per 8 data); SGLD uses the energy’s session', async (t) => {
  const rng = createRng(1);
  const n = 40;
  const x = new Float32Array(n * 144).map(() => rng.uniform() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_, i) => i % 5);
  const weights: Float32Array[][] = [];
  for (const fastKernels of [true, false]) {
    const jem = Jem.create(CNN, createRng(9));
    await trainJem(jem, { x, y }, { steps: 4, warmupSteps: 2, batchSize: 8, learningRate: 1e-3, sgld: { steps: 3 }, bufferCapacity: 50, energyPenalty: 0.1, negativeBatchSize: 12, fastKernels }, createRng(4));
    weights.push(jem.model.getWeights().map((w) => w.dataSync() as Float32Array));
    jem.dispose();
  }
  let worst = 0;
  weights[0]!.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - weights[1]![i]![j]!)))));
  t.true(worst < 1e-4, `largest weight difference ${worst}`);
  const bad = Jem.create(CNN, createRng(9));
  await t.throwsAsync(trainJem(bad, { x, y }, { steps: 1, negativeBatchSize: 0 }, createRng(4)), { message: /negativeBatchSize must be an integer ≥ 1, got 0/ });
  bad.dispose();
  // sgld through the session equals sgld through autodiff (same noise).
  const jem = Jem.create(CNN, createRng(2));
  const x0 = tf.randomUniform([4, 12, 12, 1], -1, 1, 'float32', 3);
  const viaSession = sgld(jem.energy, x0, { stepSize: 1, noise: 0.01, steps: 3 }, createRng(8));
  const plain = (xx: tf.Tensor) => jem.energy(xx); // no gradientSession: autodiff
  const viaAutodiff = sgld(plain, x0, { stepSize: 1, noise: 0.01, steps: 3 }, createRng(8));
  t.true(relErr(viaSession, viaAutodiff) < 1e-4);
  tf.dispose([x0, viaSession, viaAutodiff]);
  jem.dispose();
});

test.serial('the fast path stays off where it does not apply', async (t) => {
  // Filter counts that are not multiples of 4, an activation it does not fuse, EBM_JEM_KERNELS=js, another backend.
  t.is(FastJemNet.of(Jem.create({ kind: 'cnn', inputShape: [8, 8, 1], classes: 3, filters: [3, 5], dense: 8 }, createRng(1)).model), undefined);
  const relu = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), tfl.layers.dense({ units: 2 })] });
  t.is(FastJemNet.of(relu), undefined);
  const jem = Jem.create(CNN, createRng(1));
  process.env['EBM_JEM_KERNELS'] = 'js';
  try {
    t.is(FastJemNet.of(jem.model), undefined);
  } finally {
    delete process.env['EBM_JEM_KERNELS'];
  }
  t.truthy(FastJemNet.of(jem.model));
  await selectBackend('cpu');
  try {
    t.is(FastJemNet.of(jem.model), undefined);
    t.is(jem.energy.gradientSession?.(), undefined, 'the energy falls back to autodiff off wasm');
  } finally {
    await selectBackend('wasm');
  }
  jem.dispose();
});
