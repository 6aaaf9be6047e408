/** Benchmark data: scikit-learn's digits (nudged ×5, scaled per column to [0, 1]) and Fashion-MNIST, from EBM_CORPORA_DIR. */
import path from 'node:path';
import { readCsvMatrix, readIdx, type Rng } from '@ebmkit/core';
import type { RowMatrix } from '@ebmkit/core/energy';

/** The corpora directory (EBM_CORPORA_DIR), or an error saying how to set it. */
export function corporaDir(): string {
  const dir = process.env['EBM_CORPORA_DIR'];
  if (!dir) throw new Error('set EBM_CORPORA_DIR to the corpora mirror (e.g. ../shared/corpora)');
  return dir;
}

/** The 1,797 8×8 digits (values 0–16) and labels. */
export async function loadDigits(): Promise<{ x: RowMatrix; y: Int32Array }> {
  const m = await readCsvMatrix(path.join(corporaDir(), 'sklearn_digits', 'digits.csv.gz'), { header: false, labelColumn: -1, labelType: 'int' });
  return { x: { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) }, y: m.labels as Int32Array };
}

/**
 * scikit-learn's `nudge_dataset`: each 8×8 image plus its copies shifted by one pixel up, left, right and down
 * (scipy.ndimage.convolve with the four 3×3 direction kernels, zeros shifted in), giving 5× the rows.
 */
export function nudge(x: RowMatrix, y: Int32Array): { x: RowMatrix; y: Int32Array } {
  // out[r][c] = in[r + dr][c + dc] for (dr, dc) in the example's order: (1,0), (0,1), (0,−1), (−1,0).
  const shifts: [number, number][] = [[1, 0], [0, 1], [0, -1], [-1, 0]];
  const n = x.rows;
  const out = new Float32Array(5 * n * 64);
  out.set(x.data.subarray(0, n * 64) as ArrayLike<number>, 0);
  shifts.forEach(([dr, dc], s) => {
    for (let k = 0; k < n; k++) {
      const o = (s + 1) * n * 64 + k * 64;
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
        const rr = r + dr;
        const cc = c + dc;
        out[o + r * 8 + c] = rr >= 0 && rr < 8 && cc >= 0 && cc < 8 ? x.data[k * 64 + rr * 8 + cc]! : 0;
      }
    }
  });
  const yy = new Int32Array(5 * n);
  for (let s = 0; s < 5; s++) yy.set(y, s * n);
  return { x: { rows: 5 * n, cols: 64, data: out }, y: yy };
}

/** scikit-learn's `minmax_scale`: each column to [0, 1] ((x − min) / (max − min), constant columns → 0). */
export function minmaxColumns(x: RowMatrix): RowMatrix {
  const out = new Float32Array(x.rows * x.cols);
  for (let c = 0; c < x.cols; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < x.rows; r++) {
      const v = x.data[r * x.cols + c]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi - lo;
    for (let r = 0; r < x.rows; r++) out[r * x.cols + c] = span > 0 ? (x.data[r * x.cols + c]! - lo) / span : 0;
  }
  return { rows: x.rows, cols: x.cols, data: out };
}

/** A seeded permutation split: `testFraction` of the rows for testing. */
export function splitIndices(n: number, testFraction: number, rng: Rng): { train: Int32Array; test: Int32Array } {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const nTest = Math.ceil(n * testFraction);
  return { test: order.slice(0, nTest), train: order.slice(nTest) };
}

/** Fashion-MNIST split as 784-column rows of 0…255 bytes, with labels. */
export async function loadFashion(split: 'train' | 't10k'): Promise<{ x: RowMatrix; y: Uint8Array }> {
  const dir = path.join(corporaDir(), 'fashion_mnist');
  const img = await readIdx(path.join(dir, `${split}-images-idx3-ubyte.gz`));
  const lab = await readIdx(path.join(dir, `${split}-labels-idx1-ubyte.gz`));
  const n = img.shape[0]!;
  return { x: { rows: n, cols: img.shape[1]! * img.shape[2]!, data: img.data as Uint8Array }, y: lab.data as Uint8Array };
}
