/**
 * `ebm dbn train|eval`: deep belief networks — greedy layer-wise RBM pretraining, then fine-tuning as a classifier;
 * optionally the same network trained from a random initialisation for comparison.
 */
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { fineTuneDbn, loadDbn, pretrainDbn, saveDbn, type RowMatrix } from '@ebmkit/core/energy';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { DATA_OPTIONS, loadIdxLabels, loadRows, preprocess, type Preprocessing } from './rbm.js';

/** Data and labels from the flags (`--labels FILE` for IDX, `--label-column` for CSV). */
async function labelled(
  file: string,
  labelsFile: string | undefined,
  o: { format?: 'idx' | 'csv' | undefined; noHeader: boolean; labelColumn?: string | undefined; limit?: number | undefined },
): Promise<{ x: RowMatrix; y: Int32Array; u8: boolean }> {
  const loaded = await loadRows(file, o);
  const u8 = (o.format ?? (/\.csv(\.gz)?$/i.test(file) ? 'csv' : 'idx')) === 'idx';
  let y = loaded.labels;
  if (labelsFile) y = await loadIdxLabels(labelsFile, loaded.x.rows);
  if (!y) throw new UsageError(`${file}: no labels — give --labels FILE (IDX) or --label-column (CSV)`);
  return { x: loaded.x, y, u8 };
}

function classCount(y: Int32Array): number {
  let max = 0;
  for (const v of y) {
    if (v < 0) throw new CliError(`labels must be integers ≥ 0, found ${v}`);
    if (v > max) max = v;
  }
  return max + 1;
}

