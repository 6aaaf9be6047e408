// The WebAssembly engine of RBM training on binary data (rbm-binary.wat, rbm-binary-updater.ts): each kernel
// against plain loops (sigmoid against float64, sparse row sums, row updates and the momentum step against dense
// sums, on plain lists and on subset-sum tables, the table-entry lists, bit-packed rows, transpose), the engine choice of trainRbm, and whole training runs against the tfjs engine from the same
// seed — the same draws, so the same weights up to float32 rounding — for CD-k and PCD-k with momentum, weight
// decay, padding (sizes not multiples of 4) and a short last batch; divergence on the fast path.
import test from 'ava';
import { createRng, type Rng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { Rbm, RbmDivergenceError, trainRbm, type RbmTrainingMethod, type RowMatrix } from '@ebmkit/core/energy';
import { fromPanels, RbmBinaryKernels, toPanels } from '../../packages/core/src/energy/boltzmann/wasm/rbm-binary-kernels.js';
import { fillUniformPairs32, withXoshiroState } from '../../packages/core/src/rng.js';

test.before(async () => {
  await selectBackend('wasm');
});

function kernels(bytes: number): RbmBinaryKernels {
  const k = RbmBinaryKernels.create();
  if (!k) throw new Error('WebAssembly SIMD is unavailable');
  k.ensure(bytes);
  return k;
}

/** Random binary rows as index lists (idx, starts) and as a dense 0/1 matrix. */
function binaryRows(rng: Rng, n: number, cols: number, p: number, k: RbmBinaryKernels): { idx: Int32Array; starts: Int32Array; dense: Uint8Array } {
  const dense = new Uint8Array(n * cols);
  const starts = k.allocI32(n + 1);
  const list: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < cols; i++) {
      if (rng.uniform() < p) {
        dense[r * cols + i] = 1;
        list.push(i);
      }
    }
    starts[r + 1] = list.length;
  }
  const idx = k.allocI32(Math.max(1, list.length));
  idx.set(list);
  return { idx, starts, dense };
}

test('sigmoid is within 3 float32 ulp of the float64 one and saturates without NaN', (t) => {
  const k = kernels(1 << 20);
  const n = 40000;
  const x = k.allocF32(n + 8);
  for (let i = 0; i < n; i++) x[i] = -100 + (200 * i) / n;
  x.set([Infinity, -Infinity, 88.5, -88.5, 0, 1e-30, -1e-30, 1000], n);
  const input = Float64Array.from(x);
  k.sigmoid(x);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const want = 1 / (1 + Math.exp(-input[i]!));
    if (want < 1e-36) t.true(x[i]! >= 0 && x[i]! < 1e-36, `σ(${input[i]}) = ${x[i]}`);
    else worst = Math.max(worst, Math.abs(x[i]! - want) / want);
  }
  t.true(worst < 3 * 2 ** -24, `worst relative error ${worst}`);
  const ends = Array.from(x.subarray(n, n + 8));
  t.deepEqual(ends.map((v) => (v < 1e-36 && v >= 0 ? 0 : Number(v.toPrecision(6)))), [1, 0, 1, 0, 0.5, 0.5, 0.5, 1], ends.join(', '));
});

test('toPanels / fromPanels round-trip, and transpose swaps rows and columns between panel layouts', (t) => {
  const k = kernels(1 << 18);
  for (const [rows, cols] of [[16, 16], [32, 48], [48, 16], [16, 80]] as const) {
    const m = Float32Array.from({ length: rows * cols }, (_, i) => i + 0.5);
    const a = k.allocF32(rows * cols);
    const b = k.allocF32(rows * cols);
    toPanels(m, rows, cols, a, rows);
    t.deepEqual(Array.from(fromPanels(a, rows, rows, cols)), Array.from(m), `${rows}×${cols} round trip`);
    // the layout itself: element (i, j) at (j >> 4)·16·rows + 16i + (j & 15)
    if (cols > 18) t.is(a[16 * rows + 16 * 1 + 2], m[1 * cols + 18], 'panel 1, row 1, lane 2');
    k.transpose(rows, cols, a, b);
    const bt = fromPanels(b, cols, cols, rows);
    let ok = true;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) ok &&= bt[j * rows + i] === m[i * cols + j];
    t.true(ok, `${rows}×${cols}`);
  }
  t.throws(() => k.transpose(16, 20, k.allocF32(320), k.allocF32(320)), { message: /multiple of 16/ });
});

