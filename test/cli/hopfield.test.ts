// `ebm hopfield store|recall` end to end (in process) on tiny generated data: a folder of PNGs (classical,
// Hebbian and pseudo-inverse) and a CSV file (modern), the PNG grid, and the error paths (exit codes 1 and 2).
import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, loadImage, writePng } from '@ebmkit/core';
import { loadHopfield } from '@ebmkit/core/energy';
import { runCli } from './helpers.ts';

let dir = '';
const p = (name: string) => join(dir, name);
const ebm = (...argv: string[]) => runCli(argv, { env: { EBM_BACKEND: 'cpu' } });

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-hopfield-'));
  // 5 random 8×8 black/white pictures
  const rng = createRng(11);
  await mkdir(p('pics'));
  for (let k = 0; k < 5; k++) {
    const gray = new Uint8Array(64);
    for (let i = 0; i < 64; i++) gray[i] = rng.uniform() < 0.5 ? 0 : 255;
    await writePng(p(`pics/p${k}.png`), { width: 8, height: 8, gray });
  }
  await mkdir(p('mixed'));
  await writePng(p('mixed/a.png'), { width: 8, height: 8, gray: new Uint8Array(64) });
  await writePng(p('mixed/b.png'), { width: 4, height: 8, gray: new Uint8Array(32) });
  // 30 rows of 16 Gaussian numbers, with a header
  const lines = [Array.from({ length: 16 }, (_, i) => `c${i}`).join(',')];
  for (let r = 0; r < 30; r++) lines.push(Array.from({ length: 16 }, () => rng.normal().toFixed(4)).join(','));
  await writeFile(p('rows.csv'), lines.join('\n') + '\n');
  await writeFile(p('bad.csv'), 'a,b\n1,2\n3,x\n');
});

test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('classical: store a folder of pictures, recall each from 10 % flips, grid PNG of the right size', async (t) => {
  const s = await ebm('hopfield', 'store', '--data', p('pics'), '--out', p('pics.hop'));
  t.is(s.code, 0, s.stderr);
  t.regex(s.stdout, /stored 5 patterns of 64 units .*hebbian, load P\/N 0\.078/);
  const saved = await loadHopfield(p('pics.hop'));
  t.is(saved.type, 'classical');
  const r = await ebm('hopfield', 'recall', '--model', p('pics.hop'), '--data', p('pics'), '--flip', '0.1', '--seed', '3', '--out', p('recall.png'), '--scale', '1');
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.is(lines.length, 6);
  for (let k = 0; k < 5; k++) t.regex(lines[k]!, new RegExp(`^query ${k + 1}: E .* → .*fixed point after \\d+ sweeps.*nearest stored pattern ${k + 1} \\(bits differ 0\\)`));
  // energies printed along the way never rise
  for (const line of lines.slice(0, 5)) {
    const es = /E (.*?);/.exec(line)![1]!.split(' → ').map(Number);
    for (let i = 1; i < es.length; i++) t.true(es[i]! <= es[i - 1]! + 1e-9, line);
  }
  const png = await loadImage(p('recall.png'));
  // columns = query + shown states + energy plot; rows = 5; tiles 8 px plus 1 px padding
  t.is(png.height, 1 + 5 * 9);
  t.is((png.width - 1) % 9, 0);
  t.true((png.width - 1) / 9 >= 3);
});

