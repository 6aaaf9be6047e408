/**
 * Benchmark 3 of @ebmkit/segment: the interactive mode (GrabCut as an energy: colour GMMs alternating with exact
 * graph cuts until the energy stops falling) against OpenCV's `cv2.grabCut` (5 iterations, the usual call) on the
 * Weizmann horses, with the bounding box of the reference mask as the rectangle. Error = fraction of pixels of the
 * whole image labelled wrong; time = the segmentation call alone (decoding excluded), single-threaded on both sides.
 *
 *   apt-get install python3-opencv
 *   EBM_CORPORA_DIR=/path/to/corpora node --import tsx --conditions=ebmkit-source \
 *     scripts/bench/segment-grabcut/grabcut.ts [--limit N] [--python /usr/bin/python3]
 *
 * Images: rgb/ resized to the mask size (masks align with gray/); rgb/horse318.jpg is broken upstream, so gray/ is
 * used for it (on both sides).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@ebmkit/core';
import { grabCut, loadLabelMap, loadWorkingImage, trimapFromRect, type Rect } from '@ebmkit/segment';
import { machineDescription, markdownTable, median, writeBenchmarkSection } from '../lib/report.js';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The horse pairs: name, image path (rgb/, or gray/ for the broken horse318), mask path. */
export function horsePairs(root: string): { name: string; image: string; mask: string }[] {
  const masks = readdirSync(join(root, 'figure_ground')).filter((f) => f.endsWith('.jpg')).sort();
  return masks.map((f) => {
    const name = f.replace(/\.jpg$/, '');
    const image = name === 'horse318' ? join(root, 'gray', f) : join(root, 'rgb', f);
    return { name, image, mask: join(root, 'figure_ground', f) };
  });
}

function boundingBox(labels: Uint8Array, w: number, h: number): Rect {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (labels[y * w + x] === 1) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

async function main(): Promise<void> {
  const root = process.env['EBM_CORPORA_DIR'];
  if (!root) throw new Error('set EBM_CORPORA_DIR to the folder holding weizmann_horse/');
  const horses = join(root, 'weizmann_horse');
  const limit = Number(arg('--limit', '0'));
  const python = arg('--python', '/usr/bin/python3')!;
  let pairs = horsePairs(horses);
  if (limit > 0) pairs = pairs.slice(0, limit);
  const ours: { name: string; error: number; ms: number; iterations: number; rect: Rect }[] = [];
  for (const pr of pairs) {
    const mask = await loadLabelMap(pr.mask, { kind: 'binary' });
    const { image } = await loadWorkingImage(pr.image, undefined, { width: mask.width, height: mask.height });
    const rect = boundingBox(mask.labels, mask.width, mask.height);
    const t0 = performance.now();
    const trimap = trimapFromRect(image.width, image.height, rect);
    const r = grabCut(image, trimap, { rng: createRng(1) });
    const ms = performance.now() - t0;
    let wrong = 0;
    for (let p = 0; p < r.mask.length; p++) if (r.mask[p] !== mask.labels[p]) wrong++;
    ours.push({ name: pr.name, error: wrong / r.mask.length, ms, iterations: r.iterations, rect });
  }
  const tmp = mkdtempSync(join(tmpdir(), 'ebm-grabcut-'));
  let cv: { name: string; error: number; ms: number }[];
  try {
    const list = join(tmp, 'pairs.json');
    writeFileSync(list, JSON.stringify(pairs.map((p, i) => ({ ...p, rect: [ours[i]!.rect.x, ours[i]!.rect.y, ours[i]!.rect.width, ours[i]!.rect.height] }))));
    const here = dirname(fileURLToPath(import.meta.url));
    const out = execFileSync(python, [join(here, 'opencv_grabcut.py'), list, '5'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    cv = out.trim().split('\n').map((l) => JSON.parse(l));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const wins = ours.filter((o, i) => o.error <= cv[i]!.error + 1e-12).length;
  const rows = [
    ['ebmkit grabCut', (100 * mean(ours.map((o) => o.error))).toFixed(2), (100 * median(ours.map((o) => o.error))).toFixed(2), mean(ours.map((o) => o.ms)).toFixed(1), median(ours.map((o) => o.ms)).toFixed(1), mean(ours.map((o) => o.iterations)).toFixed(1)],
    ['OpenCV cv2.grabCut (5 iterations)', (100 * mean(cv.map((o) => o.error))).toFixed(2), (100 * median(cv.map((o) => o.error))).toFixed(2), mean(cv.map((o) => o.ms)).toFixed(1), median(cv.map((o) => o.ms)).toFixed(1), '5'],
  ];
  const md = [
    '## segment-grabcut: interactive mode vs OpenCV grabCut',
    '',
    `Weizmann horses, ${pairs.length} images at mask resolution, rectangle = bounding box of the reference mask. Error = % of`,
    'all pixels labelled wrong. Time = the segmentation call only, one thread on both sides. ebmkit: 5-component',
    'full-covariance RGB GMMs per side, γ = 50, 8-connected contrast-sensitive Potts, exact BK graph cut over the',
    'rectangle, iterated until the energy falls by less than 0.3 % (at most 10 iterations).',
    '',
    markdownTable(['method', 'mean error %', 'median error %', 'mean ms', 'median ms', 'iterations'], rows),
    '',
    `ebmkit's error ≤ OpenCV's on ${wins} of ${pairs.length} images. Target: mean error ≤ OpenCV's, time ≤ OpenCV's.`,
    '',
    `Command: \`EBM_CORPORA_DIR=… node --import tsx --conditions=ebmkit-source scripts/bench/segment-grabcut/grabcut.ts${limit > 0 ? ` --limit ${limit}` : ''}\``,
    `(needs \`apt-get install python3-opencv\`; run with Debian's /usr/bin/python3). Machine: ${machineDescription()}.`,
  ].join('\n');
  await writeBenchmarkSection('segment-grabcut', md);
  process.stdout.write(md + '\n');
}

await main();
