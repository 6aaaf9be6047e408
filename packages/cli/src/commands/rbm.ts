/**
 * `ebm rbm train|eval|sample|filters`: restricted Boltzmann machines on IDX or CSV data. The algorithms live in
 * `@ebmkit/core/energy`; this module reads flags and files, applies the documented preprocessing (`--rescale`,
 * `--binarize`), shows progress, and saves a checkpoint after every epoch.
 */
import path from 'node:path';
import { createRng, readCsvMatrix, readIdx } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import {
  RbmDivergenceError,
  baseRateVisibleBias,
  binarize,
  enumeratedLayer,
  loadRbm,
  rbmAis,
  rbmFilters,
  rbmLogPartition,
  rescaleToUnitInterval,
  saveRbm,
  trainRbm,
  writeImageGrid,
  type Rbm,
  type RowMatrix,
} from '@ebmkit/core/energy';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { checkMemoryFlags } from '../memory-flags.js';
import type { OptionSpec } from '../options.js';

/** How a model's input was prepared; saved in the model so eval and sample repeat it. */
export interface Preprocessing {
  rescale: { min: number; max: number } | null;
  binarize: number | null;
}

/** Rows read from a data file, with labels and an image shape when the file has them. */
export interface LoadedRows {
  x: RowMatrix;
  labels?: Int32Array;
  imageShape?: [number, number];
}

/** The data flags shared by the rbm and dbn commands. */
export const DATA_OPTIONS = [
  { name: 'data', type: 'string', required: true, placeholder: 'FILE', help: 'Data: an IDX file (images, gzip or plain) or a CSV file of numbers' },
  { name: 'format', type: 'enum', choices: ['idx', 'csv'], help: 'Data format (default: csv for *.csv / *.csv.gz, else idx)' },
  { name: 'no-header', type: 'boolean', help: 'CSV: the first row is data, not column names' },
  { name: 'label-column', type: 'string', placeholder: 'NAME|INDEX', help: 'CSV: column holding the labels (dropped from the features; negative index counts from the end)' },
  { name: 'limit', type: 'number', integer: true, min: 1, placeholder: 'N', help: 'Use only the first N rows' },
] as const satisfies readonly OptionSpec[];

/** Reads `file` as IDX or CSV into rows (float32). */
export async function loadRows(
  file: string,
  opts: { format?: 'idx' | 'csv' | undefined; noHeader?: boolean; labelColumn?: string | undefined; limit?: number | undefined },
): Promise<LoadedRows> {
  const format = opts.format ?? (/\.csv(\.gz)?$/i.test(file) ? 'csv' : 'idx');
  let out: LoadedRows;
  if (format === 'idx') {
    if (opts.labelColumn !== undefined) throw new UsageError('--label-column applies to CSV data; IDX labels come from --labels FILE');
    const t = await readIdx(file);
    const n = t.shape[0]!;
    const cols = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const x: RowMatrix = { rows: n, cols, data: Float32Array.from(t.data as ArrayLike<number>) };
    out = { x };
    if (t.shape.length === 3) out.imageShape = [t.shape[1]!, t.shape[2]!];
  } else {
    const lc = opts.labelColumn;
    const labelColumn = lc === undefined ? undefined : /^-?\d+$/.test(lc) ? Number(lc) : lc;
    const m = await readCsvMatrix(file, { header: !opts.noHeader, ...(labelColumn !== undefined ? { labelColumn, labelType: 'int' as const } : {}) });
    out = { x: { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) } };
    if (m.labels) out.labels = m.labels as Int32Array;
  }
  if (opts.limit !== undefined && opts.limit < out.x.rows) {
    out.x = { rows: opts.limit, cols: out.x.cols, data: out.x.data.subarray(0, opts.limit * out.x.cols) };
    if (out.labels) out.labels = out.labels.subarray(0, opts.limit);
  }
  return out;
}

