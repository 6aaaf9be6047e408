/**
 * ebm-jem-robust benchmark: robust accuracy against white-box PGD of a JEM, of the same JEM with SGLD input
 * refinement before classifying (Grathwohl et al. 2019, §5.3), and of a supervised-only classifier of the same
 * architecture and training length, on Fashion-MNIST test images. Writes the section `ebm-jem-robust` of
 * docs/benchmarks.md and the plot docs/jem-robustness.png; with --inpaint-inputs DIR also writes one test image and a
 * lower-half mask as PNGs there (the inputs of the inpainting example in docs/energy-models.md).
 *
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem-robust/run.ts \
 *       --jem JEM_MODEL --supervised MODEL [--limit 500] [--eps 0.01,0.02,0.05,0.1] [--attack-steps 20] [--norm linf]
 *       [--refine-steps 10] [--seed 1] [--note TEXT] [--no-write] [--inpaint-inputs DIR --inpaint-index 0]
 *
 * Both models are files of `ebm jem train` (the supervised one trained with --px-weight 0); their training records
 * (steps, recipe) are copied into the section. Every model is attacked with the same seed; the refinement classifies
 * the same attacked inputs (the attack does not see it: an upper bound against an adaptive attacker).
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { createRng, encodePngSamples, writeFileAtomic, writePng } from '@ebmkit/core';
import { classificationMetrics, Jem, predictJem, robustAccuracy, type LabelledData } from '@ebmkit/core/energy';
import { selectBackend } from '@ebmkit/core/backend';
import { fileURLToPath } from 'node:url';
import { machineDescription, markdownTable, writeBenchmarkSection } from '../lib/report.js';
import { BYTE_MAP, flagReader } from '../ebm-jem/setup.ts';
import { readImages, readLabels } from '../ebm-jem/ranges.ts';

const { flag, has, strFlag } = flagReader();
const jemFile = strFlag('jem', '');
const supFile = strFlag('supervised', '');
if (!jemFile || !supFile) throw new Error('give --jem MODEL and --supervised MODEL (files of ebm jem train)');
const limit = flag('limit', 500);
const eps = strFlag('eps', '0.01,0.02,0.05,0.1').split(',').map(Number);
const steps = flag('attack-steps', 20);
const norm = strFlag('norm', 'linf') as 'linf' | 'l2';
const refineSteps = flag('refine-steps', 10);
const seed = flag('seed', 1);
const note = strFlag('note', '');
const write = !has('no-write');
const here = path.dirname(fileURLToPath(import.meta.url));
const docs = path.join(here, '../../../docs');

/** Series colours of the plot (RGB). */
const COLOURS: Record<string, [number, number, number]> = {
  JEM: [214, 39, 40],
  'JEM + refinement': [31, 119, 180],
  'supervised only': [40, 40, 40],
  'supervised + refinement': [150, 150, 150],
};

/**
 * A line plot of accuracy (0…1, y) against ε (x, equally spaced ticks, clean first) as RGB PNG bytes: light grid lines
 * at every tick and every 0.1 of accuracy, one polyline with square markers per series. No text (the caption in the
 * docs names axes and colours).
 */
