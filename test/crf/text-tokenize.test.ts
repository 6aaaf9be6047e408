import test from 'ava';
import { createTokenizer, SentenceStream, type TextSentence } from '../../packages/crf/src/index.js';
import { graphemeBoundaries, UNICODE_SAMPLES, wordBoundaries } from './unicode-corpus.js';

const tk = createTokenizer();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const words = (s: TextSentence[]) => s.map((x) => x.tokens.map((t) => t.text));

// UD English-EWT conventions (each case checked against how EWT's gold tokens split such text).
const EWT: [string, string[][]][] = [
  ['"Hello," she said.', [['"', 'Hello', ',', '"', 'she', 'said', '.']]],
  ["I don't know. It's 3.5 km, isn't it?", [['I', 'do', "n't", 'know', '.'], ['It', "'s", '3.5', 'km', ',', 'is', "n't", 'it', '?']]],
  ['Dr. Smith went to Washington D.C. on Jan. 5th. He paid $4.50!', [
    ['Dr.', 'Smith', 'went', 'to', 'Washington', 'D.C.', 'on', 'Jan.', '5th', '.'],
    ['He', 'paid', '$', '4.50', '!'],
  ]],
  ["They'll go; we'd've gone.", [['They', "'ll", 'go', ';', 'we', "'d", "'ve", 'gone', '.']]],
  ["Can't won't ain't U.S.A. 1,000,000 50%", [['Ca', "n't", 'wo', "n't", 'ai', "n't", 'U.S.A.', '1,000,000', '50', '%']]],
  ['I cannot, gonna, dont, wanna', [['I', 'can', 'not', ',', 'gon', 'na', ',', 'do', 'nt', ',', 'wan', 'na']]],
  ['a long-term, well-known e-mail re-elect non-profit plan', [['a', 'long', '-', 'term', ',', 'well', '-', 'known', 'e-mail', 're-elect', 'non-profit', 'plan']]],
  ['Call 713-853-3989 on 10/11/2005 at 12:30 or 7:30PM, and/or later', [['Call', '713-853-3989', 'on', '10/11/2005', 'at', '12:30', 'or', '7:30', 'PM', ',', 'and', '/', 'or', 'later']]],
  ['He said "Stop." Then left.', [['He', 'said', '"', 'Stop', '.', '"'], ['Then', 'left', '.']]],
  ['I don’t know.', [['I', 'do', 'n’t', 'know', '.']]],
  ['“Hello,” she said.', [['“', 'Hello', ',', '”', 'she', 'said', '.']]],
  ["The dogs' bones and James's car.", [['The', 'dogs', "'", 'bones', 'and', 'James', "'s", 'car', '.']]],
  ['Wait... what?! Really?? Yes!!!', [['Wait', '...', 'what', '?!'], ['Really', '??'], ['Yes', '!!!']]],
  ['(See p. 5.)', [['(', 'See', 'p.', '5', '.', ')']]],
  ['Mail a.b@c.com or Rice@ENRON or see https://x.org/a.b?c=d.', [['Mail', 'a.b@c.com', 'or', 'Rice@ENRON', 'or', 'see', 'https://x.org/a.b?c=d', '.']]],
  ['Visit www.example.com, (https://en.wikipedia.org/wiki/Foo_(bar)) now', [['Visit', 'www.example.com', ',', '(', 'https://en.wikipedia.org/wiki/Foo_(bar)', ')', 'now']]],
  ['See No. 5 on the list, e.g. this one, etc.', [['See', 'No.', '5', 'on', 'the', 'list', ',', 'e.g.', 'this', 'one', ',', 'etc', '.']]],
  ['No, I said no. Then I left :) great;-)', [['No', ',', 'I', 'said', 'no', '.'], ['Then', 'I', 'left', ':)', 'great', ';-)']]],
  ['AT&T and PG&E\'s rates -- high', [['AT&T', 'and', 'PG&E', "'s", 'rates', '--', 'high']]],
  ['No punctuation at the end', [['No', 'punctuation', 'at', 'the', 'end']]],
  ['', []],
  ['   \t ', []],
];

for (const [text, expected] of EWT) {
  test(`EWT conventions: ${JSON.stringify(text)}`, (t) => {
    t.deepEqual(words(tk.tokenize(text)), expected);
  });
}

test('offsets: every token is text.slice(start, end), sentence text is its span, and only whitespace is left out', (t) => {
  const text = '  Hello,  world!\tIt\'s me — 👋🏽 …  ';
  const sents = tk.tokenize(text);
  let rebuilt = '';
  let last = 0;
  for (const s of sents) {
    t.is(s.text, text.slice(s.start, s.end));
    for (const tok of s.tokens) {
      t.is(tok.text, text.slice(tok.start, tok.end));
      t.regex(text.slice(last, tok.start), /^\s*$/u);
      rebuilt += tok.text;
      last = tok.end;
    }
  }
  t.is(rebuilt, text.replace(/\s+/g, ''));
});