test('classical: synchronous recall and the pseudo-inverse rule', async (t) => {
  const s = await ebm('hopfield', 'store', '--data', p('pics'), '--rule', 'pseudo-inverse', '--out', p('pinv.hop'));
  t.is(s.code, 0, s.stderr);
  const r = await ebm('hopfield', 'recall', '-m', p('pinv.hop'), '--data', p('pics'), '--sync', '--json');
  t.is(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.is(rows.length, 5);
  rows.forEach((row, k) => {
    t.is(row.outcome, 'fixed-point after 1 steps');
    t.is(row.nearest, k + 1);
    t.is(row.distance, 0);
  });
});

test('modern: store CSV rows, recall from half-masked queries in one update', async (t) => {
  const s = await ebm('hopfield', 'store', '--data', p('rows.csv'), '--kind', 'modern', '--out', p('rows.hop'));
  t.is(s.code, 0, s.stderr);
  t.regex(s.stdout, /stored 30 patterns of 16 values \(modern, centred values, β [\d.e+-]+ from the data\)/);
  const r = await ebm('hopfield', 'recall', '-m', p('rows.hop'), '--data', p('rows.csv'), '--mask', '0.5', '--shape', '4x4', '--out', p('rows.png'), '--json');
  t.is(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.is(rows.length, 30);
  const hits = rows.filter((row, k) => row.nearest === k + 1).length;
  // grey rows of uneven norm, half masked: retrieval is good, not perfect (the ±1 coding below is the strong one)
  t.true(hits >= 25, `${hits} of 30 retrieved`);
  for (const row of rows) t.true(row.energies[1] <= row.energies[0] + 1e-9);
  // ±1 codes of the centred rows: same retrieval, energies on the sign patterns
  const sg = await ebm('hopfield', 'store', '--data', p('rows.csv'), '--kind', 'modern', '--code', 'sign', '--out', p('sign.hop'));
  t.is(sg.code, 0, sg.stderr);
  t.regex(sg.stdout, /±1 signs of the centred values/);
  const saved = await loadHopfield(p('sign.hop'));
  t.true(saved.type === 'modern' && saved.network.patterns.every((v) => v === 1 || v === -1));
  const rs = await ebm('hopfield', 'recall', '-m', p('sign.hop'), '--data', p('rows.csv'), '--mask', '0.25', '--json');
  t.regex(rs.stderr, /β [\d.e+-]+ for this recall \(the saved [\d.e+-]+ \/ 0\.75/);
  t.is(rs.code, 0, rs.stderr);
  const srows = rs.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.true(srows.filter((row, k) => row.nearest === k + 1).length >= 27);
});

test('usage errors exit 2', async (t) => {
  const a = await ebm('hopfield', 'store', '--data', p('rows.csv'), '--kind', 'modern', '--rule', 'hebbian', '--out', p('x.hop'));
  t.is(a.code, 2);
  t.regex(a.stderr, /--rule and --threshold apply to --kind classical/);
  const b = await ebm('hopfield', 'recall', '-m', p('nothing.hop'), '--data', p('pics'), '--mask', '2');
  t.is(b.code, 2);
  t.regex(b.stderr, /--mask/);
  const c = await ebm('hopfield', 'store', '--data', p('pics'), '--kind', 'classical', '--beta', '2', '--out', p('x.hop'));
  t.is(c.code, 2);
  const d = await ebm('hopfield', 'store', '--data', p('pics'), '--code', 'sign', '--out', p('x.hop'));
  t.is(d.code, 2);
  t.regex(d.stderr, /--beta and --code apply to --kind modern/);
  t.is((await ebm('hopfield', 'store', '--data', p('pics'), '--out', p('usage.hop'))).code, 0);
  const e = await ebm('hopfield', 'recall', '-m', p('usage.hop'), '--data', p('pics'), '--beta', '3');
  t.is(e.code, 2);
  t.regex(e.stderr, /--beta applies to modern networks/);
  const f = await ebm('hopfield', 'recall', '-m', p('usage.hop'), '--data', p('pics'), '--mask', '1');
  t.is(f.code, 2);
  t.regex(f.stderr, /nothing is left to recall from/);
});

test('bad data exits 1 with one line naming the file', async (t) => {
  const missing = await ebm('hopfield', 'store', '--data', p('nope.csv'), '--out', p('x.hop'));
  t.is(missing.code, 1);
  t.regex(missing.stderr, /nope\.csv/);
  const mixed = await ebm('hopfield', 'store', '--data', p('mixed'), '--out', p('x.hop'));
  t.is(mixed.code, 1);
  t.regex(mixed.stderr, /b\.png: image is 4×8, expected 8×8/);
  const bad = await ebm('hopfield', 'store', '--data', p('bad.csv'), '--out', p('x.hop'));
  t.is(bad.code, 1);
  t.regex(bad.stderr, /bad\.csv:3/);
  const tooMany = await ebm('hopfield', 'store', '--data', p('rows.csv'), '--rule', 'pseudo-inverse', '--out', p('x.hop'));
  t.is(tooMany.code, 1);
  t.regex(tooMany.stderr, /30 patterns of 16 units; the pseudo-inverse rule stores at most 15/);
  t.is((await ebm('hopfield', 'store', '--data', p('pics'), '--out', p('pics2.hop'))).code, 0);
  const width = await ebm('hopfield', 'recall', '-m', p('pics2.hop'), '--data', p('rows.csv'));
  t.is(width.code, 1);
  t.regex(width.stderr, /queries have 16 values, the network .* has 64/);
  // 20,000 units: W alone would be one 3.2 GB array
  await writeFile(p('wide.csv'), Array.from({ length: 20000 }, (_, i) => i % 2).join(',') + '\n');
  const wide = await ebm('hopfield', 'store', '--data', p('wide.csv'), '--no-header', '--out', p('x.hop'));
  t.is(wide.code, 1);
  t.regex(wide.stderr, /20000 units \(.*wide\.csv\) would need (one array of|about)/);
  for (const r of [missing, mixed, bad, tooMany, width, wide]) t.is(r.stderr.trim().split('\n').length, 1);
});