test('fillUniformPairs32: the inlined generator gives the numbers of the generic split of uniform() and leaves the same state', (t) => {
  for (const n of [0, 1, 2, 7, 1000]) {
    const fast = createRng(42);
    const ref = createRng(42);
    // a wrapper is not a createRng generator: the generic path, one uniform() per pair
    const wrapped = { uniform: () => ref.uniform() } as Rng;
    const a = fillUniformPairs32(fast, new Float32Array(n));
    const b = fillUniformPairs32(wrapped, new Float32Array(n));
    const want = new Float32Array(n);
    const check = createRng(42);
    for (let i = 0; i + 1 < n; i += 2) {
      const u = check.uniform() * 2 ** 26;
      want[i] = Math.floor(u) / 2 ** 26;
      want[i + 1] = u - Math.floor(u);
    }
    if (n % 2) want[n - 1] = check.uniform();
    t.deepEqual(Array.from(a), Array.from(want), `n ${n}`);
    t.deepEqual(Array.from(b), Array.from(want), `n ${n}, generic`);
    t.is(fast.uniform(), check.uniform(), `n ${n}: the streams go on alike`);
    t.true(a.every((v) => v >= 0 && v < 1));
  }
});

test('bernoulliDraw in the module draws the units of the JavaScript uniforms and leaves the generator where they do', (t) => {
  const k = kernels(1 << 18);
  for (const [n, cols, stride, p0] of [[3, 6, 8, 1], [5, 18, 32, 0], [2, 500, 512, 2]] as const) {
    const probs = k.allocF32((n + p0) * stride);
    createRng(9).fillUniform(probs);
    const idx = k.allocI32(n * cols + 4);
    const starts = k.allocI32(n + 3);
    starts[2] = 3; // the lists start at position 3, row ends from starts[3] on
    const state = k.allocI32(4);
    const rng = createRng(77);
    rng.uniform();
    t.true(withXoshiroState(rng, (st) => {
      state.set(st);
      k.bernoulliDraw(probs, p0, n, stride, cols, idx, starts, 2, state);
      st.set(state);
    }));
    // reference: the uniforms of fillUniformPairs32 from the same state
    const ref = createRng(77);
    ref.uniform();
    const u = fillUniformPairs32(ref, new Float32Array(n * cols));
    const want: number[] = [];
    const ends: number[] = [];
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < cols; j++) if (u[r * cols + j]! < probs[(p0 + r) * stride + j]!) want.push(j);
      ends.push(3 + want.length);
    }
    t.deepEqual(Array.from(idx.subarray(3, 3 + want.length)), want, `${n}×${cols}: indices`);
    t.deepEqual(Array.from(starts.subarray(3, 3 + n)), ends, `${n}×${cols}: row ends`);
    t.true(want.length > 0 && want.length < n * cols);
    t.is(rng.uniform(), ref.uniform(), `${n}×${cols}: the stream goes on alike`);
  }
  t.false(withXoshiroState({ uniform: () => 0.5 } as Rng, () => {}), 'other generators: not handled');
});

test('rowsSum is bias + the sum of the rows named by each binary row (panels, output stride, empty rows)', (t) => {
  const rng = createRng(5);
  for (const [n, m, cols, p, stride] of [[7, 13, 16, 0.4, 16], [5, 30, 32, 0.4, 48], [9, 21, 64, 0.4, 80], [3, 50, 112, 0.4, 112], [4, 10, 48, 0, 48]] as const) {
    const k = kernels(1 << 18);
    const Md = rng.fillNormal(new Float32Array(m * cols)); // row-major reference
    const M = k.allocF32(m * cols);
    toPanels(Md, m, cols, M, m);
    const bias = rng.fillNormal(k.allocF32(cols));
    const { idx, starts, dense } = binaryRows(rng, n, m, p, k);
    // rows 1.. of the lists into output rows 2..: the offsets of the wrapper
    const out = k.allocF32((n + 1) * stride);
    out.fill(-7);
    k.rowsSum(n - 1, cols, idx, starts, 1, M, m, bias, out, stride, 2);
    let worst = 0;
    for (let r = 1; r < n; r++) {
      for (let j = 0; j < cols; j++) {
        let s = bias[j]!;
        for (let i = 0; i < m; i++) if (dense[r * m + i]) s += Md[i * cols + j]!;
        worst = Math.max(worst, Math.abs(out[(r + 1) * stride + j]! - s));
      }
      for (let j = cols; j < stride; j++) t.is(out[(r + 1) * stride + j], -7, 'the stride padding is untouched');
    }
    t.true(worst < 1e-5, `n ${n}, m ${m}, cols ${cols}: ${worst}`);
  }
});

