// `ebm rbm` and `ebm dbn` end to end (in process): train/eval/sample/filters on small CSV and IDX files, and the
// bad-input paths: CSV non-numeric cell and ragged row, IDX wrong magic and short read, values outside [0, 1],
// and a diverging run that keeps the last good checkpoint.
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '@ebmkit/cli';
import { createRng } from '@ebmkit/core';
import { loadRbm } from '@ebmkit/core/energy';

let dir = '';
const p = (name: string) => join(dir, name);

class Capture {
  text = '';
  readonly isTTY = false;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}
async function ebm(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIo = { stdout, stderr, env: { EBM_BACKEND: 'wasm' } };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** 4×4 binary pictures of two classes (vertical / horizontal bar) with 10 % flipped pixels. */
function pictures(n: number, seed: number): { x: number[][]; y: number[] } {
  const rng = createRng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let k = 0; k < n; k++) {
    const cls = rng.int(2);
    const at = rng.int(4);
    const row: number[] = [];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
      const on = cls === 0 ? c === at : r === at;
      row.push((rng.uniform() < 0.1 ? !on : on) ? 1 : 0);
    }
    x.push(row);
    y.push(cls);
  }
  return { x, y };
}

function idxBytes(n: number, rows: number[][], scale: number): Buffer {
  const head = Buffer.alloc(16);
  head[2] = 0x08;
  head[3] = 3;
  head.writeUInt32BE(n, 4);
  head.writeUInt32BE(4, 8);
  head.writeUInt32BE(4, 12);
  return Buffer.concat([head, Buffer.from(rows.flat().map((v) => v * scale))]);
}

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-rbm-cli-'));
  const { x, y } = pictures(300, 1);
  const header = [...Array.from({ length: 16 }, (_, i) => `p${i}`), 'label'].join(',');
  await writeFile(p('pics.csv'), [header, ...x.map((r, i) => [...r, y[i]].join(','))].join('\n') + '\n');
  await writeFile(p('pics-idx'), idxBytes(300, x, 255));
  const lab = Buffer.alloc(8);
  lab[2] = 0x08;
  lab[3] = 1;
  lab.writeUInt32BE(300, 4);
  await writeFile(p('labels-idx'), Buffer.concat([lab, Buffer.from(y)]));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('rbm train, eval (exact and AIS), sample and filters on a CSV file', async (t) => {
  const tr = await ebm('rbm', 'train', '--data', p('pics.csv'), '--label-column', 'label', '--hidden', '6', '--cd', '1', '--epochs', '5', '--learning-rate', '0.1', '--out', p('a.rbm'), '--filters', p('f.png'));
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stdout, /saved .*a\.rbm: 16 visible \(bernoulli\), 6 hidden; epoch 5 reconstruction error/);
  const ev = await ebm('rbm', 'eval', '--model', p('a.rbm'), '--data', p('pics.csv'), '--label-column', 'label', '--ais', '--ais-steps', '500', '--json');
  t.is(ev.code, 0, ev.stderr);
  const r = JSON.parse(ev.stdout);
  t.is(r.rows, 300);
  t.true(r.logLikelihood < 0 && r.logLikelihood > -16 * Math.LN2 + 1, `log-likelihood ${r.logLikelihood} should beat the uniform ${-16 * Math.LN2}`);
  t.true(Math.abs(r.aisLogLikelihood - r.logLikelihood) < Math.max(0.05, 3 * r.aisStandardError));
  t.true(r.pseudoLikelihood < 0);
  const sa = await ebm('rbm', 'sample', '--model', p('a.rbm'), '--out', p('s.png'), '--count', '9', '--steps', '20');
  t.is(sa.code, 0, sa.stderr);
  const fi = await ebm('rbm', 'filters', '--model', p('a.rbm'), '--out', p('f2.png'));
  t.is(fi.code, 0, fi.stderr);
  for (const png of ['f.png', 's.png', 'f2.png']) {
    const bytes = await readFile(p(png));
    t.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], `${png} is a PNG`);
  }
});

