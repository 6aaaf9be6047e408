// `ebm segment train|predict|eval|interactive` in process, on small generated image folders.
import test from 'ava';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, loadImage } from '@ebmkit/core';
import { encodePng, maskImage } from '@ebmkit/segment';
import { runCli } from '../cli/helpers.ts';
import { syntheticExample } from './helpers.js';

let dir = '';
let images = '';
let masks = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-seg-cli-'));
  images = join(dir, 'images');
  masks = join(dir, 'masks');
  await mkdir(images);
  await mkdir(masks);
  const rng = createRng(3);
  for (let i = 0; i < 10; i++) {
    const ex = syntheticExample(rng, 40, 30, 20);
    await writeFile(join(images, `img${i}.png`), await encodePng(ex.image));
    await writeFile(join(masks, `img${i}.png`), await encodePng(maskImage(ex.labels, 40, 30, [0, 0xffffff])));
  }
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test.serial('train → predict → eval on a generated folder; the model segments well; CSV has one row per image', async (t) => {
  const model = join(dir, 'm.model');
  const tr = await runCli(['segment', 'train', '--images', images, '--masks', masks, '--out', model, '--size', '32', '--unary', 'linear']);
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stdout, /VAL ERR/);
  const out = join(dir, 'pred');
  const pr = await runCli(['segment', 'predict', '--model', model, '--images', images, '--out', out, '--overlay']);
  t.is(pr.code, 0, pr.stderr);
  const files = (await readdir(out)).sort();
  t.is(files.length, 20);
  const m = await loadImage(join(out, 'img0.png'));
  t.deepEqual([m.width, m.height], [40, 30], 'masks at the image size');
  t.true(Array.from(m.data).every((v) => v === 0 || v === 255), 'binary masks are black and white');
  const csv = join(dir, 'scores.csv');
  const ev = await runCli(['segment', 'eval', '--model', model, '--images', images, '--masks', masks, '--csv', csv]);
  t.is(ev.code, 0, ev.stderr);
  const acc = Number(/pixel accuracy\s+([0-9.]+)/.exec(ev.stdout)?.[1]);
  t.true(acc > 0.9, `pixel accuracy ${acc}\n${ev.stdout}`);
  t.regex(ev.stdout, /IoU foreground/);
  t.regex(ev.stdout, /boundary F/);
  const lines = (await readFile(csv, 'utf8')).trim().split('\n');
  t.is(lines[0], 'image,pixels,accuracy,iou_background,iou_foreground,boundary_f');
  t.is(lines.length, 11);
});

test.serial('defaults (size auto, unary auto) with ignore masks; predict --probabilities writes 16-bit maps and keeps going past a corrupt image; eval gives F1 and AUC', async (t) => {
  // region masks: the left quarter of every image is outside the region (no label in training or scoring)
  const rois = join(dir, 'rois');
  await mkdir(rois, { recursive: true });
  const roi = new Uint8Array(40 * 30).map((_, p) => (p % 40 < 10 ? 0 : 1));
  for (let i = 0; i < 10; i++) await writeFile(join(rois, `img${i}.png`), await encodePng(maskImage(roi, 40, 30, [0, 0xffffff])));
  const model = join(dir, 'auto.model');
  const tr = await runCli(['segment', 'train', '--images', images, '--masks', masks, '--ignore-masks', rois, '--out', model, '--time-budget', '4', '--trees', '12']);
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stderr, /--size auto: \d+ px/);
  t.regex(tr.stderr, /--unary auto chose (forest|linear|cnn)/);
  t.regex(tr.stderr, /unary forest: validation error/);
  // a folder with one corrupt file among good ones
  const mixed = join(dir, 'mixed');
  await mkdir(mixed, { recursive: true });
  for (const f of ['img0.png', 'img1.png']) await writeFile(join(mixed, f), await readFile(join(images, f)));
  await writeFile(join(mixed, 'broken.png'), 'not a png');
  const out = join(dir, 'pred-auto');
  const pr = await runCli(['segment', 'predict', '--model', model, '--images', mixed, '--out', out, '--probabilities']);
  t.is(pr.code, 1, pr.stderr);
  t.regex(pr.stderr, /broken\.png/);
  t.regex(pr.stderr, /1 of 3 images could not be read/);
  const files = (await readdir(out)).sort();
  t.deepEqual(files, ['img0.png', 'img0.prob.png', 'img1.png', 'img1.prob.png']);
  const prob = await readFile(join(out, 'img0.prob.png'));
  t.is(prob[24], 16, '16-bit depth');
  t.is(prob[25], 0, 'greyscale');
  const ev = await runCli(['segment', 'eval', '--model', model, '--images', images, '--masks', masks, '--ignore-masks', rois]);
  t.is(ev.code, 0, ev.stderr);
  t.is(Number(/pixels\s+(\d+)/.exec(ev.stdout)?.[1]), 10 * 30 * 30, 'only pixels inside the region are scored');
  const f1 = Number(/F1 foreground\s+([0-9.]+)/.exec(ev.stdout)?.[1]);
  const auc = Number(/ROC AUC foreground\s+([0-9.]+)/.exec(ev.stdout)?.[1]);
  t.true(f1 > 0.8 && auc > 0.9, `F1 ${f1}, AUC ${auc}\n${ev.stdout}`);
});

