// `ebm jem train|eval|sample` in process on a small CSV of 2-D blobs: exit codes, outputs, usage errors, and the
// progress bar showing the energies of data and samples.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { Jem } from '@ebmkit/core/energy';
import { runCli } from '../cli/helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ebm-jem-cli-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const CENTRES = [
  [10, 20],
  [30, 20],
  [20, 40],
];
function writeBlobs(file: string, n: number, seed: number): void {
  const rng = createRng(seed);
  const lines = ['a,b,label'];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    lines.push(`${(CENTRES[k]![0]! + 2 * rng.normal()).toFixed(3)},${(CENTRES[k]![1]! + 2 * rng.normal()).toFixed(3)},${k}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

const env = { EBM_BACKEND: 'wasm' };

test.serial('train, eval and sample a JEM from CSV data', async (t) => {
  const trainCsv = path.join(dir, 'train.csv');
  const testCsv = path.join(dir, 'test.csv');
  writeBlobs(trainCsv, 300, 1);
  writeBlobs(testCsv, 150, 2);
  const model = path.join(dir, 'blobs.jem');
  const tr = await runCli(
    ['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--hidden', '16,16', '--steps', '60', '--warmup', '20', '--learning-rate', '0.01',
      '--sgld-steps', '5', '--sgld-step', '0.005', '--sgld-noise', '0.1', '--buffer', '200', '--out', model],
    { env, tty: true },
  );
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stdout, /saved .*blobs\.jem: JEM mlp, 3 classes, 60 steps/);
  t.regex(tr.stderr, /E\(data\) -?\d+\.\d+ +E\(samples\) -?\d+\.\d+/, 'the progress bar shows the energies');
  const ev = await runCli(['jem', 'eval', '--model', model, '--data', testCsv, '--label-column', 'label', '--ood', testCsv, '--json'], { env });
  t.is(ev.code, 0, ev.stderr);
  const r = JSON.parse(ev.stdout);
  t.true(r.accuracy > 0.9, `accuracy ${r.accuracy}`);
  t.is(r.rows, 150);
  t.true(Math.abs(r.ood.logPx - 0.5) < 1e-9, 'identical in- and out-of-distribution sets give AUROC ½');
  const out = path.join(dir, 'samples.csv');
  const sm = await runCli(['jem', 'sample', '--model', model, '--class', '1', '--n', '20', '--steps', '50', '--sgld-step', '0.005', '--sgld-noise', '0.1', '--out', out], { env });
  t.is(sm.code, 0, sm.stderr);
  // --n is the old spelling of --count: still accepted, with a deprecation note
  t.regex(sm.stderr, /^ebm: warning: --n is deprecated; use --count /m);
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  t.is(rows.length, 21);
  t.is(rows[0], 'x0,x1');
  // Samples come back in data units, inside the data's range.
  for (const line of rows.slice(1)) line.split(',').map(Number).forEach((v) => t.true(v > 0 && v < 50, `sample value ${v}`));
});

test.serial('--buffer-init class-gaussians with --negative-batch-size, --energy-penalty and --px-weight trains; bad choices are usage errors', async (t) => {
  const trainCsv = path.join(dir, 'train-g.csv');
  writeBlobs(trainCsv, 300, 3);
  const model = path.join(dir, 'blobs-g.jem');
  const tr = await runCli(
    ['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--hidden', '16,16', '--steps', '40', '--warmup', '20', '--learning-rate', '0.01',
      '--sgld-steps', '5', '--sgld-step', '0.005', '--sgld-noise', '0.1', '--buffer', '200', '--buffer-init', 'class-gaussians',
      '--negative-batch-size', '96', '--energy-penalty', '0.01', '--clamp', '--fresh-optimizer', '--out', model],
    { env },
  );
  t.is(tr.code, 0, tr.stderr);
  await selectBackend('wasm');
  const saved = await Jem.load(model, createRng(1));
  t.like(saved.metadata.training as object, { negatives: 96, energyPenalty: 0.01, pxWeight: 1, bufferInit: 'class-gaussians', steps: 40, warmup: 20, freshOptimizer: true, sgld: { clamp: { min: -1, max: 1 } } });
  saved.dispose();
  // --px-weight 0 leaves only log p(y|x): the JEM steps are then supervised steps, and the model is the one trained
  // with every step a warm-up step.
  const weights = async (extra: string[]) => {
    const out = path.join(dir, 'blobs-px.jem');
    const r = await runCli(['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--hidden', '16,16', '--steps', '30', '--learning-rate', '0.01', '--sgld-steps', '2', '--buffer', '200', ...extra, '--out', out], { env });
    t.is(r.code, 0, r.stderr);
    const m = await Jem.load(out, createRng(1));
    const w = m.variables().map((v) => Array.from(v.dataSync()));
    m.dispose();
    return w;
  };
  const pxZero = await weights(['--warmup', '10', '--px-weight', '0']);
  t.deepEqual(pxZero, await weights(['--warmup', '30']));
  const jemSteps = await weights(['--warmup', '10']);
  t.notDeepEqual(pxZero, jemSteps);
  // --jem-layer-rates: multipliers of 1 change nothing; 0 for the first layer changes the run.
  t.deepEqual(await weights(['--warmup', '10', '--jem-layer-rates', '1,1']), jemSteps);
  t.notDeepEqual(await weights(['--warmup', '10', '--jem-layer-rates', '0']), jemSteps);
  const rated = await Jem.load(path.join(dir, 'blobs-px.jem'), createRng(1));
  t.like(rated.metadata.training as object, { jemLayerRates: [0] });
  rated.dispose();
  const badRate = await runCli(['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--jem-layer-rates', '0.1,x', '--out', model], { env });
  t.is(badRate.code, 2);
  t.regex(badRate.stderr, /^ebm: error: --jem-layer-rates: 'x' is not a number ≥ 0/m);
  const tooMany = await runCli(['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--hidden', '16,16', '--jem-layer-rates', '1,1,1,1', '--out', model], { env });
  t.is(tooMany.code, 2);
  t.regex(tooMany.stderr, /--jem-layer-rates: 4 rates, the mlp has 3 layers with weights/);
  const ev = await runCli(['jem', 'eval', '--model', model, '--data', trainCsv, '--label-column', 'label', '--json'], { env });
  t.is(ev.code, 0, ev.stderr);
  t.true(JSON.parse(ev.stdout).accuracy > 0.9);
  const bad = await runCli(['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--buffer-init', 'data', '--out', model], { env });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /buffer-init/);
  const badNeg = await runCli(['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--negatives', '0', '--out', model], { env });
  t.is(badNeg.code, 2);
  // the old spelling still reaches the flag; the error names the new one
  t.regex(badNeg.stderr, /^ebm: error: --negative-batch-size must be >= 1, got 0/);
});

test.serial('--holdout with --stop-ece / --stop-acc-drop: held-out checks, an early stop before any check held keeps the warm-up weights', async (t) => {
  const trainCsv = path.join(dir, 'train-h.csv');
  writeBlobs(trainCsv, 300, 4);
  const model = path.join(dir, 'blobs-h.jem');
  const base = ['jem', 'train', '--data', trainCsv, '--label-column', 'label', '--hidden', '16,16', '--steps', '40', '--warmup', '20', '--learning-rate', '0.01',
    '--warmup-learning-rate', '0.02', '--sgld-steps', '5', '--sgld-step', '0.005', '--sgld-noise', '0.1', '--buffer', '200', '--holdout', '60', '--check-every', '10', '--out', model];
  const ok = await runCli([...base, '--stop-acc-drop', '0.5'], { env });
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stderr, /on 240 rows × 2 values.*rows 241–300 held out/);
  t.deepEqual([...ok.stderr.matchAll(/held-out check at step (\d+): accuracy (\d\.\d+)/g)].map((m) => m[1]), ['20', '30', '40']);
  t.regex(ok.stdout, /40 steps in [\d.]+ s; held-out accuracy (0\.9\d+|1\.0000), ECE 0\.\d{4}/);
  // ECE above 0 always breaks a limit of 0: the check when the JEM steps begin stops training with the warm-up's weights.
  const stop = await runCli([...base, '--stop-ece', '0'], { env });
  t.is(stop.code, 0, stop.stderr);
  t.regex(stop.stderr, /early stop at step 20: held-out ECE 0\.\d{4} > 0; no check had held/);
  t.regex(stop.stdout, /20 steps \(early stop at step 20\)/);
  const noHoldout = await runCli([...base.filter((a, i) => a !== '--holdout' && base[i - 1] !== '--holdout'), '--stop-ece', '0.1'], { env });
  t.is(noHoldout.code, 2);
  t.regex(noHoldout.stderr, /--stop-ece \/ --stop-acc-drop need held-out rows: give --holdout N/);
  const all = await runCli([...base.map((a) => (a === '60' ? '300' : a))], { env });
  t.is(all.code, 2);
  t.regex(all.stderr, /--holdout 300 leaves no training rows \(the data has 300\)/);
});

test.serial('usage errors exit 2 and bad data exits 1 with one clear line', async (t) => {
  const csv = path.join(dir, 'bad.csv');
  writeFileSync(csv, 'a,b,label\n1,2,0\n3,x,1\n');
  const bad = await runCli(['jem', 'train', '--data', csv, '--label-column', 'label', '--out', path.join(dir, 'm')], { env });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /bad\.csv:3: column "b": expected a number, found "x"/);
  const noLabels = await runCli(['jem', 'train', '--data', path.join(dir, 'train.csv'), '--out', path.join(dir, 'm')], { env });
  t.is(noLabels.code, 2);
  t.regex(noLabels.stderr, /labels are needed/);
  const warm = await runCli(['jem', 'train', '--data', path.join(dir, 'train.csv'), '--label-column', 'label', '--steps', '5', '--warmup', '9', '--out', path.join(dir, 'm')], { env });
  t.is(warm.code, 2);
  t.regex(warm.stderr, /--warmup 9 exceeds --steps 5/);
  const help = await runCli(['jem', 'sample', '--help'], { env });
  t.is(help.code, 0);
  t.regex(help.stdout, /--class/);
});

test.serial('eval refuses raw data far outside the input range of a model that records no input transform', async (t) => {
  await selectBackend('wasm');
  const csv = path.join(dir, 'raw.csv');
  writeBlobs(csv, 30, 5);
  const model = path.join(dir, 'no-transform.jem');
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [4] }, createRng(1));
  await jem.save(model);
  jem.dispose();
  const r = await runCli(['jem', 'eval', '--model', model, '--data', csv, '--label-column', 'label'], { env });
  t.is(r.code, 1);
  t.regex(r.stderr, /raw\.csv: values [\d.]+…[\d.]+ lie far outside the model's input range \[-1, 1\], and the model records no input transform/);
  t.notRegex(r.stderr, /\n\s+at /);
});

test.serial('eval --attack prints robust accuracy per ε (ε = 0 is clean accuracy); sample --image --constrain-pixels inpaints and prints the energy sum', async (t) => {
  await selectBackend('wasm');
  const jem = Jem.create({ kind: 'cnn', inputShape: [8, 8, 1], classes: 3, filters: [4, 4], dense: 4 }, createRng(31));
  jem.metadata.inputTransform = { scale: 2 / 255, shift: -1 };
  const model = path.join(dir, 'img.jem');
  await jem.save(model);
  jem.dispose();
  const rng = createRng(32);
  const lines = [[...Array.from({ length: 64 }, (_, j) => `p${j}`), 'label'].join(',')];
  for (let i = 0; i < 24; i++) lines.push([...Array.from({ length: 64 }, () => rng.int(256)), i % 3].join(','));
  const csv = path.join(dir, 'img.csv');
  writeFileSync(csv, lines.join('\n') + '\n');
  const base = ['jem', 'eval', '--model', model, '--data', csv, '--label-column', 'label'];
  const ev = await runCli([...base, '--attack', 'pgd-linf', '--eps', '0,0.1', '--attack-steps', '3', '--refine-steps', '2', '--json'], { env });
  t.is(ev.code, 0, ev.stderr);
  const r = JSON.parse(ev.stdout);
  t.is(r.robust.length, 2);
  t.is(r.robust[0].eps, 0);
  t.is(r.robust[0].accuracy, r.accuracy);
  t.true(r.robust[1].accuracy <= r.accuracy && r.robust[1].attackLoss > r.robust[1].cleanLoss);
  t.true(r.robust[1].refinedAccuracy >= 0 && r.robust[1].refinedAccuracy <= 1);
  t.like(r.attack, { kind: 'pgd-linf', steps: 3, refineSteps: 2, adaptive: false });
  const text = await runCli([...base, '--attack', 'pgd-l2', '--eps', '0.5', '--attack-steps', '2'], { env });
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /robust accuracy, pgd-l2, 2 steps\n +eps +accuracy +loss \(clean → attacked\)\n +0\.5 +\d\.\d{4}/);
  const bad = await runCli([...base, '--refine-steps', '3'], { env });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--refine-steps and --adaptive apply to an attack/);

  const { writePng } = await import('@ebmkit/core');
  const image = path.join(dir, 'x.png');
  const mask = path.join(dir, 'm.png');
  await writePng(image, { width: 8, height: 8, gray: Uint8Array.from({ length: 64 }, (_, i) => (i * 4) % 256) });
  await writePng(mask, { width: 8, height: 8, gray: Uint8Array.from({ length: 64 }, (_, i) => (i < 32 ? 255 : 0)) });
  const grid = path.join(dir, 'inpainted.png');
  const sm = await runCli(['jem', 'sample', '--model', model, '--class', '2', '--image', image, '--constrain-pixels', mask, '--count', '3', '--steps', '10', '--out', grid], { env });
  t.is(sm.code, 0, sm.stderr);
  t.regex(sm.stdout, /energy sum: E\(x \| y=2\) \+ \(λ\/2\)·\|M ⊙ \(x − x_obs\)\|², λ = 1; 32 of 64 pixels observed/);
  t.regex(sm.stdout, /the classifier.s labels of the samples: \d × \d/);
  t.regex(sm.stdout, /end +\( +10 steps\) +-?\d+\.\d{4} +\d+\.\d{4} +-?\d+\.\d{4}/);
  t.true(readFileSync(grid).subarray(1, 4).toString() === 'PNG');
  const unstable = await runCli(['jem', 'sample', '--model', model, '--image', image, '--constrain-pixels', mask, '--constraint-weight', '3', '--out', grid], { env });
  t.is(unstable.code, 2);
  t.regex(unstable.stderr, /stable only below 2/);
  const half = await runCli(['jem', 'sample', '--model', model, '--image', image, '--out', grid], { env });
  t.is(half.code, 2);
  t.regex(half.stderr, /needs both --image and --constrain-pixels/);
  const small = path.join(dir, 's.png');
  await writePng(small, { width: 4, height: 4, gray: new Uint8Array(16) });
  const wrong = await runCli(['jem', 'sample', '--model', model, '--image', small, '--constrain-pixels', mask, '--out', grid], { env });
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /s\.png: a 4×4 picture, the model takes 8×8/);
});
