/**
 * Trains the bundled English part-of-speech tagger (`ebm tag` with no --model):
 * a CRF on UD English-EWT (CC BY-SA 4.0) UPOS with the built-in `pos` feature set, elastic net (OWL-QN)
 * to keep the file small, then scores it on the EWT test set and writes docs/bundled-model.md.
 *
 *   EBM_CORPORA_DIR=../shared/corpora npm run train:bundled [-- --c1 0.05 --c2 0.05 --max-iterations 200 --threads 2]
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readConllu } from '@ebmkit/core';
import { Crf, featureExtractor, readLabeledSequences, TextTagger, tokenAccuracy, trainCrf, type FeatureSpec } from '@ebmkit/crf';
import { machineDescription } from './bench/lib/report.js';
import { goldSpans, scoreRaw, type RawScore } from './bench/tag-stream/ewt-raw.js';

const { values } = parseArgs({
  options: {
    c1: { type: 'string', default: '0.05' },
    c2: { type: 'string', default: '0.05' },
    threads: { type: 'string', default: String(availableParallelism()) },
    'max-iterations': { type: 'string', default: '200' },
    out: { type: 'string', default: fileURLToPath(new URL('../packages/crf/models/en-upos.safetensors', import.meta.url)) },
  },
});
const dir = process.env.EBM_CORPORA_DIR;
if (!dir) {
  console.error('train-bundled: set EBM_CORPORA_DIR to the corpora mirror (it must hold ud_english_ewt/)');
  process.exit(2);
}
const ewt = (split: string) => join(dir, 'ud_english_ewt', `en_ewt-ud-${split}.conllu.gz`);
const spec: FeatureSpec = { kind: 'builtin', name: 'pos' };
const fx = featureExtractor(spec)!;
const train = await readLabeledSequences(ewt('train'), fx);
const dev = await readLabeledSequences(ewt('dev'), fx);
const test = await readLabeledSequences(ewt('test'), fx);
const c1 = Number(values.c1);
const c2 = Number(values.c2);
console.error(`EWT: ${train.sequences.length} train, ${dev.sequences.length} dev, ${test.sequences.length} test sentences; OWL-QN c1=${c1} c2=${c2}`);
const result = await trainCrf(train.sequences, {
  trainer: { algorithm: 'owlqn', c1, c2, maxIterations: Number(values['max-iterations']) },
  features: spec,
  threads: Number(values.threads),
  dev: dev.sequences,
  source: ewt('train'),
  onProgress: (p) => {
    if (p.iteration % 10 === 0) {
      console.error(`iter ${p.iteration} objective ${p.objective.toFixed(1)} dev ${(100 * p.dev!.accuracy).toFixed(2)}% ${p.seconds.toFixed(0)} s`);
    }
  },
});
await mkdir(dirname(values.out!), { recursive: true });
await result.model.save(values.out!, { precision: 'f32' });
const model = await Crf.load(values.out!);
const score = (data: typeof test) =>
  tokenAccuracy(
    data.sentences.map((s) => s.labels),
    data.sentences.map((s) => model.tag(s.tokens)),
  );
const t = score(test);
const d = score(dev);
// raw text: each test sentence's `# text` tokenised and tagged as a user's text is, scored on the tokens whose
// character span equals a gold word's
const raw: RawScore = { goldWords: 0, aligned: 0, correct: 0 };
const tagger = new TextTagger(model);
for await (const s of readConllu(ewt('test'))) scoreRaw(goldSpans(s), tagger.tag(s.meta.text ?? '').flatMap((x) => x.tokens), raw);
const bytes = (await stat(values.out!)).size;
const report = `# The bundled English tagger

\`ebm tag\` with no \`--model\` and \`loadEnglishTagger()\` of @ebmkit/crf use \`packages/crf/models/en-upos.safetensors\`
(shipped in the @ebmkit/crf package; \`englishTaggerPath()\` gives its path): a linear-chain CRF for Universal
POS tags (17 labels), trained by \`npm run train:bundled\` (scripts/train-bundled.ts) on UD English-EWT r2.16
(train split; CC BY-SA 4.0, see NOTICE) with the built-in \`pos\` feature set and OWL-QN elastic net
(c1 = ${c1}, c2 = ${c2}); weights stored in single precision, zero weights dropped.

| split | sentences | tokens | UPOS accuracy |
|---|---|---|---|
| dev | ${dev.sentences.length} | ${d.total} | ${(100 * d.accuracy).toFixed(2)}% |
| test | ${test.sentences.length} | ${t.total} | ${(100 * t.accuracy).toFixed(2)}% |

Model: ${model.numFeatures} features with non-zero weight (of ${result.model.numFeatures} generated),
${(bytes / 2 ** 20).toFixed(2)} MiB; ${result.info.iterations} iterations (${result.info.status}) in ${result.info.seconds.toFixed(0)} s.
The table scores the treebank's gold tokens. On raw text — each test sentence's \`# text\` line tokenised by
@ebmkit/crf's tokenizer (\`createTokenizer\`, UD English-EWT conventions) and tagged —
${(100 * raw.aligned / raw.goldWords).toFixed(2)}% of the ${raw.goldWords} gold words get a predicted token with exactly their character span, and
${(100 * raw.correct / raw.aligned).toFixed(2)}% of those are tagged correctly (scripts/bench/tag-stream/ewt-raw.ts).

## Text to tokens

Raw text reaches the model through @ebmkit/crf's own tokenizer (\`createTokenizer\`, packages/crf/src/text/): one
left-to-right pass with Unicode-property regular expressions, \`Intl.Segmenter\` (ICU) for scripts written without
spaces, and UD English-EWT's conventions for English (\`do n't\`, \`ca n't\`, \`gon na\`, \`long - term\` but \`e-mail\`,
\`U.S.\`, \`$ 4.50\`, URLs and e-mail addresses whole). It replaced the \`natural\` package, which the first version used:
natural's SentenceTokenizer is quadratic in a line's length (a 170 KB line took 83 s), its word tokenizers split
non-ASCII letters (\`résumé\` → \`r é sum é\`) and surrogate pairs (emoji came out as U+FFFD), and importing natural loads
\`dotenv\`, which reads a \`.env\` file of the working directory into \`process.env\` — something a library must never do
(a test checks that tagging leaves \`process.env\` untouched with a \`.env\` present).

Produced by: \`EBM_CORPORA_DIR=../shared/corpora npm run train:bundled -- --c1 ${c1} --c2 ${c2} --threads ${values.threads}\`
on ${machineDescription()}.
`;
await writeFile(fileURLToPath(new URL('../docs/bundled-model.md', import.meta.url)), report);
console.error(report);
