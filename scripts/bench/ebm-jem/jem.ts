/**
 * Benchmark 4 (issue 5): JEM on Fashion-MNIST with the small CNN (conv 32 and 64, 3×3, two 2×2 max-poolings, dense
 * 128, 10 logits, Swish), ebmkit (tfjs, wasm backend, one thread) against the same model and update in PyTorch on CPU
 * (one thread): milliseconds per supervised step, per SGLD step and per full JEM step at batch 64; test accuracy, ECE
 * and OOD AUROC (MNIST test set as out-of-distribution) after a fixed budget of steps.
 *
 * Reference: Debian's PyTorch, `apt-get install python3-torch python3-numpy`; the script runs
 * scripts/bench/ebm-jem/jem_torch.py with /usr/bin/python3 (override with --python). `--skip-torch` runs ours only.
 *
 * Run (EBM_CORPORA_DIR holds fashion_mnist/ and mnist_partial/):
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/jem.ts \
 *     --steps 400 --warmup 300 --eval-n 2000
 * Flags: --steps N (training budget, warm-up included; default 400), --warmup N (supervised steps first; default 200),
 * --learning-rate X (old spelling --lr; Adam; default 1e-4, the paper's: at 1e-3 both sides lost accuracy once the JEM steps began),
 * --warmup-learning-rate X (old: --warmup-lr; Adam rate during the supervised warm-up; default: --learning-rate), --energy-penalty A (α of α(E(x⁺)² + E(x⁻)²);
 * default 0, the paper's), --px-weight W (weight of log p(x); default 1), --clamp (clamp SGLD samples to [−1, 1]),
 * --max-abs-loss X (divergence threshold; default 1e8: on divergence the last good checkpoint, written every 50
 * steps, is evaluated and the table says so),
 * --section NAME (the docs/benchmarks.md section to write; default ebm-jem — the one-hour run writes ebm-jem-hour),
 * --reinit P (probability that a buffer draw restarts from the init distribution; default 0.05, the paper's),
 * --buffer-init uniform|class-gaussians (SGLD starts: U[−1, 1] as the paper, or JEM++'s one Gaussian per class fitted to
 * the training data; default uniform; passed to the PyTorch side too),
 * --sgld-steps N (default 20), --negative-batch-size N (old: --neg-batch; SGLD samples per JEM step; default 64, the batch),
 * --flip P (left–right flips of data images with probability P; default 0), --timing-reps N (steps of each kind timed per
 * round, after a warm-up step; default 5: ebmkit is timed before training and again after the PyTorch run, PyTorch in
 * between; wall ms and process CPU ms on both sides), --timing-rounds R (default 1; R > 1 adds R − 1 rounds that
 * alternate a timing-only PyTorch run with an ebmkit round before the PyTorch training run, so that both sides see the
 * same changing load; PyTorch's numbers are then the medians of its rounds' medians), --eval-n N (test and OOD images scored; default 10000),
 * --fresh-optimizer (the JEM steps start with a new Adam after the warm-up, as from a pretrained classifier),
 * --warmup-schedule cosine (the warm-up's rate annealed from --warmup-learning-rate to --learning-rate; ours only),
 * --jem-optimizer sgd --momentum M (the JEM steps run SGD with momentum M at --learning-rate after the Adam warm-up; ours only),
 * --jem-layer-rates S1,S2,… (the JEM steps' learning rate times S1 for the first layer with weights, S2 for the second, …;
 * missing ones 1; ours only),
 * --eval-from N (score test and OOD images N, N + 1, …: e.g. to keep images used to choose settings out),
 * --eval-ranges A-B,C-D (score these inclusive image ranges instead of --eval-from/--eval-n),
 * --holdout N (keep the last N training images out of training, as held-out data for early stopping; default 0),
 * --stop-ece X, --stop-acc-drop D (early stopping of the JEM steps on the held-out images: stop at the first check
 * with ECE > X or accuracy more than D below the check when the JEM steps began, and evaluate the weights of the last
 * check that held; --steps is then the most steps run), --check-every N (JEM steps between checks; default 25),
 * --seed N, --no-write (do not touch docs/benchmarks.md), --skip-torch, --python PATH, --save MODEL (write the trained
 * model as an ebmkit JEM file, e.g. for `ebm jem eval`).
 * The issue's target run is one hour of training: size --steps and --warmup from the per-step times in the table
 * (warmup × supervised + (steps − warmup) × JEM step ≈ 3600 s); see docs/energy-models.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { DivergenceError, evaluateJem, Jem, sgld, trainJem, type JemArchitecture } from '@ebmkit/core/energy';
import { machineDescription, markdownTable, median, writeBenchmarkSection } from '../lib/report.ts';
import { parseRanges, rangeText } from './ranges.ts';
import { BYTE_MAP, flagReader, loadJemData, recipeFlags } from './setup.ts';

const { flag, has, strFlag } = flagReader();

const steps = flag('steps', 400);
const warmup = flag('warmup', 200);
const { lr, warmupLr, energyPenalty, pxWeight, clamp, reinit, bufferInit, sgldSteps, negBatch, flip, warmupSchedule, jemOptimizer, momentum, layerRates, options: common } = recipeFlags();
if (warmupSchedule === 'cosine' && !has('skip-torch')) throw new Error('--warmup-schedule cosine: the PyTorch side has a constant warm-up rate only; add --skip-torch');
if (jemOptimizer === 'sgd' && !has('skip-torch')) throw new Error('--jem-optimizer sgd: the PyTorch side runs Adam only; add --skip-torch');
if (layerRates.length > 0 && !has('skip-torch')) throw new Error('--jem-layer-rates: the PyTorch side has one learning rate for all layers; add --skip-torch');
const section = strFlag('section', 'ebm-jem');
const freshOptimizer = has('fresh-optimizer');
const evalFrom = flag('eval-from', 0);
const maxAbsLoss = flag('max-abs-loss', 1e8);
const reps = flag('timing-reps', 5);
const timingRounds = flag('timing-rounds', 1);
const evalN = flag('eval-n', 10000);
/** Test/OOD image ranges scored: --eval-ranges A-B,C-D (inclusive) or the one range --eval-from, --eval-n. */
const evalRanges = has('eval-ranges') ? parseRanges(strFlag('eval-ranges', '')) : [[evalFrom, evalFrom + evalN - 1] as const];
const seed = flag('seed', 1);
const holdout = flag('holdout', 0);
const stopEce = flag('stop-ece', Infinity);
const stopAccDrop = flag('stop-acc-drop', Infinity);
const checkEvery = flag('check-every', 25);
const earlyStopping = holdout > 0 && (Number.isFinite(stopEce) || Number.isFinite(stopAccDrop));
if ((Number.isFinite(stopEce) || Number.isFinite(stopAccDrop)) && !(holdout > 0)) throw new Error('--stop-ece / --stop-acc-drop need --holdout N');
if (holdout > 0 && !has('skip-torch')) throw new Error('--holdout: the PyTorch side has no held-out early stopping; add --skip-torch');
const load0 = loadavg().map((v) => v.toFixed(2)).join(' ');
const sel = await selectBackend('wasm');
console.error(`backend: ${sel.reason}`);
// The last `holdout` training images are never trained on: early stopping looks at them (in-distribution only).
const { fashion, mnist, train, heldOut, test, ood, nTrain, total } = await loadJemData(holdout, evalRanges);
const ranges = rangeText(evalRanges);
const arch: JemArchitecture = { kind: 'cnn', inputShape: [28, 28, 1], classes: 10 };

