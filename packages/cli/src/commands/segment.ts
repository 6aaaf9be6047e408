/**
 * `ebm segment train|predict|eval|interactive`: grid-energy image segmentation (@ebmkit/segment). The commands
 * parse flags, read folders through the package and report; every algorithm lives in the package.
 */
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { DataError, loadImage, pairImageMaskFolders, writeFileAtomic } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import type * as Segment from '@ebmkit/segment';
import { SSVM_LEARNERS, type SsvmLearnerName } from '@ebmkit/ssvm';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { OptionSpec } from '../options.js';
import { formatTable } from '../table.js';

/**
 * `--algorithm`: piecewise, contrastive, or a structured-SVM learner named as in @ebmkit/ssvm's registry; `ssvm` (the
 * value of the deprecated `--learner ssvm`) means the registry's default, bcfw.
 */
const SEGMENT_ALGORITHMS = ['piecewise', 'contrastive', ...SSVM_LEARNERS, 'ssvm'] as const;
type SegmentAlgorithm = (typeof SEGMENT_ALGORITHMS)[number];

function learnerOf(a: SegmentAlgorithm): 'piecewise' | 'contrastive' | 'ssvm' {
  return a === 'piecewise' || a === 'contrastive' ? a : 'ssvm';
}

function ssvmAlgorithmOf(a: SegmentAlgorithm): SsvmLearnerName {
  return a === 'piecewise' || a === 'contrastive' || a === 'ssvm' ? 'bcfw' : a;
}

/** Loads the package lazily (it is only needed once a segment command runs). */
const seg = (): Promise<typeof Segment> => import('@ebmkit/segment');

const maskOptions = [
  { name: 'palette', type: 'string', placeholder: 'FILE', help: 'JSON map from mask colour to class ({"#000000": 0, "#ff0000": 1, "#808080": "ignore"}); default: binary masks' },
  { name: 'threshold', type: 'number', min: 1, max: 255, default: 128, help: 'Binary masks: max(R,G,B) ≥ this is foreground' },
  { name: 'ignore', type: 'number', integer: true, min: 0, max: 255, placeholder: 'GREY', help: 'Binary masks: pixels of this grey level carry no label (e.g. 128)' },
  { name: 'ignore-tolerance', type: 'number', integer: true, min: 0, max: 127, default: 0, help: 'Binary masks: grey levels this close to --ignore are ignored too (for JPEG masks)' },
  { name: 'size-rule', type: 'enum', choices: ['resize', 'refuse'], default: 'resize', help: 'Image and mask of different sizes: resize the image to the mask, or refuse' },
  { name: 'ignore-masks', type: 'string', placeholder: 'DIR', help: 'Folder of region masks (same basenames): pixels where the region mask is dark carry no label (e.g. a field of view)' },
] as const satisfies readonly OptionSpec[];

type MaskFlags = { palette: string | undefined; threshold: number; ignore: number | undefined; ignoreTolerance: number };

async function maskFormat(o: MaskFlags): Promise<Segment.MaskFormat> {
  const s = await seg();
  if (o.palette) {
    if (o.ignore !== undefined) throw new UsageError('--ignore is for binary masks; a palette maps its ignore colour to "ignore"');
    return { kind: 'palette', palette: await s.readPalette(o.palette) };
  }
  return { kind: 'binary', threshold: o.threshold, ...(o.ignore !== undefined ? { ignore: o.ignore, ignoreTolerance: o.ignoreTolerance } : {}) };
}

const f3 = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(3));

