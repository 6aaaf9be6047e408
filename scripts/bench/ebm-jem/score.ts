/**
 * Scores a saved JEM (e.g. from `jem.ts --save`) on ranges of the Fashion-MNIST test set with the MNIST test set as
 * out-of-distribution: accuracy, ECE and the three OOD AUROCs (as `evaluateJem`), then for the log p(x) score the AUROC
 * of each Fashion-MNIST class against all digits and of all Fashion-MNIST images against each digit.
 *
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/score.ts \
 *     MODEL [--eval-ranges 7000-9999[,A-B…]]
 *
 * Images are mapped by the model's recorded input transform (x/127.5 − 1 when it has none, as jem.ts trains).
 */
import path from 'node:path';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { auroc, classificationMetrics, Jem, oodAuroc, scoreJem } from '@ebmkit/core/energy';
import { parseRanges, rangeText, readImages, readLabels } from './ranges.ts';

const modelPath = process.argv[2];
if (!modelPath || modelPath.startsWith('--')) throw new Error('usage: score.ts MODEL [--eval-ranges A-B,C-D]');
const i = process.argv.indexOf('--eval-ranges');
const ranges = parseRanges(i < 0 ? '0-9999' : process.argv[i + 1]!);
const corpora = process.env['EBM_CORPORA_DIR'];
if (!corpora) throw new Error('set EBM_CORPORA_DIR to the directory holding fashion_mnist/ and mnist_partial/');

await selectBackend('wasm');
const jem = await Jem.load(modelPath, createRng(1));
const t = jem.metadata.inputTransform ?? { scale: 1 / 127.5, shift: -1 };

const fashion = path.join(corpora, 'fashion_mnist');
const mnist = path.join(corpora, 'mnist_partial');
const test = { x: await readImages(path.join(fashion, 't10k-images-idx3-ubyte.gz'), ranges, t), y: await readLabels(path.join(fashion, 't10k-labels-idx1-ubyte.gz'), ranges) };
const ood = await readImages(path.join(mnist, 't10k-images-idx3-ubyte.gz'), ranges, t);
const digits = await readLabels(path.join(mnist, 't10k-labels-idx1-ubyte.gz'), ranges);
// One scoring pass per set gives the evaluateJem numbers and the per-class log p(x) scores.
const scoresIn = scoreJem(jem, test.x);
const scoresOut = scoreJem(jem, ood);
const ev = { ...classificationMetrics(scoresIn.probs, test.y, jem.classes), ood: oodAuroc(scoresIn, scoresOut) };
const where = rangeText(ranges);
console.log(`${modelPath}, test and MNIST images ${where} (${test.y.length} / ${digits.length})`);
console.log(`accuracy ${ev.accuracy.toFixed(3)}  ECE ${ev.ece.toFixed(3)}  AUROC log p(x) ${ev.ood.logPx.toFixed(3)}  max p(y|x) ${ev.ood.maxProb.toFixed(3)}  −‖∇ₓ log p(x)‖ ${ev.ood.gradNorm.toFixed(3)}`);

const sIn = scoresIn.logPx;
const sOut = scoresOut.logPx;
const pick = (s: Float32Array, lab: Int32Array, c: number) => s.filter((_, k) => lab[k] === c);
console.log('log p(x) AUROC by class: Fashion-MNIST class vs all digits | all Fashion-MNIST vs digit');
for (let c = 0; c < 10; c++) {
  console.log(`  ${c}: ${auroc(pick(sIn, test.y, c), sOut).toFixed(3)} | ${auroc(sIn, pick(sOut, digits, c)).toFixed(3)}`);
}
jem.dispose();
