/**
 * The ebmkit side of parse-ewt: tags (bundled CRF tagger) and parses (DependencyParser) a CoNLL-U file from its gold
 * tokens on one thread, writes CoNLL-U, and prints one JSON line with words/s of tagging + parsing.
 * Usage: ebmkit-parse.ts PARSER TAGGER IN.conllu OUT.conllu
 */
import { writeFileSync } from 'node:fs';
import { Crf } from '@ebmkit/crf';
import { DependencyParser, formatConllu, readParseCorpus } from '@ebmkit/parse';

const [parserPath, taggerPath, input, output] = process.argv.slice(2);
if (!output) {
  console.error('usage: ebmkit-parse.ts PARSER TAGGER IN.conllu OUT.conllu');
  process.exit(2);
}
const parser = await DependencyParser.load(parserPath!);
const tagger = await Crf.load(taggerPath!);
const corpus = await readParseCorpus(input!);
let words = 0;
const t0 = performance.now();
const parses = corpus.map((s) => {
  const tags = tagger.tag(s.sentence.forms);
  words += tags.length;
  return { tags, parse: parser.parse({ forms: s.sentence.forms, tags }) };
});
const seconds = (performance.now() - t0) / 1000;
writeFileSync(output, corpus.map((s, i) => formatConllu(s.source, parses[i]!.parse, parses[i]!.tags)).join(''));
console.log(JSON.stringify({ sentences: corpus.length, words, seconds, wordsPerSecond: words / seconds, sentencesPerSecond: corpus.length / seconds }));
