// The wasm backend's missing conv gradient kernels (Conv2DBackpropFilter, depthwise backprops), registered by
// @ebmkit/core/energy: checked against the cpu backend's own kernels and against finite differences, and a small
// CNN trains on wasm. The filter gradient's direct SIMD kernel (convFilterGrad of tensor-glue.wat) is checked
// against the plain-loop definition on random shapes and against the im2col + matmul path it replaced.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { filterGradientKernel, Jem, layersVariables, registerWasmConvGradients } from '@ebmkit/core/energy';

type Case = { x: number[]; f: number[]; strides: number | [number, number]; pad: 'same' | 'valid' };
const CASES: Case[] = [
  { x: [2, 6, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 5, 2], f: [3, 3, 2, 3], strides: 2, pad: 'same' },
  { x: [1, 8, 7, 2], f: [3, 2, 2, 2], strides: [2, 3], pad: 'valid' }, // (H − KH) not divisible by the stride: cropped
  { x: [3, 5, 5, 1], f: [2, 2, 1, 5], strides: 1, pad: 'valid' },
  { x: [2, 5, 6, 8], f: [3, 3, 8, 3], strides: 1, pad: 'same' }, // ≥ 8 input channels at stride 1: the flipped-filter convolution
  { x: [2, 6, 6, 9], f: [2, 3, 9, 2], strides: 2, pad: 'valid' },
  // filter gradients by the direct kernel (Co a multiple of 4): one input channel, odd sizes, strides, 4 mod 8 outputs
  { x: [3, 7, 5, 1], f: [3, 3, 1, 8], strides: 1, pad: 'same' },
  { x: [2, 9, 8, 5], f: [2, 3, 5, 12], strides: [2, 3], pad: 'valid' },
  { x: [1, 8, 7, 8], f: [3, 3, 8, 4], strides: 2, pad: 'same' },
  // input gradients with one input channel and 32·k outputs at stride 1: the kernel convInputGrad1
  { x: [2, 7, 9, 1], f: [3, 3, 1, 32], strides: 1, pad: 'same' },
  { x: [3, 6, 5, 1], f: [2, 4, 1, 64], strides: 1, pad: 'valid' },
  { x: [1, 5, 6, 1], f: [5, 4, 1, 32], strides: 1, pad: 'same' },
];

function data(shape: number[], seed: number): Float32Array {
  return createRng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
}

/** Gradients of Σ w ⊙ conv(x, f) w.r.t. x and f on the active backend. */
function convGrads(c: Case, depthwise = false): { dx: Float32Array; df: Float32Array; y: tf.Tensor } {
  return tf.tidy(() => {
    const x = tf.tensor4d(data(c.x, 1), c.x as [number, number, number, number]);
    const f = tf.tensor4d(data(c.f, 2), c.f as [number, number, number, number]);
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => (depthwise ? tf.depthwiseConv2d(a, b, c.strides, c.pad) : tf.conv2d(a, b, c.strides, c.pad));
    const y0 = conv(x, f);
    const w = tf.tensor(data(y0.shape, 3), y0.shape);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), w));
    const [dx, df] = tf.grads(loss)([x, f]);
    return { dx: dx!.dataSync() as Float32Array, df: df!.dataSync() as Float32Array, y: tf.keep(y0) };
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test.serial('the kernels are registered once, for wasm only', async (t) => {
  await selectBackend('wasm');
  t.deepEqual(registerWasmConvGradients(), [], 'already registered on import; a second call changes nothing');
  for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'Identity', 'Cast', 'Sum']) {
    t.truthy(tf.getKernel(k, 'wasm'), k);
  }
  t.is(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc.name, 'conv2DBackpropFilter', 'the cpu backend keeps its own');
});

for (const [i, c] of CASES.entries()) {
  test.serial(`conv2d gradients on wasm equal the cpu backend's (case ${i}: x ${c.x}, filter ${c.f}, strides ${c.strides}, ${c.pad})`, async (t) => {
    await selectBackend('cpu');
    const cpu = convGrads(c);
    await selectBackend('wasm');
    const wasm = convGrads(c);
    t.deepEqual(wasm.y.shape, cpu.y.shape);
    const scale = 1 + Math.max(...Array.from(cpu.df, Math.abs));
    t.true(maxDiff(wasm.df, cpu.df) < 1e-4 * scale, `filter gradient differs by ${maxDiff(wasm.df, cpu.df)}`);
    t.true(maxDiff(wasm.dx, cpu.dx) < 1e-4 * scale, `input gradient differs by ${maxDiff(wasm.dx, cpu.dx)}`);
    tf.dispose([cpu.y, wasm.y]);
  });
}

