/**
 * `ebm hopfield store|recall`: Hopfield networks as associative memories on images or CSV rows. `store` reads a
 * folder of images (grey, 0…1), an IDX file or a CSV file of numbers and saves a classical network (patterns
 * binarised to ±1; Hebbian or pseudo-inverse rule) or a modern one (patterns centred on their mean; β from the
 * data unless given). `recall` corrupts queries on request (masked pixels, flipped pixels; seeded), runs the
 * updates, prints the energy along the way and writes a PNG grid: per query the query, the states after each
 * update and a small plot of the energy. The networks live in `@ebmkit/core/energy` (hopfield/).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createRng, listImages, loadImage, memoryProblem, DataError, type Rng } from '@ebmkit/core';
import {
  HopfieldNetwork,
  ModernHopfield,
  hammingDistance,
  imageGrid,
  loadHopfield,
  saveHopfield,
  suggestBeta,
  toSpins,
  type RowMatrix,
} from '@ebmkit/core/energy';
import { writePng } from '@ebmkit/core';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { OptionSpec } from '../options.js';
import { imageShapeFor, loadRows } from './rbm.js';

/** What `store` saves beside the network so `recall` prepares queries the same way. */
interface HopfieldMeta {
  /** Image shape [height, width], when the data had one. */
  imageShape: [number, number] | null;
  /** Classical: values above this became +1. */
  threshold?: number;
  /** Modern: the mean pattern subtracted before storing (queries are centred by it too). */
  mean?: number[];
  /** Modern: 'grey' stores the centred values, 'sign' their signs (±1). */
  code?: 'grey' | 'sign';
  /** Range of the stored data (for flips: v → lo + hi − v). */
  range: [number, number];
  /** Where the patterns came from. */
  data: string;
  scale: number;
}

/** The data flags of store and recall. */
const DATA_FLAGS = [
  { name: 'data', type: 'string', required: true, placeholder: 'PATH', help: 'A folder of images (grey values 0…1), an IDX file, or a CSV file of numbers (one pattern per row)' },
  { name: 'no-header', type: 'boolean', help: 'CSV: the first row is data, not column names' },
  { name: 'limit', type: 'number', integer: true, min: 1, placeholder: 'N', help: 'Use only the first N patterns / queries' },
] as const satisfies readonly OptionSpec[];

/** Reads a folder of images (all the same size) as grey rows in [0, 1]. */
async function loadImageFolder(dir: string, limit: number | undefined): Promise<{ x: RowMatrix; imageShape: [number, number] }> {
  const files = (await listImages(dir)).slice(0, limit);
  let shape: [number, number] | undefined;
  let data = new Float64Array(0);
  for (let k = 0; k < files.length; k++) {
    const img = await loadImage(files[k]!.path);
    if (!shape) {
      shape = [img.height, img.width];
      data = new Float64Array(files.length * img.width * img.height);
    } else if (img.height !== shape[0] || img.width !== shape[1]) {
      throw new DataError(files[k]!.path, undefined, `image is ${img.width}×${img.height}, expected ${shape[1]}×${shape[0]} like ${files[0]!.name}`);
    }
    const n = img.width * img.height;
    for (let i = 0; i < n; i++) data[k * n + i] = (img.data[3 * i]! + img.data[3 * i + 1]! + img.data[3 * i + 2]!) / (3 * 255);
  }
  return { x: { rows: files.length, cols: shape![0] * shape![1], data }, imageShape: shape! };
}

