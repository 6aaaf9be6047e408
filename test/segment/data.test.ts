import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, encodePngSamples } from '@ebmkit/core';
import {
  IGNORE_LABEL,
  listImages,
  loadLabelMap,
  loadSegmentationFolder,
  parsePalette,
  splitValidation,
} from '@ebmkit/segment';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-seg-data-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function encode(w: number, h: number, pixel: (x: number, y: number) => number[], mime: 'image/png' | 'image/jpeg' = 'image/png'): Promise<Buffer> {
  const { Jimp } = await import('jimp');
  const img = new Jimp({ width: w, height: h, color: 0x000000ff });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.bitmap.data.set([...pixel(x, y).slice(0, 3), 255], (y * w + x) * 4);
  return img.getBuffer(mime);
}

async function folder(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const d = join(dir, name);
  await mkdir(d, { recursive: true });
  for (const [f, content] of Object.entries(files)) await writeFile(join(d, f), content);
  return d;
}

const grey = (v: number) => () => [v, v, v];

/** A PNG of one solid colour, written with core's zlib encoder (fast even at 4000×3000). */
function solidPng(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const samples = new Uint8Array(3 * w * h);
  for (let p = 0; p < w * h; p++) samples.set(rgb, 3 * p);
  return encodePngSamples(w, h, 3, 8, samples);
}
const img = (w: number, h: number) => encode(w, h, (x, y) => [10 * x, 10 * y, 50]);

test('binary masks: threshold, and an ignore grey level becomes IGNORE_LABEL', async (t) => {
  const d = await folder('bin', { 'm.png': await encode(4, 1, (x) => [[0, 0, 0], [128, 128, 128], [200, 200, 200], [127, 127, 127]][x]!) });
  t.deepEqual(Array.from((await loadLabelMap(join(d, 'm.png'), { kind: 'binary' })).labels), [0, 1, 1, 0]);
  t.deepEqual(Array.from((await loadLabelMap(join(d, 'm.png'), { kind: 'binary', ignore: 128 })).labels), [0, IGNORE_LABEL, 1, 0]);
  t.deepEqual(Array.from((await loadLabelMap(join(d, 'm.png'), { kind: 'binary', ignore: 128, ignoreTolerance: 1 })).labels), [0, IGNORE_LABEL, 1, IGNORE_LABEL]);
});

