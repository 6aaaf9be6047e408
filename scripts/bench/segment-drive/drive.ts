/**
 * Benchmark: DRIVE retinal vessels (20 training / 20 test images, 565×584, the standard split), scored at full
 * resolution inside the field of view and over all pixels. Side by side in one run, each as a child process timed
 * by wall clock with its peak RSS from /usr/bin/time:
 *
 * - ebmkit defaults: `ebm segment train --images … --masks … --ignore-masks training/fov --out …` (size auto,
 *   unary auto), then `ebm segment predict --probabilities`;
 * - ebmkit's documented recipe (the same with RECIPE_FLAGS below);
 * - the scikit-image recipe (skimage_rf.py: multiscale_basic_features σ 1–8 + RandomForestClassifier 50 trees,
 *   depth 14, 400 000 sampled pixels, one core).
 *
 * All predictions are scored by score.py (the same code for every method): accuracy, vessel F1 and ROC AUC (from the
 * probability PNGs).
 *
 *   EBM_CORPORA_DIR=/path/to/corpora node --import tsx --conditions=ebmkit-source scripts/bench/segment-drive/drive.ts \
 *     [--only defaults,recipe,skimage] [--parallel] [--keep] [--no-write]
 *
 * Needs Debian python3-skimage and python3-sklearn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineDescription, markdownTable, writeBenchmarkSection } from '../lib/report.js';
import { PYTHON, ebm, flag, here, log, runAndScore, scoreCells, timed, value, type Timed } from './common.js';

/** A stronger forest (`--only recipe`): more trees, more sampled pixels, deeper trees. The documented best recipe is the U-Net (recipe.ts). */
export const RECIPE_FLAGS = ['--unary', 'forest', '--trees', '96', '--samples', '600000', '--depth', '20'];

interface Row {
  method: string;
  command: string;
  train: Timed;
  predict: Timed;
  out: string;
  chosen?: string;
}