/** Loads patterns or queries: a folder of images, or an IDX / CSV file; `scale` divides IDX bytes to 0…1. */
async function loadPatterns(file: string, o: { noHeader: boolean; limit?: number | undefined }): Promise<{ x: RowMatrix; imageShape: [number, number] | null; scale: number }> {
  let isDir = false;
  try {
    isDir = (await stat(file)).isDirectory();
  } catch {
    // a missing file: loadRows names it
  }
  if (isDir) {
    const r = await loadImageFolder(file, o.limit);
    return { ...r, scale: 1 };
  }
  const csv = /\.csv(\.gz)?$/i.test(file);
  const r = await loadRows(file, { format: csv ? 'csv' : 'idx', noHeader: o.noHeader, limit: o.limit });
  const data = Float64Array.from(r.x.data);
  const scale = csv ? 1 : 255; // IDX images are bytes
  if (scale !== 1) for (let i = 0; i < data.length; i++) data[i]! /= scale;
  return { x: { rows: r.x.rows, cols: r.x.cols, data }, imageShape: r.imageShape ?? null, scale };
}

function rangeOf(d: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) throw new CliError(`value ${i} of the data is ${v}, expected finite numbers`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

const store = defineCommand({
  name: 'store',
  summary: 'Store patterns (images or CSV rows) in a classical or modern Hopfield network',
  description:
    'classical: patterns become ±1 (+1 where the value is above --threshold, default the middle of the data range)\n' +
    'and are stored by the Hebbian rule (about 0.14 N random patterns for N units) or the pseudo-inverse rule\n' +
    '(any linearly independent set of fewer than N patterns, correlated ones included). modern: the grey values are\n' +
    'centred on the mean pattern and stored as they are (--code grey) or as their signs ±1 (--code sign: every\n' +
    'pattern then has the same magnitude on every part of the image, which is what retrieval from half-masked\n' +
    'queries needs; see docs/benchmarks.md, section hopfield-modern); --beta defaults to 2 (log N + 3) / δ², δ² the median\n' +
    'squared distance of a pattern to its nearest other pattern, so one update retrieves a pattern from a query near it.',
  options: [
    ...DATA_FLAGS,
    { name: 'kind', type: 'enum', choices: ['classical', 'modern'], default: 'classical', help: 'Binary classical network or continuous modern one' },
    { name: 'rule', type: 'enum', choices: ['hebbian', 'pseudo-inverse'], help: 'classical: storage rule (default hebbian)' },
    { name: 'threshold', type: 'number', placeholder: 'T', help: 'classical: binarise at T (default: middle of the data range)' },
    { name: 'code', type: 'enum', choices: ['grey', 'sign'], help: 'modern: store the centred grey values or their signs ±1 (default grey; see above)' },
    { name: 'beta', type: 'number', min: 0, placeholder: 'B', help: 'modern: inverse temperature β > 0 (default: from the data, see above)' },
    { name: 'out', short: 'o', type: 'string', required: true, placeholder: 'MODEL', help: 'Where to save the network' },
  ],
  examples: ['ebm hopfield store --data letters/ --rule pseudo-inverse --out letters.hop', 'ebm hopfield store --data train-images-idx3-ubyte.gz --limit 1000 --kind modern --out fashion.hop'],
  async run(ctx) {
    const o = ctx.options;
    if (o.kind === 'modern' && (o.rule !== undefined || o.threshold !== undefined)) throw new UsageError('--rule and --threshold apply to --kind classical');
    if (o.kind === 'classical' && (o.beta !== undefined || o.code !== undefined)) throw new UsageError('--beta and --code apply to --kind modern');
    if (o.beta === 0) throw new UsageError('--beta must be > 0');
    const { x, imageShape, scale } = await loadPatterns(o.data, o);
    const range = rangeOf(x.data);
    // classical: W (N × N, float64) and its encoded copy, plus the pseudo-inverse's P × N and P × P work arrays;
    // modern: the centred patterns, the network's copy and the encoded file
    const n = x.cols;
    const P = x.rows;
    const problem =
      o.kind === 'classical'
        ? memoryProblem(`${n} units (${o.data})`, 16 * n * n + 16 * (P * n + P * P), { largestArrayBytes: 8 * n * n })
        : memoryProblem(`${P} patterns of ${n} values (${o.data})`, 24 * P * n, { largestArrayBytes: 8 * P * n });
    if (problem) throw new CliError(problem);
    const meta: HopfieldMeta = { imageShape, range, data: path.basename(o.data), scale };
    let summary: string;
    if (o.kind === 'classical') {
      const threshold = o.threshold ?? (range[0] + range[1]) / 2;
      meta.threshold = threshold;
      const spins = toSpins(x, threshold);
      const rule = o.rule ?? 'hebbian';
      if (rule === 'pseudo-inverse' && x.rows >= x.cols) throw new CliError(`${o.data}: ${x.rows} patterns of ${x.cols} units; the pseudo-inverse rule stores at most ${x.cols - 1}`);
      let net: HopfieldNetwork;
      try {
        net = rule === 'hebbian' ? HopfieldNetwork.hebbian(spins) : HopfieldNetwork.pseudoInverse(spins);
      } catch (err) {
        if (err instanceof RangeError) throw new CliError(`${o.data}: ${err.message.replace(/^HopfieldNetwork\.\w+: /, '')}`);
        throw err;
      }
      await saveHopfield(o.out, net, meta, spins);
      const load = x.rows / x.cols;
      summary = `stored ${x.rows} patterns of ${x.cols} units (threshold ${fmt(threshold)}, ${rule}, load P/N ${load.toFixed(3)}${rule === 'hebbian' && load > 0.138 ? ', above the Hebbian capacity ≈ 0.138' : ''}) in ${o.out}`;
    } else {
      const mean = columnMean(x);
      const code = o.code ?? 'grey';
      const centred = code === 'sign' ? toSpins(centre(x, mean), 0) : centre(x, mean);
      let beta = o.beta;
      if (beta === undefined) {
        try {
          beta = suggestBeta(centred);
        } catch (err) {
          throw new CliError(`${o.data}: ${(err as Error).message.replace(/^suggestBeta: /, '')}`);
        }
      }
      meta.mean = Array.from(mean);
      meta.code = code;
      await saveHopfield(o.out, new ModernHopfield(centred, beta), meta);
      summary = `stored ${x.rows} patterns of ${x.cols} values (modern, ${code === 'sign' ? '±1 signs of the centred values' : 'centred values'}, β ${fmt(beta)}${o.beta === undefined ? ' from the data' : ''}) in ${o.out}`;
    }
    ctx.io.stdout.write(summary + '\n');
  },
});

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(4) : v.toExponential(3);
}

