/** `ebm crf train|tag|eval|dump`: linear-chain CRFs on CoNLL / CoNLL-U files. */
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import {
  BUILTIN_FEATURE_SETS,
  CRF_ALGORITHMS,
  conlleval,
  confusions,
  Crf,
  formatConfusions,
  formatConlleval,
  formatLabelReport,
  labelReport,
  parseTemplate,
  readLabeledSequences,
  readTaggedSentences,
  tokenAccuracy,
  trainCrf,
  type CrfTrainer,
  type FeatureSpec,
} from '@ebmkit/crf';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { openTextInputs, writeTagged, TAG_OUTPUT_FORMATS, type TagOutputFormat } from './tagging-io.js';

const ALGORITHMS = CRF_ALGORITHMS;

const train = defineCommand({
  name: 'train',
  summary: 'Train a CRF on a labelled CoNLL / CoNLL-U file',
  description:
    'The label is the last column of a CoNLL file (the other columns are the input) or, for .conllu files, the UPOS ' +
    'column (see --column). Features come from a CRF++ template (--template) or a built-in set (--features). ' +
    'Progress (iteration, objective, gradient norm, dev scores, seconds) goes to stderr; the model is written atomically.',
  options: [
    { name: 'train', type: 'string', required: true, placeholder: 'FILE', help: 'Training data (CoNLL columns or CoNLL-U, optionally gzip)' },
    { name: 'dev', type: 'string', placeholder: 'FILE', help: 'Held-out data scored after every iteration' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to write the model (.safetensors)' },
    { name: 'template', type: 'string', placeholder: 'FILE', help: 'CRF++ feature template file' },
    { name: 'features', type: 'enum', choices: BUILTIN_FEATURE_SETS, help: 'Built-in feature set (default pos, unless --template)' },
    { name: 'column', type: 'enum', choices: ['upos', 'xpos', 'deprel'], default: 'upos', help: 'CoNLL-U column to learn' },
    { name: 'algorithm', short: 'a', type: 'enum', choices: ALGORITHMS, default: 'lbfgs', help: 'Training algorithm' },
    { name: 'c1', type: 'number', min: 0, help: 'L1 coefficient (owlqn; default 1)' },
    { name: 'c2', type: 'number', min: 0, help: 'L2 coefficient (lbfgs, sgd: default 1; owlqn: default 0)' },
    { name: 'c', short: 'C', type: 'number', placeholder: 'C', help: 'Regularisation C > 0 of the structured-SVM learners (bcfw … perceptron-ssvm; default 1); also --C, -C' },
    { name: 'passes', type: 'number', integer: true, min: 1, help: 'Most passes of the structured-SVM learners (default 100)' },
    { name: 'max-iterations', type: 'number', integer: true, min: 1, help: 'Most L-BFGS/OWL-QN iterations' },
    { name: 'epochs', type: 'number', integer: true, min: 1, help: 'Epochs (sgd default 50, perceptron default 10)' },
    { name: 'delta', type: 'number', min: 0, help: 'Stop when the objective improves by less than this over --period iterations (1e-5)' },
    { name: 'period', type: 'number', integer: true, min: 1, help: 'Iterations of the delta test (10)' },
    { name: 'min-freq', type: 'number', min: 0, default: 0, help: 'Drop state features seen fewer times' },
    { name: 'all-states', type: 'boolean', help: 'Generate every attribute × label feature' },
    { name: 'all-transitions', type: 'boolean', help: 'Generate every label × label feature' },
    { name: 'threads', type: 'number', integer: true, min: 1, help: `Gradient worker threads (default: ${availableParallelism()})` },
    { name: 'early-stopping', type: 'number', integer: true, min: 1, help: 'Stop after N dev evaluations without improvement (needs --dev)' },
    { name: 'checkpoint', type: 'string', placeholder: 'DIR', help: 'Write the weights to DIR every 10 iterations' },
    { name: 'resume', type: 'boolean', help: 'Continue from the checkpoint in --checkpoint' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Seed for sgd/perceptron shuffling' },
  ],
  examples: [
    'ebm crf train --train train.txt.gz --dev test.txt.gz --features chunking --out chunker.safetensors',
    'ebm crf train --train en_ewt-ud-train.conllu.gz --features pos --algorithm owlqn --c1 0.5 --out pos.safetensors',
  ],
  async run(ctx) {
    const o = ctx.options;
    if (o.template && o.features) throw new UsageError('give either --template or --features, not both');
    if (o.resume && !o.checkpoint) throw new UsageError('--resume needs --checkpoint DIR');
    if (o.earlyStopping && !o.dev) throw new UsageError('--early-stopping needs --dev FILE');
    const readOpts = { column: o.column as 'upos' | 'xpos' | 'deprel' };
    // Columns of the input (for templates): from the first sentence of the training file.
    let spec: FeatureSpec;
    let transitions = true;
    if (o.template) {
      const text = await readFile(o.template, 'utf8');
      const tpl = parseTemplate(text, { file: o.template });
      transitions = tpl.transitions;
      const first = await firstSentence(o.train, readOpts);
      spec = { kind: 'template', text, file: o.template, columns: first.tokens[0]!.length };
    } else {
      spec = { kind: 'builtin', name: (o.features ?? 'pos') as 'pos' };
    }
    const { featureExtractor } = await import('@ebmkit/crf');
    const extractor = featureExtractor(spec)!;
    ctx.note(`reading ${o.train}`);
    const trainData = await readLabeledSequences(o.train, extractor, readOpts);
    if (trainData.sequences.length === 0) throw new CliError(`${o.train}: no sentences`);
    const dev = o.dev ? (await readLabeledSequences(o.dev, extractor, readOpts)).sequences : undefined;
    const trainer = makeTrainer(o);
    const tokens = trainData.sequences.reduce((s, x) => s + x.labels.length, 0);
    ctx.note(`${trainData.sequences.length} sequences, ${tokens} tokens; training with ${trainer.algorithm}`);
    const result = await trainCrf(trainData.sequences, {
      trainer,
      features: spec,
      featureGeneration: {
        minFrequency: o.minFreq,
        allPossibleStates: o.allStates,
        allPossibleTransitions: o.allTransitions,
        transitions,
      },
      ...(o.threads ? { threads: o.threads } : {}),
      ...(dev ? { dev } : {}),
      ...(o.earlyStopping ? { earlyStopping: o.earlyStopping } : {}),
      ...(o.checkpoint ? { checkpoint: { dir: o.checkpoint, resume: o.resume } } : {}),
      seed: o.seed,
      source: o.train,
      onProgress: (p) => {
        const devText = p.dev ? `  dev acc ${(100 * p.dev.accuracy).toFixed(2)}${p.dev.f1 !== undefined ? ` F1 ${(100 * p.dev.f1).toFixed(2)}` : ''}` : '';
        const g = Number.isNaN(p.gradientNorm) ? '' : `  |g| ${p.gradientNorm.toExponential(3)}`;
        // (for the structured-SVM learners the objective is the primal λ/2‖w‖² + mean hinge)
        ctx.note(`iter ${String(p.iteration).padStart(4)}  objective ${p.objective.toFixed(3)}${g}${devText}  ${p.seconds.toFixed(1)} s`);
      },
    });
    await result.model.save(o.out);
    const info = result.info;
    ctx.note(
      `${info.status} after ${info.iterations} iterations in ${info.seconds.toFixed(1)} s; ${result.model.numFeatures} features, ${result.model.labels.length} labels; wrote ${o.out}`,
    );
  },
});

function makeTrainer(o: {
  algorithm: string;
  c?: number | undefined;
  passes?: number | undefined;
  c1?: number | undefined;
  c2?: number | undefined;
  maxIterations?: number | undefined;
  epochs?: number | undefined;
  delta?: number | undefined;
  period?: number | undefined;
}): CrfTrainer {
  const pick = <T extends object>(x: T) =>
    Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as T;
  switch (o.algorithm) {
    case 'lbfgs':
      return pick({ algorithm: 'lbfgs', c2: o.c2, maxIterations: o.maxIterations, delta: o.delta, period: o.period });
    case 'owlqn':
      return pick({ algorithm: 'owlqn', c1: o.c1, c2: o.c2, maxIterations: o.maxIterations, delta: o.delta, period: o.period });
    case 'sgd':
      return pick({ algorithm: 'sgd', c2: o.c2, epochs: o.epochs, delta: o.delta, period: o.period });
    case 'perceptron':
      return pick({ algorithm: 'perceptron', epochs: o.epochs });
    default:
      if (o.c !== undefined && !(o.c > 0)) throw new UsageError(`--C must be > 0, got ${o.c}`);
      return pick({ algorithm: o.algorithm as 'bcfw', C: o.c, passes: o.passes });
  }
}

async function firstSentence(path: string, options: { column: 'upos' | 'xpos' | 'deprel' }) {
  for await (const s of readTaggedSentences(path, options)) return s;
  throw new CliError(`${path}: no sentences`);
}

async function loadCrf(path: string): Promise<Crf> {
  return Crf.load(path);
}

const tag = defineCommand({
  name: 'tag',
  summary: 'Tag CoNLL columns or raw text with a CRF model',
  description:
    'Input is CoNLL columns (one token per line, blank line between sentences; extra columns beyond what the model ' +
    'needs, such as a gold label, are kept in the output) or raw text with --input text (tokenised by @ebmkit/crf). ' +
    'Reads the FILES or stdin.',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A CRF model file' },
    { name: 'input', type: 'enum', choices: ['conll', 'text'], default: 'conll', help: 'Input format' },
    { name: 'format', short: 'f', type: 'enum', choices: TAG_OUTPUT_FORMATS, help: 'Output: conll (default for conll input), slash (word/TAG, default for text), jsonl' },
    { name: 'marginals', type: 'boolean', help: 'With --format jsonl: every label probability of each token' },
    { name: 'constrain', type: 'boolean', help: 'Forbid invalid BIO/BIOES transitions (detected from the label names)' },
  ],
  args: [{ name: 'FILES', help: 'Input files (stdin when none)', required: false, variadic: true }],
  async run(ctx) {
    const model = await loadCrf(ctx.options.model);
    const format = (ctx.options.format ?? (ctx.options.input === 'text' ? 'slash' : 'conll')) as TagOutputFormat;
    const constraints = ctx.options.constrain ? { scheme: 'auto' as const } : undefined;
    if (ctx.options.input === 'text') {
      const { tagTextLines } = await import('./tagging-io.js');
      await tagTextLines(model, await openTextInputs(ctx.args, ctx.io), ctx.io.stdout, { format, marginals: ctx.options.marginals, constraints });
      return;
    }
    const { conllSentences } = await import('./tagging-io.js');
    for await (const s of conllSentences(ctx.args)) {
      const words = s.map((cols) => cols[0]!);
      writeTagged(ctx.io.stdout, model, words, s, { format, marginals: ctx.options.marginals, constraints });
    }
  },
});

const evaluate = defineCommand({
  name: 'eval',
  summary: 'Evaluate a CRF model on a labelled file (accuracy, conlleval chunk F1, per-label report)',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A CRF model file' },
    { name: 'column', type: 'enum', choices: ['upos', 'xpos', 'deprel'], default: 'upos', help: 'CoNLL-U column to score' },
    { name: 'constrain', type: 'boolean', help: 'Forbid invalid BIO/BIOES transitions while decoding' },
    { name: 'confusions', type: 'number', integer: true, min: 0, default: 10, help: 'How many frequent confusions to list' },
  ],
  args: [{ name: 'FILE', help: 'Labelled CoNLL / CoNLL-U file' }],
  async run(ctx) {
    const model = await loadCrf(ctx.options.model);
    const gold: string[][] = [];
    const guessed: string[][] = [];
    const unseen = new Map<string, number>();
    const known = new Set(model.labels);
    const constraints = ctx.options.constrain ? { scheme: 'auto' as const } : undefined;
    for await (const s of readTaggedSentences(ctx.args[0]!, { column: ctx.options.column as 'upos' })) {
      let pred: string[];
      try {
        pred = model.tag(s.tokens, constraints);
      } catch (e) {
        throw new CliError(`${ctx.args[0]}:${s.line}: ${(e as Error).message}`);
      }
      gold.push(s.labels);
      guessed.push(pred);
      for (const l of s.labels) if (!known.has(l)) unseen.set(l, (unseen.get(l) ?? 0) + 1);
    }
    if (gold.length === 0) throw new CliError(`${ctx.args[0]}: no sentences`);
    const out = ctx.io.stdout;
    const acc = tokenAccuracy(gold, guessed);
    out.write(`token accuracy: ${(100 * acc.accuracy).toFixed(2)}% (${acc.correct}/${acc.total})\n`);
    if (unseen.size) {
      out.write(`gold labels never seen in training (always counted wrong): ${[...unseen].map(([l, n]) => `${l} ×${n}`).join(', ')}\n`);
    }
    if (model.scheme !== 'none') out.write('\n' + formatConlleval(conlleval(gold, guessed)));
    out.write('\n' + formatLabelReport(labelReport(gold, guessed)));
    if (ctx.options.confusions > 0) out.write('\n' + formatConfusions(confusions(gold, guessed, { top: ctx.options.confusions })));
  },
});