test('rowsSum and rowsUpdate with sigmoid store exactly σ of what they store without it', (t) => {
  const rng = createRng(8);
  const k = kernels(1 << 18);
  const [n, m, cols, stride] = [6, 40, 48, 64];
  const M = rng.fillNormal(k.allocF32(m * cols));
  const bias = rng.fillNormal(k.allocF32(cols));
  const { idx, starts } = binaryRows(rng, n, m, 0.3, k);
  const other = binaryRows(rng, n, m, 0.1, k);
  const a = k.allocF32(n * stride);
  const b = k.allocF32(n * stride);
  k.rowsSum(n, cols, idx, starts, 0, M, m, bias, a, stride);
  k.sigmoid(a);
  k.rowsSum(n, cols, idx, starts, 0, M, m, bias, b, stride, 0, true);
  // the stride lanes beyond cols: σ(0) = ½ after the separate pass, untouched (0) by the fused one
  for (let r = 0; r < n; r++) a.fill(0, r * stride + cols, (r + 1) * stride);
  t.deepEqual(Array.from(b), Array.from(a), 'rowsSum');
  t.true(b.some((v) => v > 0.05 && v < 0.95), 'values inside (0, 1)');
  const c = k.allocF32(n * stride);
  const d = k.allocF32(n * stride);
  k.rowsSum(n, cols, idx, starts, 0, M, m, bias, c, stride);
  d.set(c);
  k.rowsUpdate(n, cols, other.idx, other.starts, idx, starts, M, m, c, stride);
  k.sigmoid(c);
  k.rowsUpdate(n, cols, other.idx, other.starts, idx, starts, M, m, d, stride, 0, true);
  for (let r = 0; r < n; r++) c.fill(0, r * stride + cols, (r + 1) * stride);
  t.deepEqual(Array.from(d), Array.from(c), 'rowsUpdate');
});

test('rowsUpdate adds the rows of one list and subtracts those of another, in place', (t) => {
  const rng = createRng(16);
  for (const [n, m, cols, stride] of [[6, 11, 16, 16], [4, 40, 48, 64], [3, 9, 96, 112]] as const) {
    const k = kernels(1 << 18);
    const Md = rng.fillNormal(new Float32Array(m * cols));
    const M = k.allocF32(m * cols);
    toPanels(Md, m, cols, M, m);
    const plus = binaryRows(rng, n, m, 0.2, k);
    const minus = binaryRows(rng, n, m, 0.2, k);
    const out = rng.fillNormal(k.allocF32((n + 1) * stride));
    const before = Float64Array.from(out);
    k.rowsUpdate(n, cols, plus.idx, plus.starts, minus.idx, minus.starts, M, m, out, stride, 1);
    let worst = 0;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < cols; j++) {
        let s = before[(r + 1) * stride + j]!;
        for (let i = 0; i < m; i++) s += (plus.dense[r * m + i]! - minus.dense[r * m + i]!) * Md[i * cols + j]!;
        worst = Math.max(worst, Math.abs(out[(r + 1) * stride + j]! - s));
      }
      for (let j = cols; j < stride; j++) t.is(out[(r + 1) * stride + j], Math.fround(before[(r + 1) * stride + j]!), 'the stride padding is untouched');
    }
    t.true(worst < 1e-5, `n ${n}, m ${m}, cols ${cols}: ${worst}`);
    t.deepEqual(Array.from(out.subarray(0, stride)), Array.from(before.subarray(0, stride), Math.fround), 'rows before outRow are untouched');
  }
});

/** The table entries of a binary row given densely: one (g << 2^lk) | mask per touched group of 2^lk indices, ascending. */
function entriesOf(bits: ArrayLike<number>, lk: number): number[] {
  const gs = 2 ** lk;
  const out: number[] = [];
  for (let g = 0; g * gs < bits.length; g++) {
    let mask = 0;
    for (let b = 0; b < gs && g * gs + b < bits.length; b++) if (bits[g * gs + b]) mask |= 1 << b;
    if (mask) out.push(g * 2 ** gs + mask);
  }
  return out;
}