for (const c of [CASES[2]!, CASES[6]!]) {
  test.serial(`the wasm filter gradient (${filterGradientKernel(c.x, c.f, { strides: c.strides, pad: c.pad })}) matches central finite differences`, async (t) => {
    await selectBackend('wasm');
    const { df, y } = convGrads(c);
    y.dispose();
    const x = tf.tensor4d(data(c.x, 1), c.x as [number, number, number, number]);
    const fData = data(c.f, 2);
    const wData = data(tf.conv2d(x, tf.tensor4d(fData, c.f as [number, number, number, number]), c.strides, c.pad).shape, 3);
    const lossAt = (fd: Float32Array) =>
      tf.tidy(() => {
        const yy = tf.conv2d(x, tf.tensor4d(fd, c.f as [number, number, number, number]), c.strides, c.pad);
        return tf.sum(tf.mul(yy, tf.tensor(wData, yy.shape))).dataSync()[0]!;
      });
    const h = 1e-2; // the loss is linear in f, so central differences are exact up to float32 rounding
    for (let k = 0; k < fData.length; k += 3) {
      const p = Float32Array.from(fData);
      const m = Float32Array.from(fData);
      p[k]! += h;
      m[k]! -= h;
      const fd = (lossAt(p) - lossAt(m)) / (2 * h);
      t.true(Math.abs(fd - df[k]!) < 2e-3 * (1 + Math.abs(fd)), `dW[${k}]: analytic ${df[k]}, numeric ${fd}`);
    }
    x.dispose();
  });
}

type FilterCase = { x: number[]; f: number[]; strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number] };

/**
 * dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·sₕ + kh·dₕ − top, ow·s_w + kw·d_w − left, ci] · dy[n, oh, ow, co] by plain
 * loops in float64, with Σ |x · dy| per entry (the scale of float32 rounding in any summation order).
 */
function filterGradientByLoops(c: FilterCase, x: Float32Array, dy: Float32Array): { dw: Float64Array; abs: Float64Array } {
  const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, c.dilations, c.pad);
  const [N, H, W, Ci] = c.x as [number, number, number, number];
  const [KH, KW, , Co] = c.f as [number, number, number, number];
  const { outHeight: OH, outWidth: OW } = info;
  const { top, left } = info.padInfo;
  const dw = new Float64Array(KH * KW * Ci * Co);
  const abs = new Float64Array(dw.length);
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let n = 0; n < N; n++)
        for (let oh = 0; oh < OH; oh++) {
          const h = oh * c.strides[0] + kh * c.dilations[0] - top;
          if (h < 0 || h >= H) continue;
          for (let ow = 0; ow < OW; ow++) {
            const w = ow * c.strides[1] + kw * c.dilations[1] - left;
            if (w < 0 || w >= W) continue;
            for (let ci = 0; ci < Ci; ci++) {
              const xv = x[((n * H + h) * W + w) * Ci + ci]!;
              const o = ((kh * KW + kw) * Ci + ci) * Co;
              const d = ((n * OH + oh) * OW + ow) * Co;
              for (let co = 0; co < Co; co++) {
                dw[o + co]! += xv * dy[d + co]!;
                abs[o + co]! += Math.abs(xv * dy[d + co]!);
              }
            }
          }
        }
  return { dw, abs };
}

/** The wasm backend's Conv2DBackpropFilter kernel on (x, dy), called directly (dilations are not in tfjs's conv2d gradient). */
function wasmFilterGradient(c: FilterCase, x: Float32Array, dy: Float32Array, outShape: number[]): Float32Array {
  return tf.tidy(() => {
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: c.dilations, filterShape: c.f };
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, c.x as [number, number, number, number]), dy: tf.tensor(dy, outShape) }, attrs as never) as tf.Tensor;
    return dw.dataSync() as Float32Array;
  });
}