async function main(): Promise<void> {
  const root = process.env['EBM_CORPORA_DIR'];
  if (!root) throw new Error('set EBM_CORPORA_DIR to the folder holding drive_retina/');
  const D = join(root, 'drive_retina');
  const only = (value('--only') ?? 'defaults,recipe,skimage').split(',');
  const parallel = flag('--parallel');
  const work = mkdtempSync(join(tmpdir(), 'ebm-drive-'));
  const loadStart = loadavg()[0]!;
  const rows: Row[] = [];
  try {
    const ebmRun = async (method: string, extra: string[]): Promise<Row> => {
      const model = join(work, `${method.replace(/\W+/g, '-')}.model`);
      const out = join(work, method.replace(/\W+/g, '-'));
      const trainArgs = ['segment', 'train', '--images', join(D, 'training/images'), '--masks', join(D, 'training/vessels'), '--ignore-masks', join(D, 'training/fov'), '--out', model, ...extra];
      log(`${method}: ebm ${trainArgs.join(' ')}`);
      const train = await ebm(trainArgs);
      const chosen = /--unary auto chose (\w+)/.exec(train.stderr)?.[1] ?? /--unary (\w+)/.exec(extra.join(' '))?.[1];
      log(`${method}: trained in ${train.seconds.toFixed(1)} s (${train.cpuSeconds.toFixed(1)} CPU s), ${train.peakRssMiB.toFixed(0)} MiB${chosen ? `, unary ${chosen}` : ''}`);
      // what training decided (candidates tried, stopped or skipped; the forest's stages)
      for (const line of train.stderr.split('\n')) if (/^(unary |forest: |--unary auto|--size auto)/.test(line.replace(/^ebm: /, ''))) log(`${method}: ${line}`);
      const predict = await ebm(['segment', 'predict', '--model', model, '--images', join(D, 'test/images'), '--out', out, '--probabilities']);
      log(`${method}: predicted in ${predict.seconds.toFixed(1)} s`);
      return { method, command: `ebm segment train … ${extra.join(' ')}`.trim(), train, predict, out, ...(chosen ? { chosen } : {}) };
    };
    const skimageRun = async (): Promise<Row> => {
      const out = join(work, 'skimage');
      log('scikit-image + scikit-learn recipe');
      const r = await timed(PYTHON, [join(here, 'skimage_rf.py'), join(D, 'training'), join(D, 'test'), out]);
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { train_s: number; train_cpu_s: number; predict_s: number };
      // the script times its own stages (one process trains and predicts); RSS is the whole process's peak
      log(`skimage: train ${j.train_s.toFixed(1)} s, predict ${j.predict_s.toFixed(1)} s, ${r.peakRssMiB.toFixed(0)} MiB`);
      return { method: 'scikit-image + sklearn RF', command: 'python3 skimage_rf.py', train: { ...r, seconds: j.train_s, cpuSeconds: j.train_cpu_s }, predict: { ...r, seconds: j.predict_s }, out };
    };
    const jobs: (() => Promise<Row>)[] = [];
    if (only.includes('defaults')) jobs.push(() => ebmRun('ebmkit defaults', []));
    if (only.includes('recipe')) jobs.push(() => ebmRun('ebmkit recipe', RECIPE_FLAGS));
    if (only.includes('skimage')) jobs.push(skimageRun);
    const done = await runAndScore(jobs, parallel, join(D, 'test'), (r) =>
      `${r.method}: train ${r.train.seconds.toFixed(1)} s, predict ${r.predict.seconds.toFixed(1)} s, peak RSS ${r.train.peakRssMiB.toFixed(0)} MiB`);
    rows.push(...done.map(([r]) => r));
    const scores = done.map(([, s]) => s);
    const loadEnd = loadavg()[0]!;
    const ref = rows.find((r) => r.method.startsWith('scikit'));
    const table = markdownTable(
      ['method', 'unary', 'acc (FOV)', 'F1 (FOV)', 'AUC (FOV)', 'acc (all)', 'F1 (all)', 'AUC (all)', 'train s', 'train ÷ skimage', 'train CPU s', 'predict s', 'peak RSS MiB (train)'],
      rows.map((r, i) => {
        const s = scores[i]!;
        return [
          r.method,
          r.chosen ?? '-',
          ...scoreCells(s),
          r.train.seconds.toFixed(0),
          ref ? (r.train.seconds / ref.train.seconds).toFixed(2) : '-',
          r.train.cpuSeconds.toFixed(0),
          r.predict.seconds.toFixed(0),
          r.train.peakRssMiB.toFixed(0),
        ];
      }),
    );
    const md = `## segment-drive: DRIVE retinal vessels, ebmkit vs scikit-image's trainable segmentation

Train: DRIVE training/ (20 images, 565×584), ignore masks = the field-of-view masks (pixels outside carry no label);
test: DRIVE test/ (20 images), 1st observer, scored at full resolution inside the FOV and over all pixels by one
script (score.py) for every method. AUC from each method's 16-bit foreground probability PNGs (ebmkit: mean-field
marginals of the CRF). Every method runs as a child process in this run; train seconds are wall
clock (scikit-image: the script's own timer around feature extraction + forest fit), train CPU s the process's
user + system time (scikit-image: \`time.process_time()\` around the same stages), peak RSS from /usr/bin/time.
ebmkit is single-threaded; scikit-learn runs with its default n_jobs = 1.${parallel ? ' The methods ran concurrently (--parallel), so each saw the same machine load.' : ''}

${table}

Commands: ebmkit defaults: \`ebm segment train --images training/images --masks training/vessels --ignore-masks training/fov --out vessels.model\`
then \`ebm segment predict --model vessels.model --images test/images --out pred --probabilities\`;${only.includes('recipe') ? ` forest recipe: the same train
command with \`${RECIPE_FLAGS.join(' ')}\`;` : ''} scikit-image: \`python3 scripts/bench/segment-drive/skimage_rf.py\` (σ 1–8,
intensity/edges/texture on each colour channel, RandomForestClassifier(50 trees, max_depth 14), 400 000 pixels
sampled inside the training FOV).

Run: \`EBM_CORPORA_DIR=… node --import tsx --conditions=ebmkit-source scripts/bench/segment-drive/drive.ts${parallel ? ' --parallel' : ''}\`.
Machine: ${machineDescription()}; shared with other jobs: load average (1 min) ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end,
so absolute seconds are inflated; compare the ratios (same run). The documented best recipe (a U-Net) has its own
section, segment-drive-recipe (scripts/bench/segment-drive/recipe.ts).`;
    process.stdout.write(`${md}\n`);
    for (const s of scores) log(JSON.stringify(s));
    if (!flag('--no-write')) await writeBenchmarkSection('segment-drive', md);
  } finally {
    if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

await main();