test('packBits + bitRows give the active units of the chosen data rows; countIndices counts them', (t) => {
  const rng = createRng(25);
  for (const [rows, cols, p] of [[9, 37, 0.3], [5, 64, 0.9], [4, 5, 0.5], [3, 33, 0]] as const) {
    const k = kernels(1 << 18);
    const data = new Float32Array(rows * cols).map(() => (rng.uniform() < p ? 1 : 0));
    const bits = k.allocI32(rows * RbmBinaryKernels.bitWords(cols));
    RbmBinaryKernels.packBits(data, rows, cols, bits);
    const order = k.allocI32(6);
    order.set([rows - 1, 0, 2, 2, 1, rows - 1]);
    const idx = k.allocI32(6 * cols);
    const starts = k.allocI32(7);
    starts.fill(-1);
    const written = k.bitRows(6, order, bits, cols, idx, starts);
    const want: number[] = [];
    const ends = [0];
    for (const r of order) {
      for (let i = 0; i < cols; i++) if (data[r * cols + i]) want.push(i);
      ends.push(want.length);
    }
    t.is(written, want.length);
    t.deepEqual(Array.from(starts), ends, `${rows}×${cols}: row ends`);
    t.deepEqual(Array.from(idx.subarray(0, want.length)), want, `${rows}×${cols}: indices`);
    const counts = k.allocI32(cols + 3);
    counts.fill(9);
    k.countIndices(idx, ends[2]!, ends[5]!, counts);
    const wantCounts = new Array<number>(cols + 3).fill(0);
    for (const i of want.slice(ends[2], ends[5])) wantCounts[i]!++;
    t.deepEqual(Array.from(counts), wantCounts, `${rows}×${cols}: counts of rows 2–4`);
  }
});

test('splitRows splits row r and row n + r into the indices of one only; rowsSum with pre keeps the sums before σ', (t) => {
  const rng = createRng(26);
  for (const [n, cols, p] of [[5, 40, 0.3], [3, 16, 0.9], [4, 9, 0]] as const) {
    const k = kernels(1 << 18);
    const { idx, starts, dense } = binaryRows(rng, 2 * n, cols, p, k);
    const onlyPos = k.allocI32(n * cols + 1);
    const onlyNeg = k.allocI32(n * cols + 1);
    const posStarts = k.allocI32(n + 1);
    const negStarts = k.allocI32(n + 1);
    posStarts.fill(-1);
    k.splitRows(n, idx, starts, onlyPos, posStarts, onlyNeg, negStarts);
    const wp: number[] = [];
    const wn: number[] = [];
    const ep = [0];
    const en = [0];
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < cols; i++) {
        const a = dense[r * cols + i]!;
        const b = dense[(n + r) * cols + i]!;
        if (a && !b) wp.push(i);
        if (b && !a) wn.push(i);
      }
      ep.push(wp.length);
      en.push(wn.length);
    }
    t.deepEqual([Array.from(posStarts), Array.from(onlyPos.subarray(0, wp.length))], [ep, wp], `${n}×${cols}: only in row r`);
    t.deepEqual([Array.from(negStarts), Array.from(onlyNeg.subarray(0, wn.length))], [en, wn], `${n}×${cols}: only in row n + r`);
  }
  const k = kernels(1 << 18);
  const [n, m, cols, stride] = [4, 32, 32, 48];
  const M = rng.fillNormal(k.allocF32(m * cols));
  const bias = rng.fillNormal(k.allocF32(cols));
  const { idx, starts } = binaryRows(rng, n, m, 0.4, k);
  const plain = k.allocF32(n * stride);
  k.rowsSum(n, cols, idx, starts, 0, M, m, bias, plain, stride);
  const out = k.allocF32((n + 1) * stride);
  const pre = k.allocF32(n * stride);
  k.rowsSum(n, cols, idx, starts, 0, M, m, bias, out, stride, 1, true, undefined, pre);
  t.deepEqual(Array.from(pre), Array.from(plain), 'pre: the sums before σ');
  k.sigmoid(plain);
  for (let r = 0; r < n; r++) plain.fill(0, r * stride + cols, (r + 1) * stride);
  t.deepEqual(Array.from(out.subarray(stride)), Array.from(plain), 'out: their σ');
});