const train = defineCommand({
  name: 'train',
  summary: 'Train a segmentation model from an image folder and a mask folder',
  description:
    'Images and masks are paired by basename (png/jpg/bmp). Each pair is shrunk so its longer side is at most --size\n' +
    'pixels (the working resolution, stored in the model; auto keeps the thinnest mask structures ≥ 4 px thick). The\n' +
    'unary term is a random forest over a multi-scale filter bank (forest), a linear model over colour/position/texture\n' +
    'features (linear), a small CNN, or a U-Net at full resolution (unet: random patches with flips and rotations,\n' +
    'a local-contrast input channel, overlap-tile prediction; it trains for --time-budget CPU seconds); auto trains the forest, then the CNN with what is left of --time-budget, then\n' +
    'the linear unary if a pilot on a few images says it fits, and keeps the one that validates best (--select-by).\n' +
    'The CNN sees each image whole at 64 px when the masks\' thin structures survive that, otherwise full-resolution\n' +
    'patches with flips and rotations; lightness is standardised per image and a rare foreground weighted up. The learner is piecewise (unary by likelihood, then pairwise weights\n' +
    'on a validation split), ssvm (all weights by a structured SVM) or contrastive (approximate likelihood with\n' +
    'mean-field or Gibbs negatives). The pairwise term is an 8-connected contrast-sensitive Potts model (or a learned\n' +
    'label-compatibility matrix with --pairwise matrix); inference is an exact graph cut (α-expansion for >2 classes).',
  options: [
    { name: 'images', type: 'string', required: true, placeholder: 'DIR', help: 'Folder of images' },
    { name: 'masks', type: 'string', required: true, placeholder: 'DIR', help: 'Folder of masks (same basenames)' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Model file to write' },
    { name: 'unary', type: 'enum', choices: ['auto', 'forest', 'linear', 'cnn', 'unet'], default: 'auto', help: 'Unary term: auto keeps the kind that validates best (--select-by) within --time-budget; unet: a U-Net at full resolution (thin structures)' },
    {
      name: 'algorithm',
      type: 'enum',
      choices: SEGMENT_ALGORITHMS,
      default: 'piecewise',
      deprecated: ['learner', 'ssvm'],
      help: `How the weights are learned: piecewise, contrastive, or a structured-SVM learner (${SSVM_LEARNERS.join(', ')}; 'ssvm' means bcfw)`,
    },
    { name: 'size', type: 'string', default: 'auto', placeholder: 'PX|auto', help: 'Longer side of the working resolution in pixels; auto: from the image sizes and the thinnest structures in the masks' },
    { name: 'select-by', type: 'enum', choices: ['auto', 'error', 'f1'], default: 'auto', help: 'Pairwise weights and foreground bias chosen on the validation split by pixel error or foreground F1; auto: F1 for two classes with a foreground under 20 % of the pixels' },
    { name: 'time-budget', type: 'number', min: 1, placeholder: 'SECONDS', help: 'CPU seconds --unary auto may spend trying unary kinds, or --unary unet trains its network (CPU time of this process, not wall time; default max(300, 3 per image pair); unet 600)' },
    { name: 'trees', type: 'number', integer: true, min: 1, help: 'Forest unary: number of trees (default 48)' },
    { name: 'depth', type: 'number', integer: true, min: 1, max: 40, help: 'Forest unary: maximum tree depth (default 16)' },
    { name: 'samples', type: 'number', integer: true, min: 100, help: 'Forest unary: training pixels sampled over all images (default 300000)' },
    { name: 'pairwise', type: 'enum', choices: ['potts', 'matrix'], default: 'potts', help: 'Pairwise term: (contrast-sensitive) Potts, or a learned label-compatibility matrix' },
    { name: 'connectivity', type: 'enum', choices: ['4', '8'], default: '8', help: 'Grid neighbourhood' },
    { name: 'validation', type: 'number', min: 0, max: 0.9, default: 0.2, help: 'Fraction of pairs held out (pairwise fitting, reported error)' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Seed of the split, sampling and initialisation' },
    { name: 'epochs', type: 'number', integer: true, min: 1, help: 'CNN epochs (default 40) or contrastive epochs (default 10)' },
    { name: 'c', type: 'number', min: 0, default: 10, help: 'SSVM regularisation C' },
    { name: 'passes', type: 'number', integer: true, min: 1, default: 10, help: 'SSVM passes over the data' },
    { name: 'negative-sampler', type: 'enum', choices: ['meanfield', 'gibbs'], default: 'meanfield', deprecated: ['negatives'], help: 'How contrastive learning draws its negatives' },
    ...maskOptions,
  ],
  examples: [
    'ebm segment train --images data/img --masks data/masks --out horses.model',
    'ebm segment train --images drive/images --masks drive/vessels --ignore-masks drive/fov --out vessels.model',
    'ebm segment train --images img --masks masks --out m.model --unary cnn --algorithm bcfw --size 96',
    'ebm segment train --images drive/images --masks drive/vessels --ignore-masks drive/fov --out vessels.model --unary unet --time-budget 800',
    'ebm segment train --images img --masks labels --palette palette.json --out voc.model',
  ],
  async run(ctx) {
    const o = ctx.options;
    const s = await seg();
    const format = await maskFormat(o);
    const K = s.formatLabelCount(format);
    if (o.unary === 'cnn' || o.unary === 'unet') {
      const sel = await selectBackend();
      ctx.note(`tfjs backend: ${sel.name} (${sel.reason})`);
    }
    if (o.selectBy === 'f1' && K !== 2) throw new UsageError(`--select-by f1 scores a foreground: the masks have ${K} classes, not 2`);
    const pairs = await pairImageMaskFolders(o.images, o.masks);
    const rois = o.ignoreMasks !== undefined ? await s.ignoreMaskPaths(o.ignoreMasks, pairs) : undefined;
    let maxSide: number | undefined;
    if (o.size === 'auto') {
      // the thinnest structures of (up to 20 of) the masks decide how far images may shrink
      const step = Math.max(1, Math.floor(pairs.length / 20));
      const masks = [];
      for (let i = 0; i < pairs.length; i += step) {
        const m = await s.loadLabelMap(pairs[i]!.mask, format);
        if (rois) await s.applyIgnoreMask(m.labels, m.width, m.height, rois[i]!);
        masks.push(m);
      }
      const choice = s.autoWorkingSide(masks);
      maxSide = choice.maxSide;
      ctx.note(`--size auto: ${maxSide} px (masks up to ${choice.fullSide} px, thin structures ${Number.isFinite(choice.thickness) ? `${choice.thickness} px` : 'none'} thick)`);
    } else {
      maxSide = Number(o.size);
      if (!Number.isInteger(maxSide) || maxSide < 1) throw new UsageError(`--size expects a positive integer or auto, got '${o.size}'`);
    }
    const loadBar = ctx.progress({ label: 'load', total: pairs.length, unit: 'images' });
    const examples: Segment.SegmentationExample[] = [];
    try {
      for (const [i, p] of pairs.entries()) {
        examples.push(await s.loadExample(p.name, p.image, p.mask, format, o.sizeRule, maxSide, rois?.[i]));
        loadBar.tick();
      }
    } finally {
      loadBar.done();
    }
    ctx.note(`loaded ${examples.length} image/mask pairs (${K} classes), working size ≤ ${maxSide} px${rois ? ', ignore masks applied' : ''}`);
    let bar: ReturnType<typeof ctx.progress> | undefined;
    let stage = '';
    const palette = format.kind === 'palette' ? format.palette : s.binaryPalette();
    const { segmenter, report } = await s.trainSegmenter(examples, {
      numLabels: K,
      labelNames: [...palette.names],
      classColors: [...palette.classColors],
      maskKind: format.kind,
      unary: o.unary,
      learner: learnerOf(o.algorithm),
      connectivity: o.connectivity === '4' ? 4 : 8,
      pairwise: o.pairwise,
      maxSide,
      ...(o.timeBudget !== undefined ? { timeBudget: o.timeBudget } : {}),
      selectBy: o.selectBy,
      forest: { ...(o.trees !== undefined ? { trees: o.trees } : {}), ...(o.depth !== undefined ? { maxDepth: o.depth } : {}), ...(o.samples !== undefined ? { samples: o.samples } : {}) },
      validationFraction: o.validation,
      seed: o.seed,
      cnn: o.epochs !== undefined && o.unary === 'cnn' ? { epochs: o.epochs } : {},
      ...(o.unary === 'unet' && o.timeBudget !== undefined ? { unet: { cpuSeconds: o.timeBudget } } : {}),
      ssvm: { algorithm: ssvmAlgorithmOf(o.algorithm), C: o.c, maxPasses: o.passes },
      contrastive: { negatives: o.negativeSampler, ...(o.epochs !== undefined && o.unary !== 'cnn' ? { epochs: o.epochs } : {}) },
      onProgress: (e) => {
        if (e.stage !== stage) {
          bar?.done();
          stage = e.stage;
          bar = ctx.progress({ label: e.stage, total: e.total, unit: e.stage === 'cnn' || e.stage === 'contrastive' ? 'epochs' : e.stage === 'ssvm' ? 'passes' : e.stage === 'unet' ? 'CPU s' : 'steps' });
        }
        bar?.update(e.done);
      },
    });
    bar?.done();
    await segmenter.save(o.out);
    const by = report.criterion === 'f1' ? 'foreground F1' : 'pixel error';
    for (const c of report.candidates ?? []) {
      if (c.skipped) ctx.note(`unary ${c.unary}: skipped (${c.skipped})`);
      else if (c.stopped) ctx.note(`unary ${c.unary}: stopped after ${c.seconds.toFixed(1)} CPU s (${c.stopped})`);
      else ctx.note(`unary ${c.unary}: validation error ${f3(c.validationError)}${report.criterion === 'f1' ? `, foreground F1 ${f3(1 - c.validationLoss)}` : ''} (${c.seconds.toFixed(1)} CPU s)`);
    }
    for (const n of report.unaryNotes) ctx.note(n);
    if (report.candidates) ctx.note(`--unary auto chose ${segmenter.config.unary} (best validation ${by})`);
    for (const w of report.warnings) ctx.io.stderr.write(`ebm segment train: warning: ${w}\n`);
    ctx.io.stdout.write(
      formatTable(
        ['MODEL', 'UNARY', 'LEARNER', 'TRAIN', 'VALIDATION', 'VAL ERR (UNARY)', 'VAL ERR', 'PAIRWISE', 'SECONDS'],
        [[o.out, segmenter.config.unary, o.algorithm === 'ssvm' ? 'bcfw' : o.algorithm, String(report.trainImages), String(report.validationImages), f3(report.validationErrorUnary), f3(report.validationError), report.pairwiseWeights.map((x) => x.toFixed(3)).join(','), report.seconds.toFixed(1)]],
      ),
    );
  },
});

const predict = defineCommand({
  name: 'predict',
  summary: 'Segment every image of a folder: mask PNGs (and overlays)',
  description:
    'Writes OUT/<name>.png, the mask at the image’s own size (binary models: black background, white foreground;\n' +
    'palette models: each class in its palette colour), and with --overlay OUT/<name>.overlay.png, the image with\n' +
    'the segmentation tinted and its boundaries drawn; with --probabilities OUT/<name>.prob.png, the foreground\n' +
    'marginal (mean-field marginals of the model; of the unary alone with --unary-only) as 16-bit grey (65535 = 1).\n' +
    'An image that cannot be read is reported (file and reason) and skipped; the others are written, and the\n' +
    'command exits 1 at the end with the count of failures.',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'Model file from `ebm segment train`' },
    { name: 'images', type: 'string', required: true, placeholder: 'DIR', help: 'Folder of images' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'DIR', help: 'Folder for the masks (created if missing)' },
    { name: 'overlay', type: 'boolean', help: 'Also write overlay PNGs' },
    { name: 'probabilities', type: 'boolean', help: 'Also write the foreground marginal as 16-bit grey PNGs (two-class models)' },
    { name: 'unary-only', type: 'boolean', help: 'Ignore the pairwise term (per-pixel decisions)' },
  ],
  examples: ['ebm segment predict --model horses.model --images photos --out masks --overlay', 'ebm segment predict --model vessels.model --images test/images --out pred --probabilities'],
  async run(ctx) {
    const o = ctx.options;
    const s = await seg();
    const model = await s.Segmenter.load(o.model);
    const images = await s.listImages(o.images);
    await mkdir(o.out, { recursive: true });
    if (o.probabilities && model.config.numLabels !== 2) throw new UsageError(`--probabilities writes a foreground marginal: ${o.model} has ${model.config.numLabels} classes, not 2`);
    const bar = ctx.progress({ label: 'predict', total: images.length, unit: 'images' });
    const failed: string[] = [];
    try {
      for (const im of images) {
        let img;
        try {
          img = await loadImage(im.path);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          // report and go on: one unreadable file must not cost the rest of the folder
          ctx.io.stderr.write(`ebm segment predict: ${e.message}; skipped\n`);
          failed.push(im.path);
          bar.tick();
          continue;
        }
        const pred = await model.predict(img, { unaryOnly: o.unaryOnly, marginals: o.probabilities });
        await s.writePng(join(o.out, `${im.name}.png`), s.maskImage(pred.labels, pred.width, pred.height, model.config.classColors));
        if (o.overlay) await s.writePng(join(o.out, `${im.name}.overlay.png`), s.overlayImage(img, pred.labels, model.config.classColors));
        if (o.probabilities) await writeFileAtomic(join(o.out, `${im.name}.prob.png`), s.encodeGrey16Png(pred.marginals!, pred.width, pred.height, 2, 1));
        bar.tick();
      }
    } finally {
      bar.done();
    }
    const done = images.length - failed.length;
    ctx.io.stdout.write(`wrote ${done} mask${done === 1 ? '' : 's'}${o.overlay ? ' and overlays' : ''}${o.probabilities ? ' and probability maps' : ''} to ${o.out}\n`);
    if (failed.length > 0) throw new CliError(`${failed.length} of ${images.length} image${images.length === 1 ? '' : 's'} could not be read and ${failed.length === 1 ? 'was' : 'were'} skipped (see above)`);
  },
});

