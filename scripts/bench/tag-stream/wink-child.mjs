// One benchmark run of wink-nlp with its English model (scripts/bench optional dependencies wink-nlp and
// wink-eng-lite-web-model): reads FILE line by line, runs sentence splitting + POS on each line, builds `word/TAG`
// output lines (not written), prints {tokens, seconds, loadSeconds}. With --one "TEXT": tags one sentence and exits.
//   node scripts/bench/tag-stream/wink-child.mjs FILE
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const t0 = performance.now();
const { default: winkNLP } = await import('wink-nlp');
const { default: model } = await import('wink-eng-lite-web-model');
const nlp = winkNLP(model, ['sbd', 'pos']);
const its = nlp.its;
const t1 = performance.now();
const tagLine = (line) => {
  const doc = nlp.readDoc(line);
  const words = doc.tokens().out(its.value);
  const tags = doc.tokens().out(its.pos);
  return { n: words.length, out: words.map((w, i) => `${w}/${tags[i]}`).join(' ') };
};
if (process.argv[2] === '--one') {
  console.log(tagLine(process.argv[3]).out);
} else {
  let tokens = 0;
  let chars = 0;
  for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
    const r = tagLine(line);
    tokens += r.n;
    chars += r.out.length;
  }
  const t2 = performance.now();
  console.log(JSON.stringify({ tokens, chars, seconds: (t2 - t0) / 1000, loadSeconds: (t1 - t0) / 1000 }));
}
