/**
 * Pilot runs for benchmark 4: continues the JEM steps from a saved warm-up exactly as jem.ts --fresh-optimizer does
 * (same data, options and rng stream), and scores the model every --every JEM steps on test/MNIST image ranges, so
 * that a change to the JEM steps can be followed step by step without repeating the warm-up.
 *
 * A warm-up for seed S (the first stage of the bench's recipe; write it once):
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/jem.ts \
 *     --steps 3000 --warmup 3000 --warmup-lr 1e-3 --holdout 2000 --timing-reps 1 --skip-torch --seed S --no-write \
 *     --save warm-S.jem
 * Then, e.g. the recipe's JEM steps scored on images 5000–6999:
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/continue.ts \
 *     warm-S.jem --seed S --steps 450 --lr 3e-5 --clamp --buffer-init class-gaussians --reinit 0.2 \
 *     --energy-penalty 0.003 --neg-batch 128 --holdout 2000 --eval-ranges 5000-6999
 * With the same flags as the bench run (and its --holdout) the JEM steps are the bench's, step for step; the held-out
 * checks printed here are the ones the bench's early stopping sees. Flags as jem.ts: --steps N (JEM steps; default
 * 400), --lr, --px-weight, --energy-penalty, --clamp, --reinit, --buffer-init, --sgld-steps, --neg-batch, --flip,
 * --jem-layer-rates, --jem-optimizer, --momentum, --holdout, --seed; --every N (JEM steps between scores; default 25), --eval-ranges A-B,… (default 5000-6999: the
 * range settings were chosen on, kept apart from the bench's 2000–4999 and 7000–9999).
 * Output: one line per score (held-out accuracy / ECE when --holdout, test accuracy / ECE, three OOD AUROCs).
 */
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { evaluateJem, Jem, trainJem } from '@ebmkit/core/energy';
import { parseRanges, rangeText } from './ranges.ts';
import { flagReader, loadJemData, recipeFlags } from './setup.ts';

const modelPath = process.argv[2];
if (!modelPath || modelPath.startsWith('--')) throw new Error('usage: continue.ts WARMUP_MODEL --seed S [flags as jem.ts]');
const f = flagReader();
const steps = f.flag('steps', 400);
const every = f.flag('every', 25);
const seed = f.flag('seed', 1);
const holdout = f.flag('holdout', 0);
const recipe = recipeFlags();
const evalRanges = parseRanges(f.strFlag('eval-ranges', '5000-6999'));

await selectBackend('wasm');
const { train, heldOut, test, ood } = await loadJemData(holdout, evalRanges);
const jem = await Jem.load(modelPath, createRng(1));
console.log(`${modelPath}: ${steps} JEM steps, seed ${seed}; scored every ${every} on test/MNIST images ${rangeText(evalRanges)}`);
const score = (step: number, heldText: string) => {
  const ev = evaluateJem(jem, test, ood);
  console.log(
    `step ${step}:${heldText} test acc ${ev.accuracy.toFixed(3)} ECE ${ev.ece.toFixed(3)}  AUROC log p(x) ${ev.ood!.logPx.toFixed(3)}  ` +
      `max p(y|x) ${ev.ood!.maxProb.toFixed(3)}  −‖∇ₓ log p(x)‖ ${ev.ood!.gradNorm.toFixed(3)}`,
  );
};
const t0 = performance.now();
await trainJem(
  jem,
  train,
  {
    // The options of jem.ts's second stage (--fresh-optimizer): same values, same rng.
    ...recipe.options,
    steps,
    warmupSteps: 0,
    ...(holdout > 0
      ? {
          // No limits: every check is reported and training runs all `steps`.
          earlyStop: { data: heldOut, every, onCheck: (c) => score(c.step, ` held-out acc ${c.accuracy.toFixed(4)} ECE ${c.ece.toFixed(4)} E ${c.energy.toFixed(2)};`) },
        }
      : {}),
    onStep: (s) => {
      if (holdout === 0 && (s.step % every === 0 || s.step === steps)) score(s.step, '');
      if (s.step % every === 0) console.error(`step ${s.step}: E(data) ${s.energyData.toFixed(2)} E(samples) ${s.energySample.toFixed(2)} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    },
  },
  createRng(seed),
);
jem.dispose();
