/**
 * Default training time on 20 images of 512² (issue 16: ≤ 5 minutes on 2 cores, ≤ 2 GB RSS): the central 512 × 512
 * windows of DRIVE's 20 training images, vessel masks and field-of-view masks are written to a temporary folder, and
 * `ebm segment train` runs there with its defaults (plus `--ignore-masks` for the FOV) under /usr/bin/time -v: wall
 * seconds, CPU seconds (user + system), peak RSS, and what `--size auto` and `--unary auto` chose.
 *
 *   EBM_CORPORA_DIR=/path/to/corpora node --import tsx --conditions=ebmkit-source scripts/bench/segment-drive/time512.ts [--no-write]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePngSamples, loadImage } from '@ebmkit/core';
import { machineDescription, writeBenchmarkSection } from '../lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const SIDE = 512;

/** The central SIDE × SIDE window of an image, written as an 8-bit RGB PNG. */
async function cropTo(src: string, dst: string): Promise<void> {
  const img = await loadImage(src);
  if (img.width < SIDE || img.height < SIDE) throw new Error(`${src}: ${img.width}×${img.height} is smaller than ${SIDE}²`);
  const x0 = (img.width - SIDE) >> 1;
  const y0 = (img.height - SIDE) >> 1;
  const out = new Uint8Array(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) out.set(img.data.subarray(((y0 + y) * img.width + x0) * 3, ((y0 + y) * img.width + x0 + SIDE) * 3), y * SIDE * 3);
  writeFileSync(dst, encodePngSamples(SIDE, SIDE, 3, 8, out));
}

async function main(): Promise<void> {
  const root = process.env['EBM_CORPORA_DIR'];
  if (!root) throw new Error('set EBM_CORPORA_DIR to the folder holding drive_retina/');
  const D = join(root, 'drive_retina', 'training');
  const work = mkdtempSync(join(tmpdir(), 'ebm-512-'));
  try {
    for (const sub of ['images', 'vessels', 'fov']) {
      mkdirSync(join(work, sub));
      for (const f of readdirSync(join(D, sub)).filter((f) => f.endsWith('.png')).sort()) await cropTo(join(D, sub, f), join(work, sub, f));
    }
    const n = readdirSync(join(work, 'images')).length;
    const load0 = loadavg()[0]!;
    const args = ['segment', 'train', '--images', join(work, 'images'), '--masks', join(work, 'vessels'), '--ignore-masks', join(work, 'fov'), '--out', join(work, 'm.model')];
    const t0 = performance.now();
    const { code, stderr, stdout } = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-v', process.execPath, ...process.execArgv, join(repo, 'packages/cli/src/ebm.ts'), ...args], { cwd: repo });
      let e = '';
      let o = '';
      child.stderr.on('data', (b: Buffer) => (e += b.toString()));
      child.stdout.on('data', (b: Buffer) => (o += b.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: e, stdout: o }));
    });
    const wall = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`ebm segment train failed (${code}):\n${stderr.slice(-3000)}`);
    const num = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? NaN);
    const cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
    const rss = num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
    const notes = stderr.split('\n').filter((l) => /--size auto|unary \w+:|forest: |--unary auto chose|warning/.test(l)).map((l) => l.trim());
    const load1 = loadavg()[0]!;
    const md = [
      '## segment-defaults-512: default training time on 20 images of 512²',
      '',
      `The central 512 × 512 windows of DRIVE's ${n} training images (vessel masks, field-of-view masks as \`--ignore-masks\`),`,
      '`ebm segment train` with its defaults. Targets (issue 16): ≤ 5 minutes on 2 cores and ≤ 2 GB RSS.',
      '',
      `| wall s | CPU s (user + system) | peak RSS MiB | 1-min load before / after |`,
      '| --- | --- | --- | --- |',
      `| ${wall.toFixed(0)} | ${cpu.toFixed(0)} | ${rss.toFixed(0)} | ${load0.toFixed(1)} / ${load1.toFixed(1)} |`,
      '',
      'What the defaults chose:',
      '',
      ...notes.map((l) => `    ${l}`),
      '',
      `Targets: time ${wall <= 300 ? 'met' : 'NOT met'} (wall on a shared machine; CPU ${cpu <= 600 ? '≤' : '>'} 2 cores × 300 s), RSS ${rss <= 2048 ? 'met' : 'NOT met'}.`,
      '',
      'Command: `EBM_CORPORA_DIR=… node --import tsx --conditions=ebmkit-source scripts/bench/segment-drive/time512.ts`.',
      `Machine: ${machineDescription()}.`,
    ].join('\n');
    process.stderr.write(stdout);
    if (!process.argv.includes('--no-write')) await writeBenchmarkSection('segment-defaults-512', md);
    process.stdout.write(md + '\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