test('groupRows lists one subset-sum table entry per group of 2^lk indices a row touches', (t) => {
  const rng = createRng(21);
  for (const lk of [1, 2, 3]) {
    for (const [n, cols, p] of [[6, 37, 0.3], [4, 64, 0.05], [3, 16, 1], [5, 29, 0]] as const) {
      const k = kernels(1 << 18);
      const { idx, starts, dense } = binaryRows(rng, n + 1, cols, p, k);
      const out = k.allocI32(Math.max(1, (n + 1) * cols));
      const outStarts = k.allocI32(n + 1);
      outStarts.fill(-1);
      k.groupRows(n, idx, starts, 1, lk, out, outStarts); // rows 1..n of the lists
      const want: number[] = [];
      const ends = [0];
      for (let r = 1; r <= n; r++) {
        want.push(...entriesOf(dense.subarray(r * cols, (r + 1) * cols), lk));
        ends.push(want.length);
      }
      t.deepEqual(Array.from(outStarts), ends, `lk ${lk}, ${n}×${cols}, p ${p}: row ends`);
      t.deepEqual(Array.from(out.subarray(0, want.length)), want, `lk ${lk}, ${n}×${cols}, p ${p}: entries`);
    }
  }
  t.throws(() => kernels(1 << 16).groupRows(1, new Int32Array(1), new Int32Array(2), 0, 4, new Int32Array(1), new Int32Array(2)), { message: /lk must be 1, 2 or 3/ });
});

test('groupColumns lists, for each column, one table entry per group of 2^lk rows in which it is on', (t) => {
  const rng = createRng(22);
  for (const lk of [1, 2, 3]) {
    for (const [rows, cols, p] of [[13, 20, 0.3], [8, 16, 0.6], [1, 5, 1], [30, 7, 0.1]] as const) {
      const k = kernels(1 << 18);
      const { idx, starts, dense } = binaryRows(rng, rows, cols, p, k);
      const ng = Math.ceil(rows / 2 ** lk);
      const masks = k.allocI32(RbmBinaryKernels.groupMaskInts(rows, cols, lk));
      masks.fill(-1); // the kernel clears its scratch
      const out = k.allocI32(cols * ng);
      const outStarts = k.allocI32(cols + 1);
      k.groupColumns(rows, idx, starts, cols, lk, masks, out, outStarts);
      const want: number[] = [];
      const ends = [0];
      for (let i = 0; i < cols; i++) {
        want.push(...entriesOf(Array.from({ length: rows }, (_, r) => dense[r * cols + i]!), lk));
        ends.push(want.length);
      }
      t.deepEqual(Array.from(outStarts), ends, `lk ${lk}, ${rows}×${cols}: column ends`);
      t.deepEqual(Array.from(out.subarray(0, want.length)), want, `lk ${lk}, ${rows}×${cols}: entries`);
    }
  }
});

test('rowsSum on subset-sum tables (lists of groupRows) gives the sums of the plain lists', (t) => {
  const rng = createRng(23);
  for (const lk of [1, 2, 3]) {
    for (const [n, m, cols, p, stride] of [[7, 32, 16, 0.35, 16], [5, 48, 48, 0.5, 64], [4, 16, 32, 0, 32], [3, 16, 16, 1, 16]] as const) {
      const k = kernels(1 << 20);
      const Md = rng.fillNormal(new Float32Array(m * cols));
      const M = k.allocF32(m * cols);
      toPanels(Md, m, cols, M, m);
      const bias = rng.fillNormal(k.allocF32(cols));
      const { idx, starts, dense } = binaryRows(rng, n, m, p, k);
      const eIdx = k.allocI32(Math.max(1, n * m));
      const eStarts = k.allocI32(n + 1);
      k.groupRows(n, idx, starts, 0, lk, eIdx, eStarts);
      const tables = { lk, scratch: k.allocF32(RbmBinaryKernels.tableFloats(m, lk)) };
      tables.scratch.fill(NaN); // every entry read is written first
      for (const sigmoid of [false, true]) {
        const out = k.allocF32((n + 1) * stride);
        out.fill(-7);
        k.rowsSum(n, cols, eIdx, eStarts, 0, M, m, bias, out, stride, 1, sigmoid, tables);
        const plain = k.allocF32((n + 1) * stride);
        plain.fill(-7);
        k.rowsSum(n, cols, idx, starts, 0, M, m, bias, plain, stride, 1, sigmoid);
        let worst = 0;
        for (let r = 0; r < n; r++) {
          for (let j = 0; j < cols; j++) {
            let s = bias[j]!;
            for (let i = 0; i < m; i++) if (dense[r * m + i]) s += Md[i * cols + j]!;
            if (sigmoid) s = 1 / (1 + Math.exp(-s));
            worst = Math.max(worst, Math.abs(out[(r + 1) * stride + j]! - s), Math.abs(out[(r + 1) * stride + j]! - plain[(r + 1) * stride + j]!));
          }
          for (let j = cols; j < stride; j++) t.is(out[(r + 1) * stride + j], -7, 'the stride padding is untouched');
        }
        t.true(worst < 1e-5, `lk ${lk}, n ${n}, m ${m}, cols ${cols}, σ ${sigmoid}: ${worst}`);
        t.deepEqual(Array.from(out.subarray(0, stride)), Array(stride).fill(-7), 'rows before outRow are untouched');
      }
    }
  }
  const k = kernels(1 << 18);
  const M = k.allocF32(32 * 16);
  t.throws(() => k.rowsSum(1, 16, k.allocI32(1), k.allocI32(2), 0, M, 32, k.allocF32(16), k.allocF32(16), 16, 0, false, { lk: 2, scratch: k.allocF32(16) }), { message: /need 2048 floats of scratch/ });
});