function columnMean(x: RowMatrix): Float64Array {
  const m = new Float64Array(x.cols);
  for (let r = 0; r < x.rows; r++) for (let c = 0; c < x.cols; c++) m[c]! += x.data[r * x.cols + c]!;
  for (let c = 0; c < x.cols; c++) m[c]! /= x.rows;
  return m;
}

function centre(x: RowMatrix, mean: ArrayLike<number>, sign = -1): RowMatrix {
  const data = Float64Array.from(x.data);
  for (let r = 0; r < x.rows; r++) for (let c = 0; c < x.cols; c++) data[r * x.cols + c]! += sign * mean[c]!;
  return { rows: x.rows, cols: x.cols, data };
}

/**
 * Corrupts queries in place: a `flip` share of the values of each row are flipped (v → lo + hi − v), then a
 * `mask` share are masked (set to `maskValue`). Positions are drawn per row without replacement from `rng`.
 */
function corrupt(x: Float64Array, rows: number, cols: number, o: { flip: number; mask: number; maskValue: number; range: [number, number] }, rng: Rng): void {
  const idx = new Int32Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) idx[i] = i;
    rng.shuffle(idx);
    const nf = Math.round(o.flip * cols);
    const nm = Math.round(o.mask * cols);
    for (let k = 0; k < nf; k++) x[r * cols + idx[k]!] = o.range[0] + o.range[1] - x[r * cols + idx[k]!]!;
    rng.shuffle(idx);
    for (let k = 0; k < nm; k++) x[r * cols + idx[k]!] = o.maskValue;
  }
}