function linePlot(ticks: number, series: { name: string; values: number[] }[]): Uint8Array {
  const W = 480;
  const H = 320;
  const m = { left: 30, right: 20, top: 15, bottom: 25 };
  const px = new Uint8Array(W * H * 3).fill(255);
  const set = (x: number, y: number, c: readonly number[]) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const o = (Math.round(y) * W + Math.round(x)) * 3;
    px[o] = c[0]!;
    px[o + 1] = c[1]!;
    px[o + 2] = c[2]!;
  };
  const X = (i: number) => m.left + (i / Math.max(1, ticks - 1)) * (W - m.left - m.right);
  const Y = (a: number) => H - m.bottom - a * (H - m.top - m.bottom);
  const line = (x0: number, y0: number, x1: number, y1: number, c: readonly number[], width = 1) => {
    const n = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))) + 1;
    for (let k = 0; k <= n; k++) {
      const x = x0 + ((x1 - x0) * k) / n;
      const y = y0 + ((y1 - y0) * k) / n;
      for (let dx = -(width >> 1); dx <= width >> 1; dx++) for (let dy = -(width >> 1); dy <= width >> 1; dy++) set(x + dx, y + dy, c);
    }
  };
  const grid = [225, 225, 225];
  for (let a = 0; a <= 10; a++) line(X(0), Y(a / 10), X(ticks - 1), Y(a / 10), a % 5 === 0 ? [170, 170, 170] : grid);
  for (let i = 0; i < ticks; i++) line(X(i), Y(0), X(i), Y(1), grid);
  line(X(0), Y(0), X(ticks - 1), Y(0), [0, 0, 0]);
  line(X(0), Y(0), X(0), Y(1), [0, 0, 0]);
  for (const s of series) {
    const c = COLOURS[s.name] ?? [0, 160, 0];
    s.values.forEach((v, i) => {
      if (i > 0) line(X(i - 1), Y(s.values[i - 1]!), X(i), Y(v), c, 3);
      for (let dx = -4; dx <= 4; dx++) for (let dy = -4; dy <= 4; dy++) set(X(i) + dx, Y(v) + dy, c);
    });
  }
  return encodePngSamples(W, H, 3, 8, px);
}

