/**
 * ebm-rbm benchmark: ebmkit's RBMs side by side with scikit-learn's BernoulliRBM, writing the `ebm-rbm` section of
 * docs/benchmarks.md.
 *
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-rbm/run.ts \
 *       [--only digits,ais,fashion,dbn] [--fashion-epochs 5] [--timing-rounds 2] [--ais-steps 14500] [--ais-runs 100] [--no-sklearn] [--no-write]
 * (--no-write prints the section instead of writing it: e.g. to check one part without replacing the others)
 *
 * (1) scikit-learn's digits example (RBM features + logistic regression), (2) AIS against the exact log Z of a
 * 12-hidden RBM on binarised digits, (3) Fashion-MNIST (binarised at 0.5), 500 hidden, CD-1 and PCD: seconds per
 * epoch, pseudo-likelihood, AIS test log-likelihood, (4) DBN fine-tuning vs the same network from random init.
 * scikit-learn comes from Debian (`apt-get install python3-sklearn`) and runs with one BLAS thread.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import {
  baseRateVisibleBias,
  binarize,
  fineTuneDbn,
  pretrainDbn,
  rbmAis,
  rbmExactLogLikelihood,
  rbmLogLikelihood,
  rbmLogPartition,
  rescaleToUnitInterval,
  selectRows,
  trainRbm,
  type Rbm,
  type RowMatrix,
} from '@ebmkit/core/energy';
import { machineDescription, markdownTable, median, writeBenchmarkSection } from '../lib/report.js';
import { corporaDir, loadDigits, loadFashion, minmaxColumns, nudge, splitIndices } from './data.js';
import { fitLogistic, logisticAccuracy } from './logistic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const only = new Set(flag('only', 'digits,ais,fashion,dbn').split(','));
const fashionEpochs = Number(flag('fashion-epochs', '5'));
const aisSteps = Number(flag('ais-steps', '14500'));
const aisRuns = Number(flag('ais-runs', '100'));
const timingRounds = Number(flag('timing-rounds', '2'));
const useSklearn = !process.argv.includes('--no-sklearn');
const tmp = mkdtempSync(path.join(tmpdir(), 'ebm-rbm-bench-'));

/** Runs the scikit-learn side; undefined (with a note) when it is unavailable. */
function sklearn(task: string, spec: unknown): any {
  if (!useSklearn) return undefined;
  const file = path.join(tmp, `${task}.json`);
  writeFileSync(file, JSON.stringify(spec));
  try {
    const out = execFileSync(PYTHON, [path.join(here, 'sklearn_rbm.py'), task, file], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 24,
    });
    return JSON.parse(out.toString().trim().split('\n').pop()!);
  } catch (e) {
    console.error(`scikit-learn side failed (apt-get install python3-sklearn): ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
const log = (s: string) => console.error(`[ebm-rbm ${new Date().toISOString().slice(11, 19)}] ${s}`);
const sections: string[] = [];
const loadStart = loadavg()[0]!;
const backend = await selectBackend('wasm');

/** Digits: nudged ×5, scaled per column, 80/20 split drawn with seed 0. */
async function digitsSplit() {
  const d = await loadDigits();
  const n = nudge(d.x, d.y);
  const x = minmaxColumns(n.x);
  const sp = splitIndices(x.rows, 0.2, createRng(0));
  return {
    sp,
    xtr: selectRows(x, sp.train),
    xte: selectRows(x, sp.test),
    ytr: Int32Array.from(sp.train, (i) => n.y[i]!),
    yte: Int32Array.from(sp.test, (i) => n.y[i]!),
  };
}

if (only.has('digits')) {
  log('(1) digits: RBM features + logistic regression');
  const { sp, xtr, xte, ytr, yte } = await digitsSplit();
  const rows: (string | number)[][] = [];
  const accs: number[] = [];
  for (const seed of [0, 1, 2]) {
    const t0 = performance.now();
    const res = await trainRbm(xtr, { numHidden: 100, method: { kind: 'pcd' }, epochs: 10, batchSize: 10, learningRate: 0.06, rng: createRng(seed) });
    const fit = (performance.now() - t0) / 1000;
    const lr = await fitLogistic(res.model.hiddenProbabilities(xtr), ytr, { classes: 10, C: 6000, tolerance: 1 });
    const acc = logisticAccuracy(lr, res.model.hiddenProbabilities(xte), yte);
    accs.push(acc);
    rows.push([`ebmkit PCD-1, seed ${seed}`, f(acc, 4), f(fit, 2), `${lr.iterations} (${lr.status})`]);
  }
  const raw = await fitLogistic(xtr, ytr, { classes: 10, C: 100, tolerance: 1 });
  const rawAcc = logisticAccuracy(raw, xte, yte);
  rows.push(['ebmkit, mean of 3 seeds', f(accs.reduce((a, b) => a + b, 0) / accs.length, 4), '', '']);
  rows.push(['ebmkit raw pixels (C = 100)', f(rawAcc, 4), '', `${raw.iterations}`]);
  const sk = sklearn('digits', { csv: path.join(corporaDir(), 'sklearn_digits', 'digits.csv.gz'), train: [...sp.train], test: [...sp.test] });
  if (sk) {
    rows.push(['scikit-learn BernoulliRBM (random_state 0)', f(sk.accuracy, 4), f(sk.rbm_fit_seconds, 2), 'newton-cg, tol 1']);
    rows.push(['scikit-learn raw pixels (C = 100)', f(sk.raw_accuracy, 4), '', 'newton-cg, tol 1']);
  }
  sections.push(
    [
      '### (1) RBM features for digits (scikit-learn example)',
      '',
      'Digits (1,797 × 64, `sklearn_digits`) nudged ×5 (8,985 rows), each column scaled to [0, 1], 80/20 split (the same rows',
      'on both sides), RBM 100 hidden, learning rate 0.06, 10 epochs, batch 10 (PCD-1, as BernoulliRBM), then multinomial',
      'logistic regression (C = 6000) on the hidden probabilities, stopped like scikit-learn\'s newton-cg with tol = 1',
      '(max |gradient of C·Σ loss + ½‖W‖²| ≤ 1; ebmkit\'s uses core `minimizeLbfgs`). Target: accuracy ≥ 0.93.',
      '',
      markdownTable(['model', 'test accuracy', 'RBM fit (s)', 'LR iterations'], rows),
    ].join('\n'),
  );
}

if (only.has('ais')) {
  log('(2) AIS vs exact on binarised digits, 12 hidden');
  const d = await loadDigits();
  const x = binarize(rescaleToUnitInterval(d.x, { min: 0, max: 16 }).matrix, 0.5);
  const sp = splitIndices(x.rows, 0.2, createRng(0));
  const xtr = selectRows(x, sp.train);
  const xte = selectRows(x, sp.test);
  const res = await trainRbm(xtr, { numHidden: 12, method: { kind: 'cd' }, epochs: 30, batchSize: 10, learningRate: 0.05, rng: createRng(1) });
  const rbm = res.model;
  const logZ = rbmLogPartition(rbm);
  const exact = rbmExactLogLikelihood(rbm, xte, logZ);
  const t0 = performance.now();
  const ais = rbmAis(rbm, { rng: createRng(2), runs: aisRuns, betas: aisSteps, baseVisibleBias: baseRateVisibleBias(xtr) });
  const secs = (performance.now() - t0) / 1000;
  const est = rbmLogLikelihood(rbm, xte, ais);
  const diff = est.logLikelihood - exact;
  sections.push(
    [
      '### (2) AIS against the exact log-likelihood',
      '',
      `Digits binarised at 8 (of 16), 80/20 split, RBM 64 × 12 trained by CD-1 (30 epochs, lr 0.05, batch 10). Exact log Z by`,
      `enumerating the 2^12 hidden states; AIS with ${aisRuns} runs × ${aisSteps} intermediate distributions from the base-rate model`,
      '(training-data marginals). Target: |AIS − exact| < 0.5 nats with the standard error covering it.',
      '',
      markdownTable(
        ['quantity', 'value'],
        [
          ['log Z exact', f(logZ, 4)],
          ['log Z AIS ± SE', `${f(ais.logZ, 4)} ± ${f(ais.standardError, 4)}`],
          ['±3 SE interval of log Z', `[${f(ais.interval[0], 4)}, ${f(ais.interval[1], 4)}]`],
          ['test log-likelihood exact (nats)', f(exact, 4)],
          ['test log-likelihood AIS (nats)', `${f(est.logLikelihood, 4)} ± ${f(est.standardError, 4)}`],
          ['AIS − exact', `${f(diff, 4)} (${f(Math.abs(diff) / Math.max(ais.standardError, 1e-12), 2)} SE)`],
          ['AIS seconds', f(secs, 1)],
        ],
      ),
    ].join('\n'),
  );
}

if (only.has('fashion')) {
  log('(3) Fashion-MNIST, 500 hidden');
  const tr = await loadFashion('train');
  const te = await loadFashion('t10k');
  const prep = (m: RowMatrix) => binarize(rescaleToUnitInterval(m, { min: 0, max: 255 }).matrix, 0.5);
  const xtr = prep(tr.x);
  const xte = prep(te.x);
  const base = baseRateVisibleBias(xtr);
  const cpuSeconds = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  };
  // Timing rounds, the two sides alternating (ebmkit CD-1, scikit-learn float32, ebmkit PCD-1, scikit-learn float32,
  // …; float64 once, in the first round): seconds per epoch = process CPU time of the training ÷ epochs on both
  // sides (the machine is shared: CPU time is what one process got; wall time is printed too).
  const models: Partial<Record<'cd' | 'pcd', { rbm: Rbm; engine: string }>> = {};
  const oursCpu: Record<'cd' | 'pcd', number[]> = { cd: [], pcd: [] };
  const oursWall: Record<'cd' | 'pcd', number[]> = { cd: [], pcd: [] };
  const skCpu: Record<string, number[]> = { float32: [], float64: [] };
  const skPl: Record<string, number> = {};
  let skFailed = !useSklearn;
  for (let round = 0; round < timingRounds; round++) {
    for (const kind of ['cd', 'pcd'] as const) {
      log(`  round ${round + 1}: training ${kind}`);
      const c0 = cpuSeconds();
      const res = await trainRbm(xtr, {
        numHidden: 500,
        method: { kind },
        epochs: fashionEpochs,
        batchSize: 100,
        learningRate: 0.01,
        rng: createRng(0),
        onEpoch: (r) => log(`  ${kind} epoch ${r.epoch}: ${r.seconds.toFixed(1)} s wall, reconstruction ${r.reconstructionError.toFixed(4)}`),
      });
      oursCpu[kind].push((cpuSeconds() - c0) / fashionEpochs);
      oursWall[kind].push(res.history.reduce((t, h) => t + h.seconds, 0) / fashionEpochs);
      log(`  ${kind}: ${oursCpu[kind].at(-1)!.toFixed(2)} s CPU / epoch (training, reconstruction checks included)`);
      models[kind] ??= { rbm: res.model, engine: res.engine };
      if (skFailed) continue;
      const dtypes = round === 0 && kind === 'cd' ? ['float32', 'float64'] : ['float32'];
      log(`  round ${round + 1}: scikit-learn ${dtypes.join(', ')}`);
      const sk = sklearn('fashion', { dir: path.join(corporaDir(), 'fashion_mnist'), epochs: fashionEpochs, dtypes });
      if (!sk) {
        skFailed = true;
        continue;
      }
      for (const dt of dtypes) {
        skCpu[dt]!.push(sk[dt].cpu_seconds_per_epoch);
        skPl[dt] ??= sk[dt].pseudo_likelihood;
        log(`  scikit-learn ${dt}: ${sk[dt].cpu_seconds_per_epoch.toFixed(2)} s CPU / epoch (${sk[dt].seconds_per_epoch.toFixed(2)} wall)`);
      }
    }
  }
  const rows: (string | number)[][] = [];
  for (const kind of ['cd', 'pcd'] as const) {
    const { rbm, engine } = models[kind]!;
    const pl = rbm.pseudoLikelihood(xte, createRng(3));
    log(`  AIS for ${kind}`);
    const t0 = performance.now();
    const ais = rbmAis(rbm, { rng: createRng(4), runs: aisRuns, betas: aisSteps, baseVisibleBias: base, onProgress: (k, K) => k % 2000 === 0 && log(`    AIS ${k}/${K}`) });
    const aisSecs = (performance.now() - t0) / 1000;
    const ll = rbmLogLikelihood(rbm, xte, ais);
    rows.push([
      `ebmkit ${kind === 'cd' ? 'CD-1' : 'PCD-1'} (float32, ${engine === 'binary-wasm' ? 'binary-data WebAssembly kernels' : `tfjs ${backend.name}`})`,
      f(median(oursCpu[kind]), 2),
      oursCpu[kind].map((v) => f(v, 2)).join(', '),
      f(pl.reduce((a, b) => a + b, 0) / pl.length, 2),
      `${f(ll.logLikelihood, 2)} ± ${f(ll.standardError, 2)}`,
      f(aisSecs, 0),
    ]);
  }
  let ratios = '';
  if (skCpu['float32']!.length) {
    for (const dt of ['float64', 'float32']) {
      if (skCpu[dt]!.length) rows.push([`scikit-learn BernoulliRBM (PCD-1, ${dt}, 1 thread)`, f(median(skCpu[dt]!), 2), skCpu[dt]!.map((v) => f(v, 2)).join(', '), f(skPl[dt]!, 2), '—', '']);
    }
    const ref = (dt: string) => (skCpu[dt]!.length ? median(skCpu[dt]!) : NaN);
    const ours = (k: 'cd' | 'pcd') => median(oursCpu[k]);
    ratios =
      `Time per epoch ÷ scikit-learn's (medians of the rounds): CD-1 ${f(ours('cd') / ref('float64'), 2)} (float64) / ${f(ours('cd') / ref('float32'), 2)} (float32), ` +
      `PCD-1 ${f(ours('pcd') / ref('float64'), 2)} / ${f(ours('pcd') / ref('float32'), 2)}. Target: ≤ 0.8 × scikit-learn float32. ` +
      `Wall seconds per epoch (ebmkit, the updates only): CD-1 ${oursWall.cd.map((v) => f(v, 2)).join(', ')}, PCD-1 ${oursWall.pcd.map((v) => f(v, 2)).join(', ')}.`;
  }
  sections.push(
    [
      '### (3) Fashion-MNIST, 500 hidden units',
      '',
      `60,000 training images binarised at 0.5 (of 1), RBM 784 × 500, batch 100, learning rate 0.01, ${fashionEpochs} epochs. Time per epoch:`,
      `process CPU time of the training ÷ epochs (one thread on both sides), median of ${timingRounds} rounds in which the two sides alternate`,
      '(ebmkit CD-1, scikit-learn float32, ebmkit PCD-1, scikit-learn float32, …; float64 in the first round only); ebmkit\'s includes',
      'its per-epoch reconstruction check, scikit-learn\'s its input checks. Mean pseudo-likelihood on the 10,000 test images',
      `(scikit-learn's \`score_samples\` definition) and the AIS test log-likelihood (${aisRuns} runs × ${aisSteps} steps, base rates from the`,
      'training marginals), for the first round\'s models.',
      '',
      markdownTable(['model', 's / epoch (CPU, median)', 'each round', 'pseudo-likelihood', 'AIS test log-likelihood (nats)', 'AIS s'], rows),
      ...(ratios ? ['', ratios] : []),
    ].join('\n'),
  );
}

