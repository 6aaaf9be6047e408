import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseTemplate,
  loadTemplate,
  expandTemplate,
  templateFeatures,
  checkTemplateColumns,
  TemplateError,
} from '../../packages/crf/src/features/template.js';
import { itemAttributes } from '../../packages/crf/src/features/item-sequence.js';

const TEMPLATE = `# Unigram
U00:%x[-2,0]
U01:%x[-1,0]
U02:%x[0,0]
U03:%x[1,0]
U04:%x[2,0]
U05:%x[-1,0]/%x[0,0]
U10:%x[0,1]/%x[1,1]

U99:bias
# Bigram
B
`;

const sentence = [
  ['He', 'PRP', 'B-NP'],
  ['reckons', 'VBZ', 'B-VP'],
  ['the', 'DT', 'B-NP'],
];

test('expands unigram templates with CRF++ boundary tokens', (t) => {
  const tpl = parseTemplate(TEMPLATE, { file: 'chunk.tpl' });
  t.true(tpl.transitions);
  t.is(tpl.unigrams.length, 8);
  t.is(tpl.minColumns, 2);
  const seq = expandTemplate(tpl, sentence);
  t.is(seq.length, 3);
  t.deepEqual(itemAttributes(seq, 0).names, [
    'U00:_B-2', 'U01:_B-1', 'U02:He', 'U03:reckons', 'U04:the', 'U05:_B-1/He', 'U10:PRP/VBZ', 'U99:bias',
  ]);
  t.deepEqual(itemAttributes(seq, 1).names, [
    'U00:_B-1', 'U01:He', 'U02:reckons', 'U03:the', 'U04:_B+1', 'U05:He/reckons', 'U10:VBZ/DT', 'U99:bias',
  ]);
  t.deepEqual(itemAttributes(seq, 2).names, [
    'U00:He', 'U01:reckons', 'U02:the', 'U03:_B+1', 'U04:_B+2', 'U05:reckons/the', 'U10:DT/_B+1', 'U99:bias',
  ]);
  t.is(seq.values, null);
});

test('rows up to ±8 give _B-8 / _B+8; beyond is an error', (t) => {
  const tpl = parseTemplate('U:%x[-8,0]|%x[8,0]\n');
  t.deepEqual(itemAttributes(expandTemplate(tpl, [['a']]), 0).names, ['U:_B-8|_B+8']);
  const e = t.throws(() => parseTemplate('U00:%x[0,0]\nU01:%x[9,0]\n', { file: 'big.tpl' }), { instanceOf: TemplateError });
  t.regex(e.message, /^big\.tpl:2: /);
});

test('no B line means no transition features; several plain B lines are one transition table', (t) => {
  t.false(parseTemplate('U00:%x[0,0]\n').transitions);
  t.true(parseTemplate('B\nB01\nB02:label\n').transitions);
});

test('a column the data does not have is an error naming file, line and column count', (t) => {
  const tpl = parseTemplate('# c\nU00:%x[0,0]\n\nU01:%x[0,3]\n', { file: 'my.tpl' });
  const e = t.throws(() => checkTemplateColumns(tpl, 2), { instanceOf: TemplateError })!;
  t.is(e.message, 'my.tpl:4: %x[0,3] in "U01:%x[0,3]" refers to column 3, but the data has 2 input columns (0..1)');
  t.is((e as TemplateError).line, 4);
  t.is((e as TemplateError).file, 'my.tpl');
  t.throws(() => templateFeatures(tpl, { columns: 3 }), { message: /data has 3 input columns \(0\.\.2\)/ });
  t.notThrows(() => templateFeatures(tpl, { columns: 4 }));
});

test('bad templates give file:line errors', (t) => {
  t.throws(() => parseTemplate('U00:%x[0,0]\nX01:%x[0,0]\n', { file: 't.txt' }), { message: /^t\.txt:2: unknown template type "X01:%x\[0,0\]"/ });
  t.throws(() => parseTemplate('U00:%x[0]\n', { file: 't.txt' }), { message: /^t\.txt:1: bad macro at character 5/ });
  t.throws(() => parseTemplate('U00:%y[0,0]\n', { file: 't.txt' }), { message: /^t\.txt:1: bad macro/ });
  t.throws(() => parseTemplate('U00: %x[ 0,0]\n', { file: 't.txt' }), { message: /^t\.txt:1: bad macro/ });
  t.throws(() => parseTemplate('\n\nB01:%x[0,0]\n', { file: 't.txt' }), { message: /^t\.txt:3: bigram template "B01:%x\[0,0\]" conditions the label bigram on the input/ });
});

test('CRLF files and trailing spaces are accepted; tokens with too few columns are an error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ebm-tpl-'));
  const path = join(dir, 'crlf.tpl');
  writeFileSync(path, 'U00:%x[0,1]  \r\n\r\nB\r\n');
  const tpl = await loadTemplate(path);
  t.is(tpl.file, path);
  t.deepEqual(itemAttributes(expandTemplate(tpl, [['a', 'NN']]), 0).names, ['U00:NN']);
  t.throws(() => expandTemplate(tpl, [['a']]), { message: /token 0 has 1 columns, the template .* needs 2/ });
});