// Timings on a separate, freshly initialised model (the first step of each kind is a warm-up and not counted), in
// rounds that alternate with the PyTorch side: one before training, one after the PyTorch run. Wall ms as trainJem
// reports them (the supervised step: the update alone) and process CPU ms of each whole step (the machine is shared).
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const sup: number[] = [];
const full: number[] = [];
const sg: number[] = [];
const supCpu: number[] = [];
const fullCpu: number[] = [];
const sgCpu: number[] = [];
async function timeOurs(round: number): Promise<void> {
  const timer = Jem.create(arch, createRng(seed + 1000 + round));
  let last = cpuMs();
  const onStep = (wall: number[], cpu: number[], ms: (s: { sgldMs: number; updateMs: number }) => number) => (s: { step: number; sgldMs: number; updateMs: number }) => {
    const now = cpuMs();
    if (s.step > 1) {
      wall.push(ms(s));
      cpu.push(now - last);
    }
    last = now;
  };
  await trainJem(timer, train, { ...common, warmupSchedule: 'constant', steps: reps + 1, warmupSteps: reps + 1, onStep: onStep(sup, supCpu, (s) => s.updateMs) }, createRng(seed + 1 + round));
  const x0 = tf.tidy(() => tf.randomUniform([64, 28, 28, 1], -1, 1, 'float32', seed));
  for (let r = 0; r <= reps; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    sgld(timer.energy, x0, { stepSize: 1, noise: 0.01, steps: 1 }, createRng(r)).dispose();
    if (r > 0) {
      sg.push(performance.now() - t0);
      sgCpu.push(cpuMs() - c0);
    }
  }
  x0.dispose();
  last = cpuMs();
  await trainJem(timer, train, { ...common, warmupSchedule: 'constant', steps: reps + 1, onStep: onStep(full, fullCpu, (s) => s.sgldMs + s.updateMs) }, createRng(seed + 2 + round));
  timer.dispose();
}
await timeOurs(0);
const oursNow = () => ({ sup: median(sup), sgld: median(sg), jem: median(full), supCpu: median(supCpu), sgldCpu: median(sgCpu), jemCpu: median(fullCpu) });
let ours = oursNow();
console.error(`ebmkit: supervised ${ours.sup.toFixed(1)} ms, SGLD ${ours.sgld.toFixed(1)} ms, JEM ${ours.jem.toFixed(1)} ms (CPU ${ours.supCpu.toFixed(1)}, ${ours.sgldCpu.toFixed(1)}, ${ours.jemCpu.toFixed(1)})`);

