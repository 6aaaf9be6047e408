// PosScorer gives the same unary potentials as Crf.potentials (the reference: attribute strings interned per token),
// on short texts (direct bigram lookups) and after its bigram index is built (> 2000 tokens), with bounded caches.
import test from 'ava';
import { createTokenizer, Crf, englishTaggerPath, featureExtractor, PosScorer, trainCrf, type FeatureSpec } from '../../packages/crf/src/index.js';
import { UNICODE_SAMPLES } from './unicode-corpus.js';

const english = [
  "I don't think the U.S. economy will grow 3.5% in 2024, said Dr. Smith.",
  'The quick brown fox jumps over the lazy dog.',
  'She sent her résumé to the café in Zürich on Jan. 5th — long-term plans!',
  'a|b c|d || pipes|in|words and/or e-mail x@y.com https://example.org/a?b=c',
  'Time flies like an arrow; fruit flies like a banana.',
];

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('bundled model: PosScorer potentials equal Crf.potentials before and after the bigram index, on every script', async (t) => {
  const model = await Crf.load(englishTaggerPath());
  const scorer = PosScorer.forModel(model, { maxEntries: 64 })!;
  t.truthy(scorer);
  const tk = createTokenizer();
  const sentences = [...english, ...UNICODE_SAMPLES.map((s) => s.text)].flatMap((x) => tk.tokenize(x).map((s) => s.tokens.map((k) => k.text)));
  let tokens = 0;
  let worst = 0;
  for (let round = 0; round < 20; round++) {
    for (const words of sentences) {
      const ref = model.potentials(words).unary;
      const out = new Float64Array(ref.length);
      scorer.unary(words, out);
      worst = Math.max(worst, maxDiff(out, ref));
      tokens += words.length;
    }
  }
  t.true(tokens > 2 * 2000, 'the index path is exercised');
  t.true(worst < 1e-9, `max |Δ| ${worst}`);
  t.true(scorer.cacheSize <= 64, `cache ${scorer.cacheSize}`);
});

test('a small trained pos model: the same potentials; other feature sets get no PosScorer', async (t) => {
  const words = ['the', 'a', 'cat', 'dog', 'runs', 'sleeps', 'Cats', 'DOGS'];
  const tags = ['DET', 'DET', 'NOUN', 'NOUN', 'VERB', 'VERB', 'NOUN', 'NOUN'];
  const raw = Array.from({ length: 30 }, (_, s) => {
    const idx = [s % 2, 2 + ((s >> 1) % 2), 4 + ((s >> 2) % 2)];
    if (s % 5 === 0) idx[1] = 6 + (s % 2);
    return { tokens: idx.map((i) => [words[i]!]), labels: idx.map((i) => tags[i]!) };
  });
  const pos: FeatureSpec = { kind: 'builtin', name: 'pos', options: { affixLength: 2, bias: false } };
  const seqs = raw.map((q) => ({ items: featureExtractor(pos)!(q.tokens), labels: q.labels }));
  const res = await trainCrf(seqs, { features: pos, trainer: { algorithm: 'lbfgs', maxIterations: 30 } });
  const scorer = PosScorer.forModel(res.model)!;
  for (const s of [['the', 'cat', 'sleeps'], ['A', 'DOGS', 'runs', 'unknownword'], ['dog']]) {
    const ref = res.model.potentials(s).unary;
    const out = new Float64Array(ref.length);
    scorer.unary(s, out);
    t.true(maxDiff(out, ref) < 1e-9);
  }
  const chunking: FeatureSpec = { kind: 'builtin', name: 'chunking' };
  const chunk = await trainCrf(
    raw.map((q) => ({ items: featureExtractor(chunking)!(q.tokens.map((w, i) => [w[0]!, q.labels[i]!])), labels: q.labels })),
    { features: chunking, trainer: { algorithm: 'lbfgs', maxIterations: 5 } },
  );
  t.is(PosScorer.forModel(chunk.model), null);
  t.throws(() => PosScorer.forModel(res.model, { maxEntries: 0 }), { message: /maxEntries must be an integer in \[1, 32768\], got 0/ });
});