test('momentumStep on subset-sum tables of the gradient rows (lists of groupColumns) equals the plain step, a partial last group included', (t) => {
  const rng = createRng(24);
  for (const lk of [1, 2, 3]) {
    for (const [rows, cols, gRows, gStride, mu, decay] of [[5, 16, 3, 16, 0.7, 0.01], [11, 32, 13, 48, 0, 0], [6, 48, 8, 64, 0.5, 0], [16, 16, 1, 16, 0.9, 0.1]] as const) {
      const k = kernels(1 << 20);
      const Wd = rng.fillNormal(new Float32Array(rows * cols));
      const veld = rng.fillNormal(new Float32Array(rows * cols));
      const W = k.allocF32(rows * cols);
      const vel = k.allocF32(rows * cols);
      toPanels(Wd, rows, cols, W, rows);
      toPanels(veld, rows, cols, vel, rows);
      // G's rows beyond gRows hold NaN: a partial last group must not read them
      const G = k.allocF32((gRows + 8) * gStride);
      G.fill(NaN);
      rng.fillNormal(G.subarray(0, gRows * gStride));
      const { idx, starts, dense } = binaryRows(rng, gRows, rows, 0.4, k); // gradient row r: the units i it has on
      const ng = Math.ceil(gRows / 2 ** lk);
      const gIdx = k.allocI32(rows * ng);
      const gStarts = k.allocI32(rows + 1);
      k.groupColumns(gRows, idx, starts, rows, lk, k.allocI32(RbmBinaryKernels.groupMaskInts(gRows, rows, lk)), gIdx, gStarts);
      const tables = { lk, scratch: k.allocF32(RbmBinaryKernels.tableFloats(gRows, lk)), gRows };
      const sum = k.momentumStep(rows, cols, gStarts, gIdx, G, gStride, W, vel, mu, decay, tables);
      const Wn = fromPanels(W, rows, rows, cols);
      const veln = fromPanels(vel, rows, rows, cols);
      let worst = 0;
      let total = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          let d = mu * veld[i * cols + j]! - decay * Wd[i * cols + j]!;
          for (let r = 0; r < gRows; r++) if (dense[r * rows + i]) d += G[r * gStride + j]!;
          total += d;
          worst = Math.max(worst, Math.abs(Wn[i * cols + j]! - (Wd[i * cols + j]! + d)));
          if (mu !== 0 || decay !== 0) worst = Math.max(worst, Math.abs(veln[i * cols + j]! - d));
          else t.is(veln[i * cols + j], veld[i * cols + j], 'no momentum, no decay: vel untouched');
        }
      }
      t.true(worst < 1e-5, `lk ${lk}, ${rows}×${cols}, ${gRows} gradient rows: ${worst}`);
      t.true(Math.abs(sum - total) < 1e-4 * Math.max(1, Math.abs(total)), `sum ${sum} vs ${total}`);
    }
  }
});