for (const sample of UNICODE_SAMPLES) {
  test(`Unicode (${sample.script}): byte-exact tokens, boundaries only between graphemes and words`, (t) => {
    const text = sample.text;
    const sents = tk.tokenize(text);
    const toks = sents.flatMap((s) => s.tokens);
    const graphemes = graphemeBoundaries(text);
    const uax29 = wordBoundaries(text);
    const english = /[A-Za-z]['’-][A-Za-z]/.test(text); // English clitic/hyphen rules may split inside a UAX #29 word
    for (const tok of toks) {
      t.is(tok.text, text.slice(tok.start, tok.end));
      t.false(LONE_SURROGATE.test(tok.text), `token ${JSON.stringify(tok.text)} has a lone surrogate`);
      t.true(graphemes.has(tok.start) && graphemes.has(tok.end), `token ${JSON.stringify(tok.text)} cuts a grapheme cluster`);
      if (!english) t.true(uax29.has(tok.start) && uax29.has(tok.end), `token ${JSON.stringify(tok.text)} cuts a word`);
    }
    t.is(toks.map((x) => x.text).join(''), text.replace(/\s+/gu, ''));
    const texts = new Set(toks.map((x) => x.text));
    for (const w of sample.words) t.true(texts.has(w), `${JSON.stringify(w)} is not one token: ${JSON.stringify([...texts])}`);
  });
}

test('scripts without spaces are segmented into words (not one token per character, not one per run)', (t) => {
  const zh = tk.words('我喜欢在北京吃饺子');
  t.true(zh.length > 2 && zh.length < 9, JSON.stringify(zh));
  t.true(zh.includes('北京'));
  const th = tk.words('ภาษาไทยไม่มีช่องว่างระหว่างคำ');
  t.true(th.length > 2 && th.length < 20, JSON.stringify(th));
});

test('sentence terminators of other scripts end sentences, even without a following space', (t) => {
  t.deepEqual(tk.sentences('你好。我很好！'), ['你好。', '我很好！']);
  t.deepEqual(tk.sentences('नमस्ते। ठीक है।'), ['नमस्ते।', 'ठीक है।']);
  t.deepEqual(tk.sentences('هل أنت بخير؟ نعم.'), ['هل أنت بخير؟', 'نعم.']);
  t.deepEqual(tk.sentences('Mr. Brown came. He sat down.'), ['Mr. Brown came.', 'He sat down.']);
});

// ---- streaming long lines ----

function streamAll(text: string, chunk: number, options = {}): { sents: TextSentence[]; stream: SentenceStream } {
  const stream = new SentenceStream(options);
  const sents: TextSentence[] = [];
  for (let i = 0; i < text.length; i += chunk) sents.push(...stream.push(text.slice(i, i + chunk)));
  sents.push(...stream.end());
  return { sents, stream };
}

test('a 1 MB line streamed in pieces gives the tokens of the whole line, tokenising each character at most about twice', (t) => {
  const unit = 'Dr. Smith paid $4.50 for the café in Zürich 🍕, didn\'t he? No. 5 is next; 我喜欢北京。 ';
  const text = unit.repeat(Math.ceil((1 << 20) / unit.length));
  const { sents, stream } = streamAll(text, 4096 + 7);
  const whole = tk.tokens(text);
  const streamed = sents.flatMap((s) => s.tokens);
  t.is(streamed.length, whole.length);
  t.deepEqual(streamed.slice(0, 500), whole.slice(0, 500));
  t.deepEqual(streamed.slice(-500), whole.slice(-500));
  for (const tok of streamed) if (tok.text !== text.slice(tok.start, tok.end)) return t.fail(`offset of ${tok.text} at ${tok.start}`);
  t.true(stream.stats.scanned <= 2.2 * text.length, `scanned ${stream.stats.scanned} of ${text.length}`);
  t.true(stream.stats.largestPiece <= 65536 + 16384 + 4096 + 7, `largest piece ${stream.stats.largestPiece}`);
});

test('a line with no sentence end is emitted in bounded sentences; a whitespace-free run is cut only at a word boundary', (t) => {
  const words = 'alpha beta gamma delta '.repeat(20000); // 460 KB, no terminator
  const a = streamAll(words, 10000);
  t.true(a.sents.length > 1);
  t.true(a.sents.every((s) => s.end - s.start <= 16384 + 64), 'sentence length is bounded');
  t.is(a.sents.flatMap((s) => s.tokens).length, 80000);
  t.true(a.stream.stats.scanned <= 2.2 * words.length);
  // 108 K characters of Chinese without any whitespace (small limits so that run cuts happen)
  const zh = '我喜欢在北京吃饺子'.repeat(12000);
  const b = streamAll(zh, 5000, { pieceLength: 8192, maxSentenceLength: 4096, maxRunLength: 30000 });
  const toks = b.sents.flatMap((s) => s.tokens);
  t.is(toks.map((x) => x.text).join(''), zh);
  t.true(toks.every((x) => x.text.length <= 4), 'words, not runs');
  const uax29 = wordBoundaries(zh.slice(0, 40000)); // ICU segments the repeated sentence the same way everywhere
  for (const tok of toks) if (tok.end < 40000 && !uax29.has(tok.end)) return t.fail(`cut inside a word at ${tok.end}`);
  t.true(b.stream.stats.largestPiece <= 30000 + 5000 + 4096 + 8192, `largest piece ${b.stream.stats.largestPiece}`);
  t.true(b.stream.stats.scanned <= 2.5 * zh.length, `scanned ${b.stream.stats.scanned}`);
});

test('SentenceStream checks its options', (t) => {
  t.throws(() => new SentenceStream({ pieceLength: 0 }), { message: /pieceLength must be an integer ≥ 16, got 0/ });
});