/** A tile of `h × w` pixels with the energies drawn as a line plot (1 on the line, 0 elsewhere; min at the bottom). */
function energyTile(energies: readonly number[], h: number, w: number): Float64Array {
  const tile = new Float64Array(h * w);
  const lo = Math.min(...energies);
  const hi = Math.max(...energies);
  const span = hi > lo ? hi - lo : 1;
  const n = energies.length;
  for (let x = 0; x < w; x++) {
    const t = n === 1 ? 0 : (x / Math.max(1, w - 1)) * (n - 1);
    const a = Math.floor(t);
    const b = Math.min(n - 1, a + 1);
    const e = energies[a]! + (t - a) * (energies[b]! - energies[a]!);
    const y = Math.round((1 - (hi > lo ? (e - lo) / span : 0.5)) * (h - 1));
    tile[y * w + x] = 1;
  }
  return tile;
}

const recall = defineCommand({
  name: 'recall',
  summary: 'Recall stored patterns from (corrupted) queries; print the energies, write a PNG grid',
  description:
    'Queries are read like the stored data and prepared the same way (classical: binarised at the saved threshold;\n' +
    'modern: centred on the saved mean). --flip F flips a share F of each query (classical: the sign; grey values:\n' +
    'v → min + max − v), --mask F then masks a share F (classical: set to −1; modern: set to the mean pattern\n' +
    'value); positions come from --seed. classical networks update asynchronously (a random unit order per sweep,\n' +
    'from --seed) until a sweep changes nothing, or synchronously with --sync (until a fixed point or a 2-cycle);\n' +
    'modern networks run --steps updates ξ ← X softmax(β Xᵀ ξ), with β divided by the share of each query left\n' +
    'unmasked (score gaps shrink with it; --beta sets it). The grid has one row per query: the query, the state\n' +
    'after each step (at most --show of them, the last always) and a plot of the energy; the energies are printed too.',
  options: [
    { name: 'model', short: 'm', type: 'string', required: true, placeholder: 'MODEL', help: 'A network saved by ebm hopfield store' },
    ...DATA_FLAGS,
    { name: 'mask', type: 'number', min: 0, max: 1, default: 0, placeholder: 'F', help: 'Mask this share of each query (see above)' },
    { name: 'flip', type: 'number', min: 0, max: 1, default: 0, placeholder: 'F', help: 'Flip this share of each query (see above)' },
    { name: 'seed', type: 'number', integer: true, default: 1, help: 'Random seed (corruption, update order)' },
    { name: 'beta', type: 'number', min: 0, placeholder: 'B', help: 'modern: β for this recall (default: the saved β / (1 − --mask))' },
    { name: 'sync', type: 'boolean', help: 'classical: synchronous updates (all units at once)' },
    { name: 'steps', type: 'number', integer: true, min: 1, placeholder: 'K', help: 'modern: updates (default 1); classical: at most K sweeps / steps (default 100)' },
    { name: 'show', type: 'number', integer: true, min: 1, default: 6, help: 'States shown per query in the grid' },
    { name: 'shape', type: 'string', placeholder: 'HxW', help: 'Image shape (default: saved with the network, or square)' },
    { name: 'scale', type: 'number', integer: true, min: 1, default: 2, help: 'Pixel size in the PNG' },
    { name: 'out', short: 'o', type: 'string', placeholder: 'PNG', output: 'file', help: 'Where to write the grid (none when omitted)' },
    { name: 'json', type: 'boolean', help: 'Print one JSON object per query instead of text' },
  ],
  examples: ['ebm hopfield recall --model letters.hop --data letters/ --flip 0.2 --out recall.png', 'ebm hopfield recall --model fashion.hop --data t10k-images-idx3-ubyte.gz --limit 8 --mask 0.5 --out recall.png'],
  async run(ctx) {
    const o = ctx.options;
    const saved = await loadHopfield(o.model);
    const meta = (saved.metadata ?? {}) as Partial<HopfieldMeta>;
    const dim = saved.type === 'classical' ? saved.network.size : saved.network.dim;
    if (saved.type === 'modern' && o.sync) throw new UsageError('--sync applies to classical networks');
    if (saved.type === 'classical' && o.beta !== undefined) throw new UsageError('--beta applies to modern networks');
    if (o.mask >= 1) throw new UsageError('--mask 1 masks every value; nothing is left to recall from');
    if (o.beta === 0) throw new UsageError('--beta must be > 0');
    const [h, w] = imageShapeFor(dim, o.shape, meta.imageShape);
    const q = await loadPatterns(o.data, o);
    if (q.x.cols !== dim) throw new CliError(`${o.data}: queries have ${q.x.cols} values, the network ${o.model} has ${dim}`);
    const rng = createRng(o.seed);
    const rows = q.x.rows;
    const range = meta.range ?? rangeOf(q.x.data);
    const pictures: { states: Float64Array[]; energies: number[] }[] = [];
    const perQuery: { query: number; energies: number[]; outcome: string; nearest?: number; distance?: number }[] = [];
    if (saved.type === 'classical') {
      const net = saved.network;
      const threshold = meta.threshold ?? (range[0] + range[1]) / 2;
      const spins = Float64Array.from(toSpins(q.x, threshold).data);
      corrupt(spins, rows, dim, { flip: o.flip, mask: o.mask, maskValue: -1, range: [-1, 1] }, rng);
      const maxSteps = o.steps ?? 100;
      for (let r = 0; r < rows; r++) {
        const s = spins.subarray(r * dim, (r + 1) * dim);
        const states: Float64Array[] = [Float64Array.from(s)];
        const onStep = (step: number) => {
          if (step > 0) states.push(Float64Array.from(s));
        };
        let energies: number[];
        let outcome: string;
        if (o.sync) {
          const res = net.recallSync(s, { maxSteps, onStep });
          energies = res.energies;
          outcome = res.outcome === 'max-steps' ? `no fixed point or 2-cycle in ${res.steps} steps` : `${res.outcome} after ${res.steps} steps`;
        } else {
          const res = net.recallAsync(s, rng, { maxSteps, onStep });
          energies = res.energies;
          outcome = res.converged ? `fixed point after ${res.sweeps} sweeps (${res.flips} flips)` : `no fixed point in ${res.sweeps} sweeps`;
        }
        const near = saved.patterns ? nearestSpins(s, saved.patterns) : undefined;
        perQuery.push({ query: r, energies, outcome, ...(near ?? {}) });
        pictures.push({ states: states.map((v) => v.map((x) => (x + 1) / 2)), energies });
      }
    } else {
      // a query that shows a share f of its values has score gaps about f times smaller: β / f keeps retrieval sharp
      const observed = 1 - o.mask;
      const beta = o.beta ?? saved.network.beta / observed;
      const net = beta === saved.network.beta ? saved.network : new ModernHopfield({ rows: saved.network.count, cols: dim, data: saved.network.patterns }, beta);
      if (beta !== saved.network.beta) ctx.note(`β ${fmt(beta)} for this recall (${o.beta !== undefined ? '--beta' : `the saved ${fmt(saved.network.beta)} / ${fmt(observed)}, the share of each query not masked`})`);
      const mean = meta.mean && meta.mean.length === dim ? Float64Array.from(meta.mean) : new Float64Array(dim);
      const x = Float64Array.from(q.x.data);
      // flips in the original scale; masking after centring, to 0 (the mean pattern)
      corrupt(x, rows, dim, { flip: o.flip, mask: 0, maskValue: 0, range }, rng);
      const sign = meta.code === 'sign';
      const centred = centre({ rows, cols: dim, data: x }, mean);
      const c = (sign ? toSpins(centred, 0) : centred).data as Float64Array;
      if (o.mask > 0) corrupt(c, rows, dim, { flip: 0, mask: o.mask, maskValue: 0, range }, rng);
      const steps = o.steps ?? 1;
      const next = new Float64Array(dim);
      for (let r = 0; r < rows; r++) {
        const s = c.subarray(r * dim, (r + 1) * dim);
        const states: Float64Array[] = [Float64Array.from(s)];
        const energies = [net.energy(s)];
        for (let t = 0; t < steps; t++) {
          net.update(s, next);
          s.set(next);
          states.push(Float64Array.from(s));
          energies.push(net.energy(s));
        }
        const index = net.nearest(s);
        let d2 = 0;
        for (let k = 0; k < dim; k++) d2 += (s[k]! - net.patterns[index * dim + k]!) ** 2;
        perQuery.push({ query: r, energies, outcome: `${steps} update${steps === 1 ? '' : 's'}`, nearest: index, distance: Math.sqrt(d2) });
        const span = range[1] > range[0] ? range[1] - range[0] : 1;
        pictures.push({ states: states.map((v) => v.map((val, k) => (sign ? (val + 1) / 2 : (val + mean[k]! - range[0]) / span))), energies });
      }
    }
    if (o.out) await writePng(o.out, recallGrid(pictures, o.show, h, w, o.scale));
    const label = saved.type === 'classical' ? 'bits differ' : 'distance';
    for (const p of perQuery) {
      if (o.json) {
        ctx.io.stdout.write(JSON.stringify(p.nearest === undefined ? p : { ...p, nearest: p.nearest + 1 }) + '\n');
        continue;
      }
      const es = p.energies.length > 12 ? [...p.energies.slice(0, 6).map(fmt), '…', ...p.energies.slice(-5).map(fmt)] : p.energies.map(fmt);
      const near = p.nearest === undefined ? '' : `; nearest stored pattern ${p.nearest + 1} (${label} ${fmt(p.distance!)})`;
      ctx.io.stdout.write(`query ${p.query + 1}: E ${es.join(' → ')}; ${p.outcome}${near}\n`);
    }
    if (o.out && !o.json) ctx.io.stdout.write(`wrote ${rows} rows (query, states, energy plot) to ${o.out}\n`);
  },
});

