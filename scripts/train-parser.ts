/**
 * Trains the bundled English dependency parser (packages/parse/models/en-ewt-parser.safetensors) on UD English-EWT
 * train (gold UPOS), choosing the epoch by dev LAS with UPOS predicted by the bundled tagger
 * (packages/crf/models/en-upos.safetensors), prunes it to the largest weights, and scores EWT test with gold and with
 * predicted tags. Prints one JSON line of results (the numbers in docs/parse.md).
 *
 *   EBM_CORPORA_DIR=../shared/corpora npm run train:parser [-- --epochs 10 --learner pa --arc-weights 400000]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Crf, englishTaggerPath, featureExtractor, trainCrf } from '@ebmkit/crf';
import { DependencyParser, evaluateParses, readParseCorpus, trainParser, type ParseLearner, type ParseSentence } from '@ebmkit/parse';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    learner: { type: 'string', default: 'pa' },
    'arc-bits': { type: 'string', default: '22' },
    'label-bits': { type: 'string', default: '16' },
    C: { type: 'string', default: '0.1' },
    'arc-weights': { type: 'string', default: '500000' },
    'label-weights': { type: 'string', default: '150000' },
    out: { type: 'string', default: fileURLToPath(new URL('../packages/parse/models/en-ewt-parser.safetensors', import.meta.url)) },
    jackknife: { type: 'string', default: '5' },
    projective: { type: 'boolean', default: false },
    'projective-decoding': { type: 'boolean', default: false },
    'tagger-epochs': { type: 'string', default: '5' },
    tagger: { type: 'string', default: englishTaggerPath() },
  },
});
const dir = process.env.EBM_CORPORA_DIR;
if (!dir) {
  console.error('train-parser: set EBM_CORPORA_DIR to the corpora mirror (it must hold ud_english_ewt/)');
  process.exit(2);
}
const ewt = (split: string) => join(dir, 'ud_english_ewt', `en_ewt-ud-${split}.conllu.gz`);
const train = (await readParseCorpus(ewt('train'), { requireTrees: true })).map((s) => s.sentence);
const dev = (await readParseCorpus(ewt('dev'))).map((s) => s.sentence);
const test = (await readParseCorpus(ewt('test'))).map((s) => s.sentence);
const tagger = await Crf.load(values.tagger!);
const withTags = (data: ParseSentence[]) => data.map((s) => ({ ...s, tags: tagger.tag(s.forms) }));
const devPredicted = withTags(dev);
const testPredicted = withTags(test);
// Jackknifed training tags: K CRF taggers (averaged perceptron, the bundled tagger's `pos` features), each trained on
// the other folds, tag their fold — so the parser learns from tags as noisy as the tags it will see.
const K = Number(values.jackknife);
const tStart = performance.now();
let trainTagged = train;
if (K > 1) {
  const fx = featureExtractor({ kind: 'builtin', name: 'pos' })!;
  const seqs = train.map((s) => ({ items: fx(s.forms.map((f) => [f])), labels: s.tags }));
  const tags: string[][] = new Array(train.length);
  const tj = performance.now();
  for (let k = 0; k < K; k++) {
    const fold = (i: number) => i % K === k;
    const r = await trainCrf(seqs.filter((_, i) => !fold(i)), { trainer: { algorithm: 'perceptron', epochs: Number(values['tagger-epochs']) }, features: { kind: 'builtin', name: 'pos' } });
    train.forEach((s, i) => {
      if (fold(i)) tags[i] = r.model.tag(s.forms);
    });
    console.error(`jackknife fold ${k + 1}/${K} tagged (${((performance.now() - tj) / 1000).toFixed(0)} s)`);
  }
  let right = 0;
  let all = 0;
  train.forEach((s, i) => s.tags.forEach((t, j) => ((all += 1), (right += t === tags[i]![j] ? 1 : 0))));
  console.error(`jackknifed train UPOS accuracy ${((100 * right) / all).toFixed(2)}%`);
  trainTagged = train.map((s, i) => ({ ...s, tags: tags[i]! }));
}
const jackknifeSeconds = (performance.now() - tStart) / 1000;
console.error(`EWT: ${train.length} train, ${dev.length} dev, ${test.length} test sentences; ${values.learner}, ${values.epochs} epochs`);
const r = trainParser(trainTagged, {
  learner: values.learner as ParseLearner,
  epochs: Number(values.epochs),
  arcBits: Number(values['arc-bits']),
  labelBits: Number(values['label-bits']),
  C: Number(values.C),
  projective: values.projective,
  projectiveDecoding: values.projective || values['projective-decoding'],
  dev: devPredicted,
  onEpoch: (e) =>
    console.error(`epoch ${e.epoch}: ${e.trainErrors} train head errors, dev (predicted UPOS) UAS ${e.dev!.uas.toFixed(2)} LAS ${e.dev!.las.toFixed(2)}, ${e.seconds.toFixed(0)} s`),
});
const count = (w: Float32Array) => w.reduce((n, x) => n + (x !== 0 ? 1 : 0), 0);
const full = r.parser;
const score = (p: DependencyParser, data: ParseSentence[], gold: ParseSentence[]) => evaluateParses(gold, data.map((s) => p.parse(s)), data.map((s) => s.tags));
const fullDev = score(full, devPredicted, dev);
const small = full.pruned({ arcWeights: Number(values['arc-weights']), labelWeights: Number(values['label-weights']) });
await small.save(values.out!);
const back = await DependencyParser.load(values.out!);
const prunedDev = score(back, devPredicted, dev);
const testGold = score(back, test, test);
const testPred = score(back, testPredicted, test);
const { size } = await import('node:fs').then((fs) => fs.statSync(values.out!));
const pick = (s: ReturnType<typeof score>) => ({ uas: +s.uas.toFixed(2), las: +s.las.toFixed(2), la: +s.labelAccuracy.toFixed(2), upos: +(s.tagAccuracy ?? 0).toFixed(2) });
console.log(
  JSON.stringify({
    learner: values.learner,
    projective: values.projective,
    projectiveDecoding: values.projective || values['projective-decoding'],
    epochs: r.epochs,
    bestEpoch: r.bestEpoch,
    trainSeconds: +(r.seconds + jackknifeSeconds).toFixed(1),
    parserSeconds: +r.seconds.toFixed(1),
    jackknifeSeconds: +jackknifeSeconds.toFixed(1),
    nonzero: { arc: count(full.arcWeights), label: count(full.labelWeights), arcKept: count(back.arcWeights), labelKept: count(back.labelWeights) },
    bytes: size,
    devFull: pick(fullDev),
    devPruned: pick(prunedDev),
    testGoldTags: pick(testGold),
    testPredictedTags: pick(testPred),
  }),
);