test('momentumStep is vel ← μ·vel − λ·W + Σ of the listed gradient rows, W ← W + vel, and returns Σ vel', (t) => {
  const rng = createRng(6);
  for (const [rows, cols, n, gStride] of [[5, 16, 3, 16], [11, 32, 8, 48], [6, 80, 13, 80], [1, 48, 9, 64]] as const) {
    const k = kernels(1 << 18);
    const Wd = rng.fillNormal(new Float32Array(rows * cols)); // row-major
    const veld = rng.fillNormal(new Float32Array(rows * cols));
    const W = k.allocF32(rows * cols);
    const velP = k.allocF32(rows * cols);
    toPanels(Wd, rows, cols, W, rows);
    toPanels(veld, rows, cols, velP, rows);
    const G = rng.fillNormal(k.allocF32(n * gStride));
    // column lists: for each of `rows` units the batch rows where it is on
    const { idx: rowIdx, starts: colStarts, dense } = binaryRows(rng, rows, n, 0.5, k);
    const W0 = Float64Array.from(Wd);
    const vel0 = Float64Array.from(veld);
    const sum = k.momentumStep(rows, cols, colStarts, rowIdx, G, gStride, W, velP, 0.7, 0.01);
    const Wn = fromPanels(W, rows, rows, cols);
    const vel = fromPanels(velP, rows, rows, cols);
    let worst = 0;
    let total = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let d = 0.7 * vel0[i * cols + j]! - 0.01 * W0[i * cols + j]!;
        for (let r = 0; r < n; r++) if (dense[i * n + r]) d += G[r * gStride + j]!;
        total += d;
        worst = Math.max(worst, Math.abs(vel[i * cols + j]! - d), Math.abs(Wn[i * cols + j]! - (W0[i * cols + j]! + d)));
      }
    }
    t.true(worst < 1e-5, `${rows}×${cols}: ${worst}`);
    t.true(Math.abs(sum - total) < 1e-4 * Math.max(1, Math.abs(total)), `sum ${sum} vs ${total}`);
    // no momentum, no decay: W gains the sums, vel is neither read nor written
    const W1 = Float64Array.from(W);
    velP.fill(NaN);
    const sum0 = k.momentumStep(rows, cols, colStarts, rowIdx, G, gStride, W, velP, 0, 0);
    const Wm = fromPanels(W, rows, rows, cols);
    const W1m = fromPanels(Float32Array.from(W1), rows, rows, cols);
    let worst0 = 0;
    let total0 = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let d = 0;
        for (let r = 0; r < n; r++) if (dense[i * n + r]) d += G[r * gStride + j]!;
        total0 += d;
        worst0 = Math.max(worst0, Math.abs(Wm[i * cols + j]! - (W1m[i * cols + j]! + d)));
      }
    }
    t.true(worst0 < 1e-5, `μ = λ = 0: ${worst0}`);
    t.true(Math.abs(sum0 - total0) < 1e-4 * Math.max(1, Math.abs(total0)), `μ = λ = 0: sum ${sum0} vs ${total0}`);
    t.true(velP.every((v) => Number.isNaN(v)), 'vel untouched');
  }
});

function randomBinary(rng: Rng, rows: number, cols: number, p = 0.3): RowMatrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() < p ? 1 : 0;
  return { rows, cols, data };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('trainRbm uses the kernels only for binary data, Bernoulli units and sampled negative visibles', async (t) => {
  const rng = createRng(7);
  const data = randomBinary(rng, 30, 6);
  const base = { numHidden: 5, epochs: 1, batchSize: 10 };
  const f32 = await trainRbm(data, { ...base, rng: createRng(1) });
  const u8 = await trainRbm({ ...data, data: Uint8Array.from(data.data) }, { ...base, rng: createRng(1) });
  t.is(f32.engine, 'binary-wasm');
  t.is(u8.engine, 'binary-wasm');
  t.deepEqual(u8.model.weights, f32.model.weights, 'Uint8Array data trains exactly as Float32Array data');
  t.is((await trainRbm(data, { ...base, rng: createRng(1), binaryKernels: false })).engine, 'tfjs');
  t.is((await trainRbm(data, { ...base, rng: createRng(1), sampleVisible: false })).engine, 'tfjs');
  t.is((await trainRbm(data, { ...base, rng: createRng(1), visible: 'gaussian' })).engine, 'tfjs');
  const grey = Float32Array.from(data.data);
  grey[17] = 0.5;
  t.is((await trainRbm({ ...data, data: grey }, { ...base, rng: createRng(1) })).engine, 'tfjs');
});

test('one update from the same state and draws equals the tfjs engine’s to float32 rounding', async (t) => {
  const rng = createRng(8);
  const data = randomBinary(rng, 12, 9);
  const initial = Rbm.random({ numVisible: 9, numHidden: 6, rng, std: 0.8, visibleBias: Array.from({ length: 9 }, () => rng.normal()) });
  for (const method of [{ kind: 'cd' }, { kind: 'pcd' }, { kind: 'cd', k: 2 }] as RbmTrainingMethod[]) {
    const opts = { initial, method, epochs: 1, batchSize: 12, learningRate: 0.5, shuffle: false };
    const a = await trainRbm(data, { ...opts, rng: createRng(3) });
    const b = await trainRbm(data, { ...opts, rng: createRng(3), binaryKernels: false });
    t.is(a.engine, 'binary-wasm');
    t.true(maxDiff(a.model.weights, initial.weights) > 0.01, 'the update moves the weights');
    t.true(maxDiff(a.model.weights, b.model.weights) < 1e-6, `${JSON.stringify(method)} weights ${maxDiff(a.model.weights, b.model.weights)}`);
    t.true(maxDiff(a.model.visibleBias, b.model.visibleBias) < 1e-6, 'visible biases');
    t.true(maxDiff(a.model.hiddenBias, b.model.hiddenBias) < 1e-6, 'hidden biases');
  }
});

