// Early stopping in --unary auto: the tuned unary loss against a brute-force threshold sweep, the curve judge's
// verdicts, and a CNN candidate stopped once it cannot reach a forest that is already perfect.
import test from 'ava';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { CurveJudge, IGNORE_LABEL, tunedUnaryLoss } from '@ebmkit/segment';

test('tunedUnaryLoss: two classes equal the best of every threshold (error and F1, ignored pixels skipped); more classes the argmax error', (t) => {
  const rng = createRng(3);
  for (let trial = 0; trial < 20; trial++) {
    const maps = 1 + rng.int(3);
    const scores: Float32Array[] = [];
    const Y: Uint8Array[] = [];
    for (let i = 0; i < maps; i++) {
      const n = 1 + rng.int(12);
      // few distinct values, so ties between margins occur
      scores.push(Float32Array.from({ length: 2 * n }, () => rng.int(5) - 2));
      Y.push(Uint8Array.from({ length: n }, () => (rng.uniform() < 0.15 ? IGNORE_LABEL : rng.uniform() < 0.4 ? 1 : 0)));
    }
    const margins: number[] = [];
    const labels: number[] = [];
    Y.forEach((y, i) => y.forEach((l, p) => (l === IGNORE_LABEL ? undefined : (margins.push(scores[i]![2 * p + 1]! - scores[i]![2 * p]!), labels.push(l)))));
    if (labels.length === 0) {
      t.true(Number.isNaN(tunedUnaryLoss(scores, Y, 2, 'error')));
      continue;
    }
    let bestErr = Infinity;
    let bestF1 = Infinity;
    for (const tau of [-Infinity, ...margins, Infinity]) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      margins.forEach((m, j) => {
        const pred = m > tau ? 1 : 0;
        if (pred === 1 && labels[j] === 1) tp++;
        else if (pred === 1) fp++;
        else if (labels[j] === 1) fn++;
      });
      bestErr = Math.min(bestErr, (fp + fn) / labels.length);
      bestF1 = Math.min(bestF1, tp === 0 ? 1 : 1 - (2 * tp) / (2 * tp + fp + fn));
    }
    t.true(Math.abs(tunedUnaryLoss(scores, Y, 2, 'error') - bestErr) < 1e-12);
    t.true(Math.abs(tunedUnaryLoss(scores, Y, 2, 'f1') - bestF1) < 1e-12);
  }
  const s3 = [Float32Array.from([0, 1, 2, 5, 0, 0, 0, 0, 3])];
  t.is(tunedUnaryLoss(s3, [Uint8Array.from([2, 0, 0])], 3, 'error'), 1 / 3);
});