const evaluate = defineCommand({
  name: 'eval',
  summary: 'Score a model against masks: pixel accuracy, IoU and F1 per class, ROC AUC, boundary F-score',
  description:
    'Scores at each mask’s own resolution. Prints a summary table (pooled pixel accuracy, per-class IoU and F1\n' +
    '(= Dice) over all labelled pixels, the foreground ROC AUC from the model’s marginals for two-class models,\n' +
    'mean per-image boundary F-score) and writes per-image scores as CSV with --csv. With --ignore-masks, pixels\n' +
    'outside each image’s region mask are not scored.',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'Model file' },
    { name: 'images', type: 'string', required: true, placeholder: 'DIR', help: 'Folder of images' },
    { name: 'masks', type: 'string', required: true, placeholder: 'DIR', help: 'Folder of reference masks' },
    { name: 'csv', type: 'string', placeholder: 'FILE', help: 'Write per-image scores to this CSV file' },
    { name: 'tolerance', type: 'number', integer: true, min: 0, default: 2, help: 'Boundary F-score tolerance in pixels' },
    { name: 'unary-only', type: 'boolean', help: 'Score the unary term alone' },
    ...maskOptions,
  ],
  examples: ['ebm segment eval --model horses.model --images test/img --masks test/masks --csv scores.csv'],
  async run(ctx) {
    const o = ctx.options;
    const s = await seg();
    const model = await s.Segmenter.load(o.model);
    const format = await maskFormat(o);
    const K = s.formatLabelCount(format);
    if (K !== model.config.numLabels) throw new CliError(`the masks have ${K} classes but ${o.model} segments into ${model.config.numLabels}`);
    const pairs = await pairImageMaskFolders(o.images, o.masks);
    const bar = ctx.progress({ label: 'eval', total: pairs.length, unit: 'images' });
    let res;
    try {
      res = await s.evaluatePairs(model, pairs, {
        mask: format,
        sizeRule: o.sizeRule,
        tolerance: o.tolerance,
        unaryOnly: o.unaryOnly,
        ...(o.ignoreMasks !== undefined ? { ignoreMasks: await s.ignoreMaskPaths(o.ignoreMasks, pairs) } : {}),
        onImage: () => bar.tick(),
      });
    } finally {
      bar.done();
    }
    if (o.csv) await s.writeScoresCsv(o.csv, res.perImage, model.config.labelNames);
    const sm = res.summary;
    const rows = [
      ['images', String(sm.images)],
      ['pixels', String(sm.pixels)],
      ['pixel accuracy', f3(sm.accuracy)],
      ...model.config.labelNames.map((n, k) => [`IoU ${n}`, f3(sm.iou[k]!)]),
      ['mean IoU', f3(sm.meanIou)],
      ...model.config.labelNames.map((n, k) => [`F1 ${n}`, f3(sm.f1[k]!)]),
      ...(model.config.numLabels === 2 ? [[`ROC AUC ${model.config.labelNames[1]}`, f3(sm.auc)]] : []),
      [`boundary F (${o.tolerance} px)`, f3(sm.boundaryF)],
    ];
    ctx.io.stdout.write(formatTable(['METRIC', 'VALUE'], rows));
    if (o.csv) ctx.note(`per-image scores written to ${o.csv}`);
  },
});