/** Reads an IDX label file (one integer per row). */
export async function loadIdxLabels(file: string, rows: number): Promise<Int32Array> {
  const t = await readIdx(file);
  if (t.shape.length !== 1) throw new CliError(`${file}: expected a 1-dimensional IDX label file, found shape ${t.shape.join('×')}`);
  const y = Int32Array.from(t.data as ArrayLike<number>);
  if (y.length < rows) throw new CliError(`${file}: ${y.length} labels for ${rows} rows`);
  return y.subarray(0, rows);
}

/** Applies rescaling / binarising; with `range` unset, rescaling takes the data's range (u8 IDX: 0…255). */
export function preprocess(x: RowMatrix, p: { rescale: boolean | { min: number; max: number }; binarize: number | null }, u8: boolean): { x: RowMatrix; used: Preprocessing } {
  let out = x;
  let rescale: Preprocessing['rescale'] = null;
  if (p.rescale) {
    const r = rescaleToUnitInterval(x, typeof p.rescale === 'object' ? p.rescale : u8 ? { min: 0, max: 255 } : undefined);
    out = r.matrix;
    rescale = r.range;
  }
  if (p.binarize !== null) out = binarize(out, p.binarize);
  return { x: out, used: { rescale, binarize: p.binarize } };
}

/** Parses `--shape HxW`. */
export function parseShape(s: string): [number, number] {
  const m = /^(\d+)[x×](\d+)$/.exec(s.trim());
  if (!m) throw new UsageError(`--shape must look like 28x28, got '${s}'`);
  return [Number(m[1]), Number(m[2])];
}

/** The picture shape for rows of `cols` values: the given one, the saved one, or a square. */
export function imageShapeFor(cols: number, given?: string, saved?: unknown): [number, number] {
  if (given) {
    const s = parseShape(given);
    if (s[0] * s[1] !== cols) throw new UsageError(`--shape ${given} has ${s[0] * s[1]} pixels, the model has ${cols} visible units`);
    return s;
  }
  if (Array.isArray(saved) && saved.length === 2 && saved[0] * saved[1] === cols) return [saved[0], saved[1]];
  const r = Math.round(Math.sqrt(cols));
  if (r * r === cols) return [r, r];
  throw new UsageError(`cannot tell the image shape of ${cols} values; give --shape HxW`);
}

/** Turns the data range error of a Bernoulli RBM into a CLI message naming the flags. */
function rangeHint(err: unknown): never {
  if (err instanceof RangeError && /outside \[0, 1\]/.test(err.message)) {
    throw new CliError(`${err.message.replace(/ \(rescaleToUnitInterval \/ --rescale\)| \(--binarize\)/g, '')}: pass --rescale (maps the data's min…max, 0…255 for IDX bytes, to [0, 1]) and/or --binarize T`);
  }
  throw err;
}

interface RbmFileMeta {
  preprocess?: Preprocessing;
  imageShape?: [number, number] | null;
  training?: Record<string, unknown>;
}