// Training for the budget, then evaluation.
const jem = Jem.create(arch, createRng(seed));
const t0 = performance.now();
const ckDir = mkdtempSync(path.join(tmpdir(), 'ebm-jem-bench-'));
let stopNote = '';
let stepsDone = steps;
let checkNote = '';
let stepsRun = steps;
// One trainJem run (the warm-up switches the optimiser's rate), or with --fresh-optimizer two: the warm-up, then the
// JEM steps with a new Adam (as when JEM training starts from a pretrained classifier).
const stages = freshOptimizer && warmup > 0 && warmup < steps
  ? [{ from: 0, steps: warmup, warmupSteps: warmup }, { from: warmup, steps: steps - warmup, warmupSteps: 0 }]
  : [{ from: 0, steps, warmupSteps: warmup }];
let stageFrom = 0;
try {
  for (const stage of stages) {
    stageFrom = stage.from;
    const res = await trainJem(jem, train, {
      ...common,
      // A pure warm-up stage runs no SGLD: its buffer is never drawn from, so it skips fitting the class Gaussians.
      ...(stage.warmupSteps === stage.steps ? { bufferInit: 'uniform' as const } : {}),
      steps: stage.steps,
      maxAbsLoss,
      checkpoint: { path: path.join(ckDir, `jem-${stage.from}.ckpt.safetensors`), every: 50 },
      warmupSteps: stage.warmupSteps,
      ...(Number.isFinite(warmupLr) && stage.warmupSteps > 0 ? { warmupLearningRate: warmupLr } : {}),
      ...(earlyStopping && stage.warmupSteps < stage.steps
        ? {
            earlyStop: {
              data: heldOut,
              every: checkEvery,
              maxEce: stopEce,
              maxAccuracyDrop: stopAccDrop,
              onCheck: (c) => console.error(`check step ${stage.from + c.step}: held-out acc ${c.accuracy.toFixed(4)} ECE ${c.ece.toFixed(4)} E ${c.energy.toFixed(2)}${c.ok ? '' : ' (limit broken)'}`),
            },
          }
        : {}),
      onStep: (s) => {
        const step = stage.from + s.step;
        if (step % 50 === 0 || step === steps) {
          console.error(
            `step ${step}/${steps} ${s.phase} loss ${s.loss.toFixed(3)} xent ${s.crossEntropy.toFixed(3)} acc ${s.batchAccuracy.toFixed(2)} ` +
              `E(data) ${s.energyData.toFixed(2)} E(samples) ${s.energySample.toFixed(2)} ${((performance.now() - t0) / 1000).toFixed(0)} s`,
          );
        }
      },
    }, createRng(seed));
    if (res.checks.length > 0) {
      const track = res.checks.map((c) => `${stage.from + c.step}: ${c.accuracy.toFixed(3)} / ${c.ece.toFixed(3)}`).join(', ');
      const limits = [Number.isFinite(stopEce) ? `ECE > ${stopEce}` : '', Number.isFinite(stopAccDrop) ? `accuracy more than ${stopAccDrop} below the first check's` : ''].filter(Boolean).join(' or ');
      checkNote =
        `Early stopping on ${holdout} held-out training images (${nTrain}–${total - 1}, never trained on; training used the first ${nTrain}): ` +
        `a check every ${checkEvery} JEM steps stops at the first with ${limits}. ` +
        (res.stopped
          ? `Stopped at step ${stage.from + res.stopped.step} (${res.stopped.reason}); the weights evaluated are ${res.stopped.restoredStep !== undefined ? `those of step ${stage.from + res.stopped.restoredStep}` : 'those at that step (no check had held)'}.`
          : `No limit was broken in ${steps} steps.`) +
        ` Held-out accuracy / ECE by step: ${track}.`;
      if (res.stopped) {
        stepsRun = stage.from + res.stopped.step;
        stepsDone = stage.from + (res.stopped.restoredStep ?? res.stopped.step);
        break;
      }
    }
  }
} catch (e) {
  if (!(e instanceof DivergenceError)) throw e;
  // trainJem restores the last good checkpoint; without one the model is left as it was before the failing step.
  stepsDone = stageFrom + (e.checkpoint?.step ?? e.step - 1);
  stopNote =
    `Training diverged at step ${stageFrom + e.step} (${e.reason}); the model evaluated is ` +
    `${e.checkpoint ? 'the last good checkpoint' : 'the one before that step'}, step ${stepsDone}.`;
  console.error(stopNote);
} finally {
  rmSync(ckDir, { recursive: true, force: true });
}
const trainSeconds = (performance.now() - t0) / 1000;
// The file records the byte → [−1, 1] map used here, so that `ebm jem eval` / `sample` read raw IDX bytes as we did.
jem.metadata.inputTransform = BYTE_MAP;
if (has('save')) await jem.save(strFlag('save', ''), { steps: stepsDone, warmup, lr, ...(Number.isFinite(warmupLr) ? { warmupLr } : {}), ...(warmupSchedule === 'cosine' ? { warmupSchedule } : {}), pxWeight, energyPenalty, clamp, sgldSteps, bufferInit, reinit, seed, negBatch, ...(jemOptimizer === 'sgd' ? { jemOptimizer, momentum } : {}), ...(layerRates.length > 0 ? { jemLayerRates: layerRates } : {}), holdout, checkEvery, ...(Number.isFinite(stopEce) ? { stopEce } : {}), ...(Number.isFinite(stopAccDrop) ? { stopAccDrop } : {}) });
const ev = evaluateJem(jem, test, ood);
console.error(JSON.stringify(ev));