/** Random filter-gradient cases from a seeded generator: batch 1–4, sizes 1–11, 1–9 input channels, 4–24 outputs. */
function randomFilterCases(count: number, seed: number): FilterCase[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[]): T => xs[rng.int(xs.length)]!;
  const cases: FilterCase[] = [];
  while (cases.length < count) {
    const KH = 1 + rng.int(4);
    const KW = 1 + rng.int(4);
    const dilations: [number, number] = [pick([1, 1, 1, 2]), 1];
    const c: FilterCase = {
      x: [1 + rng.int(4), 1 + rng.int(11), 1 + rng.int(11), pick([1, 1, 2, 3, 4, 5, 8, 9])],
      f: [KH, KW, 0, 4 * (1 + rng.int(6))],
      strides: dilations[0] > 1 ? [1, 1] : [pick([1, 1, 2]), pick([1, 1, 2, 3])],
      pad: pick(['same', 'valid'] as const),
      dilations,
    };
    c.f[2] = c.x[3]!;
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, c.dilations, c.pad);
    if (info.outHeight > 0 && info.outWidth > 0) cases.push(c);
  }
  return cases;
}

test.serial('the direct filter-gradient kernel equals the plain-loop definition on 40 random shapes (padding, strides, height dilation, Ci = 1, odd sizes)', async (t) => {
  await selectBackend('wasm');
  const cases = randomFilterCases(40, 21);
  t.true(cases.some((c) => c.x[3] === 1) && cases.some((c) => c.pad === 'valid') && cases.some((c) => c.pad === 'same'), 'the draw covers Ci = 1 and both paddings');
  t.true(cases.some((c) => c.dilations[0] === 2) && cases.some((c) => c.strides[0] * c.strides[1] > 1) && cases.some((c) => c.f[3]! % 8 === 4), 'and dilation, strides, Co = 4 mod 8');
  for (const [i, c] of cases.entries()) {
    t.is(filterGradientKernel(c.x, c.f, c), 'direct', `case ${i} runs the direct kernel`);
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, c.dilations, c.pad);
    const outShape = [c.x[0]!, info.outHeight, info.outWidth, c.f[3]!];
    const x = data(c.x, 100 + i);
    const dy = data(outShape, 200 + i);
    const ref = filterGradientByLoops(c, x, dy);
    const got = wasmFilterGradient(c, x, dy, outShape);
    let worst = 0;
    for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k]! - ref.dw[k]!) / (1e-6 + ref.abs[k]!));
    t.true(worst < 1e-5, `case ${i} (x ${c.x}, filter ${c.f}, strides ${c.strides}, ${c.pad}, dilations ${c.dilations}): error ${worst} of Σ|x·dy|`);
  }
});

test.serial('filter gradients the direct kernel does not cover (width dilation, Co not a multiple of 4) keep the im2col path, also correct', async (t) => {
  await selectBackend('wasm');
  const cases: FilterCase[] = [
    { x: [2, 7, 9, 3], f: [3, 3, 3, 8], strides: [1, 1], pad: 'same', dilations: [1, 2] },
    { x: [2, 6, 5, 4], f: [3, 2, 4, 6], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  ];
  for (const [i, c] of cases.entries()) {
    t.is(filterGradientKernel(c.x, c.f, c), 'im2col');
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f as [number, number, number, number], c.strides, c.dilations, c.pad);
    const outShape = [c.x[0]!, info.outHeight, info.outWidth, c.f[3]!];
    const x = data(c.x, 300 + i);
    const dy = data(outShape, 400 + i);
    const ref = filterGradientByLoops(c, x, dy);
    const got = wasmFilterGradient(c, x, dy, outShape);
    t.true(maxDiff(got, ref.dw) < 1e-4 * (1 + Math.max(...Array.from(ref.dw, Math.abs))), `case ${i}: differs by ${maxDiff(got, ref.dw)}`);
  }
});

test.serial("the direct filter gradient equals the im2col + matmul path at the JEM CNN's shapes (batch 64 and 5)", async (t) => {
  await selectBackend('wasm');
  for (const N of [64, 5]) {
    for (const [xs, fs] of [
      [[N, 28, 28, 1], [3, 3, 1, 32]],
      [[N, 14, 14, 32], [3, 3, 32, 64]],
    ] as [number[], number[]][]) {
      const c: FilterCase = { x: xs, f: fs, strides: [1, 1], pad: 'same', dilations: [1, 1] };
      const outShape = [N, xs[1]!, xs[2]!, fs[3]!];
      const x = data(xs, 7);
      const dy = data(outShape, 8);
      t.is(filterGradientKernel(c.x, c.f, c), 'direct');
      const direct = wasmFilterGradient(c, x, dy, outShape);
      process.env['EBM_CONV_FILTER_GRAD'] = 'im2col';
      let old: Float32Array;
      try {
        t.is(filterGradientKernel(c.x, c.f, c), 'im2col', 'EBM_CONV_FILTER_GRAD=im2col selects the old path');
        old = wasmFilterGradient(c, x, dy, outShape);
      } finally {
        delete process.env['EBM_CONV_FILTER_GRAD'];
      }
      const scale = Math.max(...Array.from(old, Math.abs));
      t.true(scale > 1, 'a non-trivial gradient');
      t.true(maxDiff(direct, old) < 1e-5 * scale * Math.sqrt(N), `x ${xs}: differs by ${maxDiff(direct, old)} (largest entry ${scale})`);
      t.notDeepEqual(direct, old, 'two different kernels (another summation order) ran');
    }
  }
});

