// One benchmark run of the @ebmkit/crf API (built dist, as an installed package is): reads FILE line by line, tags
// each line with loadEnglishTagger(), builds `word/TAG` output lines (not written), prints {tokens, seconds, loadSeconds}.
//   node scripts/bench/tag-stream/api-child.mjs FILE
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadEnglishTagger } from '@ebmkit/crf';

const t0 = performance.now();
const tagger = await loadEnglishTagger();
const t1 = performance.now();
let tokens = 0;
let chars = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
  for (const s of tagger.tag(line)) {
    const out = s.tokens.map((t) => `${t.text}/${t.tag}`).join(' ');
    chars += out.length;
    tokens += s.tokens.length;
  }
}
const t2 = performance.now();
console.log(JSON.stringify({ tokens, chars, seconds: (t2 - t0) / 1000, loadSeconds: (t1 - t0) / 1000 }));
