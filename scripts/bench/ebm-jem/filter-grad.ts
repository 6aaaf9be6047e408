/**
 * The convolution filter gradient on the wasm backend, direct SIMD kernel against im2col + XNNPACK matmul
 * (conv-gradients.ts; `EBM_CONV_FILTER_GRAD=im2col` selects the latter), side by side in one process: the two kinds
 * alternate call by call, so both see the same load. Times (1) `Conv2DBackpropFilter` alone at the JEM CNN's two
 * shapes (batch 64; a fresh dy for every call, since XNNPACK caches the packed operand of a tensor it saw before),
 * and (2) the supervised update on the JEM fast path as trainJem runs it (FastJemNet.jointLossGradients, the
 * finiteness check, Adam). Prints the median and the fastest wall ms and the median process CPU ms of each. It writes
 * nothing. Run:
 *   node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/filter-grad.ts [--reps N]   (default 20)
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { Jem } from '@ebmkit/core/energy';

const repsArg = process.argv.indexOf('--reps');
const reps = repsArg >= 0 ? Number(process.argv[repsArg + 1]) : 20;
await selectBackend('wasm');

const KINDS = ['direct', 'im2col'] as const;
type Kind = (typeof KINDS)[number];
function use(kind: Kind): void {
  if (kind === 'im2col') process.env['EBM_CONV_FILTER_GRAD'] = 'im2col';
  else delete process.env['EBM_CONV_FILTER_GRAD'];
}
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;

/**
 * Runs `step(kind)` reps + 1 times per kind, alternating kinds, the first of each uncounted (`prepare` before each, not
 * timed); prints one line per kind.
 */
function compare(title: string, flops: number, step: () => void, prepare = () => {}): void {
  const wall: Record<Kind, number[]> = { direct: [], im2col: [] };
  const cpu: Record<Kind, number[]> = { direct: [], im2col: [] };
  for (let r = 0; r <= reps; r++) {
    for (const kind of r % 2 ? [...KINDS].reverse() : KINDS) {
      use(kind);
      prepare();
      const c0 = cpuMs();
      const t0 = performance.now();
      step();
      const dt = performance.now() - t0;
      if (r > 0) {
        wall[kind].push(dt);
        cpu[kind].push(cpuMs() - c0);
      }
    }
  }
  use('direct');
  console.log(title);
  for (const kind of KINDS) {
    const best = Math.min(...wall[kind]);
    const gf = flops > 0 ? `, ${(flops / best / 1e6).toFixed(1)} GFLOP/s at the fastest` : '';
    console.log(`  ${kind.padEnd(7)} median ${median(wall[kind]).toFixed(2)} ms wall (fastest ${best.toFixed(2)}), ${median(cpu[kind]).toFixed(2)} ms CPU${gf}`);
  }
  console.log(`  ratio direct / im2col of the medians: wall ${(median(wall.direct) / median(wall.im2col)).toFixed(2)}, CPU ${(median(cpu.direct) / median(cpu.im2col)).toFixed(2)}`);
}

for (const [xs, fs] of [
  [[64, 28, 28, 1], [3, 3, 1, 32]],
  [[64, 14, 14, 32], [3, 3, 32, 64]],
] as [number[], number[]][]) {
  const x = tf.randomNormal(xs, 0, 1, 'float32', 1);
  const dy = tf.randomNormal([...xs.slice(0, 3), fs[3]!], 0, 1, 'float32', 2);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: 1, filterShape: fs };
  let r = 0;
  let d = dy;
  const flops = 2 * fs.reduce((a, b) => a * b, 1) * xs[0]! * xs[1]! * xs[2]!;
  compare(
    `Conv2DBackpropFilter x ${xs.join('×')}, filter ${fs.join('×')} (same padding), ${reps} calls each`,
    flops,
    () => (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: d }, attrs as never) as tf.Tensor).dispose(),
    () => {
      if (d !== dy) d.dispose();
      d = tf.add(dy, ++r);
    },
  );
  tf.dispose([x, dy, d]);
}

const jem = Jem.create({ kind: 'cnn', inputShape: [28, 28, 1], classes: 10 }, createRng(1));
const fast = jem.fastPath();
if (!fast) throw new Error('filter-grad: the JEM fast path is not available (EBM_JEM_KERNELS=js?)');
const B = 64;
const x = tf.randomUniform([B, 28, 28, 1], -1, 1, 'float32', 1);
const y = tf.cast(tf.oneHot(tf.tensor1d(new Int32Array(B).map((_, i) => i % 10), 'int32'), 10), 'float32') as tf.Tensor2D;
const opt = tf.train.adam(1e-4);
compare(`supervised update on the JEM fast path (trainJem's), batch ${B}, ${reps} steps each`, 0, () => {
  const g = fast.jointLossGradients(x, y, undefined, { pyx: 1, px: 1, alpha: 0 });
  tf.tidy(() => tf.all(tf.stack(Object.values(g.grads).map((v) => tf.all(tf.isFinite(v))))).dataSync());
  opt.applyGradients(g.grads as tf.NamedTensorMap as Record<string, tf.Variable>);
  tf.dispose(g.grads);
});
tf.dispose([x, y]);
jem.dispose();