const train = defineCommand({
  name: 'train',
  summary: 'Train an RBM by CD-k or PCD and save it (a checkpoint after every epoch)',
  description:
    'Bernoulli visible units need data in [0, 1]: --rescale maps the data (IDX bytes: 0…255; other data: its own\n' +
    'min…max) to [0, 1], --binarize T then thresholds at T. Both are saved in the model and repeated by eval and\n' +
    'sample. Gaussian visible units have unit variance: standardise the data first. The model is saved to --out\n' +
    'after every epoch; if training diverges (a non-finite update), it stops, names the epoch and batch, and the\n' +
    'last good checkpoint stays in --out. --resume continues from a saved model.',
  options: [
    ...DATA_OPTIONS,
    { name: 'hidden', type: 'number', integer: true, min: 1, placeholder: 'N', help: 'Hidden units (required unless --resume)' },
    { name: 'cd', type: 'number', integer: true, min: 1, placeholder: 'K', help: 'Contrastive divergence with K Gibbs steps (default: CD-1)' },
    { name: 'pcd', type: 'boolean', help: 'Persistent contrastive divergence (one persistent chain per batch row)' },
    { name: 'epochs', type: 'number', integer: true, min: 0, default: 10, help: 'Passes over the data' },
    { name: 'batch-size', type: 'number', integer: true, min: 1, default: 10, help: 'Rows per update' },
    { name: 'learning-rate', type: 'number', min: 0, default: 0.1, help: 'Step size' },
    { name: 'momentum', type: 'number', min: 0, max: 1, default: 0, help: 'Momentum of the updates' },
    { name: 'weight-decay', type: 'number', min: 0, default: 0, help: 'L2 penalty on the weights' },
    { name: 'visible', type: 'enum', choices: ['bernoulli', 'gaussian'], default: 'bernoulli', help: 'Visible unit type' },
    { name: 'rescale', type: 'boolean', help: 'Map the data to [0, 1] (see above)' },
    { name: 'binarize', type: 'number', placeholder: 'T', help: 'Threshold the (rescaled) data at T: 1 where > T' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to save the model' },
    { name: 'resume', type: 'string', placeholder: 'MODEL', help: 'Continue training this saved model' },
    { name: 'filters', type: 'string', placeholder: 'PNG', output: 'file', help: 'Also write a grid of the learned filters' },
    { name: 'shape', type: 'string', placeholder: 'HxW', help: 'Image shape for --filters (default: from the IDX file, or square)' },
  ],
  examples: [
    'ebm rbm train --data train-images-idx3-ubyte.gz --rescale --binarize 0.5 --hidden 500 --pcd --epochs 5 --batch-size 100 --learning-rate 0.01 --out fashion.rbm',
    'ebm rbm train --data digits.csv --no-header --label-column -1 --rescale --hidden 100 --cd 1 --out digits.rbm',
  ],
  async run(ctx) {
    const o = ctx.options;
    if (o.pcd && o.cd !== undefined) throw new UsageError('give either --cd K or --pcd, not both');
    const resumed = o.resume ? await loadRbm(o.resume) : undefined;
    if (!resumed && o.hidden === undefined) throw new UsageError('--hidden N is required (or --resume MODEL)');
    const meta = (resumed?.metadata ?? {}) as RbmFileMeta;
    await selectBackend();
    const loaded = await loadRows(o.data, o);
    const u8 = (o.format ?? (/\.csv(\.gz)?$/i.test(o.data) ? 'csv' : 'idx')) === 'idx';
    const prep = resumed && meta.preprocess
      ? preprocess(loaded.x, { rescale: meta.preprocess.rescale ?? false, binarize: meta.preprocess.binarize }, u8)
      : preprocess(loaded.x, { rescale: o.rescale, binarize: o.binarize ?? null }, u8);
    const x = prep.x;
    const method = o.pcd ? ({ kind: 'pcd', k: 1 } as const) : ({ kind: 'cd', k: o.cd ?? 1 } as const);
    const imageShape = loaded.imageShape ?? meta.imageShape ?? null;
    const visible = resumed?.rbm.visible ?? o.visible;
    const base = baseRateVisibleBias(x, visible);
    const fileMeta: RbmFileMeta = {
      preprocess: prep.used,
      imageShape,
      training: { data: path.basename(o.data), rows: x.rows, method: method.kind, k: method.k, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, momentum: o.momentum, weightDecay: o.weightDecay, seed: o.seed },
    };
    const H = resumed?.rbm.numHidden ?? o.hidden!;
    // weights, their gradient and momentum (float32), plus one batch of visible and hidden activations
    checkMemoryFlags(`--hidden ${H} (× ${x.cols} visible units)`, 4 * (3 * x.cols * H + 4 * Math.min(o.batchSize, x.rows) * (x.cols + H)), 4 * x.cols * H);
    const batches = Math.ceil(x.rows / Math.min(o.batchSize, x.rows));
    let bar = ctx.progress({ label: `epoch 1/${o.epochs}`, total: batches, unit: 'batches' });
    let lastLoss = '';
    let saved = resumed ? `the model given to --resume (${o.resume})` : '';
    ctx.note(`training an RBM: ${x.rows} rows × ${x.cols} ${visible} visible, ${resumed?.rbm.numHidden ?? o.hidden} hidden, ${method.kind.toUpperCase()}-${method.k}`);
    let res;
    try {
      res = await trainRbm(x, {
        ...(resumed ? { initial: resumed.rbm } : { numHidden: o.hidden!, visible }),
        method,
        epochs: o.epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        momentum: o.momentum,
        weightDecay: o.weightDecay,
        rng: createRng(o.seed),
        onBatch: (b, _n, e) => {
          if (b === 1 && e > 1) {
            bar.done();
            bar = ctx.progress({ label: `epoch ${e}/${o.epochs}${lastLoss}`, total: batches, unit: 'batches' });
          }
          bar.update(b);
        },
        onEpoch: async (r) => {
          lastLoss = ` (reconstruction ${r.reconstructionError.toFixed(4)})`;
          await saveRbm(o.out, r.model, { metadata: { ...fileMeta, training: { ...fileMeta.training, epochsDone: r.epoch } }, baseVisibleBias: base });
          saved = `${o.out} (epoch ${r.epoch})`;
          bar.done();
          ctx.note(`epoch ${r.epoch}/${r.epochs}  reconstruction error ${r.reconstructionError.toFixed(5)}  ${r.seconds.toFixed(1)} s`);
        },
      });
    } catch (err) {
      bar.done();
      if (err instanceof RbmDivergenceError) {
        throw new CliError(`${err.message.replace(/ \(lower the learning rate\)$/, '')}; ${saved ? `the last good checkpoint is ${saved}` : 'no checkpoint was written'} — lower --learning-rate`);
      }
      rangeHint(err);
    }
    bar.done();
    if (o.epochs === 0 || !res.history.length) await saveRbm(o.out, res.model, { metadata: fileMeta, baseVisibleBias: base });
    if (o.filters) {
      const [h, w] = imageShapeFor(res.model.numVisible, o.shape, imageShape);
      await writeImageGrid(o.filters, rbmFilters(res.model, 100), { width: w, height: h, normalize: 'each', scale: 2 });
    }
    const last = res.history[res.history.length - 1];
    ctx.io.stdout.write(
      `saved ${o.out}: ${res.model.numVisible} visible (${res.model.visible}), ${res.model.numHidden} hidden` +
        (last ? `; epoch ${last.epoch} reconstruction error ${last.reconstructionError.toFixed(5)}` : '') +
        (o.filters ? `; filters in ${o.filters}` : '') +
        '\n',
    );
  },
});

/** Loads a model and the data it should be evaluated on, preprocessed the saved way. */
async function modelAndData(o: { model: string; data: string; format?: 'idx' | 'csv' | undefined; noHeader: boolean; labelColumn?: string | undefined; limit?: number | undefined }): Promise<{ rbm: Rbm; x: RowMatrix; base?: Float32Array }> {
  const saved = await loadRbm(o.model);
  const meta = (saved.metadata ?? {}) as RbmFileMeta;
  const loaded = await loadRows(o.data, o);
  const u8 = (o.format ?? (/\.csv(\.gz)?$/i.test(o.data) ? 'csv' : 'idx')) === 'idx';
  const p = meta.preprocess ?? { rescale: null, binarize: null };
  const x = preprocess(loaded.x, { rescale: p.rescale ?? false, binarize: p.binarize }, u8).x;
  try {
    saved.rbm.checkData(x, o.data);
  } catch (err) {
    rangeHint(err);
  }
  return { rbm: saved.rbm, x, ...(saved.baseVisibleBias ? { base: saved.baseVisibleBias } : {}) };
}

const evalCmd = defineCommand({
  name: 'eval',
  summary: 'Free energy, reconstruction error, pseudo-likelihood and log-likelihood (exact or AIS) of data',
  description:
    'The log-likelihood needs log Z: exact by enumeration when the smaller layer has at most 20 units (the hidden\n' +
    'layer for Gaussian units), otherwise by annealed importance sampling with --ais (base-rate model from the\n' +
    'training data marginals saved in the model), reported with its standard error. The pseudo-likelihood is\n' +
    "scikit-learn's BernoulliRBM.score_samples (one random unit flipped per row), averaged over rows.",
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model saved by ebm rbm train' },
    ...DATA_OPTIONS,
    { name: 'ais', type: 'boolean', help: 'Estimate log Z by AIS (also when it could be enumerated, to compare)' },
    { name: 'ais-runs', type: 'number', integer: true, min: 2, default: 100, help: 'AIS runs' },
    { name: 'ais-steps', type: 'number', integer: true, min: 3, default: 14500, help: 'AIS intermediate distributions' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed (pseudo-likelihood flips, AIS)' },
    { name: 'json', type: 'boolean', help: 'Print the results as one JSON object' },
  ],
  examples: ['ebm rbm eval --model fashion.rbm --data t10k-images-idx3-ubyte.gz --ais'],
  async run(ctx) {
    const o = ctx.options;
    await selectBackend();
    const { rbm, x, base } = await modelAndData(o);
    const rng = createRng(o.seed);
    const fe = rbm.freeEnergy(x);
    const meanFe = fe.reduce((a, b) => a + b, 0) / fe.length;
    const out: Record<string, unknown> = {
      rows: x.rows,
      visible: `${rbm.numVisible} ${rbm.visible}`,
      hidden: rbm.numHidden,
      freeEnergy: meanFe,
      reconstructionError: rbm.reconstructionError(x),
    };
    if (rbm.visible === 'bernoulli') out['pseudoLikelihood'] = rbm.pseudoLikelihood(x, rng).reduce((a, b) => a + b, 0) / x.rows;
    const enumerable = enumeratedLayer(rbm).units <= 20;
    if (enumerable) {
      const logZ = rbmLogPartition(rbm);
      out['logZ'] = logZ;
      out['logLikelihood'] = -meanFe - logZ;
    }
    if (o.ais) {
      // AIS keeps a runs × units state per layer and a few same-sized temporaries (float32), and the β schedule (float64)
      const V = rbm.numVisible;
      const Hn = rbm.numHidden;
      checkMemoryFlags(`--ais-runs ${o.aisRuns} (× ${V} visible + ${Hn} hidden units)`, 4 * o.aisRuns * 3 * (V + Hn) + 8 * o.aisSteps + 8 * o.aisRuns, 4 * o.aisRuns * Math.max(V, Hn));
      const bar = ctx.progress({ label: 'AIS', total: o.aisSteps, unit: 'steps' });
      const ais = rbmAis(rbm, { rng, runs: o.aisRuns, betas: o.aisSteps, ...(base ? { baseVisibleBias: base } : {}), onProgress: (d) => bar.update(d) });
      bar.done();
      out['aisLogZ'] = ais.logZ;
      out['aisStandardError'] = ais.standardError;
      out['aisLogLikelihood'] = -meanFe - ais.logZ;
    } else if (!enumerable) {
      out['logLikelihood'] = `needs --ais (the ${enumeratedLayer(rbm).layer} layer has ${enumeratedLayer(rbm).units} units; exact enumeration stops at 20)`;
    }
    if (o.json) {
      ctx.io.stdout.write(JSON.stringify(out) + '\n');
      return;
    }
    const fmt = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));
    const lines = [
      `rows                 ${out['rows']}`,
      `units                ${out['visible']} visible, ${out['hidden']} hidden`,
      `free energy (mean)   ${fmt(out['freeEnergy'])}`,
      `reconstruction error ${fmt(out['reconstructionError'])}`,
    ];
    if ('pseudoLikelihood' in out) lines.push(`pseudo-likelihood    ${fmt(out['pseudoLikelihood'])}`);
    if ('logZ' in out) lines.push(`log Z (exact)        ${fmt(out['logZ'])}`);
    if ('aisLogZ' in out) lines.push(`log Z (AIS)          ${fmt(out['aisLogZ'])} ± ${fmt(out['aisStandardError'])}`);
    if (typeof out['logLikelihood'] === 'number') lines.push(`log-likelihood       ${fmt(out['logLikelihood'])} nats (exact)`);
    else if (out['logLikelihood']) lines.push(`log-likelihood       ${out['logLikelihood']}`);
    if ('aisLogLikelihood' in out) lines.push(`log-likelihood (AIS) ${fmt(out['aisLogLikelihood'])} ± ${fmt(out['aisStandardError'])} nats`);
    ctx.io.stdout.write(lines.join('\n') + '\n');
  },
});