test.serial("depthwise conv gradients on wasm equal the cpu backend's", async (t) => {
  for (const c of [
    { x: [2, 6, 6, 3], f: [3, 3, 3, 2], strides: 1, pad: 'same' },
    { x: [1, 7, 6, 2], f: [3, 2, 2, 1], strides: 2, pad: 'valid' },
  ] as Case[]) {
    await selectBackend('cpu');
    const cpu = convGrads(c, true);
    await selectBackend('wasm');
    const wasm = convGrads(c, true);
    t.true(maxDiff(wasm.df, cpu.df) < 1e-4 * (1 + Math.max(...Array.from(cpu.df, Math.abs))), 'filter');
    t.true(maxDiff(wasm.dx, cpu.dx) < 1e-4 * (1 + Math.max(...Array.from(cpu.dx, Math.abs))), 'input');
    tf.dispose([cpu.y, wasm.y]);
  }
});

test.serial("max-pool gradients on wasm (replaced by a direct loop) equal the cpu backend's", async (t) => {
  for (const [shape, size, strides, pad, integers] of [
    [[2, 6, 6, 3], 2, 2, 'valid'],
    [[1, 7, 5, 2], 3, 2, 'same'],
    [[2, 5, 5, 4], 2, 1, 'valid'],
    [[1, 7, 5, 3], 2, 2, 'valid'], // odd sizes: the last row and column belong to no window
    [[2, 6, 8, 5], 2, 2, 'valid', true], // small integers: ties inside windows, the first maximum takes the gradient
  ] as [number[], number, number, 'valid' | 'same', boolean?][]) {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(data(shape, 5).map((v) => (integers ? Math.round(v) : v)), shape as [number, number, number, number]);
        const y = tf.maxPool(x, size, strides, pad);
        const w = tf.tensor(data(y.shape, 6), y.shape);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, strides, pad), w)))(x).dataSync() as Float32Array;
      });
    await selectBackend('cpu');
    const cpu = run();
    await selectBackend('wasm');
    const wasm = run();
    t.true(maxDiff(wasm, cpu) < 1e-5, `shape ${shape}, pool ${size}/${strides} ${pad}: differs by ${maxDiff(wasm, cpu)}`);
    if (integers) t.true(new Set(data(shape, 5).map((v) => Math.round(v))).size < 8, 'the integer case has ties');
  }
});

test.serial("matMul with transposed operands on wasm (explicit transposes) equals the cpu backend's", async (t) => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 4], false, false],
    [[5, 7], [4, 7], false, true],
    [[7, 5], [7, 4], true, false],
    [[7, 5], [4, 7], true, true],
    [[2, 6], [9, 6], false, true], // small a, large b: computed as (b·aᵀ)ᵀ
    [[1, 2, 6], [1, 9, 6], false, true],
    [[1, 6, 3], [1, 2, 6], true, true], // batch of one
    [[3, 6, 4], [3, 2, 6], true, true], // batched: wasm's own kernel
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const run = () => tf.tidy(() => tf.matMul(tf.tensor(data(sa, 7), sa), tf.tensor(data(sb, 8), sb), ta, tb).dataSync() as Float32Array);
    await selectBackend('cpu');
    const cpu = run();
    await selectBackend('wasm');
    const wasm = run();
    t.is(wasm.length, cpu.length);
    t.true(maxDiff(wasm, cpu) < 1e-5, `a ${sa}${ta ? 'ᵀ' : ''} · b ${sb}${tb ? 'ᵀ' : ''}: differs by ${maxDiff(wasm, cpu)}`);
  }
});

