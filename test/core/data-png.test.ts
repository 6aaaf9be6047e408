// PNG writing (core's one encoder for grey and RGB pictures): exact pixels back through loadImage, atomic file
// replacement, sizes checked.
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodePng, loadImage, writePng } from '@ebmkit/core';

const dir = mkdtempSync(path.join(tmpdir(), 'ebm-png-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('greyscale and RGB pictures come back pixel for pixel; rewriting a file leaves no temporary behind', async (t) => {
  const grayFile = path.join(dir, 'gray.png');
  const gray = Uint8Array.from([0, 50, 100, 150, 200, 255]);
  await writePng(grayFile, { width: 3, height: 2, gray });
  const g = await loadImage(grayFile);
  t.deepEqual([g.width, g.height], [3, 2]);
  for (let p = 0; p < 6; p++) t.deepEqual(Array.from(g.data.subarray(3 * p, 3 * p + 3)), [gray[p], gray[p], gray[p]]);

  const rgbFile = path.join(dir, 'rgb.png');
  const data = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  await writePng(rgbFile, { width: 2, height: 2, data });
  await writePng(rgbFile, { width: 2, height: 2, data });
  const c = await loadImage(rgbFile);
  t.deepEqual([c.width, c.height], [2, 2]);
  t.deepEqual(Array.from(c.data), Array.from(data));
  t.deepEqual(readdirSync(dir).sort(), ['gray.png', 'rgb.png']);
});

test('a pixel array that does not fit the size is refused with both numbers', async (t) => {
  await t.throwsAsync(encodePng({ width: 2, height: 2, data: new Uint8Array(11) }), { message: /11 values for a 2×2 RGB picture/ });
  await t.throwsAsync(encodePng({ width: 3, height: 1, gray: new Uint8Array(4) }), { message: /4 values for a 3×1 greyscale picture/ });
});
