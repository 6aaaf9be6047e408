// The U-Net unary (wasm backend): output shapes at sizes that are not multiples of 2^depth, overlap-tile prediction
// equal to one-tile prediction when the margin covers the receptive field, the model-file round trip and refusals,
// a thin-line task learned well above chance, and ignored pixels carrying no loss.
import test from 'ava';
import { createRng, type Rng, type RgbImage } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';

const IGNORE = 255;

/** A W × H grey image with random one-pixel dark lines (horizontal, vertical, diagonal) on a noisy background. */
function lineExample(rng: Rng, W: number, H: number): { image: RgbImage; labels: Uint8Array } {
  const labels = new Uint8Array(W * H);
  const data = new Uint8Array(W * H * 3);
  for (let l = 0; l < 3; l++) {
    const kind = rng.int(3);
    const o = rng.int(Math.min(W, H));
    for (let t = 0; t < Math.max(W, H); t++) {
      const [x, y] = kind === 0 ? [t, o] : kind === 1 ? [o, t] : [t, (t + o) % H];
      if (x < W && y < H) labels[y * W + x] = 1;
    }
  }
  for (let p = 0; p < W * H; p++) {
    const v = Math.max(0, Math.min(255, Math.round(160 + 12 * rng.normal() - (labels[p] ? 45 : 0))));
    data[3 * p] = data[3 * p + 1] = data[3 * p + 2] = v;
  }
  return { image: { width: W, height: H, data }, labels };
}

test.serial('shapes: architecture, parameter count and normalised log-probabilities at odd sizes; tiles equal one tile', async (t) => {
  await selectBackend('wasm');
  const { UNet, unetArchitecture, resolveUNetConfig, unetFlopsPerPixel } = await import('@ebmkit/segment');
  const cfg = resolveUNetConfig({ numLabels: 3, baseChannels: 4, depth: 2, contrastRadius: 3 });
  const specs = unetArchitecture(cfg);
  t.is(specs.length, 2 * 2 + 2 + 2 * 2 + 1);
  t.deepEqual(specs.map((s) => s.cout), [4, 4, 8, 8, 16, 16, 8, 8, 4, 4, 3]);
  t.is(specs[0]!.cin, 4, 'lightness, a*, b* and local contrast');
  t.is(specs[6]!.cin, 16 + 8, 'the decoder joins the encoder map of its scale');
  t.true(unetFlopsPerPixel(cfg) > 0);
  const net = await UNet.create(cfg, createRng(1));
  t.is(net.parameterCount, specs.reduce((a, s) => a + s.k * s.k * s.cin * s.cout + s.cout, 0));
  const img = lineExample(createRng(2), 21, 13).image;
  const lp = await net.logProbabilities(img);
  t.is(lp.length, 21 * 13 * 3);
  for (let p = 0; p < 21 * 13; p++) t.true(Math.abs(Math.exp(lp[3 * p]!) + Math.exp(lp[3 * p + 1]!) + Math.exp(lp[3 * p + 2]!) - 1) < 1e-4);
  // depth 1: the receptive field reaches about 9 px; with a 16 px margin small tiles reproduce the one-tile maps
  const shallow = await UNet.create({ numLabels: 2, baseChannels: 3, depth: 1 }, createRng(3));
  const big = lineExample(createRng(4), 45, 38).image;
  const whole = await shallow.logProbabilities(big);
  shallow.maxTile = 40;
  shallow.margin = 16;
  const tiled = await shallow.logProbabilities(big);
  let maxDiff = 0;
  for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole[i]! - tiled[i]!));
  t.true(maxDiff < 1e-4, `tiled vs whole: max difference ${maxDiff}`);
  net.dispose();
  shallow.dispose();
});

