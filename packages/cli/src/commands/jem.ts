/**
 * `ebm jem train|eval|sample`: joint energy-based models (a classifier read as an energy model) on IDX or CSV data.
 * The algorithms live in `@ebmkit/core/energy`; this module reads flags and files, maps inputs to the model's range
 * [−1, 1] (saved in the model, repeated by eval and sample), shows progress with the energies of data and samples,
 * and writes results.
 */
import { createRng, loadImage, loadMask } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import {
  DivergenceError,
  evaluateJem,
  inpaintJem,
  Jem,
  predictJem,
  robustAccuracy,
  sampleJem,
  trainJem,
  writeImageGrid,
  type JemArchitecture,
  type JemTrainOptions,
  type RefineOptions,
} from '@ebmkit/core/energy';
import { writeFile } from 'node:fs/promises';
import { defineCommand, type CommandContext, type TaskModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { checkMemoryFlags } from '../memory-flags.js';
import { JEM_RECIPE_FLAGS, jemRecipeOptions } from './jem-recipe.js';
import type { OptionSpec } from '../options.js';
import { DATA_OPTIONS, loadIdxLabels, loadRows, type LoadedRows } from './rbm.js';

/** The raw → model map x' = scale·x + shift taking [lo, hi] to [−1, 1]. */
function rangeTransform(lo: number, hi: number): { scale: number; shift: number } {
  if (!(hi > lo)) throw new CliError(`the data has a constant value ${lo}: cannot map it to [-1, 1]`);
  return { scale: 2 / (hi - lo), shift: -(hi + lo) / (hi - lo) };
}

function applyTransform(data: ArrayLike<number>, t: { scale: number; shift: number }): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = t.scale * data[i]! + t.shift;
  return out;
}

/** Rows and labels of a data file; labels from `--labels` (IDX) or the CSV label column. */
async function loadLabelled(o: DataFlags, needLabels: boolean): Promise<{ rows: LoadedRows; y?: Int32Array; u8: boolean }> {
  const rows = await loadRows(o.data, { format: o.format, noHeader: o.noHeader, labelColumn: o.labelColumn, limit: o.limit });
  let y = rows.labels;
  if (o.labels) y = await loadIdxLabels(o.labels, rows.x.rows);
  if (needLabels && !y) throw new UsageError('labels are needed: give --labels FILE (IDX) or --label-column for CSV data');
  const u8 = rows.x.data instanceof Uint8Array || (rows.imageShape !== undefined && !/\.csv(\.gz)?$/i.test(o.data));
  return { rows, ...(y ? { y } : {}), u8 };
}

interface DataFlags {
  data: string;
  format?: 'idx' | 'csv' | undefined;
  noHeader: boolean;
  labelColumn?: string | undefined;
  limit?: number | undefined;
  labels?: string | undefined;
}

const LABELS = { name: 'labels', type: 'string', placeholder: 'FILE', help: 'IDX label file (one class per row) for IDX data' } as const;

