import test from 'ava';
import { ConfusionMatrix, IGNORE_LABEL, boundaryFScore, resampleChannels, resizeLabels, resizeLabelsSmooth, resizeRgb } from '@ebmkit/segment';

test('confusion matrix: accuracy and IoU by hand, ignored pixels skipped', (t) => {
  const truth = Uint8Array.from([0, 0, 1, 1, 1, IGNORE_LABEL]);
  const pred = Uint8Array.from([0, 1, 1, 1, 0, 1]);
  const cm = new ConfusionMatrix(2).add(truth, pred);
  t.is(cm.total, 5);
  t.is(cm.pixelAccuracy(), 3 / 5);
  t.deepEqual(cm.iou(), [1 / 3, 2 / 4]);
  t.is(cm.meanIou(), (1 / 3 + 1 / 2) / 2);
  t.throws(() => cm.add(truth, new Uint8Array(2)), { instanceOf: RangeError });
});

test('boundary F-score: 1 for a perfect prediction, within tolerance for a one-pixel shift, low for a far one', (t) => {
  const W = 20;
  const H = 10;
  const half = (c: number) => Uint8Array.from({ length: W * H }, (_, p) => (p % W >= c ? 1 : 0));
  t.is(boundaryFScore(half(10), half(10), W, H, 2).f, 1);
  t.is(boundaryFScore(half(10), half(11), W, H, 2).f, 1);
  t.is(boundaryFScore(half(10), half(11), W, H, 0).f, 0);
  t.is(boundaryFScore(half(10), half(16), W, H, 2).f, 0);
});

test('resampling: area averages when shrinking, exact at the same size, constant images stay constant', (t) => {
  const src = Float64Array.from([0, 2, 4, 6, 8, 10, 12, 14]); // 4×2, one channel
  const half = resampleChannels(src, 4, 2, 1, 2, 1);
  t.deepEqual(Array.from(half), [(0 + 2 + 8 + 10) / 4, (4 + 6 + 12 + 14) / 4]);
  const up = resizeRgb({ width: 2, height: 2, data: new Uint8Array(12).fill(77) }, 7, 5);
  t.true(up.data.every((v) => v === 77));
  const odd = resampleChannels(Float64Array.from({ length: 30 }, (_, i) => i), 10, 3, 1, 3, 2);
  t.true(Math.abs(odd.reduce((a, b) => a + b, 0) / 6 - 14.5) < 1e-9, 'area averaging keeps the mean');
  t.deepEqual(Array.from(resizeLabels(Uint8Array.from([0, 1, 2, 3]), 2, 2, 4, 2)), [0, 0, 1, 1, 2, 2, 3, 3]);
  const smooth = resizeLabelsSmooth(Uint8Array.from([0, 0, 1, 1]), 4, 1, 2, 8, 1);
  t.deepEqual(Array.from(smooth), [0, 0, 0, 0, 1, 1, 1, 1]);
});