let torch: Record<string, number | string> | undefined;
let torchNote = 'not run (--skip-torch)';
if (!has('skip-torch')) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const args = [path.join(here, 'jem_torch.py'), '--fashion', fashion, '--mnist', mnist, '--steps', String(steps), '--warmup', String(warmup), '--lr', String(lr), ...(Number.isFinite(warmupLr) ? ['--warmup-lr', String(warmupLr)] : []),
    '--energy-penalty', String(energyPenalty), '--px-weight', String(pxWeight),
    '--sgld-steps', String(sgldSteps), '--neg-batch', String(negBatch), '--flip', String(flip), '--buffer-init', bufferInit, '--reinit', String(reinit), '--timing-reps', String(reps), '--eval-ranges', evalRanges.map(([a, b]) => `${a}-${b}`).join(','), '--seed', String(seed)];
  const python = strFlag('python', '/usr/bin/python3');
  // extra rounds: a timing-only PyTorch run, then ours again
  const torchRounds: Record<string, number>[] = [];
  for (let round = 1; round < timingRounds; round++) {
    const t = spawnSync(python, [...args, '--timing-only'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (t.status !== 0) throw new Error(`PyTorch timing round failed: ${(t.stderr || String(t.error)).trim().split('\n').pop()}`);
    torchRounds.push(JSON.parse(t.stdout.trim().split('\n').pop()!));
    await timeOurs(1 + round);
  }
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status === 0) {
    torch = JSON.parse(r.stdout.trim().split('\n').pop()!);
    torchRounds.push(torch as Record<string, number>);
    for (const key of ['ms_supervised_step', 'ms_sgld_step', 'ms_jem_step', 'cpu_ms_supervised_step', 'cpu_ms_sgld_step', 'cpu_ms_jem_step']) {
      torch![key] = median(torchRounds.map((t) => t[key]!));
    }
    torchNote = `PyTorch ${torch!['torch']} (Debian python3-torch), ${torch!['threads']} thread`;
  } else {
    torchNote = `failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`;
  }
  console.error(`torch: ${torchNote}`, torch ?? '');
  // the second timing round of ours, after the PyTorch side
  await timeOurs(1);
  ours = oursNow();
  console.error(`ebmkit, both rounds: supervised ${ours.sup.toFixed(1)} ms, SGLD ${ours.sgld.toFixed(1)} ms, JEM ${ours.jem.toFixed(1)} ms (CPU ${ours.supCpu.toFixed(1)}, ${ours.sgldCpu.toFixed(1)}, ${ours.jemCpu.toFixed(1)})`);
}
const load1 = loadavg().map((v) => v.toFixed(2)).join(' ');

