/**
 * `ebm jem train|eval|sample`: joint energy-based models (a classifier read as an energy model) on IDX or CSV data.
 * The algorithms live in `@ebmkit/core/energy`; this module reads flags and files, maps inputs to the model's range
 * [−1, 1] (saved in the model, repeated by eval and sample), shows progress with the energies of data and samples,
 * and writes results.
 */
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import {
  DivergenceError,
  evaluateJem,
  Jem,
  sampleJem,
  trainJem,
  writeImageGrid,
  type JemArchitecture,
  type JemTrainOptions,
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
      freshOptimizer: o.freshOptimizer === true,
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
  { name: 'json', type: 'boolean', help: 'Print the results as one JSON object' },
] as const satisfies readonly OptionSpec[];

const evalCmd = defineCommand({
  name: 'eval',
  summary: 'Accuracy, calibration (ECE) and OOD detection AUROCs of a JEM',
  description:
    'OOD scores (higher = in-distribution): log p(x) up to log Z, max p(y|x), and -||grad_x log p(x)||; the AUROC\n' +
    'of each tells the test data (positive) from the --ood data.',
  options: evalOptions,
  examples: ['ebm jem eval --model fmnist.jem --data t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz --ood mnist-t10k-images-idx3-ubyte.gz'],
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
    const ev = evaluateJem(jem, { x: modelInputs(o.data, rows.x.data, jem), y: y! }, ood);
    if (o.json) {
      ctx.io.stdout.write(JSON.stringify({ rows: rows.x.rows, ...ev }) + '\n');
      return;
    }
    const lines = [`accuracy  ${ev.accuracy.toFixed(4)}  (${rows.x.rows} rows)`, `ECE       ${ev.ece.toFixed(4)}  (15 bins)`, `NLL       ${ev.nll.toFixed(4)}`];
    if (ev.ood) {
      lines.push(`OOD AUROC log p(x)          ${ev.ood.logPx.toFixed(4)}`);
      lines.push(`OOD AUROC max p(y|x)        ${ev.ood.maxProb.toFixed(4)}`);
      lines.push(`OOD AUROC -|grad log p(x)|  ${ev.ood.gradNorm.toFixed(4)}`);
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
  { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed' },
] as const satisfies readonly OptionSpec[];

const sample = defineCommand({
  name: 'sample',
  summary: 'Draw samples from p(x) or p(x|y) by SGLD and write a PNG grid or a CSV',
  options: sampleOptions,
  examples: ['ebm jem sample --model fmnist.jem --class 7 --n 64 --out sandals.png'],
  async run(ctx: CommandContext<typeof sampleOptions>) {
    const o = ctx.options;
    await selectBackend();
    const jem = await Jem.load(o.model, createRng(1));
    if (o.class !== undefined && o.class >= jem.classes) throw new UsageError(`--class ${o.class}: the model has classes 0…${jem.classes - 1}`);
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

/** The `jem` task. */
export const commands: TaskModule['commands'] = [train, evalCmd, sample];
