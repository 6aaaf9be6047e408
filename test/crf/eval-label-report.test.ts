import test from 'ava';
import { tokenAccuracy, labelReport, formatLabelReport, confusions, formatConfusions } from '../../packages/crf/src/eval/label-report.js';

const gold = [['DT', 'NN', 'VB'], ['NN', 'NN']];
const guess = [['DT', 'VB', 'VB'], ['NN', 'JJ']];

test('token accuracy', (t) => {
  t.deepEqual(tokenAccuracy(gold, guess), { correct: 3, total: 5, accuracy: 0.6 });
  t.deepEqual(tokenAccuracy([], []), { correct: 0, total: 0, accuracy: 0 });
  t.throws(() => tokenAccuracy([['a']], [['a', 'b']]), { message: 'sentence 0: gold has 1 labels, guessed has 2' });
});

test('per-label precision, recall, F1 and support', (t) => {
  const r = labelReport(gold, guess);
  t.deepEqual(r.labels.map((l) => l.label), ['DT', 'JJ', 'NN', 'VB']);
  const nn = r.labels.find((l) => l.label === 'NN')!;
  t.is(nn.support, 3);
  t.is(nn.predicted, 1);
  t.is(nn.precision, 1);
  t.is(nn.recall, 1 / 3);
  t.is(nn.f1, 0.5);
  const vb = r.labels.find((l) => l.label === 'VB')!;
  t.is(vb.precision, 0.5);
  t.is(vb.recall, 1);
  const jj = r.labels.find((l) => l.label === 'JJ')!;
  t.deepEqual([jj.precision, jj.recall, jj.f1, jj.support], [0, 0, 0, 0]);
  t.is(r.accuracy.accuracy, 0.6);
  t.is(r.macro.recall, (1 + 0 + 1 / 3 + 1) / 4);
  t.is(r.weighted.recall, 0.6); // support-weighted recall equals accuracy
  const text = formatLabelReport(r);
  t.regex(text, /^label\s+precision\s+recall\s+F1\s+support\n/);
  t.regex(text, /\nNN\s+100\.00\s+33\.33\s+50\.00\s+3\n/);
  t.regex(text, /accuracy 60\.00% \(3\/5\)\n$/);
});

test('most frequent confusions first, ties by label', (t) => {
  const c = confusions([['A', 'A', 'B', 'B', 'C']], [['B', 'B', 'A', 'C', 'C']]);
  t.deepEqual(c, [
    { gold: 'A', guessed: 'B', count: 2 },
    { gold: 'B', guessed: 'A', count: 1 },
    { gold: 'B', guessed: 'C', count: 1 },
  ]);
  t.deepEqual(confusions([['A', 'A', 'B']], [['B', 'B', 'A']], { top: 1 }), [{ gold: 'A', guessed: 'B', count: 2 }]);
  t.is(formatConfusions(c), '2  A → B\n1  B → A\n1  B → C\n');
  t.throws(() => confusions([], [], { top: -1 }), { message: /top -1/ });
});