test('palette masks: colours map to classes (and "ignore"); an unmapped colour is an error naming file and pixel', async (t) => {
  const palette = parsePalette(JSON.stringify({ colors: { '#000000': 0, '255,0,0': 1, '#00f': 2, '#808080': 'ignore' }, names: ['bg', 'red', 'blue'] }), 'p.json');
  t.is(palette.numLabels, 3);
  t.deepEqual(palette.names, ['bg', 'red', 'blue']);
  const d = await folder('pal', {
    'ok.png': await encode(4, 1, (x) => [[0, 0, 0], [255, 0, 0], [0, 0, 255], [128, 128, 128]][x]!),
    'bad.png': await encode(3, 2, (x, y) => (x === 2 && y === 1 ? [0, 255, 0] : [0, 0, 0])),
  });
  t.deepEqual(Array.from((await loadLabelMap(join(d, 'ok.png'), { kind: 'palette', palette })).labels), [0, 1, 2, IGNORE_LABEL]);
  const err = await t.throwsAsync(loadLabelMap(join(d, 'bad.png'), { kind: 'palette', palette }), { instanceOf: DataError });
  t.regex(err!.message, /bad\.png: pixel \(2, 1\) has colour #00ff00, which the palette does not map/);
});

test('palette JSON errors name the file: bad colour, bad class, gaps, one class', (t) => {
  t.throws(() => parsePalette('{"#zzz": 0, "#fff": 1}', 'a.json'), { message: /a\.json: "#zzz" is not a colour/ });
  t.throws(() => parsePalette('{"#000": 0, "#fff": -1}', 'b.json'), { message: /b\.json: colour "#fff" maps to -1/ });
  t.throws(() => parsePalette('{"#000": 0, "#fff": 2}', 'c.json'), { message: /c\.json: class 1 has no colour/ });
  t.throws(() => parsePalette('{"#000": 0}', 'd.json'), { message: /d\.json: a palette needs at least two classes/ });
  t.throws(() => parsePalette('not json', 'e.json'), { message: /e\.json: not valid JSON/ });
});

test('folders: pairs by basename; images resized to the mask under "resize", refused under "refuse"', async (t) => {
  const images = await folder('img1', { 'a.png': await img(8, 6), 'b.jpg': await img(16, 12) });
  const masks = await folder('msk1', { 'a.png': await encode(8, 6, grey(255)), 'b.png': await encode(8, 6, (x) => (x < 4 ? [0, 0, 0] : [255, 255, 255])) });
  const ex = await loadSegmentationFolder(images, masks);
  t.deepEqual(ex.map((e) => [e.name, e.image.width, e.image.height, e.maskWidth]), [
    ['a', 8, 6, 8],
    ['b', 8, 6, 8],
  ]);
  t.deepEqual(Array.from(ex[1]!.labels.subarray(0, 8)), [0, 0, 0, 0, 1, 1, 1, 1]);
  const err = await t.throwsAsync(loadSegmentationFolder(images, masks, { sizeRule: 'refuse' }), { instanceOf: DataError });
  t.regex(err!.message, /b\.jpg: image is 16×12 but its mask .*b\.png is 8×6 \(size rule 'refuse'/);
  // working size: longer side shrunk to maxSide, labels follow
  const small = await loadSegmentationFolder(images, masks, { maxSide: 4 });
  t.deepEqual([small[1]!.image.width, small[1]!.image.height, small[1]!.labels.length], [4, 3, 12]);
});

test('folders: a mask without an image, an image without a mask, an empty folder, a corrupt or truncated image: errors naming the file', async (t) => {
  const good = await img(4, 4);
  const m = await encode(4, 4, grey(0));
  const i1 = await folder('img2', { 'a.png': good });
  const m1 = await folder('msk2', { 'a.png': m, 'b.png': m });
  await t.throwsAsync(loadSegmentationFolder(i1, m1), { instanceOf: DataError, message: /msk2\/b\.png: no image with the same basename/ });
  await t.throwsAsync(loadSegmentationFolder(m1, i1), { instanceOf: DataError, message: /b\.png: no mask with the same basename/ });
  const empty = await folder('empty', {});
  await t.throwsAsync(loadSegmentationFolder(empty, m1), { instanceOf: DataError, message: /empty: no images/ });
  await t.throwsAsync(listImages(empty), { instanceOf: DataError, message: /empty: no images/ });
  const i3 = await folder('img3', { 'a.png': Buffer.from('this is not a png'), 'b.png': good.subarray(0, 40) });
  const m3 = await folder('msk3', { 'a.png': m, 'b.png': m });
  await t.throwsAsync(loadSegmentationFolder(i3, m3), { instanceOf: DataError, message: /img3\/a\.png: cannot decode the image/ });
  const i4 = await folder('img4', { 'b.png': good.subarray(0, 40) });
  const m4 = await folder('msk4', { 'b.png': m });
  await t.throwsAsync(loadSegmentationFolder(i4, m4), { instanceOf: DataError, message: /img4\/b\.png: cannot decode the image/ });
});

test('a 1×1 image and mask load and give one labelled pixel', async (t) => {
  const i = await folder('img5', { 'p.png': await encode(1, 1, grey(90)) });
  const m = await folder('msk5', { 'p.png': await encode(1, 1, grey(255)) });
  const ex = await loadSegmentationFolder(i, m, { maxSide: 128 });
  t.deepEqual([ex[0]!.image.width, ex[0]!.image.height, Array.from(ex[0]!.labels)], [1, 1, [1]]);
});

test('a 4000×3000 image is shrunk on load: only the working-size copy is kept and memory stays bounded', async (t) => {
  const i = await folder('img6', { 'big.png': solidPng(4000, 3000, [0x33, 0x66, 0x99]) });
  const m = await folder('msk6', { 'big.png': await encode(40, 30, (x) => (x < 20 ? [0, 0, 0] : [255, 255, 255])) });
  global.gc?.();
  const before = process.memoryUsage();
  const ex = await loadSegmentationFolder(i, m, { maxSide: 64 });
  const after = process.memoryUsage();
  t.deepEqual([ex[0]!.image.width, ex[0]!.image.height], [40, 30], 'resized to the mask (40×30), within maxSide');
  t.deepEqual(Array.from(ex[0]!.image.data.subarray(0, 3)), [0x33, 0x66, 0x99]);
  // decoding needs the RGBA bitmap (48 MB) and one RGB copy (36 MB) briefly; nothing of full size is retained
  t.is(ex[0]!.image.data.byteLength, 40 * 30 * 3);
  t.true(after.rss - before.rss < 600 * 2 ** 20, `rss grew by ${((after.rss - before.rss) / 2 ** 20).toFixed(0)} MiB`);
});

test('validation split is a seeded partition', (t) => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  const a = splitValidation(items, 0.3, 7);
  const b = splitValidation(items, 0.3, 7);
  t.deepEqual(a, b);
  t.is(a.validation.length, 3);
  t.deepEqual([...a.train, ...a.validation].sort((x, y) => x - y), items);
  t.not(JSON.stringify(splitValidation(items, 0.3, 8).validation), JSON.stringify(a.validation));
  t.is(splitValidation(items, 0, 1).validation.length, 0);
  t.throws(() => splitValidation(items, 1, 1), { instanceOf: RangeError });
});