test('CurveJudge: records the first checkpoint, goes on while the extrapolated curve reaches the incumbent, stops when it cannot', (t) => {
  const j = new CurveJudge(0.2);
  t.false(j.observe(0.1, 0.5).stop, 'no rate yet');
  // 0.5 → 0.35 over 0.1: extrapolated 0.35 − 1.5·0.8 < 0.2
  t.false(j.observe(0.2, 0.35).stop);
  // flat at 0.34 from 0.3 on: 0.34 − 0.1·0.7 = 0.27 > 0.2
  const v = j.observe(0.3, 0.34);
  t.true(v.stop);
  t.true(Math.abs(v.projected - 0.27) < 1e-9);
  t.regex(v.reason!, /at 30 % of its allotment its validation loss 0\.3400 extrapolates to 0\.2700, above the incumbent's 0\.2000/);
  // a curve already at or below the incumbent never stops, nor does a worse point after a good one (running best)
  const k = new CurveJudge(0.2);
  k.observe(0.1, 0.3);
  t.false(k.reached);
  t.false(k.observe(0.2, 0.19).stop);
  t.true(k.reached);
  t.false(k.observe(0.3, 0.25).stop);
  // without an incumbent (NaN) nothing is stopped
  const u = new CurveJudge(NaN);
  u.observe(0.1, 0.5);
  t.false(u.observe(0.5, 0.5).stop);
});

test.serial('unary auto stops a CNN candidate that cannot reach a perfect forest, and reports its curve and why', async (t) => {
  await selectBackend('wasm');
  const { trainSegmenter } = await import('@ebmkit/segment');
  const rng = createRng(7);
  const W = 24;
  const H = 16;
  // labels are a per-pixel threshold of noise: the forest's raw lightness feature is exact, a small CNN is not
  const examples = Array.from({ length: 10 }, () => {
    const g = Uint8Array.from({ length: W * H }, () => rng.int(256));
    const data = new Uint8Array(W * H * 3);
    for (let p = 0; p < W * H; p++) data[3 * p] = data[3 * p + 1] = data[3 * p + 2] = g[p]!;
    return { image: { width: W, height: H, data }, labels: Uint8Array.from(g, (v) => (v >= 128 ? 1 : 0)) };
  });
  const { segmenter, report } = await trainSegmenter(examples, { numLabels: 2, unary: 'auto', timeBudget: 120, forest: { trees: 8, samples: 3000 }, cnn: { epochs: 20, baseChannels: 4 }, seed: 3 });
  const [forest, cnn] = report.candidates!;
  t.is(forest!.unary, 'forest');
  t.true(report.validationLossUnaryTuned < 0.01, `forest's tuned loss ${report.validationLossUnaryTuned}`);
  t.is(cnn!.unary, 'cnn');
  t.truthy(cnn!.stopped, `the CNN ran to the end: ${JSON.stringify(cnn)}`);
  t.regex(cnn!.stopped!, /extrapolates to .* above the incumbent's 0\.00\d\d/);
  t.true(cnn!.curve!.length >= 2);
  t.true(cnn!.curve!.every((p) => p.progress < 1 && p.loss > 0));
  t.true(Number.isNaN(cnn!.validationLoss));
  t.is(segmenter.config.unary, 'forest');
});

test.serial('unary auto: when the forest and the CNN both finish, their product of experts is a candidate (tried, or skipped with the reason); a product model saves and loads', async (t) => {
  await selectBackend('wasm');
  const { trainSegmenter, ProductUnary, PRODUCT_BETAS, Segmenter } = await import('@ebmkit/segment');
  const rng = createRng(5);
  const { syntheticExample } = await import('./helpers.js');
  const examples = Array.from({ length: 10 }, () => syntheticExample(rng, 24, 16, 10));
  // a forest too small to be good, so that the CNN is not stopped
  const { report } = await trainSegmenter(examples, { numLabels: 2, unary: 'auto', timeBudget: 200, forest: { trees: 1, samples: 50, maxDepth: 2, context: false }, cnn: { epochs: 6, baseChannels: 4 }, seed: 3 });
  const byKind = new Map(report.candidates!.map((c) => [c.unary, c]));
  t.falsy(byKind.get('cnn')!.stopped, JSON.stringify(byKind.get('cnn')));
  const product = byKind.get('product');
  t.truthy(product, 'a product candidate is considered');
  if (product!.skipped) t.regex(product!.skipped, new RegExp(`no β in ${PRODUCT_BETAS.join(', ')} makes`));
  else t.true(Number.isFinite(product!.validationLoss));
  // the combination: log softmax of a + β·b
  const a = Float32Array.from([Math.log(0.9), Math.log(0.1)]);
  const b = Float32Array.from([Math.log(0.2), Math.log(0.8)]);
  const c = ProductUnary.combine(a, b, 0.5, 2);
  const z = 0.9 * Math.sqrt(0.2) + 0.1 * Math.sqrt(0.8);
  t.true(Math.abs(Math.exp(c[0]!) - (0.9 * Math.sqrt(0.2)) / z) < 1e-6);
  // a product segmenter round-trips through a model file
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const forest = await trainSegmenter(examples, { numLabels: 2, unary: 'forest', forest: { trees: 4, samples: 2000 }, seed: 3 });
  const cnn = await trainSegmenter(examples, { numLabels: 2, unary: 'cnn', cnn: { epochs: 2, baseChannels: 4 }, seed: 3 });
  const unary = new ProductUnary([cnn.segmenter.unary, forest.segmenter.unary], 0.5);
  const seg = new Segmenter({ ...forest.segmenter.config, unary: 'product' }, forest.segmenter.weights, unary);
  const dir = await mkdtemp(join(tmpdir(), 'ebm-product-'));
  await seg.save(join(dir, 'p.model'));
  const back = await Segmenter.load(join(dir, 'p.model'));
  t.is(back.config.unary, 'product');
  const img = examples[0]!.image;
  t.deepEqual(Array.from(await back.unary.logProbabilities(img)), Array.from(await unary.logProbabilities(img)));
  await rm(dir, { recursive: true, force: true });
});