const f1 = (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : '–');
const f3 = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '–');
const rows: (string | number)[][] = [
  ['ms per supervised step (batch 64; wall, the update)', f1(ours.sup), f1(torch?.['ms_supervised_step'])],
  ['CPU ms per supervised step (the whole step)', f1(ours.supCpu), f1(torch?.['cpu_ms_supervised_step'])],
  ['ms per SGLD step (batch 64; wall)', f1(ours.sgld), f1(torch?.['ms_sgld_step'])],
  ['CPU ms per SGLD step', f1(ours.sgldCpu), f1(torch?.['cpu_ms_sgld_step'])],
  [`ms per JEM step (${sgldSteps} SGLD steps${negBatch !== 64 ? ` on ${negBatch} samples` : ''} + update; wall)`, f1(ours.jem), f1(torch?.['ms_jem_step'])],
  ['CPU ms per JEM step (the whole step)', f1(ours.jemCpu), f1(torch?.['cpu_ms_jem_step'])],
  [`training time for ${stepsRun} steps (${warmup} supervised)${stopNote || stepsRun !== steps ? `, stopped: see below` : ''}${checkNote ? ', held-out checks included' : ''}, s`, trainSeconds.toFixed(0), f1(torch?.['train_seconds'])],
  [`test accuracy (${test.y.length} images)`, f3(ev.accuracy), f3(torch?.['accuracy'])],
  ['expected calibration error (15 bins)', f3(ev.ece), '–'],
  ['OOD AUROC, log p(x)', f3(ev.ood!.logPx), f3(torch?.['auroc_logpx'])],
  ['OOD AUROC, max p(y|x)', f3(ev.ood!.maxProb), f3(torch?.['auroc_maxprob'])],
  ['OOD AUROC, −‖∇ₓ log p(x)‖', f3(ev.ood!.gradNorm), f3(torch?.['auroc_gradnorm'])],
];
const ratio = (a: number, key: string) => (torch && typeof torch[key] === 'number' ? (a / (torch[key] as number)).toFixed(2) : '–');
const cmd = `EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/jem.ts ${process.argv.slice(2).join(' ')}`.trim();
const md = [
  section === 'ebm-jem' ? '## 4. JEM on Fashion-MNIST (small CNN), ebmkit vs PyTorch' : `## 4. JEM on Fashion-MNIST (small CNN), ebmkit vs PyTorch: ${steps} steps (${section})`,
  '',
  `Command: \`${cmd}\``,
  '',
  `Machine: ${machineDescription()}; load average ${load0} at start, ${load1} at the end (timings are only comparable at equal load).`,
  `ebmkit: tfjs ${tf.version_core}, ${sel.reason}, one thread. Reference: ${torchNote}.`,
  `Same data ([−1, 1], N(0, 0.03²) noise on batches), model, ${jemOptimizer === 'sgd' ? `SGD with momentum ${momentum} at lr ${lr} in the JEM steps (Adam ${warmupLr} during the warm-up)` : `Adam lr ${lr}${Number.isFinite(warmupLr) ? ` (${warmupSchedule === 'cosine' ? `annealed from ${warmupLr} to ${lr} by a cosine over` : `${warmupLr} during`} the warm-up)` : ''}`}, batch 64, SGLD step 1, noise 0.01, ${sgldSteps} steps, replay buffer 10,000 with ${+(reinit * 100).toFixed(1)} % re-init from ${bufferInit === 'uniform' ? 'U[−1, 1]' : 'one Gaussian per class fitted to the training data (JEM++), clamped to [−1, 1]'}; ` +
    `${warmup} supervised warm-up steps, then JEM steps, ${steps} in all${energyPenalty > 0 ? `; energy penalty α = ${energyPenalty}` : ''}${pxWeight !== 1 ? `; log p(x) weight ${pxWeight}` : ''}${clamp ? '; SGLD samples clamped to [−1, 1]' : ''}${negBatch !== 64 ? `; ${negBatch} SGLD samples per JEM step` : ''}${flip > 0 ? `; data images mirrored left–right with probability ${flip}` : ''}${layerRates.length > 0 ? `; in the JEM steps the layers with weights (conv 1, conv 2, dense, output) run at ${layerRates.map((r) => `${r}`).join(', ')}${layerRates.length < 4 ? ` (the rest 1)` : ''} × the learning rate (--jem-layer-rates)` : ''}.${jemOptimizer === 'sgd' ? ` The JEM steps run SGD with momentum ${momentum} at rate ${lr} (--jem-optimizer sgd) after the Adam warm-up.` : freshOptimizer ? ' The JEM steps start with a fresh Adam (--fresh-optimizer).' : ''} OOD: MNIST test images ${ranges} (${ood.length / 784}); test accuracy on Fashion-MNIST test images ${ranges}; AUROC with in-distribution positive.`,
  '',
  markdownTable(['', 'ebmkit (wasm)', 'PyTorch (CPU)'], rows),
  '',
  ...(stopNote ? [stopNote, ''] : []),
  ...(checkNote ? [checkNote, ''] : []),
  (timingRounds > 1 && torch
    ? `Timings: ${timingRounds + 1} ebmkit rounds alternating with ${timingRounds} PyTorch rounds (${timingRounds - 1} timing-only, then its training run), ${reps} steps of each kind per round after a warm-up step; ebmkit: medians over all its rounds' steps, PyTorch: medians of its rounds' medians. `
    : `Timings: medians of ${reps} steps of each kind (after one warm-up step) per round; ebmkit in two rounds, before training and after the PyTorch run${has('skip-torch') ? ' (one round: --skip-torch)' : ''}, PyTorch in one, between them. `) +
    `Ratios ebmkit / PyTorch, CPU ms: supervised step ${ratio(ours.supCpu, 'cpu_ms_supervised_step')}, SGLD step ${ratio(ours.sgldCpu, 'cpu_ms_sgld_step')}, JEM step ${ratio(ours.jemCpu, 'cpu_ms_jem_step')}; ` +
    `wall ms: ${ratio(ours.sup, 'ms_supervised_step')}, ${ratio(ours.sgld, 'ms_sgld_step')}, ${ratio(ours.jem, 'ms_jem_step')} (targets ≤ 1.0). ` +
    'Targets within one hour of training: accuracy ≥ 0.85 and one OOD AUROC ≥ 0.90.',
].join('\n');
if (!has('no-write')) await writeBenchmarkSection(section, md);
console.log(md);
