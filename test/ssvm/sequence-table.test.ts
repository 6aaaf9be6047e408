import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '@ebmkit/core';
import { BcfwLearner, DenseChainModel, encodeTableLabels, loadChainModel, readSequenceTable, saveChainModel } from '@ebmkit/ssvm';

const dir = mkdtempSync(join(tmpdir(), 'ebm-ssvm-'));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const TSV = ['seq\tpos\tlabel\tf1\tf2', 'w1\t1\ta\t1\t0', 'w1\t2\tb\t0\t1', '# a comment', '', 'w2\t1\tb\t0.5\t-2e-1'].join('\n') + '\n';

test('reads TSV with a header, comments and blank lines; CSV without a header; gzip', async (t) => {
  const a = await readSequenceTable(file('a.tsv', TSV));
  t.deepEqual(a.ids, ['w1', 'w2']);
  t.deepEqual(a.featureNames, ['f1', 'f2']);
  t.is(a.features, 2);
  t.deepEqual([...a.sequences[0]!.features], [1, 0, 0, 1]);
  t.deepEqual([...a.sequences[1]!.features], [0.5, -0.2]);
  t.deepEqual(a.labels, [['a', 'b'], ['b']]);
  t.deepEqual([...a.lines[1]!], [6]);
  const b = await readSequenceTable(file('b.csv', 's,0,x,1,2,3\ns,1,y,4,5,6\n'));
  t.is(b.separator, ',');
  t.is(b.featureNames, null);
  t.is(b.sequences[0]!.T, 2);
  t.is(b.features, 3);
  const c = await readSequenceTable(file('c.tsv.gz', gzipSync(TSV)));
  t.deepEqual(c.labels, a.labels);
});

const bad: [string, string, RegExp][] = [
  ['ragged.tsv', 'w1\t1\ta\t1\t0\nw1\t2\tb\t1\n', /ragged\.tsv:2: expected 2 feature values \(5 fields\), found 1 \(4 fields\)/],
  ['nan.tsv', 'seq\tpos\tlabel\tf1\tf2\nw1\t1\ta\t1\tNaN\n', /nan\.tsv:2: column "f2": expected a finite number, found "NaN"/],
  ['inf.tsv', 'w1\t1\ta\tinf\t0\n', /inf\.tsv:1: feature 1: expected a finite number, found "inf"/],
  ['empty-field.tsv', 'w1\t1\ta\t\t0\n', /empty-field\.tsv:1: feature 1: expected a finite number, found an empty field/],
  ['nolabel.tsv', 'w1\t1\t\t1\t0\n', /nolabel\.tsv:1: empty label/],
  ['split.tsv', 'w1\t1\ta\t1\t0\nw2\t1\ta\t1\t0\nw1\t2\ta\t1\t0\n', /split\.tsv:3: sequence "w1" continues after other sequences/],
  ['gap.tsv', 'w1\t1\ta\t1\t0\nw1\t3\ta\t1\t0\n', /gap\.tsv:2: position 3 follows 1 in sequence "w1"/],
  ['pos.tsv', 'w1\t1\ta\t1\t0\nw1\tx\ta\t1\t0\n', /pos\.tsv:2: position: expected an integer, found "x"/],
  ['nofeat.tsv', 'w1\t1\ta\n', /nofeat\.tsv:1: expected sequence id, position, label and at least one feature/],
  ['empty.tsv', '# nothing\n\n', /empty\.tsv: no data rows/],
];

for (const [name, text, message] of bad) {
  test(`bad input ${name} names the file and row`, async (t) => {
    const e = await t.throwsAsync(readSequenceTable(file(name, text)), { instanceOf: DataError, message });
    t.truthy(e);
  });
}

test('a model feature count that differs from the file is an error naming the first row', async (t) => {
  await t.throwsAsync(readSequenceTable(file('three.tsv', 'w\t1\ta\t1\t2\t3\n'), { features: 2 }), { message: /three\.tsv:1: rows have 3 features, the model expects 2/ });
});

test('labels unseen in training are an error naming the row; training grows the label list', async (t) => {
  const table = await readSequenceTable(file('l.tsv', TSV));
  const known: string[] = [];
  const Y = encodeTableLabels(table, known, true);
  t.deepEqual(known, ['a', 'b']);
  t.deepEqual(Y.map((y) => [...y]), [[0, 1], [1]]);
  const other = await readSequenceTable(file('m.tsv', 'w1\t1\ta\t1\t0\nw1\t2\tq\t0\t1\n'));
  t.throws(() => encodeTableLabels(other, ['a', 'b'], false), { instanceOf: DataError, message: /m\.tsv:2: label "q" was not seen in training \(known: a b\)/ });
});

test('ssvm-chain model files round-trip and are validated on load', async (t) => {
  const table = await readSequenceTable(file('r.tsv', TSV));
  const labels: string[] = [];
  const Y = encodeTableLabels(table, labels, true);
  const model = new DenseChainModel({ labels: labels.length, features: table.features, bias: true, classWeights: [1, 2] });
  const fit = new BcfwLearner(model, { maxPasses: 3 }).fit(table.sequences, Y);
  const path = join(dir, 'm.model');
  await saveChainModel(path, { model, w: fit.w, labels, featureNames: table.featureNames, fit, examples: 2 });
  const back = await loadChainModel(path);
  t.deepEqual(back.w, fit.w);
  t.deepEqual(back.labels, ['a', 'b']);
  t.true(back.model.bias);
  t.deepEqual([...back.model.classWeights!], [1, 2]);
  t.is(back.metadata.training?.learner, 'bcfw');
  for (const x of table.sequences) t.deepEqual(back.model.inference(x, back.w), model.inference(x, fit.w));
  await t.throwsAsync(loadChainModel(file('junk.model', 'not a model')), { message: /not an ebmkit model file|junk\.model/ });
  await t.throwsAsync(saveChainModel(join(dir, 'x.model'), { model, w: new Float64Array(3), labels }), { message: /weights length 3/ });
});