test.serial('learns a thin-line task well above chance; the model-file part round-trips and bad parts are refused', async (t) => {
  await selectBackend('wasm');
  const { UNet, UNARY_KINDS, UNetUnaryTerm } = await import('@ebmkit/segment');
  const rng = createRng(5);
  const train = Array.from({ length: 8 }, () => lineExample(rng, 32, 32));
  const net = await UNet.create({ numLabels: 2, baseChannels: 4, depth: 2, contrastRadius: 3 }, createRng(6));
  const losses: number[] = [];
  await net.train(
    train.map((e) => e.image),
    train.map((e) => e.labels),
    { rng: createRng(7), patchSize: 16, batchSize: 4, steps: 200, learningRate: 1e-2, reportEvery: 20, onSteps: (_s, _n, l) => void losses.push(l) },
  );
  t.true(losses[losses.length - 1]! < 0.5 * losses[0]!, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
  const held = Array.from({ length: 3 }, () => lineExample(rng, 32, 32));
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let pos = 0;
  let n = 0;
  for (const e of held) {
    const lp = await net.logProbabilities(e.image);
    for (let p = 0; p < e.labels.length; p++) {
      const yh = lp[2 * p + 1]! > lp[2 * p]! ? 1 : 0;
      const y = e.labels[p]!;
      pos += y;
      n++;
      if (yh && y) tp++;
      else if (yh) fp++;
      else if (y) fn++;
    }
  }
  const f1 = (2 * tp) / (2 * tp + fp + fn);
  const share = pos / n;
  // chance: calling every pixel a line gives F1 2s/(1+s)
  t.true(f1 > 0.6 && f1 > 3 * ((2 * share) / (1 + share)), `line F1 ${f1.toFixed(3)} (line share ${share.toFixed(3)})`);

  // the model-file part, read back through the registry
  const term = new UNetUnaryTerm(net);
  const { meta, tensors } = term.toFile();
  const tensor = (name: string) => {
    const v = tensors[name];
    if (!v) throw new RangeError(`no tensor ${name}`);
    return v;
  };
  const back = await UNARY_KINDS.unet.fromFile(meta, 2, tensor, 'm.model');
  t.is(back.kind, 'unet');
  const a = await term.logProbabilities(held[0]!.image);
  const b = await back.logProbabilities(held[0]!.image);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(a[i]! - b[i]!) < 1e-5);
  t.deepEqual(back.initialWeights(), term.initialWeights());
  const unet = meta['unet'] as Record<string, unknown>;
  await t.throwsAsync(UNARY_KINDS.unet.fromFile({ unet: { ...unet, baseChannels: 5 } }, 2, tensor, 'm.model'), { instanceOf: RangeError, message: /^m\.model: .*shape/ });
  await t.throwsAsync(UNARY_KINDS.unet.fromFile({ unet: { ...unet, depth: 2.5 } }, 2, tensor, 'm.model'), { instanceOf: RangeError, message: /depth must be an integer/ });
  await t.throwsAsync(UNARY_KINDS.unet.fromFile({}, 2, tensor, 'm.model'), { instanceOf: RangeError, message: /without network settings/ });
  const bad = (name: string) => {
    const v = tensor(name);
    if (name !== 'unet.004') return v;
    const d = Float32Array.from(v.data as Float32Array);
    d[0] = NaN;
    return { ...v, data: d };
  };
  await t.throwsAsync(UNARY_KINDS.unet.fromFile(meta, 2, bad, 'm.model'), { instanceOf: RangeError, message: /non-finite/ });
  net.dispose();
});

test.serial('ignored pixels carry no loss: a foreground labelled on 10 % of the pixels, the rest ignored, is learned as foreground everywhere (with and without Dice)', async (t) => {
  await selectBackend('wasm');
  const { UNet } = await import('@ebmkit/segment');
  const rng = createRng(8);
  const data = Array.from({ length: 4 }, () => {
    const e = lineExample(rng, 24, 24);
    // only a 8 × 8 corner block is labelled, and all of it foreground; were ignored pixels counted as background
    // (or in the Dice denominator) the network would call most pixels background
    const labels = new Uint8Array(24 * 24).fill(IGNORE);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) labels[y * 24 + x] = 1;
    return { image: e.image, labels };
  });
  for (const dice of [0, 1]) {
    const net = await UNet.create({ numLabels: 2, baseChannels: 3, depth: 1 }, createRng(9));
    await net.train(
      data.map((e) => e.image),
      data.map((e) => e.labels),
      { rng: createRng(10), patchSize: 8, batchSize: 4, steps: 40, learningRate: 1e-2, dice },
    );
    const lp = await net.logProbabilities(data[0]!.image);
    let fg = 0;
    for (let p = 0; p < 24 * 24; p++) fg += lp[2 * p + 1]! > lp[2 * p]! ? 1 : 0;
    t.true(fg / (24 * 24) > 0.9, `dice ${dice}: ${fg} of ${24 * 24} pixels called foreground`);
    net.dispose();
  }
  const net = await UNet.create({ numLabels: 2, baseChannels: 3, depth: 1 }, createRng(9));
  await t.throwsAsync(net.train([data[0]!.image], [new Uint8Array(24 * 24).fill(IGNORE)], { rng: createRng(1), patchSize: 8 }), { message: /every training pixel is ignored/ });
  net.dispose();
});
