import test from 'ava';
import { createRng } from '@ebmkit/core';
import { ColorGmm, TRIMAP_FOREGROUND, TRIMAP_UNKNOWN, grabCut, trimapFromGrey, trimapFromRect } from '@ebmkit/segment';
import { syntheticExample } from './helpers.js';

test('GMM: fitted to one Gaussian cluster, the energy is −log N at the mean (up to the regularisation)', (t) => {
  const rng = createRng(1);
  const n = 4000;
  const colors = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    colors[3 * i] = 100 + 10 * rng.normal();
    colors[3 * i + 1] = 50 + 5 * rng.normal();
    colors[3 * i + 2] = 20 + 2 * rng.normal();
  }
  const g = new ColorGmm(3);
  g.fit(colors, new Int32Array(n), 0); // every point in component 0
  t.is(g.weights[0], 1);
  t.true(Math.abs(g.means[0]! - 100) < 1 && Math.abs(g.means[1]! - 50) < 0.5);
  const expected = 1.5 * Math.log(2 * Math.PI) + 0.5 * Math.log(100 * 25 * 4);
  t.true(Math.abs(g.energy(g.means[0]!, g.means[1]!, g.means[2]!) - expected) < 0.05, `${g.energy(100, 50, 20)} vs ${expected}`);
  t.is(g.mostLikely(100, 50, 20), 0);
});

test('grabCut from a rectangle: energy never rises, and the mask matches the object', (t) => {
  const rng = createRng(2);
  for (let trial = 0; trial < 3; trial++) {
    const ex = syntheticExample(rng, 64, 48, 20);
    let x0 = 64, y0 = 48, x1 = 0, y1 = 0;
    ex.labels.forEach((l, p) => {
      if (!l) return;
      const x = p % 64, y = Math.floor(p / 64);
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    });
    const trimap = trimapFromRect(64, 48, { x: x0 - 2, y: y0 - 2, width: x1 - x0 + 5, height: y1 - y0 + 5 });
    const r = grabCut(ex.image, trimap, { rng: createRng(1) });
    for (let i = 1; i < r.energies.length; i++) t.true(r.energies[i]! <= r.energies[i - 1]! + 1e-6, `energies ${r.energies}`);
    let wrong = 0;
    r.mask.forEach((m, p) => (wrong += m !== ex.labels[p] ? 1 : 0));
    t.true(wrong / r.mask.length < 0.03, `error ${wrong / r.mask.length}`);
    // outside the rectangle stays background
    t.is(r.mask[0], 0);
  }
});

test('grabCut from a trimap keeps sure pixels, and rectangles outside the image are refused', (t) => {
  const rng = createRng(3);
  const ex = syntheticExample(rng, 40, 30, 15);
  const grey = Uint8Array.from(ex.labels, () => 128);
  grey[0] = 0;
  grey[5 * 40 + 5] = 255; // a sure-foreground scribble in the background
  const trimap = trimapFromGrey(grey);
  t.is(trimap[5 * 40 + 5], TRIMAP_FOREGROUND);
  t.is(trimap[1], TRIMAP_UNKNOWN);
  const r = grabCut(ex.image, trimap, { rng: createRng(1) });
  t.is(r.mask[5 * 40 + 5], 1);
  t.is(r.mask[0], 0);
  t.throws(() => trimapFromRect(40, 30, { x: 50, y: 0, width: 5, height: 5 }), { message: /does not overlap/ });
  t.throws(() => grabCut(ex.image, new Uint8Array(3)), { instanceOf: RangeError });
});
