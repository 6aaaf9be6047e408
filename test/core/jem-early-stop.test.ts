// JEM early stopping on held-out in-distribution data: checks at the start of the JEM steps, every `every` steps and
// at the end, with the metrics of an independent evaluation; a broken limit stops training and puts back the weights
// of the last check that held; the reference accuracy survives a resume; bad settings are refused.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { evaluateJem, Jem, trainJem, type JemCheck } from '@ebmkit/core/energy';
import { labelledBlobs } from './energy-helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ebm-jem-stop-'));
test.before(async () => {
  await selectBackend('wasm');
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const blobs = labelledBlobs;
const train = blobs(300, 1);
const heldOut = blobs(150, 2);
const opts = { warmupSteps: 30, batchSize: 32, learningRate: 1e-2, sgld: { stepSize: 0.005, noise: 0.1, steps: 5 }, bufferCapacity: 100, dataNoise: 0.01 };
const values = (jem: Jem) => jem.variables().map((v) => Array.from(v.dataSync()));

test('checks come at the start of the JEM steps, every `every` steps and at the end, with the held-out metrics', async (t) => {
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(3));
  const seen: { check: JemCheck; ev: ReturnType<typeof evaluateJem> }[] = [];
  const res = await trainJem(
    jem,
    train,
    { ...opts, steps: 65, earlyStop: { data: heldOut, every: 10, onCheck: (c) => seen.push({ check: c, ev: evaluateJem(jem, heldOut) }) } },
    createRng(4),
  );
  t.deepEqual(res.checks.map((c) => c.step), [30, 40, 50, 60, 65]);
  t.is(res.stopped, undefined);
  t.is(res.step, 65);
  for (const { check, ev } of seen) {
    t.true(check.ok);
    t.is(check.accuracy, ev.accuracy);
    t.true(Math.abs(check.ece - ev.ece) < 1e-6, `ECE ${check.ece} vs ${ev.ece}`);
    t.true(Math.abs(check.nll - ev.nll) < 1e-5, `NLL ${check.nll} vs ${ev.nll}`);
    t.true(Number.isFinite(check.energy));
  }
  // The mean energy is −logsumexp f averaged over the held-out rows.
  const e = tf.tidy(() => tf.mean(jem.energy(tf.tensor(heldOut.x, [150, 2]))).dataSync()[0]!);
  t.true(Math.abs(res.checks.at(-1)!.energy - e) < 1e-5, `${res.checks.at(-1)!.energy} vs ${e}`);
  jem.dispose();
});

test('an accuracy fall stops training at the next check and puts back the weights of the last check that held', async (t) => {
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(5));
  const bias = jem.variables().at(-1)!;
  t.deepEqual(bias.shape, [3], 'the output bias');
  let at40: number[][] = [];
  let last = 0;
  const res = await trainJem(
    jem,
    train,
    {
      ...opts,
      steps: 120,
      // After step 44 every input is called class 0: held-out accuracy falls to 1/3.
      beforeStep: (s) => s === 45 && bias.assign(tf.tensor1d([100, 0, 0])),
      onStep: (s) => (last = s.step),
      earlyStop: { data: heldOut, every: 10, maxAccuracyDrop: 0.2, onCheck: (c) => c.step === 40 && (at40 = values(jem)) },
    },
    createRng(6),
  );
  t.is(last, 50, 'no step after the failing check');
  t.deepEqual(res.checks.map((c) => [c.step, c.ok]), [[30, true], [40, true], [50, false]]);
  t.true(res.checks[0]!.accuracy > 0.9, `reference accuracy ${res.checks[0]!.accuracy}`);
  t.true(Math.abs(res.checks[2]!.accuracy - 1 / 3) < 1e-9);
  t.is(res.stopped?.step, 50);
  t.is(res.stopped?.restoredStep, 40);
  t.regex(res.stopped!.reason, /held-out accuracy 0\.3333 is 0\.6\d+ below (0\.9\d+|1\.0000) \(allowed 0\.2\)/);
  t.deepEqual(values(jem), at40, 'weights of step 40');
  jem.dispose();
});

test('an ECE limit broken before the first JEM step stops at once and leaves the warmed-up model', async (t) => {
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(7));
  let warm: number[][] = [];
  const res = await trainJem(
    jem,
    train,
    { ...opts, steps: 60, onStep: (s) => s.step === 30 && (warm = values(jem)), earlyStop: { data: heldOut, maxEce: 0 } },
    createRng(8),
  );
  t.is(res.checks.length, 1);
  t.true(res.checks[0]!.ece > 0);
  t.deepEqual(res.stopped && { step: res.stopped.step, restored: res.stopped.restoredStep }, { step: 30, restored: undefined });
  t.regex(res.stopped!.reason, /held-out ECE 0\.\d{4} > 0$/);
  t.deepEqual(values(jem), warm);
  jem.dispose();
});

test('a resumed run compares with the reference accuracy kept in the checkpoint', async (t) => {
  const ck = path.join(dir, 'stop.ckpt');
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(9));
  const first = await trainJem(jem, train, { ...opts, steps: 40, checkpoint: { path: ck, every: 10 }, earlyStop: { data: heldOut, every: 10 } }, createRng(10));
  t.true(first.checks[0]!.accuracy > 0.9);
  // Held-out rows with wrong labels: recomputing the reference on them would allow everything; the kept one does not.
  const wrong = { x: heldOut.x, y: heldOut.y.map((k) => (k + 1) % 3) };
  const res = await trainJem(jem, train, { ...opts, steps: 60, resume: ck, earlyStop: { data: wrong, every: 10, maxAccuracyDrop: 0.5 } }, createRng(11));
  t.is(res.checks.length, 1);
  t.is(res.checks[0]!.step, 40);
  t.true(res.checks[0]!.accuracy < 0.1);
  t.is(res.stopped?.step, 40);
  t.regex(res.stopped!.reason, new RegExp(`below ${first.checks[0]!.accuracy.toFixed(4)}`));
  jem.dispose();
});

test('bad early-stopping settings are refused with the values named', async (t) => {
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [4] }, createRng(12));
  const run = (earlyStop: object) => trainJem(jem, train, { ...opts, steps: 32, earlyStop: earlyStop as never }, createRng(13));
  await t.throwsAsync(run({ data: heldOut, every: 0 }), { message: /earlyStop\.every must be an integer ≥ 1, got 0/ });
  await t.throwsAsync(run({ data: heldOut, maxEce: -0.1 }), { message: /limits must be ≥ 0, got maxEce -0\.1/ });
  await t.throwsAsync(run({ data: { x: new Float32Array(5), y: new Int32Array(2) } }), { message: /5 input values for 2 labels × 2/ });
  jem.dispose();
});
