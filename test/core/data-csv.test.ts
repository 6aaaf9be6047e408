import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DataError, readCsvMatrix } from '@ebmkit/core';

const fixture = fileURLToPath(new URL('../fixtures/data/small.csv', import.meta.url));
const corpora = process.env.EBM_CORPORA_DIR;
const corpusTest = corpora ? test : test.skip;

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-csv-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('reads a numeric matrix row-major with a header, blank lines skipped', async (t) => {
  const m = await readCsvMatrix(fixture);
  t.deepEqual(m.columns, ['x1', 'x2', 'x3', 'label']);
  t.is(m.rows, 3);
  t.is(m.cols, 4);
  t.true(m.data instanceof Float64Array);
  t.deepEqual(Array.from(m.data), [0.5, 1, -2e-3, 3, 1.5, 2, 4, 1, -1, 0.25, 700, 3]);
  t.is(m.labels, undefined);
});

test('a label column by name, index or negative index; integer labels become an Int32Array', async (t) => {
  for (const labelColumn of ['label', 3, -1] as const) {
    const m = await readCsvMatrix(fixture, { labelColumn });
    t.deepEqual(m.columns, ['x1', 'x2', 'x3']);
    t.is(m.cols, 3);
    t.is(m.labelColumn, 'label');
    t.deepEqual(Array.from(m.data), [0.5, 1, -2e-3, 1.5, 2, 4, -1, 0.25, 700]);
    t.true(m.labels instanceof Int32Array);
    t.deepEqual(Array.from(m.labels as Int32Array), [3, 1, 3]);
  }
  const asStrings = await readCsvMatrix(fixture, { labelColumn: 'label', labelType: 'string' });
  t.deepEqual(asStrings.labels, ['3', '1', '3']);
  const path = join(dir, 'iris.csv');
  await writeFile(path, 'a;species;b\n1;setosa;2\n3;"versi;color";4\n');
  const iris = await readCsvMatrix(path, { delimiter: ';', labelColumn: 'species' });
  t.deepEqual(iris.labels, ['setosa', 'versi;color']);
  t.deepEqual(Array.from(iris.data), [1, 2, 3, 4]);
  await t.throwsAsync(readCsvMatrix(path, { delimiter: ';', labelColumn: 'species', labelType: 'int' }), {
    instanceOf: DataError,
    message: `${path}:2: label column "species": expected a 32-bit integer, found "setosa"`,
  });
  await t.throwsAsync(readCsvMatrix(path, { delimiter: ';', labelColumn: 'kind' }), {
    message: `${path}:1: no label column "kind"; the columns are "a", "species", "b"`,
  });
  await t.throwsAsync(readCsvMatrix(path, { delimiter: ';', labelColumn: 5 }), { message: /label column index 5 is out of range for 3 columns/ });
});

test('without a header, columns are numbered; gzip is detected by magic bytes', async (t) => {
  const path = join(dir, 'plain-name.csv');
  await writeFile(path, gzipSync('1,2,0\n3,4,1\n'));
  const m = await readCsvMatrix(path, { header: false, labelColumn: 2 });
  t.deepEqual(m.columns, ['0', '1']);
  t.deepEqual(Array.from(m.data), [1, 2, 3, 4]);
  t.deepEqual(Array.from(m.labels as Int32Array), [0, 1]);
});

test('a non-numeric cell names file, line and column; a ragged row names both counts', async (t) => {
  const path = join(dir, 'bad.csv');
  await writeFile(path, 'a,b,c\n1,2,3\n\n4,x7,6\n');
  const e = await t.throwsAsync(readCsvMatrix(path), { instanceOf: DataError, message: `${path}:4: column "b": expected a number, found "x7"` });
  t.is(e?.line, 4);
  t.is(e?.column, 2);
  for (const [cell, found] of [['', 'an empty cell'], ['0x10', '"0x10"'], ['Infinity', '"Infinity"']] as const) {
    await writeFile(path, `a,b,c\n1,${cell},3\n`);
    await t.throwsAsync(readCsvMatrix(path), { message: `${path}:2: column "b": expected a number, found ${found}` });
  }
  await writeFile(path, 'a,b,c\n1,2,3\n4,5\n');
  await t.throwsAsync(readCsvMatrix(path), { instanceOf: DataError, message: `${path}:3: expected 3 fields, found 2` });
  await writeFile(path, 'a,b,c\n1,2,3,4\n');
  await t.throwsAsync(readCsvMatrix(path), { message: `${path}:2: expected 3 fields, found 4` });
  // A quoted field spanning lines moves the line numbers of the rows after it.
  await writeFile(path, 'a,b,note\n1,2,"multi\nline"\n3,?,x\n');
  await t.throwsAsync(readCsvMatrix(path, { labelColumn: 'note' }), { message: `${path}:4: column "b": expected a number, found "?"` });
  await writeFile(path, 'a,b\n');
  await t.throwsAsync(readCsvMatrix(path), { message: `${path}: no data rows` });
  await writeFile(path, 'a,b\n1,2\n\n3,"4\n5,6\n');
  await t.throwsAsync(readCsvMatrix(path), { instanceOf: DataError, message: /bad\.csv:4: malformed CSV: missing closing: '"'/ });
  await writeFile(path, gzipSync('a,b\n' + '1,2\n'.repeat(5000)).subarray(0, 60));
  await t.throwsAsync(readCsvMatrix(path), { instanceOf: DataError, message: /bad\.csv: corrupt gzip data: unexpected end of file/ });
});

corpusTest('scikit-learn digits: 1,797 rows of 64 pixels with labels 0-9', async (t) => {
  const m = await readCsvMatrix(join(corpora!, 'sklearn_digits', 'digits.csv.gz'), { header: false, labelColumn: -1 });
  t.is(m.rows, 1797);
  t.is(m.cols, 64);
  t.is(m.data.length, 1797 * 64);
  t.true(m.labels instanceof Int32Array);
  const counts = new Array<number>(10).fill(0);
  for (const y of m.labels!) counts[y as number]!++;
  t.true(counts.every((c) => c >= 174 && c <= 183), String(counts));
  t.true(m.data.every((v) => v >= 0 && v <= 16 && Number.isInteger(v)));
});
