/**
 * Benchmark: DRIVE retinal vessels with ebmkit's documented U-Net recipe (issue 16's target: vessel F1 ≥ 0.80 and
 * accuracy ≥ 0.955 inside the field of view, training ≤ 15 minutes on 2 cores) beside the scikit-image recipe, in one
 * run, same split (20 training / 20 test images, 565×584) and the same scoring:
 *
 * - ebmkit: `ebm segment train … --ignore-masks training/fov --unary unet --time-budget 800`, then
 *   `ebm segment predict --probabilities` (CRF on top: pairwise weights and foreground bias fitted on the
 *   validation split);
 * - scikit-image: skimage_rf.py (multiscale_basic_features σ 1–8 + a 50-tree random forest, as in segment-drive).
 *
 * Each runs as a child process under /usr/bin/time -v (wall seconds, user + system CPU seconds, peak RSS); by
 * default one after the other (one heavy job at a time on a shared machine), with --parallel side by side. Scores come
 * from score.py (the segment-drive scorer, the same code for both): accuracy, vessel F1 and ROC AUC inside the FOV
 * and over all pixels.
 *
 *   EBM_CORPORA_DIR=/path/to/corpora nice -n 10 node --import tsx --conditions=ebmkit-source \
 *     scripts/bench/segment-drive/recipe.ts [--only unet,skimage] [--parallel] [--keep] [--no-write] [--python PATH]
 *
 * Needs Debian python3-skimage and python3-sklearn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineDescription, markdownTable, writeBenchmarkSection } from '../lib/report.js';
import { PYTHON, ebm, flag, here, log, runAndScore, scoreCells, timed, value, type Timed } from './common.js';

/** The documented recipe (docs/segment.md, README): a U-Net unary trained for 800 CPU seconds (≈ 870 CPU s of training in all with data loading and the pairwise stage, inside issue 16's 15 minutes). */
export const UNET_RECIPE_FLAGS = ['--unary', 'unet', '--time-budget', '800'];

interface Row {
  method: string;
  train: Timed;
  predict: Timed;
  /** Training seconds as the method reports them (scikit-image: its own timer; ebmkit: the process's wall). */
  trainSeconds: number;
  predictSeconds: number;
  out: string;
  load: [number, number];
}