if (only.has('dbn')) {
  log('(4) DBN on digits: pretrained vs random init');
  const { xtr, xte, ytr, yte } = await digitsSplit();
  const rbms = await pretrainDbn(xtr, { layers: [100], rbm: { epochs: 10, batchSize: 10, learningRate: 0.06, rng: createRng(0) } });
  const curve = async (pretrained: boolean) => {
    const accs: number[] = [];
    await fineTuneDbn(xtr, ytr, {
      numClasses: 10,
      ...(pretrained ? { pretrained: rbms } : { hidden: [100] }),
      epochs: 10,
      batchSize: 10,
      learningRate: 0.05,
      rng: createRng(1),
      onEpoch: (_e, _loss, m) => void accs.push(m.accuracy(xte, yte)),
    });
    return accs;
  };
  const pre = await curve(true);
  const rnd = await curve(false);
  const rows = [1, 2, 3, 5, 10].map((e) => [e, f(pre[e - 1]!, 4), f(rnd[e - 1]!, 4)]);
  sections.push(
    [
      '### (4) DBN: pretraining vs random initialisation',
      '',
      'Same digits split as (1). A 64-100-10 network (sigmoid hidden layer, softmax output) fine-tuned by SGD (momentum 0.9,',
      'lr 0.05, batch 10), starting either from an RBM pretrained as in (1) (CD-1, 10 epochs) or from a Glorot-uniform',
      'random initialisation (same seed for the output layer). Test accuracy after each number of fine-tuning epochs.',
      'Target: pretraining beats random initialisation at equal epochs.',
      '',
      markdownTable(['fine-tuning epochs', 'pretrained', 'random init'], rows),
    ].join('\n'),
  );
}

const loadEnd = loadavg()[0]!;
const header = [
  '## ebm-rbm — RBMs, AIS and DBNs vs scikit-learn',
  '',
  `Command: \`EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-rbm/run.ts${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\``,
  `(scikit-learn: Debian \`python3-sklearn\`, \`${PYTHON}\`, OPENBLAS_NUM_THREADS=1). Machine: ${machineDescription()}; tfjs ${backend.reason};`,
  `1-minute load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end (timings on a busy machine are inflated).`,
].join('\n');
rmSync(tmp, { recursive: true, force: true });
if (process.argv.includes('--no-write')) {
  console.log([header, ...sections].join('\n\n'));
} else {
  await writeBenchmarkSection('ebm-rbm', [header, ...sections].join('\n\n'));
  log('wrote the ebm-rbm section of docs/benchmarks.md');
}
