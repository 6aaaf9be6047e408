/**
 * Pilot for the U-Net unary (no test images): trains `UNet` on DRIVE training images [0, --train) for --seconds CPU
 * seconds and scores its own per-pixel decisions (no CRF) on the held-out training images [--train, 20), inside the
 * field of view: vessel F1 and accuracy at several probability thresholds, for each number of test-time flips.
 *
 *   EBM_CORPORA_DIR=… nice -n 10 node --import tsx --conditions=ebmkit-source scripts/bench/segment-drive/unet-pilot.ts \
 *     [--seconds 60] [--train 15] [--c 8] [--depth 3] [--contrast 0 (the recipe: 8)] [--patch 64] [--batch 8] [--lr 2e-3] [--dice 0] [--cw balanced] [--flips 1,8]
 */
import { createRng, pairImageMaskFolders } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { UNet, ignoreMaskPaths, loadExample, resolveUNetConfig, unetFlopsPerPixel } from '@ebmkit/segment';
const arg = (k: string, d: string) => { const i = process.argv.indexOf('--' + k); return i >= 0 ? process.argv[i + 1]! : d; };
const root = process.env['EBM_CORPORA_DIR'];
if (!root) throw new Error('set EBM_CORPORA_DIR to the folder holding drive_retina/');
const D = `${root}/drive_retina/training`;
const sel = await selectBackend('wasm');
console.error('backend', sel.name, sel.reason);
const pairs = await pairImageMaskFolders(D + '/images', D + '/vessels');
const rois = await ignoreMaskPaths(D + '/fov', pairs);
const ex = [];
for (const [i, p] of pairs.entries()) ex.push(await loadExample(p.name, p.image, p.mask, { kind: 'binary', threshold: 128 }, 'resize', undefined, rois[i]));
const nTrain = Number(arg('train', '15'));
const tr = ex.slice(0, nTrain), va = ex.slice(nTrain);
const cfg = { numLabels: 2, baseChannels: Number(arg('c', '8')), depth: Number(arg('depth', '3')), contrastRadius: Number(arg('contrast', '0')) };
console.error('flops/px', unetFlopsPerPixel(resolveUNetConfig(cfg)));
const net = await UNet.create(cfg, createRng(1));
console.error('params', net.parameterCount);
const cpu0 = process.cpuUsage();
const cpu = () => { const u = process.cpuUsage(cpu0); return (u.user + u.system) / 1e6; };
const budget = Number(arg('seconds', '60'));
const P = Number(arg('patch', '64')), B = Number(arg('batch', '8'));
const r = await net.train(tr.map((e) => e.image), tr.map((e) => e.labels), {
  rng: createRng(2), patchSize: P, batchSize: B, learningRate: Number(arg('lr', '2e-3')), steps: 1e9, dice: Number(arg('dice', '0')),
  classWeight: arg('cw', 'balanced') as any,
  allotmentUsed: () => cpu() / budget, reportEvery: 25,
  onSteps: (s, _t, l) => console.error(`step ${s} loss ${l.toFixed(4)} cpu ${cpu().toFixed(1)} s (${(s * B * P * P / cpu() / 1000).toFixed(1)} kpx/s)`),
});
const tTrain = cpu();
console.error('steps', r.steps, 'train cpu', tTrain.toFixed(1));
// held-out: F1 at several thresholds, for each number of test-time flips
for (const flips of arg('flips', '1').split(',').map(Number)) {
const c0 = cpu();
const ths = [0.3, 0.4, 0.5, 0.6, 0.7];
const tp = new Float64Array(ths.length), fp = new Float64Array(ths.length), fn = new Float64Array(ths.length), cor = new Float64Array(ths.length);
let n = 0;
for (const e of va) {
  const lp = await net.logProbabilities(e.image, flips);
  for (let p = 0; p < e.labels.length; p++) {
    const y = e.labels[p]!; if (y > 1) continue; n++;
    const q = Math.exp(lp[2 * p + 1]!);
    ths.forEach((t, i) => { const yh = q >= t ? 1 : 0; if (yh && y) tp[i]++; else if (yh) fp[i]++; else if (y) fn[i]++; if (yh === y) cor[i]++; });
  }
}
const res = ths.map((t, i) => `${t}: F1 ${(2 * tp[i]! / (2 * tp[i]! + fp[i]! + fn[i]!)).toFixed(4)} acc ${(cor[i]! / n).toFixed(4)}`);
console.log(JSON.stringify({ flips, args: process.argv.slice(2).join(' '), steps: r.steps, train: tTrain.toFixed(0), predict: (cpu() - c0).toFixed(0) }), '\n' + res.join('\n'));
}