const dump = defineCommand({
  name: 'dump',
  summary: 'Show a CRF model: labels, training info, top state features, transition table',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A CRF model file' },
    { name: 'top', type: 'number', integer: true, min: 0, default: 30, help: 'How many state features to list (by |weight|)' },
  ],
  async run(ctx) {
    const m = await loadCrf(ctx.options.model);
    const out = ctx.io.stdout;
    out.write(`labels (${m.labels.length}): ${m.labels.join(' ')}\n`);
    out.write(`features: ${m.numFeatures} (${m.index.numAttributes} attributes)\n`);
    out.write(`feature extraction: ${describeSpec(m.features)}\n`);
    out.write(`training: ${m.info.algorithm}, ${m.info.iterations} iterations, ${m.info.seconds.toFixed(1)} s, status ${m.info.status}\n`);
    out.write(`hyperparameters: ${JSON.stringify(m.info.hyperparameters)}\n\n`);
    out.write(`top ${ctx.options.top} state features:\n`);
    for (const f of m.topStateFeatures(ctx.options.top)) out.write(`  ${f.weight.toFixed(4).padStart(10)}  ${f.label.padEnd(8)} ${f.attribute}\n`);
    out.write('\ntransitions (row: from, column: to):\n');
    const w = Math.max(7, ...m.labels.map((l) => l.length + 1));
    out.write(' '.repeat(w) + m.labels.map((l) => l.padStart(w)).join('') + '\n');
    m.transitionTable().forEach((row, a) => {
      out.write(m.labels[a]!.padEnd(w) + row.map((v) => v.toFixed(2).padStart(w)).join('') + '\n');
    });
  },
});

function describeSpec(spec: FeatureSpec): string {
  if (spec.kind === 'builtin') return `built-in set '${spec.name}'`;
  if (spec.kind === 'template') return `CRF++ template ${spec.file ?? ''} (${spec.columns} input columns)`;
  return 'attributes given through the API';
}

export const commands: TaskModule['commands'] = [train, tag, evaluate, dump];