test('IDX bytes need --rescale; with it (and --binarize) PCD trains and the model remembers the preprocessing', async (t) => {
  const bad = await ebm('rbm', 'train', '--data', p('pics-idx'), '--hidden', '4', '--epochs', '1', '--out', p('b.rbm'));
  t.is(bad.code, 1);
  t.regex(bad.stderr, /value 255 at row 0, column \d+ is outside \[0, 1\].*--rescale/);
  const ok = await ebm('rbm', 'train', '--data', p('pics-idx'), '--format', 'idx', '--rescale', '--binarize', '0.5', '--hidden', '4', '--pcd', '--epochs', '2', '--batch-size', '20', '--out', p('b.rbm'));
  t.is(ok.code, 0, ok.stderr);
  const saved = await loadRbm(p('b.rbm'));
  t.deepEqual((saved.metadata as { preprocess: unknown }).preprocess, { rescale: { min: 0, max: 255 }, binarize: 0.5 });
  t.deepEqual((saved.metadata as { imageShape: unknown }).imageShape, [4, 4]);
  const ev = await ebm('rbm', 'eval', '--model', p('b.rbm'), '--data', p('pics-idx'));
  t.is(ev.code, 0, ev.stderr);
  t.regex(ev.stdout, /log-likelihood\s+-\d+\.\d+ nats \(exact\)/);
});

test('CSV with a non-numeric cell or a ragged row: file, line and column named', async (t) => {
  await writeFile(p('bad1.csv'), 'a,b,c\n0,1,0\n1,x,0\n');
  const r1 = await ebm('rbm', 'train', '--data', p('bad1.csv'), '--hidden', '2', '--out', p('c.rbm'));
  t.is(r1.code, 1);
  t.regex(r1.stderr, /bad1\.csv:3: column "b": expected a number, found "x"/);
  await writeFile(p('bad2.csv'), 'a,b,c\n0,1,0\n1,0\n');
  const r2 = await ebm('rbm', 'train', '--data', p('bad2.csv'), '--hidden', '2', '--out', p('c.rbm'));
  t.is(r2.code, 1);
  t.regex(r2.stderr, /bad2\.csv:3: expected 3 fields, found 2/);
});

test('IDX with a wrong magic number or a short read is refused with the file named', async (t) => {
  const good = await readFile(p('pics-idx'));
  const wrong = Buffer.from(good);
  wrong[2] = 0x42;
  await writeFile(p('magic-idx'), wrong);
  const r1 = await ebm('rbm', 'train', '--data', p('magic-idx'), '--format', 'idx', '--hidden', '2', '--out', p('d.rbm'));
  t.is(r1.code, 1);
  t.regex(r1.stderr, /magic-idx: not an IDX file: magic number is 00 00 42 03/);
  await writeFile(p('short-idx'), good.subarray(0, good.length - 7));
  const r2 = await ebm('rbm', 'train', '--data', p('short-idx'), '--format', 'idx', '--hidden', '2', '--out', p('d.rbm'));
  t.is(r2.code, 1);
  t.regex(r2.stderr, /short-idx: truncated: header says 300×4×4 u8 = 4800 bytes of data, file has 4793/);
});

test('a diverging run stops, names the step, and leaves the last good checkpoint in place', async (t) => {
  const first = await ebm('rbm', 'train', '--data', p('pics.csv'), '--label-column', 'label', '--visible', 'gaussian', '--hidden', '3', '--epochs', '1', '--learning-rate', '0.001', '--out', p('g.rbm'));
  t.is(first.code, 0, first.stderr);
  const before = await loadRbm(p('g.rbm'));
  const boom = await ebm('rbm', 'train', '--data', p('pics.csv'), '--label-column', 'label', '--resume', p('g.rbm'), '--epochs', '3', '--learning-rate', '1e7', '--momentum', '0.9', '--out', p('g.rbm'));
  t.is(boom.code, 1);
  t.regex(boom.stderr, /diverged at epoch 1, batch \d+ \(update \d+\).*last good checkpoint is the model given to --resume/);
  const after = await loadRbm(p('g.rbm'));
  t.deepEqual(after.rbm.weights, before.rbm.weights);
});

test('dbn train with --compare-random, then dbn eval', async (t) => {
  const tr = await ebm('dbn', 'train', '--data', p('pics-idx'), '--labels', p('labels-idx'), '--rescale', '--hidden', '8', '--pretrain-epochs', '5', '--epochs', '10', '--learning-rate', '0.3', '--compare-random', '--out', p('m.dbn'));
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stdout, /16-8-2 network/);
  t.regex(tr.stdout, /pretrained: train accuracy \d\.\d+/);
  t.regex(tr.stdout, /random init: train accuracy \d\.\d+/);
  t.log(tr.stdout.trim());
  const acc = Number(/pretrained: train accuracy (\d\.\d+)/.exec(tr.stdout)![1]);
  t.true(acc > 0.8, tr.stdout); // chance is 0.5; learning quality is tested in dbn-train.test.ts
  const ev = await ebm('dbn', 'eval', '--model', p('m.dbn'), '--data', p('pics-idx'), '--labels', p('labels-idx'));
  t.is(ev.code, 0, ev.stderr);
  t.is(ev.stdout, `accuracy ${acc.toFixed(4)} on 300 rows\n`);
});