test.serial('interactive: a rectangle around the object gives a mask close to the truth', async (t) => {
  const rng = createRng(9);
  const ex = syntheticExample(rng, 60, 45, 15);
  const file = join(dir, 'one.png');
  await writeFile(file, await encodePng(ex.image));
  let x0 = 60, y0 = 45, x1 = 0, y1 = 0;
  ex.labels.forEach((l, p) => {
    if (!l) return;
    const x = p % 60, y = Math.floor(p / 60);
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  });
  const out = join(dir, 'one-mask.png');
  const r = await runCli(['segment', 'interactive', '--image', file, '--rect', `${x0},${y0},${x1 - x0 + 1},${y1 - y0 + 1}`, '--out', out, '--overlay', join(dir, 'one-overlay.png')]);
  t.is(r.code, 0, r.stderr);
  const m = await loadImage(out);
  let wrong = 0;
  ex.labels.forEach((l, p) => (wrong += (m.data[3 * p]! > 127 ? 1 : 0) !== l ? 1 : 0));
  t.true(wrong / ex.labels.length < 0.05, `error ${wrong / ex.labels.length}`);
});

test.serial('usage and data errors: exit 2 for bad flags, 1 with the file named for bad data', async (t) => {
  const r1 = await runCli(['segment', 'interactive', '--image', 'x.png', '--out', 'y.png']);
  t.is(r1.code, 2);
  t.regex(r1.stderr, /exactly one of --rect and --trimap/);
  const r2 = await runCli(['segment', 'interactive', '--image', join(images, 'img0.png'), '--rect', '1,2,3', '--out', join(dir, 'z.png')]);
  t.is(r2.code, 2);
  t.regex(r2.stderr, /--rect expects x,y,w,h/);
  const lone = join(dir, 'lone-masks');
  await mkdir(lone);
  await writeFile(join(lone, 'other.png'), await readFile(join(masks, 'img0.png')));
  const r3 = await runCli(['segment', 'train', '--images', images, '--masks', lone, '--out', join(dir, 'x.model')]);
  t.is(r3.code, 1);
  t.regex(r3.stderr, /img0\.png: no mask with the same basename/);
  const r4 = await runCli(['segment', 'predict', '--model', join(dir, 'missing.model'), '--images', images, '--out', join(dir, 'p2')]);
  t.is(r4.code, 1);
  t.regex(r4.stderr, /missing\.model/);
  const r5 = await runCli(['segment', 'train', '--help']);
  t.is(r5.code, 0);
  t.regex(r5.stdout, /--algorithm/);
  t.notRegex(r5.stdout, /--learner|--negatives\b/, 'deprecated spellings are not advertised');
});

test.serial('--algorithm names an SSVM learner of the registry; the old --learner ssvm --ssvm NAME still works with a deprecation note', async (t) => {
  const common = ['segment', 'train', '--images', images, '--masks', masks, '--size', '32', '--unary', 'linear', '--passes', '3'];
  const a = await runCli([...common, '--algorithm', 'perceptron', '--out', join(dir, 'alg.model')]);
  t.is(a.code, 0, a.stderr);
  t.regex(a.stdout, /perceptron/);
  const b = await runCli([...common, '--learner', 'ssvm', '--ssvm', 'perceptron', '--out', join(dir, 'old.model')]);
  t.is(b.code, 0, b.stderr);
  t.regex(b.stderr, /--learner is deprecated; use --algorithm/);
  t.regex(b.stderr, /--ssvm is deprecated; use --algorithm/);
  t.regex(b.stdout, /perceptron/);
  const c = await runCli([...common, '--algorithm', 'nosuch', '--out', join(dir, 'bad.model')]);
  t.is(c.code, 2);
});

test.serial('--unary unet: trains for its --time-budget, saves, loads and predicts through the same model path', async (t) => {
  const model = join(dir, 'unet.model');
  const tr = await runCli(['segment', 'train', '--images', images, '--masks', masks, '--out', model, '--size', '40', '--unary', 'unet', '--time-budget', '3']);
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stdout, /unet/);
  const out = join(dir, 'pred-unet');
  const pr = await runCli(['segment', 'predict', '--model', model, '--images', images, '--out', out, '--probabilities']);
  t.is(pr.code, 0, pr.stderr);
  const m = await loadImage(join(out, 'img0.png'));
  t.deepEqual([m.width, m.height], [40, 30], 'masks at the image size');
  const ev = await runCli(['segment', 'eval', '--model', model, '--images', images, '--masks', masks]);
  t.is(ev.code, 0, ev.stderr);
  const acc = Number(/pixel accuracy\s+([0-9.]+)/.exec(ev.stdout)?.[1]);
  t.true(acc > 0.9, `pixel accuracy ${acc}\n${ev.stdout}`);
});
