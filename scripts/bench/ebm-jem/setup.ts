/**
 * What jem.ts (the benchmark) and continue.ts (its pilot runs) share, so that a pilot replays the bench's JEM steps
 * by construction: reading flags, the recipe's trainJem options from those flags, and the Fashion-MNIST / MNIST data
 * (training images minus the held-out tail, held-out rows, test and OOD ranges) mapped to [−1, 1].
 */
import path from 'node:path';
import { parseKnownOptions } from '@ebmkit/cli';
import { JEM_RECIPE_FLAGS, jemRecipeOptions } from '@ebmkit/cli/jem-recipe';
import type { LabelledData } from '@ebmkit/core/energy';
import { readImages, readLabels, type ImageRange } from './ranges.ts';

/** Bytes → the model's [−1, 1] (x / 127.5 − 1). */
export const BYTE_MAP = { scale: 1 / 127.5, shift: -1 };

/** `--name value` flags of `argv`: numbers (refused when not finite), presence, strings. */
export function flagReader(argv: readonly string[] = process.argv) {
  const at = (name: string) => argv.indexOf(`--${name}`);
  return {
    flag(name: string, def: number): number {
      const i = at(name);
      if (i < 0) return def;
      const v = Number(argv[i + 1]);
      if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got ${argv[i + 1]}`);
      return v;
    },
    has: (name: string) => at(name) >= 0,
    strFlag(name: string, def: string): string {
      const i = at(name);
      return i < 0 ? def : argv[i + 1]!;
    },
  };
}

/**
 * The recipe flags and the trainJem options they give, through the same declarations and the same function as
 * `ebm jem train` (@ebmkit/cli's JEM_RECIPE_FLAGS and jemRecipeOptions; defaults: batch 64, SGLD step 1, noise 0.01
 * and 20 steps, buffer 10,000, reinit 0.05, learning rate 1e-4). The benchmark runs the warm-up and the JEM steps as
 * stages of its own (--steps, --warmup, --warmup-learning-rate, --fresh-optimizer), so those are left out of `options`.
 * Old spellings (--lr, --neg-batch, --warmup-lr, --batch) still work, with a note on stderr.
 */
export function recipeFlags(argv: readonly string[] = process.argv.slice(2)) {
  const parsed = parseKnownOptions(JEM_RECIPE_FLAGS, argv);
  for (const w of parsed.warnings) console.error(`warning: ${w}`);
  const f = parsed.options;
  const { steps: _steps, warmupSteps: _warmup, warmupLearningRate: _warmupLr, restartOptimizer: _fresh, ...options } = jemRecipeOptions(f);
  return {
    lr: f.learningRate,
    warmupLr: f.warmupLearningRate ?? NaN,
    energyPenalty: f.energyPenalty,
    pxWeight: f.pxWeight,
    clamp: f.clamp,
    reinit: f.reinit,
    bufferInit: f.bufferInit,
    sgldSteps: f.sgldSteps,
    negBatch: f.negativeBatchSize ?? f.batchSize,
    flip: f.flip,
    warmupSchedule: f.warmupSchedule,
    jemOptimizer: f.jemOptimizer,
    momentum: f.momentum,
    /** --jem-layer-rates as numbers (empty: all 1). */
    layerRates: options.jemLayerRates ?? [],
    options,
  };
}

/** The benchmark's data from EBM_CORPORA_DIR: the last `holdout` training images are held out (never trained on). */
export async function loadJemData(holdout: number, evalRanges: readonly ImageRange[]) {
  const corpora = process.env['EBM_CORPORA_DIR'];
  if (!corpora) throw new Error('set EBM_CORPORA_DIR to the directory holding fashion_mnist/ and mnist_partial/');
  const fashion = path.join(corpora, 'fashion_mnist');
  const mnist = path.join(corpora, 'mnist_partial');
  const all = [[0, Number.MAX_SAFE_INTEGER] as const];
  const x = await readImages(path.join(fashion, 'train-images-idx3-ubyte.gz'), all, BYTE_MAP);
  const y = await readLabels(path.join(fashion, 'train-labels-idx1-ubyte.gz'), all);
  const nTrain = y.length - holdout;
  if (!(Number.isSafeInteger(holdout) && holdout >= 0 && nTrain > 0)) throw new Error(`--holdout must be an integer in [0, ${y.length}), got ${holdout}`);
  const train: LabelledData = { x: x.subarray(0, nTrain * 784), y: y.subarray(0, nTrain) };
  const heldOut: LabelledData = { x: x.subarray(nTrain * 784), y: y.subarray(nTrain) };
  const test: LabelledData = {
    x: await readImages(path.join(fashion, 't10k-images-idx3-ubyte.gz'), evalRanges, BYTE_MAP),
    y: await readLabels(path.join(fashion, 't10k-labels-idx1-ubyte.gz'), evalRanges),
  };
  const ood = await readImages(path.join(mnist, 't10k-images-idx3-ubyte.gz'), evalRanges, BYTE_MAP);
  return { fashion, mnist, train, heldOut, test, ood, nTrain, total: y.length };
}