test.serial("sums over leading axes (bias gradients) on wasm equal the cpu backend's", async (t) => {
  for (const [shape, axis, keepDims] of [
    [[4, 3, 5, 6], [0, 1, 2], false],
    [[4, 3, 5, 6], [1, 0], true],
    [[7, 9], 0, false],
    [[4, 3, 5], [0, 2], false], // not a leading prefix: wasm's own kernel
  ] as [number[], number | number[], boolean][]) {
    const run = () =>
      tf.tidy(() => {
        const y = tf.sum(tf.tensor(data(shape, 9), shape), axis, keepDims);
        return { shape: y.shape, v: y.dataSync() as Float32Array };
      });
    await selectBackend('cpu');
    const cpu = run();
    await selectBackend('wasm');
    const wasm = run();
    t.deepEqual(wasm.shape, cpu.shape);
    t.true(maxDiff(wasm.v, cpu.v) < 1e-4, `sum of ${shape} over ${axis}: differs by ${maxDiff(wasm.v, cpu.v)}`);
  }
});

test.serial('clones and same-dtype casts on wasm share data and survive disposing the original', async (t) => {
  await selectBackend('wasm');
  const a = tf.tensor([1, 2, 3, 4], [2, 2]);
  const c = a.clone();
  const d = tf.cast(a, 'float32');
  const i = tf.cast(a, 'int32');
  a.dispose();
  t.deepEqual(Array.from(c.dataSync()), [1, 2, 3, 4]);
  t.deepEqual(Array.from(d.dataSync()), [1, 2, 3, 4]);
  t.is(i.dtype, 'int32');
  t.deepEqual(Array.from(i.dataSync()), [1, 2, 3, 4]);
  tf.dispose([c, d, i]);
});

test.serial("the JEM CNN's input gradient and weight gradients on wasm equal the cpu backend's", async (t) => {
  // The benchmark's architecture (conv 32 and 64, two 2 × 2 poolings, dense 128, Swish) on 14 × 14 images (7 × 7
  // after the first pooling: the second one leaves a row and a column out) to keep the cpu side quick.
  const arch = { kind: 'cnn' as const, inputShape: [14, 14, 1] as [number, number, number], classes: 10 };
  const n = 3;
  const run = () => {
    const jem = Jem.create(arch, createRng(11));
    const out = tf.tidy(() => {
      const x = tf.tensor4d(data([n, 14, 14, 1], 12), [n, 14, 14, 1]);
      const dx = tf.grad((v: tf.Tensor) => tf.sum(jem.energy(v)))(x).dataSync() as Float32Array;
      const y = tf.cast(tf.oneHot(tf.tensor1d([1, 4, 7], 'int32'), 10), 'float32');
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, jem.logits(x)) as tf.Scalar, jem.variables());
      return { dx, dw: Object.values(grads).map((g) => g.dataSync() as Float32Array) };
    });
    jem.dispose();
    return out;
  };
  await selectBackend('cpu');
  const cpu = run();
  await selectBackend('wasm');
  const wasm = run();
  const scale = (a: Float32Array) => 1e-4 * (1 + a.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
  t.true(maxDiff(wasm.dx, cpu.dx) < scale(cpu.dx), `∇ₓE differs by ${maxDiff(wasm.dx, cpu.dx)}`);
  t.is(wasm.dw.length, 8);
  cpu.dw.forEach((g, k) => t.true(maxDiff(wasm.dw[k]!, g) < scale(g), `weight gradient ${k} differs by ${maxDiff(wasm.dw[k]!, g)}`));
});

test.serial('a small CNN trains on wasm (loss falls on a separable toy task)', async (t) => {
  await selectBackend('wasm');
  const rng = createRng(4);
  const n = 64;
  const xs = new Float32Array(n * 8 * 8);
  const ys = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    ys[2 * i + label] = 1;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) xs[i * 64 + r * 8 + c] = (label ? r < 4 : c < 4) ? 1 + 0.3 * rng.normal() : 0.3 * rng.normal();
  }
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'swish', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) }),
    ],
  });
  const x = tf.tensor4d(xs, [n, 8, 8, 1]);
  const y = tf.tensor2d(ys, [n, 2]);
  const opt = tf.train.adam(0.01);
  const vars = layersVariables(model);
  const lossOf = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const first = tf.tidy(() => lossOf().dataSync()[0]!);
  const convBefore = Array.from(vars[0]!.dataSync());
  for (let s = 0; s < 30; s++) tf.tidy(() => void opt.minimize(lossOf, false, vars));
  const last = tf.tidy(() => lossOf().dataSync()[0]!);
  t.true(last < 0.3 * first, `loss ${first} → ${last}`);
  t.notDeepEqual(Array.from(vars[0]!.dataSync()), convBefore, 'the conv filters were updated');
  tf.dispose([x, y]);
  model.dispose();
});
