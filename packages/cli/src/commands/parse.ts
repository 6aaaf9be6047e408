/** `ebm parse train|eval|parse`: dependency parsing of CoNLL-U files (arc-factored energies over trees). */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '@ebmkit/core';
import { Crf } from '@ebmkit/crf';
import {
  DependencyParser,
  englishParserPath,
  evaluateParses,
  formatConllu,
  formatParseScores,
  PARSE_LEARNERS,
  readParseCorpus,
  trainParser,
  trainParserSsvm,
  type ConlluParseSentence,
  type ParseLearner,
} from '@ebmkit/parse';
import { SSVM_LEARNERS, type SsvmLearnerName } from '@ebmkit/ssvm';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError } from '../errors.js';
import { bundledModelPath } from './tag.js';

const SSVM_CHOICES = SSVM_LEARNERS.map((l) => `ssvm-${l}` as const);
const LEARNER_CHOICES = [...(Object.keys(PARSE_LEARNERS) as ParseLearner[]), ...SSVM_CHOICES];

async function loadParser(path: string | undefined): Promise<DependencyParser> {
  const p = path ?? englishParserPath();
  if (!path && !existsSync(p)) throw new CliError(`the bundled parser is missing at ${p}; run 'npm run train:parser' or pass --model`);
  return DependencyParser.load(p);
}

/** The UPOS tags the parser reads: the file's own (--tags gold) or a CRF tagger's (bundled English by default). */
async function tagsFor(corpus: ConlluParseSentence[], mode: string, tagger: string | undefined): Promise<string[][] | undefined> {
  if (mode === 'gold') return undefined;
  const path = tagger ?? bundledModelPath();
  if (!tagger && !existsSync(path)) throw new CliError(`the bundled tagger is missing at ${path}; pass --tagger or --tags gold`);
  const crf = await Crf.load(path);
  return corpus.map((s) => crf.tag(s.sentence.forms));
}

const TAG_OPTIONS = [
  { name: 'tags', type: 'enum', choices: ['predicted', 'gold'], default: 'predicted', help: 'UPOS from a tagger (predicted) or from the file (gold)' },
  { name: 'tagger', type: 'string', placeholder: 'MODEL', help: 'CRF tagger for --tags predicted (default: the bundled English tagger)' },
] as const;