const sample = defineCommand({
  name: 'sample',
  summary: 'Draw samples by block Gibbs sampling and write them as a PNG grid',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model saved by ebm rbm train' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'PNG', help: 'Where to write the grid' },
    { name: 'count', type: 'number', integer: true, min: 1, default: 64, help: 'Number of samples (independent chains)' },
    { name: 'steps', type: 'number', integer: true, min: 1, default: 1000, help: 'Gibbs steps per chain' },
    { name: 'states', type: 'boolean', help: 'Draw the sampled binary states (default: the means E[v | h] of the last step)' },
    { name: 'shape', type: 'string', placeholder: 'HxW', help: 'Image shape (default: saved with the model, or square)' },
    { name: 'scale', type: 'number', integer: true, min: 1, default: 2, help: 'Pixel size in the PNG' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed' },
  ],
  examples: ['ebm rbm sample --model fashion.rbm --out samples.png --count 100 --steps 2000'],
  async run(ctx) {
    const o = ctx.options;
    const saved = await loadRbm(o.model);
    const [h, w] = imageShapeFor(saved.rbm.numVisible, o.shape, (saved.metadata as RbmFileMeta | null)?.imageShape);
    await selectBackend();
    const { numVisible: V, numHidden: H } = saved.rbm;
    checkMemoryFlags(`--count ${o.count} (× ${V} visible + ${H} hidden units)`, 4 * 4 * o.count * (V + H), 4 * o.count * Math.max(V, H));
    const s = saved.rbm.sample({ count: o.count, steps: o.steps, rng: createRng(o.seed) });
    await writeImageGrid(o.out, o.states ? s.states : s.means, { width: w, height: h, scale: o.scale, normalize: saved.rbm.visible === 'gaussian' ? 'each' : 'none' });
    ctx.io.stdout.write(`wrote ${o.count} samples (${o.steps} Gibbs steps) to ${o.out}\n`);
  },
});

const filters = defineCommand({
  name: 'filters',
  summary: 'Write the learned filters (weights into each hidden unit) as a PNG grid',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A model saved by ebm rbm train' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'PNG', help: 'Where to write the grid' },
    { name: 'count', type: 'number', integer: true, min: 1, default: 100, help: 'Number of hidden units shown' },
    { name: 'shape', type: 'string', placeholder: 'HxW', help: 'Image shape (default: saved with the model, or square)' },
    { name: 'scale', type: 'number', integer: true, min: 1, default: 2, help: 'Pixel size in the PNG' },
  ],
  async run(ctx) {
    const o = ctx.options;
    const saved = await loadRbm(o.model);
    const [h, w] = imageShapeFor(saved.rbm.numVisible, o.shape, (saved.metadata as RbmFileMeta | null)?.imageShape);
    const f = rbmFilters(saved.rbm, o.count);
    await writeImageGrid(o.out, f, { width: w, height: h, scale: o.scale, normalize: 'each' });
    ctx.io.stdout.write(`wrote ${f.rows} filters to ${o.out}\n`);
  },
});

/** The `rbm` task's verbs. */
export const commands: TaskModule['commands'] = [train, evalCmd, sample, filters];