const trainOptions = [
  ...DATA_OPTIONS,
  LABELS,
  { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to save the trained model (kind "jem")' },
  { name: 'arch', type: 'enum', choices: ['cnn', 'mlp'], help: 'Classifier: the small CNN (images) or an MLP (default: cnn for IDX images, else mlp)' },
  { name: 'hidden', type: 'list', default: ['256', '256'], help: 'MLP hidden layer widths' },
  ...JEM_RECIPE_FLAGS,
  { name: 'holdout', type: 'number', integer: true, min: 0, default: 0, help: 'Keep the last N rows out of training, as held-out data for early stopping' },
  { name: 'stop-ece', type: 'number', min: 0, help: 'Stop the JEM steps once held-out ECE exceeds this (needs --holdout); e.g. 0.1' },
  { name: 'stop-acc-drop', type: 'number', min: 0, help: 'Stop once held-out accuracy falls this far below its value when the JEM steps began; e.g. 0.03' },
  { name: 'check-every', type: 'number', integer: true, min: 1, default: 25, help: 'JEM steps between held-out checks' },
  { name: 'checkpoint', type: 'string', placeholder: 'FILE', output: 'file', help: 'Write a resumable checkpoint here' },
  { name: 'checkpoint-every', type: 'number', integer: true, min: 1, default: 100, help: 'Steps between checkpoints' },
  { name: 'resume', type: 'string', placeholder: 'FILE', help: 'Continue from a checkpoint written by --checkpoint' },
  { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed' },
] as const satisfies readonly OptionSpec[];

const train = defineCommand({
  name: 'train',
  summary: 'Train a JEM (classifier + energy model) with SGLD negatives from a replay buffer',
  description:
    'Inputs are mapped to [-1, 1]: IDX bytes by x/127.5 - 1, CSV data by its own min…max (saved in the model).\n' +
    'The first --warmup steps train the classifier only; then each step runs --sgld-steps of SGLD from the replay\n' +
    'buffer and updates on log p(y|x) + log p(x). Divergence (NaN or an exploding loss) stops with the step named;\n' +
    'the last checkpoint is kept and --resume continues from it.\n' +
    'Early stopping: --holdout N keeps the last N rows out of training; every --check-every JEM steps their accuracy\n' +
    'and calibration error are measured, and training stops at the first check past --stop-ece or --stop-acc-drop,\n' +
    'keeping the weights of the last check within them (the log p(x) term slowly shrinks the logits: past a point\n' +
    'accuracy and calibration fall while out-of-distribution scores stop improving).',
  options: trainOptions,
  examples: [
    'ebm jem train --data train-images-idx3-ubyte.gz --labels train-labels-idx1-ubyte.gz --steps 2000 --warmup 500 --learning-rate 1e-3 --out fmnist.jem',
    'ebm jem train --data blobs.csv --label-column label --arch mlp --hidden 64,64 --out blobs.jem',
    'ebm jem train --data train-images-idx3-ubyte.gz --labels train-labels-idx1-ubyte.gz --steps 3600 --warmup 3000 --warmup-learning-rate 1e-3 --learning-rate 3e-5 --fresh-optimizer --clamp --buffer-init class-gaussians --reinit 0.2 --energy-penalty 0.003 --negative-batch-size 128 --holdout 2000 --stop-ece 0.1 --out fmnist.jem',
  ],
  async run(ctx) {
    const o = ctx.options;
    if (o.warmup > o.steps) throw new UsageError(`--warmup ${o.warmup} exceeds --steps ${o.steps}`);
    const stopping = o.stopEce !== undefined || o.stopAccDrop !== undefined;
    if (stopping && o.holdout === 0) throw new UsageError('--stop-ece / --stop-acc-drop need held-out rows: give --holdout N');
    await selectBackend();
    const { rows, y, u8 } = await loadLabelled(o, true);
    const labels = y!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of rows.x.data) {
      if (!Number.isFinite(v)) throw new CliError(`${o.data}: a value is ${v}, not a finite number`);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const transform = u8 ? rangeTransform(0, 255) : rangeTransform(lo, hi);
    const x = applyTransform(rows.x.data, transform);
    let classes = 0;
    for (const c of labels) {
      if (!(c >= 0) || !Number.isInteger(c)) throw new CliError(`labels must be integers ≥ 0, found ${c}`);
      classes = Math.max(classes, c + 1);
    }
    if (classes < 2) throw new CliError(`need at least 2 classes, the labels have ${classes}`);
    const kind = o.arch ?? (rows.imageShape ? 'cnn' : 'mlp');
    let arch: JemArchitecture;
    if (kind === 'cnn') {
      if (!rows.imageShape) throw new UsageError('--arch cnn needs image data (a 3-dimensional IDX file)');
      arch = { kind: 'cnn', inputShape: [rows.imageShape[0], rows.imageShape[1], 1], classes };
    } else {
      const hidden = o.hidden.map((h) => {
        const n = Number(h);
        if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--hidden: widths must be integers ≥ 1, got '${h}'`);
        return n;
      });
      arch = { kind: 'mlp', inputShape: [rows.x.cols], classes, hidden };
    }
    const nTrain = rows.x.rows - o.holdout;
    if (nTrain < 1) throw new UsageError(`--holdout ${o.holdout} leaves no training rows (the data has ${rows.x.rows})`);
    const D = rows.x.cols;
    checkMemoryFlags(`--buffer ${o.buffer} (× ${D} values per row)`, 4 * o.buffer * D);
    const negatives = o.negativeBatchSize ?? o.batchSize;
    // data and SGLD batches with their input gradients; layer activations are of the same order for the small nets
    checkMemoryFlags(`--batch-size ${o.batchSize} and --negative-batch-size ${negatives} (× ${D} values per row)`, 4 * 8 * (o.batchSize + negatives) * D);
    const trainData = { x: x.subarray(0, nTrain * D), y: labels.subarray(0, nTrain) };
    const heldOut = { x: x.subarray(nTrain * D), y: labels.subarray(nTrain) };
    const rng = createRng(o.seed);
    const jem = Jem.create(arch, rng);
    jem.metadata.inputTransform = transform;
    ctx.note(
      `training a JEM (${kind}) on ${nTrain} rows × ${D} values, ${classes} classes, ${o.steps} steps (${o.warmup} supervised)` +
        (o.holdout > 0 ? `; rows ${nTrain + 1}–${rows.x.rows} held out` : ''),
    );
    const weighted = jem.model.layers.filter((l) => l.trainableWeights.length > 0).length;
    if (o.jemLayerRates.length > weighted) throw new UsageError(`--jem-layer-rates: ${o.jemLayerRates.length} rates, the ${kind} has ${weighted} layers with weights`);
    const start = performance.now();
    let first = true;
    const clock = () => (first ? ((first = false), start) : performance.now());
    let bar = ctx.progress({ label: 'warm-up', total: o.steps, unit: 'steps' });
    const opts: JemTrainOptions = {
      ...jemRecipeOptions(o, jem.metadata.dataRange),
      ...(o.checkpoint ? { checkpoint: { path: o.checkpoint, every: o.checkpointEvery } } : {}),
      ...(o.resume ? { resume: o.resume } : {}),
      ...(o.holdout > 0
        ? {
            earlyStop: {
              data: heldOut,
              every: o.checkEvery,
              ...(o.stopEce !== undefined ? { maxEce: o.stopEce } : {}),
              ...(o.stopAccDrop !== undefined ? { maxAccuracyDrop: o.stopAccDrop } : {}),
              onCheck: (c) => ctx.note(`held-out check at step ${c.step}: accuracy ${c.accuracy.toFixed(4)}  ECE ${c.ece.toFixed(4)}  E ${c.energy.toFixed(3)}${c.ok ? '' : '  (limit broken)'}`),
            },
          }
        : {}),
      onStep: (s) => {
        if (s.step % 10 === 0 || s.step === 1) {
          // Relabel the bar with the latest energies; the injected clock keeps rate and ETA over the whole run.
          bar.done();
          first = true;
          const label =
            s.phase === 'warmup'
              ? `warm-up  loss ${s.loss.toFixed(3)}  acc ${s.batchAccuracy.toFixed(2)}`
              : `JEM  xent ${s.crossEntropy.toFixed(3)}  E(data) ${s.energyData.toFixed(2)}  E(samples) ${s.energySample.toFixed(2)}`;
          bar = ctx.progress({ label, total: o.steps, unit: 'steps', now: clock });
        }
        bar.update(s.step);
        if (s.step % 100 === 0) {
          ctx.note(
            `step ${s.step}/${o.steps} ${s.phase}  loss ${s.loss.toFixed(4)}  xent ${s.crossEntropy.toFixed(4)}  batch acc ${s.batchAccuracy.toFixed(3)}` +
              (s.phase === 'jem' ? `  E(data) ${s.energyData.toFixed(3)}  E(samples) ${s.energySample.toFixed(3)}` : ''),
          );
        }
      },
    };
    let result;
    try {
      result = await trainJem(jem, trainData, opts, rng);
    } catch (err) {
      bar.done();
      if (err instanceof DivergenceError) throw new CliError(err.message);
      throw err;
    }
    bar.done();
    const seconds = (performance.now() - start) / 1000;
    const stop = result.stopped;
    const kept = stop ? (stop.restoredStep ?? stop.step) : o.steps;
    if (stop) {
      ctx.note(`early stop at step ${stop.step}: ${stop.reason}; ${stop.restoredStep !== undefined ? `keeping the weights of step ${stop.restoredStep}` : 'no check had held: keeping the weights as they are'}`);
    }
    const last = [...result.checks].reverse().find((c) => c.ok);
    await jem.save(o.out, {
      steps: kept,
      warmup: o.warmup,
      batch: o.batchSize,
      negatives,
      lr: o.learningRate,
      ...(o.warmupLearningRate !== undefined ? { warmupLr: o.warmupLearningRate } : {}),
      ...(o.warmupSchedule === 'cosine' ? { warmupSchedule: 'cosine' } : {}),
      freshOptimizer: o.freshOptimizer === true,
      ...(o.jemOptimizer === 'sgd' ? { jemOptimizer: 'sgd', momentum: o.momentum } : {}),
      ...(opts.jemLayerRates ? { jemLayerRates: opts.jemLayerRates } : {}),
      energyPenalty: o.energyPenalty,
      pxWeight: o.pxWeight,
      sgld: opts.sgld,
      buffer: o.buffer,
      bufferInit: o.bufferInit,
      reinit: o.reinit,
      flip: o.flip,
      seed: o.seed,
      seconds,
      ...(o.holdout > 0 ? { holdout: o.holdout, ...(last ? { heldOut: { step: last.step, accuracy: last.accuracy, ece: last.ece } } : {}) } : {}),
      ...(stop ? { stopped: stop } : {}),
    });
    ctx.io.stdout.write(
      `saved ${o.out}: JEM ${kind}, ${classes} classes, ${kept} steps${stop ? ` (early stop at step ${stop.step})` : ''} in ${seconds.toFixed(1)} s` +
        (last ? `; held-out accuracy ${last.accuracy.toFixed(4)}, ECE ${last.ece.toFixed(4)}` : '') +
        '\n',
    );
  },
});

const evalOptions = [
  { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model saved by ebm jem train' },
  ...DATA_OPTIONS,
  LABELS,
  { name: 'ood', type: 'string', placeholder: 'FILE', help: 'Out-of-distribution inputs (IDX, or CSV minus --label-column) for OOD AUROCs' },
  { name: 'attack', type: 'enum', choices: ['pgd-linf', 'pgd-l2'], help: 'Also measure robust accuracy under white-box PGD in an L-inf or L2 ball' },
  { name: 'eps', type: 'list', default: ['0.01', '0.02', '0.05', '0.1'], help: 'Attack radii, in model input units (inputs are mapped to [-1, 1])' },
  { name: 'attack-steps', type: 'number', integer: true, min: 1, default: 20, help: 'PGD steps' },
  { name: 'attack-step-size', type: 'number', min: 0, help: 'PGD step length (default 2.5 eps / --attack-steps)' },
  { name: 'refine-steps', type: 'number', integer: true, min: 0, default: 0, help: 'Also classify after this many SGLD steps on E(x) from the attacked input (JEM refinement)' },
  { name: 'refine-step', type: 'number', min: 0, default: 1, help: 'SGLD step size of the refinement' },
  { name: 'refine-noise', type: 'number', min: 0, default: 0.01, help: 'SGLD noise of the refinement' },
  { name: 'adaptive', type: 'boolean', help: 'Attack through the refinement (gradient at the refined point, passed straight through)' },
  { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed (PGD random starts, refinement noise)' },
  { name: 'json', type: 'boolean', help: 'Print the results as one JSON object' },
] as const satisfies readonly OptionSpec[];

const evalCmd = defineCommand({
  name: 'eval',
  summary: 'Accuracy, calibration (ECE) and OOD detection AUROCs of a JEM',
  description:
    'OOD scores (higher = in-distribution): log p(x) up to log Z, max p(y|x), and -||grad_x log p(x)||; the AUROC\n' +
    'of each tells the test data (positive) from the --ood data.\n' +
    'With --attack, robust accuracy per --eps: PGD on the cross-entropy of the true label (random start in the ball,\n' +
    '--attack-steps steps of sign (L-inf) or normalised (L2) gradient ascent, projection, clamping to [-1, 1]; per\n' +
    'input the highest-loss point is kept). --refine-steps N also classifies the attacked inputs after N SGLD steps on\n' +
    "E(x) (the JEM paper's defence); the attack ignores the refinement unless --adaptive.",
  options: evalOptions,
  examples: [
    'ebm jem eval --model fmnist.jem --data t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz --ood mnist-t10k-images-idx3-ubyte.gz',
    'ebm jem eval --model fmnist.jem --data t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz --limit 500 --attack pgd-linf --eps 0.01,0.02,0.05,0.1 --refine-steps 10',
  ],
  async run(ctx) {
    const o = ctx.options;
    await selectBackend();
    const jem = await Jem.load(o.model, createRng(1));
    const { rows, y } = await loadLabelled(o, true);
    const D = jem.inputShape.reduce((a, b) => a * b, 1);
    if (rows.x.cols !== D) throw new CliError(`${o.data}: rows of ${rows.x.cols} values, the model takes ${D}`);
    let ood: Float32Array | undefined;
    if (o.ood) {
      // A CSV --ood file drops the same --label-column as the test data when it has one.
      const csv = /\.csv(\.gz)?$/i.test(o.ood);
      const r = await loadRows(o.ood, { noHeader: o.noHeader, limit: o.limit, ...(csv && o.labelColumn !== undefined ? { labelColumn: o.labelColumn } : {}) });
      if (r.x.cols !== D) throw new CliError(`${o.ood}: rows of ${r.x.cols} values, the model takes ${D}`);
      ood = modelInputs(o.ood, r.x.data, jem);
    }
    const eps = o.eps.map((e) => {
      const v = Number(e);
      if (!(Number.isFinite(v) && v >= 0)) throw new UsageError(`--eps: radii must be numbers ≥ 0, got '${e}'`);
      return v;
    });
    if (!o.attack && (o.refineSteps > 0 || o.adaptive)) throw new UsageError('--refine-steps and --adaptive apply to an attack: give --attack pgd-linf|pgd-l2');
    if (o.adaptive && o.refineSteps === 0) throw new UsageError('--adaptive attacks through the refinement: give --refine-steps N (N ≥ 1)');
    const test = { x: modelInputs(o.data, rows.x.data, jem), y: y! };
    const ev = evaluateJem(jem, test, ood);
    const robust: { eps: number; accuracy: number; refinedAccuracy?: number; cleanLoss: number; attackLoss: number }[] = [];
    if (o.attack) {
      const norm = o.attack === 'pgd-linf' ? 'linf' : 'l2';
      const refine: RefineOptions | undefined = o.refineSteps > 0 ? { steps: o.refineSteps, stepSize: o.refineStep, noise: o.refineNoise } : undefined;
      const bar = ctx.progress({ label: `${o.attack}, ${o.attackSteps} steps`, total: eps.length, unit: 'radii' });
      for (const [i, e] of eps.entries()) {
        const attack = { norm, eps: e, steps: o.attackSteps, ...(o.attackStepSize !== undefined ? { stepSize: o.attackStepSize } : {}), ...(o.adaptive ? { refine: refine! } : {}) } as const;
        const r = robustAccuracy(jem, test, { attack, ...(refine ? { refine } : {}) }, createRng(o.seed));
        robust.push({ eps: e, accuracy: r.accuracy, ...(r.refinedAccuracy !== undefined ? { refinedAccuracy: r.refinedAccuracy } : {}), cleanLoss: r.cleanLoss, attackLoss: r.attackLoss });
        bar.update(i + 1);
      }
      bar.done();
    }
    const attackInfo = o.attack
      ? { attack: { kind: o.attack, steps: o.attackSteps, ...(o.refineSteps > 0 ? { refineSteps: o.refineSteps, refineStep: o.refineStep, refineNoise: o.refineNoise, adaptive: o.adaptive === true } : {}), seed: o.seed }, robust }
      : {};
    if (o.json) {
      ctx.io.stdout.write(JSON.stringify({ rows: rows.x.rows, ...ev, ...attackInfo }) + '\n');
      return;
    }
    const lines = [`accuracy  ${ev.accuracy.toFixed(4)}  (${rows.x.rows} rows)`, `ECE       ${ev.ece.toFixed(4)}  (15 bins)`, `NLL       ${ev.nll.toFixed(4)}`];
    if (ev.ood) {
      lines.push(`OOD AUROC log p(x)          ${ev.ood.logPx.toFixed(4)}`);
      lines.push(`OOD AUROC max p(y|x)        ${ev.ood.maxProb.toFixed(4)}`);
      lines.push(`OOD AUROC -|grad log p(x)|  ${ev.ood.gradNorm.toFixed(4)}`);
    }
    if (o.attack) {
      const refined = o.refineSteps > 0;
      lines.push(`robust accuracy, ${o.attack}, ${o.attackSteps} steps${refined ? `; refined: ${o.refineSteps} SGLD steps (step ${o.refineStep}, noise ${o.refineNoise})${o.adaptive ? ', attacked through' : ''}` : ''}`);
      lines.push(`  eps      accuracy${refined ? '  refined' : ''}  loss (clean → attacked)`);
      for (const r of robust) {
        lines.push(`  ${String(r.eps).padEnd(7)}  ${r.accuracy.toFixed(4)}  ${refined ? `  ${r.refinedAccuracy!.toFixed(4)}` : ''}  ${r.cleanLoss.toFixed(4)} → ${r.attackLoss.toFixed(4)}`);
      }
    }
    ctx.io.stdout.write(lines.join('\n') + '\n');
  },
});

/**
 * Raw data → the model's inputs by the model's recorded map. A model without one (e.g. saved by library code that
 * scaled its data itself) takes the values as they are; values far outside its input range then mean the data need
 * the scaling the model was trained with, and are refused rather than scored.
 */
function modelInputs(file: string, raw: ArrayLike<number>, jem: Jem): Float32Array {
  const t = jem.metadata.inputTransform;
  const x = applyTransform(raw, t ?? { scale: 1, shift: 0 });
  if (!t) {
    const { min, max } = jem.metadata.dataRange;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const slack = max - min;
    if (lo < min - slack || hi > max + slack) {
      throw new CliError(
        `${file}: values ${lo}…${hi} lie far outside the model's input range [${min}, ${max}], and the model records no input ` +
          'transform (metadata.inputTransform); give the data in the range the model was trained on',
      );
    }
  }
  return x;
}

const sampleOptions = [
  { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model saved by ebm jem train' },
  { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'FILE', help: 'grid.png (image models) or samples.csv (one row per sample, raw data units)' },
  { name: 'count', type: 'number', integer: true, min: 1, default: 16, deprecated: ['n'], help: 'Number of samples' },
  { name: 'class', type: 'number', integer: true, min: 0, placeholder: 'Y', help: 'Sample p(x | y) for this class (default: p(x))' },
  { name: 'steps', type: 'number', integer: true, min: 0, default: 200, help: 'SGLD steps from uniform noise' },
  { name: 'sgld-step', type: 'number', min: 0, default: 1, help: 'SGLD step size' },
  { name: 'sgld-noise', type: 'number', min: 0, default: 0.01, help: 'SGLD noise standard deviation' },
  { name: 'image', type: 'string', placeholder: 'FILE', help: 'Inpainting: a picture of the model input size (PNG/JPEG/BMP, read as grey) whose pixels in --constrain-pixels are kept' },
  { name: 'constrain-pixels', type: 'string', placeholder: 'MASK', help: 'Inpainting: a mask picture, white (≥ 128) = observed pixel of --image to keep, black = pixel to fill in' },
  { name: 'constraint-weight', type: 'number', min: 0, placeholder: 'LAMBDA', help: 'λ of the constraint term (λ/2)·|M ⊙ (x − x_obs)|² (default 1 / --sgld-step; λ · step must stay below 2)' },
  { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed' },
] as const satisfies readonly OptionSpec[];

/** Reads `file` as a grey picture of the model's input size, in the model's range, and the observed-pixel mask. */
async function inpaintingInputs(jem: Jem, imageFile: string, maskFile: string): Promise<{ observed: Float32Array; mask: Float32Array }> {
  const shape = jem.inputShape;
  if (shape.length !== 3 || shape[2] !== 1) throw new UsageError(`--image needs a greyscale image model; this one takes [${shape.join(', ')}]`);
  const [h, w] = [shape[0]!, shape[1]!];
  const img = await loadImage(imageFile);
  const m = await loadMask(maskFile);
  if (img.width !== w || img.height !== h) throw new CliError(`${imageFile}: a ${img.width}×${img.height} picture, the model takes ${w}×${h}`);
  if (m.width !== w || m.height !== h) throw new CliError(`${maskFile}: a ${m.width}×${m.height} mask, the model takes ${w}×${h}`);
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = (img.data[3 * i]! + img.data[3 * i + 1]! + img.data[3 * i + 2]!) / 3;
  // Pictures are 0…255 grey: the model's recorded map when it has one (IDX-trained models), else 0…255 → its range.
  const { min, max } = jem.metadata.dataRange;
  const t = jem.metadata.inputTransform ?? { scale: (max - min) / 255, shift: min };
  const observed = applyTransform(grey, t);
  const mask = Float32Array.from(m.data);
  if (!mask.some((v) => v === 1)) throw new CliError(`${maskFile}: no observed (white) pixel`);
  return { observed, mask };
}

const sample = defineCommand({
  name: 'sample',
  summary: 'Draw samples from p(x) or p(x|y) by SGLD and write a PNG grid or a CSV; inpaint a picture as class Y',
  description:
    'Inpainting (--image and --constrain-pixels): SGLD on the energy sum E(x | y) + (λ/2)·|M ⊙ (x − x_obs)|², the JEM\n' +
    'energy of --class Y (or E(x) without --class) composed at test time with a quadratic constraint holding the\n' +
    'observed pixels M of --image; unobserved pixels start as uniform noise. The grid shows the observed picture\n' +
    '(unobserved pixels grey) first, then the samples; the terms of the energy sum at the start and the end are printed.',
  options: sampleOptions,
  examples: [
    'ebm jem sample --model fmnist.jem --class 7 --n 64 --out sandals.png',
    'ebm jem sample --model fmnist.jem --class 7 --image shoe.png --constrain-pixels upper-half.png --count 15 --out inpainted.png',
  ],
  async run(ctx: CommandContext<typeof sampleOptions>) {
    const o = ctx.options;
    await selectBackend();
    const jem = await Jem.load(o.model, createRng(1));
    if (o.class !== undefined && o.class >= jem.classes) throw new UsageError(`--class ${o.class}: the model has classes 0…${jem.classes - 1}`);
    if ((o.image === undefined) !== (o.constrainPixels === undefined)) throw new UsageError('inpainting needs both --image and --constrain-pixels');
    if (o.constraintWeight !== undefined && o.image === undefined) throw new UsageError('--constraint-weight applies to inpainting: give --image and --constrain-pixels');
    if (o.image !== undefined) return inpaint(ctx, jem, o.image, o.constrainPixels!);
    const bar = ctx.progress({ label: o.class === undefined ? 'SGLD p(x)' : `SGLD p(x|${o.class})`, total: o.steps, unit: 'steps' });
    const s = sampleJem(
      jem,
      { n: o.count, steps: o.steps, stepSize: o.sgldStep, noise: o.sgldNoise, ...(o.class !== undefined ? { classLabel: o.class } : {}), onStep: (k) => bar.update(k) },
      createRng(o.seed),
    );
    bar.done();
    const x = s.dataSync() as Float32Array;
    s.dispose();
    const shape = jem.inputShape;
    const D = shape.reduce((a, b) => a * b, 1);
    if (/\.png$/i.test(o.out)) {
      if (shape.length !== 3 || shape[2] !== 1) throw new UsageError(`a PNG grid needs a greyscale image model; this one takes [${shape.join(', ')}]: write .csv`);
      const { min, max } = jem.metadata.dataRange;
      const unit = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) unit[i] = (x[i]! - min) / (max - min);
      await writeImageGrid(o.out, { rows: o.count, cols: D, data: unit }, { width: shape[1]!, height: shape[0]!, scale: 2 });
    } else {
      const t = jem.metadata.inputTransform ?? { scale: 1, shift: 0 };
      const lines: string[] = [Array.from({ length: D }, (_, j) => `x${j}`).join(',')];
      for (let i = 0; i < o.count; i++) lines.push(Array.from(x.subarray(i * D, (i + 1) * D), (v) => String((v - t.shift) / t.scale)).join(','));
      await writeFile(o.out, lines.join('\n') + '\n');
    }
    ctx.io.stdout.write(`wrote ${o.count} samples${o.class !== undefined ? ` of class ${o.class}` : ''} to ${o.out}\n`);
  },
});

/** `ebm jem sample --image … --constrain-pixels …`: class-conditional inpainting by the composed energy. */
async function inpaint(ctx: CommandContext<typeof sampleOptions>, jem: Jem, imageFile: string, maskFile: string): Promise<void> {
  const o = ctx.options;
  if (!/\.png$/i.test(o.out)) throw new UsageError('inpainting writes a PNG grid: give --out FILE.png');
  const weight = o.constraintWeight ?? 1 / o.sgldStep;
  if (!(weight * o.sgldStep < 2)) throw new UsageError(`--constraint-weight ${weight} × --sgld-step ${o.sgldStep} = ${weight * o.sgldStep}: the SGLD step is stable only below 2`);
  const { observed, mask } = await inpaintingInputs(jem, imageFile, maskFile);
  const bar = ctx.progress({ label: o.class === undefined ? 'SGLD E(x) + constraint' : `SGLD E(x|${o.class}) + constraint`, total: o.steps, unit: 'steps' });
  const r = inpaintJem(
    jem,
    { observed, mask, n: o.count, steps: o.steps, stepSize: o.sgldStep, noise: o.sgldNoise, weight, ...(o.class !== undefined ? { classLabel: o.class } : {}), onStep: (k) => bar.update(k) },
    createRng(o.seed),
  );
  bar.done();
  const shape = jem.inputShape;
  const D = observed.length;
  const { min, max } = jem.metadata.dataRange;
  const unit = new Float32Array((o.count + 1) * D);
  for (let j = 0; j < D; j++) unit[j] = mask[j]! >= 0.5 ? (observed[j]! - min) / (max - min) : 0.5;
  for (let i = 0; i < r.samples.length; i++) unit[D + i] = (r.samples[i]! - min) / (max - min);
  await writeImageGrid(o.out, { rows: o.count + 1, cols: D, data: unit }, { width: shape[1]!, height: shape[0]!, scale: 2 });
  const model = o.class === undefined ? 'E(x)' : `E(x | y=${o.class})`;
  const f = (v: number) => v.toFixed(4);
  const { probs } = predictJem(jem, r.samples);
  const K = jem.classes;
  const votes = new Int32Array(K);
  for (let i = 0; i < o.count; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[i * K + k]! > probs[i * K + best]!) best = k;
    votes[best]!++;
  }
  const predicted = Array.from(votes, (c, k) => [k, c] as const).filter(([, c]) => c > 0).map(([k, c]) => `${k} × ${c}`).join(', ');
  ctx.io.stdout.write(
    [
      `energy sum: ${model} + (λ/2)·|M ⊙ (x − x_obs)|², λ = ${weight}; ${mask.reduce((a, b) => a + (b >= 0.5 ? 1 : 0), 0)} of ${D} pixels observed`,
      `means over ${o.count} chains   ${model.padEnd(12)}  constraint  total`,
      `  start (${'0'.padStart(4)} steps)        ${f(r.start.model).padStart(12)}  ${f(r.start.constraint).padStart(10)}  ${f(r.start.total)}`,
      `  end   (${String(o.steps).padStart(4)} steps)        ${f(r.end.model).padStart(12)}  ${f(r.end.constraint).padStart(10)}  ${f(r.end.total)}`,
      `the classifier's labels of the samples: ${predicted}`,
      `change of the observed pixels: mean ${f(r.meanObservedDeviation)}, largest ${f(r.maxObservedDeviation)} (model units, range [${min}, ${max}])`,
      `wrote the observed picture and ${o.count} samples${o.class !== undefined ? ` of class ${o.class}` : ''} to ${o.out}`,
    ].join('\n') + '\n',
  );
}

/** The `jem` task. */
export const commands: TaskModule['commands'] = [train, evalCmd, sample];