async function main(): Promise<void> {
  const corpora = process.env['EBM_CORPORA_DIR'];
  if (!corpora) throw new Error('set EBM_CORPORA_DIR to the directory holding fashion_mnist/');
  const backend = await selectBackend('wasm');
  const fashion = path.join(corpora, 'fashion_mnist');
  const range = [[0, limit - 1] as const];
  const test: LabelledData = {
    x: await readImages(path.join(fashion, 't10k-images-idx3-ubyte.gz'), range, BYTE_MAP),
    y: await readLabels(path.join(fashion, 't10k-labels-idx1-ubyte.gz'), range),
  };
  if (has('inpaint-inputs')) {
    const dir = strFlag('inpaint-inputs', '');
    const k = flag('inpaint-index', 0);
    await mkdir(dir, { recursive: true });
    const gray = Uint8Array.from(test.x.subarray(k * 784, (k + 1) * 784), (v) => Math.round((v + 1) * 127.5));
    await writePng(path.join(dir, `fmnist-test-${k}.png`), { width: 28, height: 28, gray });
    await writePng(path.join(dir, 'upper-half-observed.png'), { width: 28, height: 28, gray: Uint8Array.from({ length: 784 }, (_, i) => (i < 392 ? 255 : 0)) });
    console.log(`wrote ${dir}/fmnist-test-${k}.png (class ${test.y[k]}) and ${dir}/upper-half-observed.png`);
  }
  const load0 = loadavg();
  const t0 = performance.now();
  const models: { name: string; file: string; jem: Jem }[] = [
    { name: 'JEM', file: jemFile, jem: await Jem.load(jemFile, createRng(1)) },
    { name: 'supervised only', file: supFile, jem: await Jem.load(supFile, createRng(1)) },
  ];
  const results = new Map<string, number[]>();
  const losses: string[] = [];
  for (const { name, jem } of models) {
    const clean = classificationMetrics(predictJem(jem, test.x).probs, test.y, jem.classes).accuracy;
    const plain = [clean];
    const refined: number[] = [];
    // ε = 0 with refinement: the clean inputs refined.
    const r0 = robustAccuracy(jem, test, { attack: { norm, eps: 0 }, refine: { steps: refineSteps } }, createRng(seed));
    refined.push(r0.refinedAccuracy!);
    for (const e of eps) {
      const t = performance.now();
      const r = robustAccuracy(jem, test, { attack: { norm, eps: e, steps }, refine: { steps: refineSteps } }, createRng(seed));
      plain.push(r.accuracy);
      refined.push(r.refinedAccuracy!);
      losses.push(`${name} ε ${e}: ${r.cleanLoss.toFixed(3)} → ${r.attackLoss.toFixed(3)}`);
      console.log(`${name} ε ${e}: accuracy ${r.accuracy.toFixed(3)}, refined ${r.refinedAccuracy!.toFixed(3)}, loss ${r.cleanLoss.toFixed(3)} → ${r.attackLoss.toFixed(3)}, max |δ| ${r.maxPerturbation.toFixed(4)} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    }
    results.set(name, plain);
    results.set(name === 'JEM' ? 'JEM + refinement' : 'supervised + refinement', refined);
  }
  const seconds = (performance.now() - t0) / 1000;
  const load1 = loadavg();
  const order = ['JEM', 'JEM + refinement', 'supervised only', 'supervised + refinement'];
  const rows = order.map((n) => [n, ...results.get(n)!.map((v) => v.toFixed(3))]);
  const table = markdownTable(['model', 'clean', ...eps.map((e) => `ε = ${e}`)], rows);
  const plotFile = path.join(docs, 'jem-robustness.png');
  const png = linePlot(eps.length + 1, order.map((n) => ({ name: n, values: results.get(n)! })));
  const training = (j: Jem) => JSON.stringify(j.metadata.training);
  const command =
    `EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem-robust/run.ts --jem ${jemFile} --supervised ${supFile}` +
    ` --limit ${limit} --eps ${eps.join(',')} --attack-steps ${steps} --norm ${norm} --refine-steps ${refineSteps} --seed ${seed}`;
  const section = [
    `## JEM robustness: PGD-${steps} (${norm === 'linf' ? 'L∞' : 'L2'}) on Fashion-MNIST, JEM vs supervised-only (ebm-jem-robust)`,
    '',
    `Command: \`${command}\``,
    '',
    `Machine: ${machineDescription()}; ${backend.reason}, one thread; load average ${load0.map((v) => v.toFixed(2)).join(' ')} at start, ${load1.map((v) => v.toFixed(2)).join(' ')} at the end; ${seconds.toFixed(0)} s for the attacks.`,
    ...(note ? ['', note] : []),
    '',
    `Test data: the first ${limit} Fashion-MNIST test images, inputs in [−1, 1] (ε in those units: ε = 0.1 is 12.75 grey levels of 255). ` +
      `Attack: white-box PGD on the cross-entropy of the true label through each model's input gradient (FastJemNet's hand-derived passes, tested equal to tfjs autodiff), random start in the ball, ${steps} steps of ` +
      `${norm === 'linf' ? 'sign-gradient' : 'normalised-gradient'} ascent of length 2.5 ε / ${steps}, projection and clamping to [−1, 1]; per image the iterate of highest loss is kept. ` +
      `Refinement: ${refineSteps} SGLD steps on E(x) = −logsumexp f(x) (step 1, noise 0.01, clamped) from the attacked image, then classify; the attack does not see the refinement ` +
      '(not adaptive: against an attacker who differentiates through it the refined numbers are an upper bound). Rows "+ refinement" at "clean" refine the clean images.',
    '',
    table,
    '',
    `Mean cross-entropy, clean → attacked: ${losses.join('; ')}.`,
    '',
    `Training records — JEM (${jemFile}): ${training(models[0]!.jem)}; supervised only (${supFile}): ${training(models[1]!.jem)}.`,
    '',
    `Plot: docs/jem-robustness.png — accuracy (0 … 1, lines every 0.1) against clean, ${eps.map((e) => `ε = ${e}`).join(', ')} (equally spaced); ` +
      'red JEM, blue JEM + refinement, black supervised only, grey supervised + refinement.',
    '',
    '![robust accuracy against ε](jem-robustness.png)',
  ].join('\n');
  if (write) {
    await writeFileAtomic(plotFile, png);
    await writeBenchmarkSection('ebm-jem-robust', section);
  } else console.log(section);
  for (const { jem } of models) jem.dispose();
}

await main();
