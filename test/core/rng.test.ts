// The seeded generator's bulk draws against its one-at-a-time draws: fillNormal inlines the generator steps and the
// polar method, and must give the same numbers (spare carried across calls) and leave the same state.
import test from 'ava';
import { createRng } from '@ebmkit/core';

test('fillNormal gives the numbers of successive normal() calls, carries the spare across calls and leaves the same state', (t) => {
  for (const seed of [1, 42]) {
    const bulk = createRng(seed);
    const one = createRng(seed);
    // odd lengths leave a spare for the next call; 0 and 1 are edge cases
    for (const [n, mean, std] of [[7, 0, 1], [1, 2, 0.5], [0, 0, 1], [10, -1, 3], [5, 0, 1], [2, 0, 1]] as const) {
      const got = bulk.fillNormal(new Float64Array(n), mean, std);
      const want = Float64Array.from({ length: n }, () => mean + std * one.normal());
      t.deepEqual(Array.from(got), Array.from(want), `seed ${seed}, n ${n}`);
    }
    t.is(bulk.normal(), one.normal(), 'the spare and the state after the bulk draws');
    t.deepEqual(Array.from(bulk.getState()), Array.from(one.getState()));
    const f32 = createRng(seed).fillNormal(new Float32Array(1001));
    const ref = createRng(seed);
    t.deepEqual(Array.from(f32), Array.from(Float32Array.from({ length: 1001 }, () => ref.normal())));
  }
});

test('fillNormal draws are standard normal (moments of 200,000 draws)', (t) => {
  const x = createRng(3).fillNormal(new Float64Array(200_000));
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let v2 = 0;
  let m4 = 0;
  for (const v of x) {
    v2 += (v - m) ** 2;
    m4 += (v - m) ** 4;
  }
  v2 /= x.length;
  m4 /= x.length;
  t.true(Math.abs(m) < 0.01, `mean ${m}`);
  t.true(Math.abs(v2 - 1) < 0.015, `variance ${v2}`);
  t.true(Math.abs(m4 / (v2 * v2) - 3) < 0.06, `kurtosis ${m4 / (v2 * v2)}`);
});