/** The stored ±1 pattern nearest a state (fewest differing bits; the first on ties). */
function nearestSpins(s: Float64Array, patterns: RowMatrix): { nearest: number; distance: number } {
  const n = s.length;
  let nearest = 0;
  let distance = Infinity;
  for (let k = 0; k < patterns.rows; k++) {
    const d = hammingDistance(s, patterns.data.subarray(k * n, (k + 1) * n));
    if (d < distance) {
      distance = d;
      nearest = k;
    }
  }
  return { nearest, distance };
}

/**
 * The recall picture: one grid row per query with the query, up to `show` states (the last always; grey tiles pad
 * rows that stopped early) and the energy plot. States are in [0, 1].
 */
function recallGrid(pictures: { states: Float64Array[]; energies: number[] }[], show: number, h: number, w: number, scale: number) {
  const dim = h * w;
  const shown = Math.min(show, Math.max(...pictures.map((p) => p.states.length - 1)));
  const columns = shown + 2;
  const data = new Float64Array(pictures.length * columns * dim).fill(0.5);
  pictures.forEach((p, r) => {
    const later = p.states.slice(1);
    const picked = later.length <= shown ? later : [...later.slice(0, shown - 1), later.at(-1)!];
    const base = r * columns;
    data.set(p.states[0]!, base * dim);
    picked.forEach((v, j) => data.set(v, (base + 1 + j) * dim));
    data.set(energyTile(p.energies, h, w), (base + columns - 1) * dim);
  });
  return imageGrid({ rows: pictures.length * columns, cols: dim, data }, { width: w, height: h, columns, scale });
}

/** The `hopfield` task's verbs. */
export const commands: TaskModule['commands'] = [store, recall];
