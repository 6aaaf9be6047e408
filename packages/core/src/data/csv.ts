/**
 * Numeric CSV files as a dense row-major matrix (fast-csv does the parsing; gzip detected by magic bytes), with an
 * optional label column split off.
 */
import { DataError } from './data-error.js';
import { openDecompressed, streamError } from './lines.js';

/** Options of `readCsvMatrix`. */
export interface CsvMatrixOptions {
  /** The first row names the columns (default true). Without a header, columns are named "0", "1", …. */
  header?: boolean;
  /** Field delimiter (default ","). */
  delimiter?: string;
  /** Column holding the labels: its name, or its 0-based index (negative counts from the end: −1 is the last). */
  labelColumn?: string | number;
  /** 'int' → Int32Array (error on a non-integer label), 'string' → string[], 'auto' (default) → Int32Array when every label is an integer. */
  labelType?: 'auto' | 'int' | 'string';
}

/** A numeric matrix read from CSV. */
export interface CsvMatrix {
  /** Names of the feature columns (the label column excluded), in order. */
  columns: string[];
  rows: number;
  cols: number;
  /** `data[r * cols + c]`. */
  data: Float64Array;
  /** Name of the label column, when one was asked for. */
  labelColumn?: string;
  /** One label per row, when `labelColumn` was given. */
  labels?: string[] | Int32Array;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function isInt32(s: string): boolean {
  if (!INTEGER.test(s)) return false;
  const v = Number(s);
  return v >= -2147483648 && v <= 2147483647;
}

function countNewlines(row: string[]): number {
  let n = 0;
  for (const cell of row) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/**
 * Reads a CSV file of numbers into a `Float64Array` (row-major). Blank lines are skipped. Throws `DataError` naming
 * file and line for a non-numeric cell (with the column's name: `x.csv:5: column "petal": expected a number, found
 * "abc"`), a ragged row (`expected 5 fields, found 4`), an unknown label column, and a file with no data rows.
 */
export async function readCsvMatrix(path: string, options: CsvMatrixOptions = {}): Promise<CsvMatrix> {
  const header = options.header ?? true;
  const labelType = options.labelType ?? 'auto';
  if (!header && typeof options.labelColumn === 'string' && !/^\d+$/.test(options.labelColumn)) {
    throw new RangeError(`readCsvMatrix: labelColumn ${JSON.stringify(options.labelColumn)} names a column, but the file has no header (give an index)`);
  }
  const { parse } = await import('fast-csv');
  const input = await openDecompressed(path);
  const parser = input.pipe(parse({ headers: false, delimiter: options.delimiter ?? ',' }));
  input.on('error', (e) => parser.destroy(e));

  let names: string[] | null = null;
  let width = 0;
  let labelIndex = -1;
  let data = new Float64Array(1024);
  let n = 0;
  let rows = 0;
  const labelStrings: string[] = [];
  let line = 1;

  const setup = (fieldNames: string[], at: number) => {
    names = fieldNames;
    width = names.length;
    const lc = options.labelColumn;
    if (lc !== undefined) {
      if (typeof lc === 'number') {
        if (!Number.isInteger(lc) || lc >= width || lc < -width) {
          throw new DataError(path, at, `label column index ${lc} is out of range for ${width} columns`);
        }
        labelIndex = lc < 0 ? width + lc : lc;
      } else {
        labelIndex = names.indexOf(lc);
        if (labelIndex < 0) throw new DataError(path, at, `no label column ${JSON.stringify(lc)}; the columns are ${names.map((c) => JSON.stringify(c)).join(', ')}`);
      }
    }
  };

  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      const at = line;
      line += 1 + countNewlines(row);
      if (row.length === 0 || (row.length === 1 && row[0]!.trim() === '')) continue;
      if (names === null) {
        if (header) {
          setup(row.map((c) => c.trim()), at);
          continue;
        }
        setup(row.map((_, i) => String(i)), at);
      }
      if (row.length !== width) throw new DataError(path, at, `expected ${width} fields, found ${row.length}`);
      if (n + width > data.length) {
        const bigger = new Float64Array(Math.max(data.length * 2, n + width));
        bigger.set(data.subarray(0, n));
        data = bigger;
      }
      for (let c = 0; c < width; c++) {
        const cell = row[c]!;
        if (c === labelIndex) {
          const label = cell.trim();
          if (labelType === 'int' && !isInt32(label)) {
            throw new DataError(path, at, `label column ${JSON.stringify(names![c])}: expected a 32-bit integer, found ${JSON.stringify(label)}`, c + 1);
          }
          labelStrings.push(label);
          continue;
        }
        const s = cell.trim();
        if (!NUMBER.test(s)) {
          const found = s.length === 0 ? 'an empty cell' : JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
          throw new DataError(path, at, `column ${JSON.stringify(names![c])}: expected a number, found ${found}`, c + 1);
        }
        data[n++] = Number(s);
      }
      rows++;
    }
  } catch (e) {
    const msg = (e as Error)?.message ?? '';
    if (!(e instanceof DataError) && msg.startsWith('Parse Error: ')) {
      throw new DataError(path, line, `malformed CSV: ${msg.slice('Parse Error: '.length)}`);
    }
    throw streamError(path, e);
  } finally {
    input.destroy();
  }
  if (names === null || rows === 0) throw new DataError(path, undefined, 'no data rows');
  const allNames: string[] = names;
  const columns = allNames.filter((_, i) => i !== labelIndex);
  const result: CsvMatrix = { columns, rows, cols: columns.length, data: data.length === n ? data : data.slice(0, n) };
  if (labelIndex >= 0) {
    result.labelColumn = allNames[labelIndex]!;
    const allInts = labelType === 'int' || (labelType === 'auto' && labelStrings.every(isInt32));
    result.labels = allInts ? Int32Array.from(labelStrings, Number) : labelStrings;
  }
  return result;
}