function parseRect(text: string): { x: number; y: number; width: number; height: number } {
  const parts = text.split(',').map((v) => Number(v.trim()));
  if (parts.length !== 4 || parts.some((v) => !Number.isInteger(v)) || parts[2]! <= 0 || parts[3]! <= 0 || parts[0]! < 0 || parts[1]! < 0) {
    throw new UsageError(`--rect expects x,y,w,h (non-negative integers, w and h > 0), got '${text}'`);
  }
  return { x: parts[0]!, y: parts[1]!, width: parts[2]!, height: parts[3]! };
}

const interactive = defineCommand({
  name: 'interactive',
  summary: 'Segment one image from a rectangle or a trimap (GrabCut as an energy)',
  description:
    'Colour mixtures (5 Gaussians each) for foreground and background alternate with exact graph cuts until the\n' +
    'energy stops falling. --rect x,y,w,h: outside is background. --trimap FILE: a grey image of the same size,\n' +
    'dark (≤ 64) sure background, light (≥ 192) sure foreground, anything between unknown. Writes the mask as PNG.',
  options: [
    { name: 'image', type: 'string', required: true, placeholder: 'FILE', help: 'The image' },
    { name: 'rect', type: 'string', placeholder: 'X,Y,W,H', help: 'Rectangle around the object' },
    { name: 'trimap', type: 'string', placeholder: 'FILE', help: 'Trimap / scribble image' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'FILE', help: 'Mask PNG to write' },
    { name: 'overlay', type: 'string', placeholder: 'FILE', help: 'Also write an overlay PNG here' },
    { name: 'iterations', type: 'number', integer: true, min: 1, default: 10, help: 'Most iterations' },
    { name: 'gamma', type: 'number', min: 0, default: 50, help: 'Pairwise strength γ' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Seed of the k-means start' },
  ],
  examples: ['ebm segment interactive --image horse.jpg --rect 20,30,200,150 --out horse-mask.png --overlay horse-overlay.png'],
  async run(ctx) {
    const o = ctx.options;
    if ((o.rect === undefined) === (o.trimap === undefined)) throw new UsageError('give exactly one of --rect and --trimap');
    const s = await seg();
    const { createRng } = await import('@ebmkit/core');
    const img = await loadImage(o.image);
    let trimap: Uint8Array;
    if (o.rect !== undefined) {
      const r = parseRect(o.rect);
      try {
        trimap = s.trimapFromRect(img.width, img.height, r);
      } catch (e) {
        throw new CliError(`${o.image}: ${(e as Error).message}`);
      }
    } else {
      const t = await loadImage(o.trimap!);
      if (t.width !== img.width || t.height !== img.height) throw new DataError(o.trimap!, undefined, `trimap is ${t.width}×${t.height}, the image ${img.width}×${img.height}`);
      const grey = new Uint8Array(t.width * t.height);
      for (let p = 0; p < grey.length; p++) grey[p] = Math.max(t.data[3 * p]!, t.data[3 * p + 1]!, t.data[3 * p + 2]!);
      trimap = s.trimapFromGrey(grey);
    }
    const res = s.grabCut(img, trimap, { maxIterations: o.iterations, gamma: o.gamma, rng: createRng(o.seed) });
    await s.writePng(o.out, s.maskImage(res.mask, img.width, img.height, [0x000000, 0xffffff]));
    if (o.overlay) await s.writePng(o.overlay, s.overlayImage(img, res.mask, [0x000000, 0xffffff]));
    let fg = 0;
    for (const v of res.mask) fg += v;
    ctx.io.stdout.write(
      `${basename(o.out, extname(o.out))}: ${res.iterations} iterations, energy ${res.energies.map((e) => e.toFixed(0)).join(' → ') || '-'}, ` +
        `foreground ${((100 * fg) / res.mask.length).toFixed(1)} % of ${img.width}×${img.height}\n`,
    );
  },
});

/** The `segment` task. */
export const commands: TaskModule['commands'] = [train, predict, evaluate, interactive];
