/** `ebm crf train|tag|eval|dump`: linear-chain CRFs on CoNLL / CoNLL-U files. */
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import {
  BUILTIN_FEATURE_SETS,
  CRF_ALGORITHM_REGISTRY,
  CRF_ALGORITHMS,
  crfAlgorithm,
  crfHyperparameters,
  SSVM_CRF_ALGORITHMS,
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
import { toFileError } from '@ebmkit/core';
import { defineCommand, type TaskModule } from '../command.js';
import { camelCase, type OptionSpec } from '../options.js';
import { CliError, UsageError } from '../errors.js';
import { openTextInputs, writeTagged, TAG_OUTPUT_FORMATS, type TagOutputFormat } from './tagging-io.js';

/** The flag of a trainer hyperparameter: its kebab-case (`maxIterations` → `max-iterations`); `C` is `--c` / `-C`. */
function flagOf(key: string): string {
  return key === 'C' ? 'c' : key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/**
 * One flag per hyperparameter declared by the CRF's training algorithms (packages/crf/src/train/algorithms), with
 * which algorithms take it and their defaults in the help text.
 */
const HYPERPARAMETER_FLAGS: readonly OptionSpec[] = crfHyperparameters().map(({ key, declaration: h, algorithms }) => {
  const defaults = new Set(algorithms.map((a) => String(a.default)));
  const names = algorithms.map((a) => a.name);
  const where =
    algorithms.length === CRF_ALGORITHMS.length
      ? ''
      : names.length === SSVM_CRF_ALGORITHMS.length && names.every((n) => (SSVM_CRF_ALGORITHMS as readonly string[]).includes(n))
        ? 'SSVM learners'
        : names.join(', ');
  const shownDefaults =
    defaults.size === 1
      ? algorithms[0]!.default === undefined ? '' : `default ${algorithms[0]!.default}`
      : 'default ' + algorithms.map((a) => `${a.name} ${a.default ?? 'none'}`).join(', ');
  const onByDefault = h.type === 'boolean' && algorithms.every((a) => a.default === true) ? `on by default; --no-${flagOf(key)} turns it off` : '';
  const note = [where, h.type === 'number' ? shownDefaults : onByDefault].filter((x) => x !== '').join('; ');
  const help = `${h.help}${note ? ` (${note})` : ''}`;
  if (h.type === 'boolean') {
    const d = algorithms[0]!.default;
    return { name: flagOf(key), type: 'boolean', help, ...(defaults.size === 1 && typeof d === 'boolean' ? { default: d } : {}) };
  }
  return {
    name: flagOf(key),
    type: 'number',
    help,
    ...(h.integer ? { integer: true } : {}),
    ...(h.min !== undefined ? { min: h.min } : {}),
    ...(key === 'C' ? { short: 'C', placeholder: 'C' } : {}),
  };
});

const ALGORITHM_HELP = CRF_ALGORITHM_REGISTRY.map((a) => `  ${a.name.padEnd(16)}${a.description}`).join('\n');

const train = defineCommand({
  name: 'train',
  summary: 'Train a CRF on a labelled CoNLL / CoNLL-U file',
  description:
    'The label is the last column of a CoNLL file (the other columns are the input) or, for .conllu files, the UPOS ' +
    'column (see --column). Features come from a CRF++ template (--template) or a built-in set (--features). ' +
    'Progress (iteration, objective, gradient norm, dev scores, seconds) goes to stderr; the model is written atomically.\n\n' +
    'Algorithms (--algorithm; each takes the hyperparameter flags that name it):\n' +
    ALGORITHM_HELP,
  options: [
    { name: 'train', type: 'string', required: true, placeholder: 'FILE', help: 'Training data (CoNLL columns or CoNLL-U, optionally gzip)' },
    { name: 'dev', type: 'string', placeholder: 'FILE', help: 'Held-out data scored after every iteration' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to write the model (.safetensors)' },
    { name: 'template', type: 'string', placeholder: 'FILE', help: 'CRF++ feature template file' },
    { name: 'features', type: 'enum', choices: BUILTIN_FEATURE_SETS, help: 'Built-in feature set (default pos, unless --template)' },
    { name: 'column', type: 'enum', choices: ['upos', 'xpos', 'deprel'], default: 'upos', help: 'CoNLL-U column to learn' },
    { name: 'algorithm', short: 'a', type: 'enum', choices: CRF_ALGORITHMS, default: 'lbfgs', help: 'Training algorithm (listed above)' },
    ...HYPERPARAMETER_FLAGS,
    { name: 'min-freq', type: 'number', min: 0, default: 0, help: 'Drop state features seen fewer times' },
    { name: 'all-states', type: 'boolean', help: 'Generate every attribute × label feature' },
    { name: 'all-transitions', type: 'boolean', help: 'Generate every label × label feature' },
    { name: 'threads', type: 'number', integer: true, min: 1, help: 'Gradient worker threads (default: one per core; more than the cores are capped with a warning)' },
    { name: 'early-stopping', type: 'number', integer: true, min: 1, help: 'Stop after N dev evaluations without improvement (needs --dev)' },
    { name: 'checkpoint', type: 'string', placeholder: 'DIR', output: 'dir', help: 'Write the weights to DIR every 10 iterations' },
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
    const trainer = makeTrainer(o);
    const threads = cappedThreads(o.threads, ctx);
    const readOpts = { column: o.column as 'upos' | 'xpos' | 'deprel' };
    // Columns of the input (for templates): from the first sentence of the training file.
    let spec: FeatureSpec;
    let transitions = true;
    if (o.template) {
      const text = await readFile(o.template, 'utf8').catch((e: unknown) => {
        throw toFileError(e, o.template!);
      });
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
      ...(threads !== undefined ? { threads } : {}),
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

/** `--threads` capped at the number of cores (more workers than cores only cost memory and start-up time). */
function cappedThreads(threads: number | undefined, ctx: { note(m: string): void }): number | undefined {
  if (threads === undefined) return undefined;
  const cores = availableParallelism();
  if (threads <= cores) return threads;
  ctx.note(`warning: --threads ${threads} is more than the ${cores} cores of this machine; using ${cores}`);
  return cores;
}

/**
 * The trainer object for `--algorithm` from the hyperparameter flags it declares; a numeric flag the algorithm does
 * not take is a usage error (it would be ignored silently otherwise).
 */
function makeTrainer(o: Record<string, unknown> & { algorithm: string }): CrfTrainer {
  const algorithm = crfAlgorithm(o.algorithm);
  const own = new Set(algorithm.hyperparameters.map((h) => h.key));
  const trainer: Record<string, unknown> = { algorithm: algorithm.name };
  for (const { key, declaration, algorithms } of crfHyperparameters()) {
    const v = o[camelCase(flagOf(key))];
    if (own.has(key)) {
      if (v === undefined) continue;
      if (declaration.positive && !((v as number) > 0)) throw new UsageError(`--${flagOf(key)} must be > 0, got ${String(v)}`);
      trainer[key] = v;
    } else if (declaration.type === 'number' && v !== undefined) {
      throw new UsageError(`--${flagOf(key)} does not apply to --algorithm ${algorithm.name} (it applies to ${algorithms.map((a) => a.name).join(', ')})`);
    }
  }
  return trainer as unknown as CrfTrainer;
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
