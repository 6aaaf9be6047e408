import test from 'ava';
import { createEnglishTokenizer, fixTreebankTokens } from '../../packages/crf/src/tokenize.js';

const cases: [string, string[][]][] = [
  ['"Hello," she said.', [['"', 'Hello', ',', '"', 'she', 'said', '.']]],
  ["I don't know. It's 3.5 km, isn't it?", [['I', 'do', "n't", 'know', '.'], ['It', "'s", '3.5', 'km', ',', 'is', "n't", 'it', '?']]],
  ['Dr. Smith went to Washington D.C. on Jan. 5th. He paid $4.50!', [
    ['Dr.', 'Smith', 'went', 'to', 'Washington', 'D.C.', 'on', 'Jan.', '5th', '.'],
    ['He', 'paid', '$', '4.50', '!'],
  ]],
  ["They'll go; we'd've gone.", [['They', "'ll", 'go', ';', 'we', "'d", "'ve", 'gone', '.']]],
  ["Can't won't U.S.A. e-mail 1,000,000 50%", [['Ca', "n't", 'wo', "n't", 'U.S.A.', 'e-mail', '1,000,000', '50', '%']]],
  ["He said 'no.' Then he left.", [['He', 'said', "'", 'no', '.', "'"], ['Then', 'he', 'left', '.']]],
  ['He said "Stop." Then left.', [['He', 'said', '"', 'Stop', '.', '"'], ['Then', 'left', '.']]],
  ['I don’t know.', [['I', 'do', 'n’t', 'know', '.']]],
  ['“Hello,” she said.', [['“', 'Hello', ',', '”', 'she', 'said', '.']]],
  ["The dogs' bones.", [['The', 'dogs', "'", 'bones', '.']]],
  ['Wait... what?!', [['Wait', '...', 'what', '?', '!']]],
  ['She left... Then he came.', [['She', 'left', '...'], ['Then', 'he', 'came', '.']]],
  ['(See p. 5.)', [['(', 'See', 'p.', '5', '.', ')']]],
  ['Mail a.b@c.com or see https://x.org/a.b?c=d.', [['Mail', 'a.b@c.com', 'or', 'see', 'https://x.org/a.b?c=d', '.']]],
  ['I said no. Then I left.', [['I', 'said', 'no', '.'], ['Then', 'I', 'left', '.']]],
  ['See No. 5 on the list, e.g. this one.', [['See', 'No.', '5', 'on', 'the', 'list', ',', 'e.g.', 'this', 'one', '.']]],
  ['No punctuation at the end', [['No', 'punctuation', 'at', 'the', 'end']]],
  ['', []],
  ['   ', []],
];

for (const [text, expected] of cases) {
  test(`tokenize ${JSON.stringify(text)}`, async (t) => {
    const tk = await createEnglishTokenizer();
    t.deepEqual(tk.tokenize(text), expected);
  });
}

test('sentences and words separately; the same loaded tokenizer is shared', async (t) => {
  const tk = await createEnglishTokenizer();
  t.is(await createEnglishTokenizer(), tk);
  t.deepEqual(tk.sentences('Mr. Brown came. He sat down.'), ['Mr. Brown came.', 'He sat down.']);
  t.deepEqual(tk.words('Mr. Brown came.'), ['Mr.', 'Brown', 'came', '.']);
  t.deepEqual(tk.words('  '), []);
});

test('post-processing rules on their own', (t) => {
  t.deepEqual(fixTreebankTokens(['left..', '.']), ['left', '...']);
  t.deepEqual(fixTreebankTokens(["'d've"]), ["'d", "'ve"]);
  t.deepEqual(fixTreebankTokens(["'quoted'"]), ["'", 'quoted', "'"]);
  t.deepEqual(fixTreebankTokens(["'s", "n't", "'ll"]), ["'s", "n't", "'ll"]);
  t.deepEqual(fixTreebankTokens(['(', 'etc.', ')']), ['(', 'etc.', ')']);
  t.deepEqual(fixTreebankTokens(['"', 'end.', '"']), ['"', 'end', '.', '"']);
});