const train = defineCommand({
  name: 'train',
  summary: 'Pretrain a stack of RBMs greedily, fine-tune it as a classifier, and save it',
  description:
    'Each hidden layer is first trained as an RBM (CD-1) on the layer below; the stack plus a softmax layer is then\n' +
    'fine-tuned by mini-batch SGD with momentum on the cross-entropy. --compare-random also trains the same\n' +
    'network from a random (Glorot) initialisation for the same number of epochs and prints both accuracies.\n' +
    'Data flags and --rescale/--binarize work as in ebm rbm train.',
  options: [
    ...DATA_OPTIONS,
    { name: 'labels', type: 'string', placeholder: 'FILE', help: 'IDX label file for --data' },
    { name: 'test-data', type: 'string', placeholder: 'FILE', help: 'Held-out data to report accuracy on' },
    { name: 'test-labels', type: 'string', placeholder: 'FILE', help: 'IDX label file for --test-data' },
    { name: 'hidden', type: 'list', required: true, help: 'Hidden layer sizes, bottom first, e.g. 256,128' },
    { name: 'pretrain-epochs', type: 'number', integer: true, min: 0, default: 10, help: 'RBM epochs per layer' },
    { name: 'pretrain-learning-rate', type: 'number', min: 0, default: 0.05, deprecated: ['pretrain-rate'], help: 'RBM learning rate' },
    { name: 'epochs', type: 'number', integer: true, min: 0, default: 10, help: 'Fine-tuning epochs' },
    { name: 'learning-rate', type: 'number', min: 0, default: 0.1, help: 'Fine-tuning learning rate (SGD, momentum 0.9)' },
    { name: 'batch-size', type: 'number', integer: true, min: 1, default: 10, help: 'Rows per update' },
    { name: 'rescale', type: 'boolean', help: 'Map the data to [0, 1] (IDX bytes: 0…255; CSV: its min…max)' },
    { name: 'binarize', type: 'number', placeholder: 'T', help: 'Threshold the (rescaled) data at T' },
    { name: 'compare-random', type: 'boolean', help: 'Also train the same network from a random initialisation' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to save the classifier' },
  ],
  examples: ['ebm dbn train --data digits.csv --no-header --label-column -1 --rescale --hidden 100 --compare-random --out digits.dbn'],
  async run(ctx) {
    const o = ctx.options;
    const sizes = o.hidden.map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--hidden: '${s}' is not a positive integer`);
      return n;
    });
    await selectBackend();
    const tr = await labelled(o.data, o.labels, o);
    const prep = preprocess(tr.x, { rescale: o.rescale, binarize: o.binarize ?? null }, tr.u8);
    const x = prep.x;
    let test: { x: RowMatrix; y: Int32Array } | undefined;
    if (o.testData) {
      const te = await labelled(o.testData, o.testLabels, { ...o, limit: undefined });
      test = { x: preprocess(te.x, { rescale: prep.used.rescale ?? false, binarize: prep.used.binarize }, te.u8).x, y: te.y };
    }
    const classes = Math.max(classCount(tr.y), test ? classCount(test.y) : 0);
    let bar = ctx.progress({ label: 'pretrain layer 1', total: Math.ceil(x.rows / o.batchSize), unit: 'batches' });
    let rbms;
    try {
      rbms = await pretrainDbn(x, {
        layers: sizes,
        rbm: { epochs: o.pretrainEpochs, batchSize: o.batchSize, learningRate: o.pretrainLearningRate, rng: createRng(o.seed) },
        onBatch: (l, b, n, e) => {
          if (b === 1) {
            bar.done();
            bar = ctx.progress({ label: `pretrain layer ${l + 1} epoch ${e}/${o.pretrainEpochs}`, total: n, unit: 'batches' });
          }
          bar.update(b);
        },
        onEpoch: (l, r) => ctx.note(`layer ${l + 1} epoch ${r.epoch}/${r.epochs}  reconstruction error ${r.reconstructionError.toFixed(5)}`),
      });
    } catch (err) {
      if (err instanceof RangeError && /outside \[0, 1\]/.test(err.message)) throw new CliError(`${err.message.split(';')[0]}: pass --rescale and/or --binarize T`);
      throw err;
    } finally {
      bar.done();
    }
    const tune = async (label: string, init: 'pretrained' | 'random') => {
      let b = ctx.progress({ label, total: 1 });
      const model = await fineTuneDbn(x, tr.y, {
        numClasses: classes,
        ...(init === 'pretrained' ? { pretrained: rbms } : { hidden: sizes }),
        epochs: o.epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        rng: createRng(o.seed + 1),
        onBatch: (bi, n, e) => {
          if (bi === 1) {
            b.done();
            b = ctx.progress({ label: `${label} epoch ${e}/${o.epochs}`, total: n, unit: 'batches' });
          }
          b.update(bi);
        },
        onEpoch: (e, loss) => ctx.note(`${label} epoch ${e}/${o.epochs}  cross-entropy ${loss.toFixed(4)}`),
      });
      b.done();
      return model;
    };
    const model = await tune('fine-tune', 'pretrained');
    const meta: { preprocess: Preprocessing; hidden: number[] } = { preprocess: prep.used, hidden: sizes };
    await saveDbn(o.out, model, meta);
    const lines = [`saved ${o.out}: ${[x.cols, ...sizes, classes].join('-')} network`, `pretrained: train accuracy ${model.accuracy(x, tr.y).toFixed(4)}${test ? `, test accuracy ${model.accuracy(test.x, test.y).toFixed(4)}` : ''}`];
    if (o.compareRandom) {
      const rnd = await tune('random init', 'random');
      lines.push(`random init: train accuracy ${rnd.accuracy(x, tr.y).toFixed(4)}${test ? `, test accuracy ${rnd.accuracy(test.x, test.y).toFixed(4)}` : ''}`);
    }
    ctx.io.stdout.write(lines.join('\n') + '\n');
  },
});

const evalCmd = defineCommand({
  name: 'eval',
  summary: 'Accuracy of a saved DBN classifier on labelled data',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model saved by ebm dbn train' },
    ...DATA_OPTIONS,
    { name: 'labels', type: 'string', placeholder: 'FILE', help: 'IDX label file for --data' },
  ],
  async run(ctx) {
    const o = ctx.options;
    const { model, metadata } = await loadDbn(o.model);
    await selectBackend();
    const d = await labelled(o.data, o.labels, o);
    const p = (metadata as { preprocess?: Preprocessing } | null)?.preprocess ?? { rescale: null, binarize: null };
    const x = preprocess(d.x, { rescale: p.rescale ?? false, binarize: p.binarize }, d.u8).x;
    if (x.cols !== model.numInputs) throw new CliError(`${o.data}: ${x.cols} columns, the model takes ${model.numInputs}`);
    ctx.io.stdout.write(`accuracy ${model.accuracy(x, d.y).toFixed(4)} on ${x.rows} rows\n`);
  },
});

/** The `dbn` task's verbs. */
export const commands: TaskModule['commands'] = [train, evalCmd];