const train = defineCommand({
  name: 'train',
  summary: 'Train a dependency parser on a CoNLL-U treebank',
  description:
    'Arc-factored (first-order) parser with MSTParser feature families hashed into a weight table; relations from an ' +
    'averaged multiclass perceptron over the tree arcs. Learners: ' +
    Object.entries(PARSE_LEARNERS).map(([k, v]) => `${k} (${v})`).join('; ') +
    '; ssvm-* (the structured-SVM learners of @ebmkit/ssvm on the Hamming loss over heads; keep --arc-bits small). ' +
    'Trees in the training file must have exactly one root word and no cycle (file:line error otherwise). ' +
    'Multiword token ranges and empty nodes are skipped. Training uses the UPOS column as it is in the file.',
  options: [
    { name: 'train', type: 'string', required: true, placeholder: 'FILE', help: 'Training treebank (CoNLL-U, optionally gzip)' },
    { name: 'dev', type: 'string', placeholder: 'FILE', help: 'Held-out treebank scored after every epoch; the best epoch is kept' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to write the parser (.safetensors)' },
    { name: 'algorithm', type: 'enum', choices: LEARNER_CHOICES, default: 'crf', deprecated: ['learner'], help: 'Training algorithm for the arc scores' },
    { name: 'epochs', type: 'number', integer: true, min: 1, default: 10, help: 'Passes over the training data (ssvm-*: most passes)' },
    { name: 'c', short: 'C', type: 'number', min: 0, help: 'pa: step cap (default 0.1); ssvm-*: regularisation C (default 1)' },
    { name: 'arc-bits', type: 'number', integer: true, min: 4, max: 28, help: 'log2 of the arc weight table (default 22; ssvm-* 18)' },
    { name: 'label-bits', type: 'number', integer: true, min: 4, max: 24, help: 'log2 of the relation feature buckets (default 16)' },
    { name: 'projective', type: 'boolean', help: 'Projective trees only (Eisner) instead of Chu–Liu–Edmonds' },
    { name: 'lemma', type: 'boolean', help: 'Use the LEMMA column (only when parsing input will have lemmas)' },
    { name: 'feats', type: 'boolean', help: 'Use the FEATS column (only when parsing input will have them)' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Seed for the order of training sentences' },
  ],
  examples: ['ebm parse train --train en_ewt-ud-train.conllu.gz --dev en_ewt-ud-dev.conllu.gz -o parser.safetensors'],
  async run(ctx) {
    const o = ctx.options;
    const trainData = (await readParseCorpus(o.train, { requireTrees: true })).map((s) => s.sentence);
    const dev = o.dev ? (await readParseCorpus(o.dev)).map((s) => s.sentence) : undefined;
    ctx.note(`${o.train}: ${trainData.length} sentences`);
    const learner = o.algorithm as string;
    let parser: DependencyParser;
    if (learner.startsWith('ssvm-')) {
      parser = trainParserSsvm(trainData, {
        learner: learner.slice(5) as SsvmLearnerName,
        maxPasses: o.epochs,
        ...(o.c !== undefined ? { C: o.c } : {}),
        ...(o.arcBits !== undefined ? { arcBits: o.arcBits } : {}),
        ...(o.labelBits !== undefined ? { labelBits: o.labelBits } : {}),
        projective: o.projective === true,
      });
    } else {
      const r = trainParser(trainData, {
        learner: learner as ParseLearner,
        epochs: o.epochs,
        ...(o.c !== undefined ? { C: o.c } : {}),
        ...(o.arcBits !== undefined ? { arcBits: o.arcBits } : {}),
        ...(o.labelBits !== undefined ? { labelBits: o.labelBits } : {}),
        projective: o.projective === true,
        features: { lemma: o.lemma === true, feats: o.feats === true },
        seed: o.seed,
        ...(dev ? { dev } : {}),
        onEpoch: (e) =>
          ctx.note(
            `epoch ${e.epoch}: ${e.trainErrors} head errors on train` +
              (e.dev ? `, dev UAS ${e.dev.uas.toFixed(2)} LAS ${e.dev.las.toFixed(2)}` : '') +
              `, ${e.seconds.toFixed(0)} s`,
          ),
      });
      parser = r.parser;
    }
    await parser.save(o.out);
    ctx.note(`wrote ${o.out}`);
  },
});

const evalCmd = defineCommand({
  name: 'eval',
  summary: 'Score a parser on a CoNLL-U treebank (UAS, LAS, label accuracy, per relation)',
  description:
    'Scores every syntactic word, punctuation included, on gold tokenisation as the CoNLL 2018 shared task does (LAS ' +
    'compares the universal part of DEPREL). Multiword token ranges and empty nodes are skipped.',
  options: [
    { name: 'model', short: 'm', type: 'string', placeholder: 'MODEL', help: 'Parser (default: the bundled English parser)' },
    ...TAG_OPTIONS,
  ],
  args: [{ name: 'FILE', help: 'Gold treebank (CoNLL-U)', required: true }],
  async run(ctx) {
    const corpus = await readParseCorpus(ctx.args[0]!);
    const parser = await loadParser(ctx.options.model);
    const missing = corpus.find((s) => !s.sentence.heads);
    if (missing) throw new CliError(`${ctx.args[0]}:${missing.source.line}: sentence has no gold HEAD column to score against`);
    const tags = await tagsFor(corpus, ctx.options.tags, ctx.options.tagger);
    const gold = corpus.map((s) => s.sentence);
    const pred = gold.map((s, i) => parser.parse(tags ? { ...s, tags: tags[i]! } : s));
    ctx.io.stdout.write(formatParseScores(evaluateParses(gold, pred, tags)));
  },
});

const parseCmd = defineCommand({
  name: 'parse',
  summary: 'Parse CoNLL-U files; writes CoNLL-U with HEAD and DEPREL (and predicted UPOS)',
  description:
    'Reads words from the FORM column (multiword token lines and empty nodes are copied through). With --tags predicted ' +
    '(default) the UPOS column is replaced by the tagger\'s tags before parsing.',
  options: [
    { name: 'model', short: 'm', type: 'string', placeholder: 'MODEL', help: 'Parser (default: the bundled English parser)' },
    { name: 'out', short: 'o', type: 'string', placeholder: 'FILE', help: 'Write here (atomically) instead of stdout' },
    ...TAG_OPTIONS,
  ],
  args: [{ name: 'FILES', help: 'CoNLL-U input files', required: true, variadic: true }],
  async run(ctx) {
    const parser = await loadParser(ctx.options.model);
    const chunks: string[] = [];
    for (const file of ctx.args) {
      const corpus = await readParseCorpus(file);
      const tags = await tagsFor(corpus, ctx.options.tags, ctx.options.tagger);
      corpus.forEach((s, i) => {
        const sentence = tags ? { ...s.sentence, tags: tags[i]! } : s.sentence;
        const text = formatConllu(s.source, parser.parse(sentence), tags?.[i]);
        if (ctx.options.out) chunks.push(text);
        else ctx.io.stdout.write(text);
      });
    }
    if (ctx.options.out) await writeFileAtomic(ctx.options.out, Buffer.from(chunks.join(''), 'utf8'));
  },
});

export const commands: TaskModule['commands'] = [train, evalCmd, parseCmd];