async function main(): Promise<void> {
  const root = process.env['EBM_CORPORA_DIR'];
  if (!root) throw new Error('set EBM_CORPORA_DIR to the folder holding drive_retina/');
  const D = join(root, 'drive_retina');
  const only = (value('--only') ?? 'unet,skimage').split(',');
  const parallel = flag('--parallel');
  const work = mkdtempSync(join(tmpdir(), 'ebm-drive-recipe-'));
  const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const rows: Row[] = [];
  try {
    const unetRun = async (): Promise<Row> => {
      const l0 = loadavg()[0]!;
      const model = join(work, 'unet.model');
      const out = join(work, 'unet');
      const args = ['segment', 'train', '--images', join(D, 'training/images'), '--masks', join(D, 'training/vessels'), '--ignore-masks', join(D, 'training/fov'), '--out', model, ...UNET_RECIPE_FLAGS];
      log(`unet: ebm ${args.join(' ')}`);
      const train = await ebm(args);
      log(`unet: trained in ${train.seconds.toFixed(1)} s wall, ${train.cpuSeconds.toFixed(1)} CPU s, ${train.peakRssMiB.toFixed(0)} MiB`);
      for (const l of train.stderr.split('\n').filter((l) => /--size auto|warning|tfjs backend/.test(l))) log(`unet: ${l.trim()}`);
      const predict = await ebm(['segment', 'predict', '--model', model, '--images', join(D, 'test/images'), '--out', out, '--probabilities']);
      log(`unet: predicted in ${predict.seconds.toFixed(1)} s`);
      return { method: `ebmkit U-Net recipe (${UNET_RECIPE_FLAGS.join(' ')})`, train, predict, trainSeconds: train.seconds, predictSeconds: predict.seconds, out, load: [l0, loadavg()[0]!] };
    };
    const skimageRun = async (): Promise<Row> => {
      const l0 = loadavg()[0]!;
      const out = join(work, 'skimage');
      log('skimage: scikit-image + scikit-learn recipe');
      const r = await timed(PYTHON, [join(here, 'skimage_rf.py'), join(D, 'training'), join(D, 'test'), out]);
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { train_s: number; predict_s: number };
      log(`skimage: train ${j.train_s.toFixed(1)} s, predict ${j.predict_s.toFixed(1)} s, ${r.cpuSeconds.toFixed(1)} CPU s in all, ${r.peakRssMiB.toFixed(0)} MiB`);
      return { method: 'scikit-image + sklearn RF (skimage_rf.py)', train: r, predict: r, trainSeconds: j.train_s, predictSeconds: j.predict_s, out, load: [l0, loadavg()[0]!] };
    };
    const jobs: (() => Promise<Row>)[] = [];
    if (only.includes('unet')) jobs.push(unetRun);
    if (only.includes('skimage')) jobs.push(skimageRun);
    const done = await runAndScore(jobs, parallel, join(D, 'test'), (r) => r.method);
    rows.push(...done.map(([r]) => r));
    const scores = done.map(([, s]) => s);
    const ref = rows.find((r) => r.method.startsWith('scikit'));
    const table = markdownTable(
      ['method', 'acc (FOV)', 'F1 (FOV)', 'AUC (FOV)', 'acc (all)', 'F1 (all)', 'AUC (all)', 'train s (wall)', 'train ÷ skimage', 'process CPU s', 'predict s', 'peak RSS MiB', 'load (1 min) start → end'],
      rows.map((r, i) => {
        const s = scores[i]!;
        const cpu = r.train === r.predict ? r.train.cpuSeconds : r.train.cpuSeconds + r.predict.cpuSeconds;
        return [
          r.method,
          ...scoreCells(s),
          r.trainSeconds.toFixed(0),
          ref ? (r.trainSeconds / ref.trainSeconds).toFixed(2) : '-',
          r.train === r.predict ? `${cpu.toFixed(0)} (train + predict)` : `${r.train.cpuSeconds.toFixed(0)} train, ${r.predict.cpuSeconds.toFixed(0)} predict`,
          r.predictSeconds.toFixed(0),
          Math.max(r.train.peakRssMiB, r.predict.peakRssMiB).toFixed(0),
          `${r.load[0].toFixed(2)} → ${r.load[1].toFixed(2)}`,
        ];
      }),
    );
    const md = `## segment-drive-recipe: DRIVE retinal vessels, ebmkit's U-Net recipe vs scikit-image's trainable segmentation

Issue 16's recipe target: vessel F1 ≥ 0.80 and accuracy ≥ 0.955 inside the field of view (published U-Nets ≈ 0.81 /
0.955), training ≤ 15 minutes on 2 cores. Train: DRIVE training/ (20 images, 565×584; ebmkit holds 4 of them out
for its pairwise weights and foreground bias), ignore masks = the field-of-view masks; test: DRIVE test/ (20 images),
1st observer, scored at full resolution inside the FOV and over all pixels by score.py (the segment-drive scorer,
one script for both methods; AUC from the 16-bit foreground probability PNGs — ebmkit: mean-field marginals of the
CRF). ebmkit runs on tfjs's wasm backend, one thread; scikit-learn with n_jobs = 1. ${parallel ? 'The two ran concurrently (--parallel).' : 'The two ran one after the other (one heavy job at a time on a machine shared with other jobs).'}
Wall seconds and peak RSS from /usr/bin/time -v; scikit-image's train/predict split is the script's own timer.

${table}

Commands: \`ebm segment train --images training/images --masks training/vessels --ignore-masks training/fov --out vessels.model ${UNET_RECIPE_FLAGS.join(' ')}\`
then \`ebm segment predict --model vessels.model --images test/images --out pred --probabilities\`; scikit-image:
\`python3 scripts/bench/segment-drive/skimage_rf.py training test out\`.

Run (started ${started} UTC): \`EBM_CORPORA_DIR=… nice -n 10 node --import tsx --conditions=ebmkit-source scripts/bench/segment-drive/recipe.ts${parallel ? ' --parallel' : ''}\`.
Machine: ${machineDescription()}; shared with other jobs (load average per row), so absolute seconds are inflated —
the U-Net's training is bounded by its own CPU seconds (--time-budget), which the load does not change.`;
    process.stdout.write(`${md}\n`);
    for (const s of scores) log(JSON.stringify(s));
    if (!flag('--no-write')) await writeBenchmarkSection('segment-drive-recipe', md);
  } finally {
    if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

await main();