test('CD-k and PCD-k runs follow the tfjs engine (momentum, weight decay, odd sizes, a short last batch)', async (t) => {
  const rng = createRng(9);
  const data = randomBinary(rng, 47, 13);
  const initial = Rbm.random({ numVisible: 13, numHidden: 7, rng, std: 0.5 });
  for (const method of [{ kind: 'cd', k: 1 }, { kind: 'cd', k: 3 }, { kind: 'pcd', k: 1 }, { kind: 'pcd', k: 2 }] as RbmTrainingMethod[]) {
    const opts = { initial, method, epochs: 6, batchSize: 10, learningRate: 0.1, momentum: 0.5, weightDecay: 0.01 };
    const a = await trainRbm(data, { ...opts, rng: createRng(4) });
    const b = await trainRbm(data, { ...opts, rng: createRng(4), binaryKernels: false });
    const where = JSON.stringify(method);
    t.is(a.engine, 'binary-wasm');
    t.true(maxDiff(a.model.weights, b.model.weights) < 1e-5, `${where}: weights ${maxDiff(a.model.weights, b.model.weights)}`);
    t.true(maxDiff(a.model.visibleBias, b.model.visibleBias) < 1e-5, `${where}: visible biases`);
    t.true(maxDiff(a.model.hiddenBias, b.model.hiddenBias) < 1e-5, `${where}: hidden biases`);
    for (let e = 0; e < 6; e++) {
      t.true(Math.abs(a.history[e]!.reconstructionError - b.history[e]!.reconstructionError) < 1e-5, `${where}: epoch ${e + 1} reconstruction error`);
    }
  }
});

test('training on binary prototypes reaches the pseudo-likelihood of the tfjs engine', async (t) => {
  // Noisy copies of 4 prototypes of 24 pixels: an RBM with 8 hidden units learns them.
  const rng = createRng(10);
  const V = 24;
  const protos = Array.from({ length: 4 }, () => Array.from({ length: V }, () => (rng.uniform() < 0.4 ? 1 : 0)));
  const rows = 400;
  const data = new Float32Array(rows * V);
  for (let r = 0; r < rows; r++) {
    const p = protos[r % 4]!;
    for (let i = 0; i < V; i++) data[r * V + i] = rng.uniform() < 0.05 ? 1 - p[i]! : p[i]!;
  }
  const x: RowMatrix = { rows, cols: V, data };
  const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  const initial = Rbm.random({ numVisible: V, numHidden: 8, rng: createRng(11) });
  const before = mean(initial.pseudoLikelihood(x, createRng(12)));
  for (const method of [{ kind: 'cd' }, { kind: 'pcd' }] as RbmTrainingMethod[]) {
    const opts = { initial, method, epochs: 15, batchSize: 20, learningRate: 0.1, momentum: 0.5 };
    const a = await trainRbm(x, { ...opts, rng: createRng(13) });
    const b = await trainRbm(x, { ...opts, rng: createRng(13), binaryKernels: false });
    const pa = mean(a.model.pseudoLikelihood(x, createRng(12)));
    const pb = mean(b.model.pseudoLikelihood(x, createRng(12)));
    t.true(pa > before + 5, `${method.kind}: pseudo-likelihood ${before.toFixed(2)} → ${pa.toFixed(2)}`);
    t.true(Math.abs(pa - pb) < 0.05 * Math.abs(pb), `${method.kind}: kernels ${pa.toFixed(3)}, tfjs ${pb.toFixed(3)}`);
  }
});

test('a diverging run on the kernel path stops like the tfjs one', async (t) => {
  const data = randomBinary(createRng(14), 60, 8, 0.5);
  const run = (binaryKernels: boolean) =>
    t.throwsAsync(
      trainRbm(data, { numHidden: 6, epochs: 5, batchSize: 10, learningRate: (e) => (e <= 1 ? 0.01 : 1e39), momentum: 0.9, rng: createRng(15), binaryKernels }),
      { instanceOf: RbmDivergenceError },
    );
  const a = await run(true);
  const b = await run(false);
  t.is(a!.epoch, 2);
  t.is(a!.lastGoodEpoch, 1);
  t.is(b!.epoch, 2);
  t.is(a!.batch, b!.batch);
});
