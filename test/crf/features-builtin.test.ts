import test from 'ava';
import { Dictionary } from '@ebmkit/core';
import { chunkingFeatures, posFeatures, nerFeatures, builtinFeatures, wordShape } from '../../packages/crf/src/features/builtin.js';
import {
  itemAttributes,
  itemSequenceFromAttributes,
  internItemSequence,
  ItemSequenceBuilder,
} from '../../packages/crf/src/features/item-sequence.js';

const sentence = [
  ['He', 'PRP', 'B-NP'],
  ['reckons', 'VBZ', 'B-VP'],
  ['the', 'DT', 'B-NP'],
];

test('chunking: the CRFsuite tutorial attributes of a 3-token sentence, computed by hand', (t) => {
  const seq = chunkingFeatures()(sentence);
  t.is(seq.length, 3);
  t.deepEqual(itemAttributes(seq, 0).names, [
    'w[0]=He', 'w[1]=reckons', 'w[2]=the', 'w[0]|w[1]=He|reckons',
    'pos[0]=PRP', 'pos[1]=VBZ', 'pos[2]=DT', 'pos[0]|pos[1]=PRP|VBZ', 'pos[1]|pos[2]=VBZ|DT', 'pos[0]|pos[1]|pos[2]=PRP|VBZ|DT',
    '__BOS__',
  ]);
  t.deepEqual(itemAttributes(seq, 1).names, [
    'w[-1]=He', 'w[0]=reckons', 'w[1]=the', 'w[-1]|w[0]=He|reckons', 'w[0]|w[1]=reckons|the',
    'pos[-1]=PRP', 'pos[0]=VBZ', 'pos[1]=DT', 'pos[-1]|pos[0]=PRP|VBZ', 'pos[0]|pos[1]=VBZ|DT', 'pos[-1]|pos[0]|pos[1]=PRP|VBZ|DT',
  ]);
  t.deepEqual(itemAttributes(seq, 2).names, [
    'w[-2]=He', 'w[-1]=reckons', 'w[0]=the', 'w[-1]|w[0]=reckons|the',
    'pos[-2]=PRP', 'pos[-1]=VBZ', 'pos[0]=DT', 'pos[-2]|pos[-1]=PRP|VBZ', 'pos[-1]|pos[0]=VBZ|DT', 'pos[-2]|pos[-1]|pos[0]=PRP|VBZ|DT',
    '__EOS__',
  ]);
});

test('chunking: a middle token of a long sentence has all 19 attributes; colons escaped as in the tutorial', (t) => {
  const toks = ['a', 'b', 'c:d', 'e', 'f'].map((w, i) => [w, i === 1 ? ':' : 'NN']);
  const names = itemAttributes(chunkingFeatures()(toks), 2).names;
  t.is(names.length, 19);
  t.true(names.includes('w[0]=c__COLON__d'));
  t.true(names.includes('pos[-1]|pos[0]=__COLON__|NN'));
  const raw = itemAttributes(chunkingFeatures({ escapeColons: false })(toks), 2).names;
  t.true(raw.includes('w[0]=c:d'));
  // single-token sentence: only offset-0 templates, then BOS and EOS
  t.deepEqual(itemAttributes(chunkingFeatures()([['Hi', 'UH']]), 0).names, ['w[0]=Hi', 'pos[0]=UH', '__BOS__', '__EOS__']);
  // columns chosen by option
  t.deepEqual(itemAttributes(chunkingFeatures({ wordColumn: 1, posColumn: 0 })([['UH', 'Hi']]), 0).names.slice(0, 2), ['w[0]=Hi', 'pos[0]=UH']);
  t.throws(() => chunkingFeatures()([['only-word']]), { message: /token 0 has 1 columns, needs at least 2/ });
});

test('word shapes, full and collapsed', (t) => {
  t.is(wordShape('Confidence'), 'Xxxxxxxxxx');
  t.is(wordShape('Confidence', true), 'Xx');
  t.is(wordShape('1,000.50'), 'd,ddd.dd');
  t.is(wordShape('1,000.50', true), 'd,d.d');
  t.is(wordShape('U.S.', true), 'X.X.');
  t.is(wordShape('Ärger-2'), 'Xxxxx-d');
});

test('pos and ner sets: lexical attributes and neighbours', (t) => {
  const toks = [['The'], ['U.S.-based'], ['firm'], ['2024'], ['.']];
  const pos = posFeatures()(toks);
  const a1 = itemAttributes(pos, 1).names;
  for (const x of ['bias', 'w=U.S.-based', 'wl=u.s.-based', 'p1=U', 'p4=U.S.', 's1=d', 's4=ased', 'shape=X.X.-xxxxx', 'shapec=X.X.-x', 'hashyphen', 'initcap', 'w[-1]=the', 'w[1]=firm', 'w[2]=2024']) {
    t.true(a1.includes(x), x);
  }
  t.false(a1.includes('w[-2]=the'));
  t.false(a1.includes('allcaps'));
  const a3 = itemAttributes(pos, 3).names;
  t.true(a3.includes('hasdigit'));
  t.true(a3.includes('shape=dddd'));
  const a4 = itemAttributes(pos, 4).names;
  t.true(a4.includes('punct'));
  t.true(a4.includes('__EOS__'));
  t.true(itemAttributes(pos, 0).names.includes('__BOS__'));
  t.true(itemAttributes(posFeatures()([['NASA']]), 0).names.includes('allcaps'));
  t.false(a1.some((x) => x.startsWith('shapec[')));
  const ner = nerFeatures()(toks);
  const n1 = itemAttributes(ner, 1).names;
  t.true(n1.includes('shapec[-1]=Xx'));
  t.true(n1.includes('shapec[2]=d'));
  t.deepEqual(itemAttributes(builtinFeatures('pos', { wordColumn: 1 })([['x', 'Dog']]), 0).names.slice(0, 3), ['bias', 'w=Dog', 'wl=dog']);
  t.throws(() => builtinFeatures('bogus' as never), { message: /unknown feature set "bogus"/ });
});

test('ItemSequence: builder, weighted attributes, interning with a growing and a frozen dictionary', (t) => {
  const seq = itemSequenceFromAttributes([{ names: ['a', 'b'] }, { names: ['c'], values: [0.5] }, { names: [] }]);
  t.is(seq.length, 3);
  t.deepEqual([...seq.offsets], [0, 2, 3, 3]);
  t.deepEqual([...seq.values!], [1, 1, 0.5]);
  t.deepEqual(itemAttributes(seq, 1), { names: ['c'], values: new Float64Array([0.5]) });
  t.throws(() => itemSequenceFromAttributes([{ names: ['a'], values: [1, 2] }]), { message: 'item 0: values length 2 !== names length 1' });
  t.throws(() => itemSequenceFromAttributes([{ names: ['a'], values: [NaN] }]), { message: /not finite/ });

  const d = new Dictionary();
  const train = internItemSequence(seq, d);
  t.deepEqual([...train.ids], [0, 1, 2]);
  d.freeze();
  const test2 = internItemSequence(itemSequenceFromAttributes([{ names: ['zz', 'b'] }, { names: ['c', 'yy'], values: [2, 3] }]), d);
  t.deepEqual([...test2.offsets], [0, 1, 2]);
  t.deepEqual([...test2.ids], [1, 2]);
  t.deepEqual([...test2.values!], [1, 2]);

  const b = new ItemSequenceBuilder();
  t.throws(() => b.add('x'), { message: /call item\(\) before add\(\)/ });
  const empty = b.build();
  t.is(empty.length, 0);
  t.deepEqual([...empty.offsets], [0]);
});
