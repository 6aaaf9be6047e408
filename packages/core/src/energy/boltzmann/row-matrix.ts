/**
 * Dense data as rows: the shape every Boltzmann-machine function takes (`data[r * cols + c]`), the same
 * layout as `readCsvMatrix`'s result and as an IDX image file flattened per item. Also the input checks a
 * Bernoulli RBM needs (values in [0, 1]) and the two documented ways to get there: rescaling and binarising.
 */

/** A dense row-major matrix: `data[r * cols + c]`. */
export interface RowMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array | Uint8Array;
}

/** Checks that `m.data` holds `rows × cols` entries; `what` names the argument in the message. */
export function checkRowMatrix(m: RowMatrix, what: string, cols?: number): void {
  if (!Number.isInteger(m.rows) || m.rows < 1 || !Number.isInteger(m.cols) || m.cols < 1) {
    throw new RangeError(`${what}: expected at least one row and one column, got ${m.rows}×${m.cols}`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(`${what}: data length ${m.data.length} !== rows ${m.rows} × cols ${m.cols}`);
  }
  if (cols !== undefined && m.cols !== cols) throw new RangeError(`${what}: ${m.cols} columns, the model has ${cols} visible units`);
}

/** The first entry that is not finite, as {row, col, value}, or undefined. */
export function firstNonFinite(m: RowMatrix): { row: number; col: number; value: number } | undefined {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) return { row: Math.floor(i / m.cols), col: i % m.cols, value: v };
  }
  return undefined;
}

/**
 * Throws a RangeError unless every entry is finite and, when `unit` is set, inside [0, 1] (what Bernoulli visible
 * units model). The message names the first offending row and column (0-based) and the value, and says how to
 * fix it: `rbm: value 255 at row 0, column 152 is outside [0, 1] (Bernoulli visible units); rescale the data
 * (rescaleToUnitInterval / --rescale) or binarise it (--binarize)`.
 */
export function checkDataValues(m: RowMatrix, what: string, unit: boolean): void {
  const bad = firstNonFinite(m);
  if (bad) throw new RangeError(`${what}: value ${bad.value} at row ${bad.row}, column ${bad.col} is not a finite number`);
  if (!unit) return;
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v < 0 || v > 1) {
      throw new RangeError(
        `${what}: value ${v} at row ${Math.floor(i / m.cols)}, column ${i % m.cols} is outside [0, 1] (Bernoulli visible units); ` +
          'rescale the data (rescaleToUnitInterval / --rescale) or binarise it (--binarize)',
      );
    }
  }
}

/** The global minimum and maximum of a matrix's entries. */
export function dataRange(m: RowMatrix): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * (x − min) / (max − min) for every entry, into a new Float32Array matrix (a constant matrix maps to 0). With no
 * `range`, the data's own global minimum and maximum are used (return value `range` says which, so a model can
 * apply the same map to test data; test values beyond the training range are clipped to [0, 1]).
 */
export function rescaleToUnitInterval(m: RowMatrix, range?: { min: number; max: number }): { matrix: RowMatrix; range: { min: number; max: number } } {
  const r = range ?? dataRange(m);
  const span = r.max - r.min;
  const out = new Float32Array(m.data.length);
  if (span > 0) {
    const d = m.data;
    for (let i = 0; i < d.length; i++) {
      const v = (d[i]! - r.min) / span;
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { matrix: { rows: m.rows, cols: m.cols, data: out }, range: { min: r.min, max: r.max } };
}

/** 1 where the entry is > `threshold`, else 0 (a new Float32Array matrix). */
export function binarize(m: RowMatrix, threshold = 0.5): RowMatrix {
  const out = new Float32Array(m.data.length);
  const d = m.data;
  for (let i = 0; i < d.length; i++) out[i] = d[i]! > threshold ? 1 : 0;
  return { rows: m.rows, cols: m.cols, data: out };
}

/** Rows `indices` of `m`, in that order, as a new Float32Array matrix. */
export function selectRows(m: RowMatrix, indices: ArrayLike<number>): RowMatrix {
  const c = m.cols;
  const out = new Float32Array(indices.length * c);
  for (let k = 0; k < indices.length; k++) {
    const r = indices[k]!;
    if (!(r >= 0 && r < m.rows)) throw new RangeError(`selectRows: row ${r} out of range [0, ${m.rows})`);
    for (let j = 0; j < c; j++) out[k * c + j] = m.data[r * c + j]!;
  }
  return { rows: indices.length, cols: c, data: out };
}

/** Column means of a matrix (Float64). */
export function columnMeans(m: RowMatrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[r * m.cols + j]!;
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  return mean;
}
