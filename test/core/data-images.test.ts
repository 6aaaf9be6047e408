import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, loadImage, loadMask, pairImageMaskFolders } from '@ebmkit/core';

const corpora = process.env.EBM_CORPORA_DIR;
const corpusTest = corpora ? test : test.skip;

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-images-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Encodes a w×h RGBA picture given by `pixel(x, y) → [r, g, b, a]` with jimp. */
async function encode(w: number, h: number, pixel: (x: number, y: number) => number[], mime: 'image/png' | 'image/bmp' | 'image/jpeg' = 'image/png'): Promise<Buffer> {
  const { Jimp } = await import('jimp');
  const img = new Jimp({ width: w, height: h, color: 0x000000ff });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) img.bitmap.data.set(pixel(x, y), (y * w + x) * 4);
  }
  return img.getBuffer(mime);
}

async function folder(name: string, files: Record<string, Buffer | string>): Promise<string> {
  const d = join(dir, name);
  await mkdir(d, { recursive: true });
  for (const [f, content] of Object.entries(files)) await writeFile(join(d, f), content);
  return d;
}

const px = (x: number, y: number) => [10 * x, 20 * y, x + y, 255];

test('loadImage returns interleaved RGB with exact PNG and BMP pixels', async (t) => {
  const d = await folder('rgb', { 'a.png': await encode(4, 3, px), 'b.BMP': await encode(4, 3, px, 'image/bmp') });
  for (const f of ['a.png', 'b.BMP']) {
    const img = await loadImage(join(d, f));
    t.is(img.width, 4);
    t.is(img.height, 3);
    t.is(img.data.length, 4 * 3 * 3);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) t.deepEqual(Array.from(img.data.subarray((y * 4 + x) * 3, (y * 4 + x + 1) * 3)), px(x, y).slice(0, 3), `${f} (${x},${y})`);
    }
  }
});

test('loadMask thresholds max(R,G,B)·alpha at 128 by default, or at a given threshold', async (t) => {
  const values = [[0, 0, 0, 255], [127, 127, 127, 255], [128, 128, 128, 255], [255, 0, 0, 255], [200, 200, 200, 100], [255, 255, 255, 255]];
  const d = await folder('masks-thr', { 'm.png': await encode(6, 1, (x) => values[x]!) });
  t.deepEqual(Array.from((await loadMask(join(d, 'm.png'))).data), [0, 0, 1, 1, 0, 1]);
  t.deepEqual(Array.from((await loadMask(join(d, 'm.png'), { threshold: 50 })).data), [0, 1, 1, 1, 1, 1]);
  const jpg = await folder('masks-jpg', { 'm.jpg': await encode(8, 8, (x) => (x < 4 ? [0, 0, 0, 255] : [255, 255, 255, 255]), 'image/jpeg') });
  const m = await loadMask(join(jpg, 'm.jpg'));
  t.deepEqual(Array.from(m.data.subarray(0, 8)), [0, 0, 0, 0, 1, 1, 1, 1], 'JPEG ringing is thresholded away');
  await t.throwsAsync(loadMask(join(d, 'm.png'), { threshold: 0 }), { instanceOf: RangeError });
});

test('pairs images and masks by basename across extensions and letter case', async (t) => {
  const png = await encode(2, 2, px);
  const images = await folder('p/images', { 'b.JPG': await encode(2, 2, px, 'image/jpeg'), 'a.png': png, 'c.jpeg': png, 'README.txt': 'not an image', '.hidden.png': png });
  const masks = await folder('p/masks', { 'a.bmp': png, 'b.png': png, 'c.PNG': png, 'SHA256SUMS': 'x' });
  t.deepEqual(await pairImageMaskFolders(images, masks), [
    { name: 'a', image: join(images, 'a.png'), mask: join(masks, 'a.bmp') },
    { name: 'b', image: join(images, 'b.JPG'), mask: join(masks, 'b.png') },
    { name: 'c', image: join(images, 'c.jpeg'), mask: join(masks, 'c.PNG') },
  ]);
});

test('a file without a partner, a duplicate basename and an empty folder are named', async (t) => {
  const png = await encode(2, 2, px);
  const images = await folder('q/images', { 'a.png': png, 'b.png': png, 'c.png': png });
  const masks = await folder('q/masks', { 'a.png': png, 'c.png': png });
  const e = await t.throwsAsync(pairImageMaskFolders(images, masks), { instanceOf: DataError, message: `${join(images, 'b.png')}: no mask with the same basename in ${masks}` });
  t.is(e?.file, join(images, 'b.png'));
  await writeFile(join(masks, 'b.png'), png);
  await writeFile(join(masks, 'd.jpg'), png);
  await writeFile(join(masks, 'e.jpg'), png);
  await t.throwsAsync(pairImageMaskFolders(images, masks), { message: `${join(masks, 'd.jpg')}: no image with the same basename in ${images} (nor for ${join(masks, 'e.jpg')})` });
  await rm(join(masks, 'd.jpg'));
  await rm(join(masks, 'e.jpg'));
  await writeFile(join(images, 'a.JPEG'), png);
  await t.throwsAsync(pairImageMaskFolders(images, masks), { message: `${join(images, 'a.png')}: duplicate basename "a": ${join(images, 'a.JPEG')} has it too (which one is meant?)` });
  const empty = await folder('q/empty', { 'notes.txt': 'x' });
  await t.throwsAsync(pairImageMaskFolders(empty, masks), { message: `${empty}: no images (expected files ending in .png, .jpg, .jpeg, .bmp)` });
  await t.throwsAsync(pairImageMaskFolders(join(dir, 'nowhere'), masks), { message: /nowhere: no such folder$/ });
});

test('a truncated or corrupt image is a DataError naming the file', async (t) => {
  const png = await encode(16, 16, px);
  const d = await folder('broken', { 'cut.png': png.subarray(0, png.length >> 1), 'text.png': 'hello, not a picture' });
  for (const f of ['cut.png', 'text.png']) {
    const path = join(d, f);
    const e = await t.throwsAsync(loadImage(path), { instanceOf: DataError });
    t.true(e!.message.startsWith(`${path}: cannot decode the image`), e!.message);
    await t.throwsAsync(loadMask(path), { instanceOf: DataError, message: /cannot decode the image/ });
  }
  await t.throwsAsync(loadImage(join(d, 'absent.png')), { message: /absent\.png: no such file$/ });
});

corpusTest('Weizmann horses: 328 gray/figure-ground pairs; a mask matches its image size', async (t) => {
  const root = join(corpora!, 'weizmann_horse');
  const pairs = await pairImageMaskFolders(join(root, 'gray'), join(root, 'figure_ground'));
  t.is(pairs.length, 328);
  t.is(pairs[0]!.name, 'horse001');
  const img = await loadImage(pairs[0]!.image);
  const mask = await loadMask(pairs[0]!.mask);
  t.is(mask.width, img.width);
  t.is(mask.height, img.height);
  const fg = mask.data.reduce((s, v) => s + v, 0) / mask.data.length;
  t.true(fg > 0.05 && fg < 0.45, `foreground fraction ${fg}`);
});
