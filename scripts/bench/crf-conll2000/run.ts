/**
 * CoNLL-2000 chunking: ebmkit's CRF against CRFsuite (its own C code through the `crfsuite` npm binding),
 * side by side in one run, with the same attributes (the `chunking` set = the CRFsuite tutorial's) and
 * CRFsuite's default L-BFGS settings (L2 c2 = 1, delta = 1e-5, period = 10).
 *
 * Setup (once):  cd scripts/bench && npm_config_nodedir=/usr npm install      # builds the optional binding
 * Run:           EBM_CORPORA_DIR=../shared/corpora DOTENV_CONFIG_QUIET=true \
 *                  node --import tsx --conditions=ebmkit-source scripts/bench/crf-conll2000/run.ts [--runs 3] [--quick]
 *
 * Every training run is its own child process (so peak RSS is per run and CRFsuite's stdout log can be
 * read), runs alternate between the tools, and the table reports medians. Both sides are scored by the same
 * evaluator (ebmkit's conlleval, which reproduces the perl script). `--quick` trains on 500 sentences for a
 * smoke test and does not write docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readConll } from '@ebmkit/core';
import { chunkingFeatures, conlleval, trainCrf, type ItemSequence } from '@ebmkit/crf';
import { machineDescription, markdownTable, median, writeBenchmarkSection } from '../lib/report.js';
import { loadCrfsuite, parseCrfsuiteLog } from './crfsuite.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    worker: { type: 'string' },
    threads: { type: 'string', default: '2' },
    'thread-configs': { type: 'string', default: '2,1' },
    result: { type: 'string' },
  },
});

interface RunResult {
  tool: string;
  threads: number;
  /** Wall seconds of the whole training call (feature generation + optimisation). */
  trainSeconds: number;
  /** Seconds of the optimisation alone (CRFsuite: its log's "Total seconds required for training"). */
  optimSeconds: number;
  iterations: number;
  features: number;
  f1: number;
  accuracy: number;
  tokensPerSecond: number;
  maxRssMiB: number;
}

async function loadData(quick: boolean) {
  const dir = process.env.EBM_CORPORA_DIR;
  if (!dir) throw new Error('EBM_CORPORA_DIR is not set (it must hold conll2000/train.txt.gz and test.txt.gz)');
  const read = async (name: string) => {
    const out: string[][][] = [];
    for await (const s of readConll(join(dir, 'conll2000', name), { columns: 3 })) out.push(s.tokens);
    return out;
  };
  const train = await read('train.txt.gz');
  const test = await read('test.txt.gz');
  const fx = chunkingFeatures();
  const prep = (sents: string[][][]) => sents.map((s) => ({ items: fx(s), labels: s.map((t) => t[2]!) }));
  return { train: prep(quick ? train.slice(0, 500) : train), test: prep(quick ? test.slice(0, 300) : test) };
}

/** ItemSequence → CRFsuite's xseq (attribute strings per item; all values are 1 in the chunking set). */
function toXseq(seq: ItemSequence): string[][] {
  const x: string[][] = [];
  for (let t = 0; t < seq.length; t++) x.push(seq.names.slice(seq.offsets[t]!, seq.offsets[t + 1]!) as string[]);
  return x;
}

function score(gold: string[][], guessed: string[][]) {
  const r = conlleval(gold, guessed);
  return { f1: r.overall.f1, accuracy: r.accuracy };
}

/** Tags the test set ten times and returns the median tokens per second (steady state: the first passes include JIT warm-up and collection of the training heap). */
function tagSpeed(tag: (i: number) => string[], n: number, tokens: number): { guessed: string[][]; tokensPerSecond: number } {
  let guessed: string[][] = [];
  const rates: number[] = [];
  for (let r = 0; r < 10; r++) {
    const t0 = performance.now();
    guessed = Array.from({ length: n }, (_, i) => tag(i));
    rates.push(tokens / ((performance.now() - t0) / 1000));
  }
  return { guessed, tokensPerSecond: median(rates) };
}

async function workerEbmkit(threads: number): Promise<RunResult> {
  const { train, test } = await loadData(opts.quick!);
  const t0 = performance.now();
  const { model, info } = await trainCrf(train, { trainer: { algorithm: 'lbfgs', c2: 1, delta: 1e-5, period: 10 }, threads });
  const trainSeconds = (performance.now() - t0) / 1000;
  const tokens = test.reduce((s, x) => s + x.labels.length, 0);
  const { guessed, tokensPerSecond } = tagSpeed((i) => model.tag(test[i]!.items), test.length, tokens);
  return {
    tool: 'ebmkit',
    threads,
    trainSeconds,
    optimSeconds: info.optimizationSeconds ?? info.seconds,
    iterations: info.iterations,
    features: model.numFeatures,
    ...score(test.map((s) => [...s.labels]), guessed),
    tokensPerSecond,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

async function workerCrfsuite(): Promise<RunResult> {
  const loaded = loadCrfsuite();
  if ('error' in loaded) throw new Error(loaded.error);
  const { Trainer, Tagger } = loaded.binding;
  const { train, test } = await loadData(opts.quick!);
  const dir = mkdtempSync(join(tmpdir(), 'ebm-crfsuite-'));
  const path = join(dir, 'model.crfsuite');
  try {
    const trainer = new Trainer({ debug: true });
    trainer.set_params({ c2: '1', delta: '1e-5', period: '10' });
    const t0 = performance.now();
    for (const s of train) trainer.append(toXseq(s.items), [...s.labels]);
    const status = trainer.train(path);
    const trainSeconds = (performance.now() - t0) / 1000;
    if (status !== 0 && status !== 1 && status !== 2) process.stderr.write(`CRFsuite train returned status ${status}\n`);
    const tagger = new Tagger();
    if (!tagger.open(path)) throw new Error(`CRFsuite could not open ${path}`);
    const xs = test.map((s) => toXseq(s.items));
    const tokens = test.reduce((s, x) => s + x.labels.length, 0);
    const { guessed, tokensPerSecond } = tagSpeed((i) => tagger.tag(xs[i]!), test.length, tokens);
    tagger.close();
    return {
      tool: 'CRFsuite',
      threads: 1,
      trainSeconds,
      optimSeconds: NaN, // filled from the log by the parent
      iterations: NaN,
      features: NaN,
      ...score(test.map((s) => [...s.labels]), guessed),
      tokensPerSecond,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(tool: 'ebmkit' | 'crfsuite', threads: number): RunResult {
  const dir = mkdtempSync(join(tmpdir(), 'ebm-bench-'));
  const resultFile = join(dir, 'result.json');
  try {
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--worker', tool, '--threads', String(threads), '--result', resultFile];
    if (opts.quick) args.push('--quick');
    const res = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`${tool} run failed:\n${res.stderr}\n${res.stdout.slice(-2000)}`);
    const r = JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult;
    if (tool === 'crfsuite') {
      const log = parseCrfsuiteLog(res.stdout);
      r.optimSeconds = log.seconds ?? NaN;
      r.iterations = log.iterations ?? NaN;
      r.features = log.features ?? NaN;
    }
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (opts.worker) {
    const r = opts.worker === 'crfsuite' ? await workerCrfsuite() : await workerEbmkit(Number(opts.threads));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(opts.result!, JSON.stringify(r));
    return;
  }
  const runs = Number(opts.runs);
  const threadConfigs = opts['thread-configs']!.split(',').map(Number);
  const haveCrfsuite = !('error' in loadCrfsuite());
  if (!haveCrfsuite) console.error('CRFsuite binding not installed: running ebmkit only (see the setup line in this file)');
  const loadBefore = loadavg()[0]!.toFixed(2);
  const results: RunResult[] = [];
  for (let r = 0; r < runs; r++) {
    // Alternate the tools so that drifts in machine load hit both.
    if (haveCrfsuite) results.push(log(runChild('crfsuite', 1)));
    for (const th of threadConfigs) results.push(log(runChild('ebmkit', th)));
  }
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.tool}|${r.threads}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const summary = [...groups.values()].map((g) => ({
    tool: g[0]!.tool,
    threads: g[0]!.threads,
    trainSeconds: median(g.map((x) => x.trainSeconds)),
    optimSeconds: median(g.map((x) => x.optimSeconds)),
    iterations: median(g.map((x) => x.iterations)),
    features: g[0]!.features,
    f1: median(g.map((x) => x.f1)),
    accuracy: median(g.map((x) => x.accuracy)),
    tokensPerSecond: median(g.map((x) => x.tokensPerSecond)),
    maxRssMiB: median(g.map((x) => x.maxRssMiB)),
  }));
  const ref = summary.find((s) => s.tool === 'CRFsuite');
  const ratio = (a: number, b: number | undefined) => (b === undefined || !Number.isFinite(b) ? '–' : (a / b).toFixed(2));
  const rows = summary.map((s) => [
    s.tool === 'ebmkit' ? `ebmkit, ${s.threads} thread${s.threads > 1 ? 's' : ''}` : 'CRFsuite 0.12 (binding, 1 thread)',
    s.trainSeconds.toFixed(1),
    s.optimSeconds.toFixed(1),
    String(s.iterations),
    String(s.features),
    (100 * s.f1).toFixed(2),
    (100 * s.accuracy).toFixed(2),
    Math.round(s.tokensPerSecond).toLocaleString('en-US'),
    s.maxRssMiB.toFixed(0),
    ratio(s.trainSeconds, ref?.trainSeconds),
    ratio(s.tokensPerSecond, ref?.tokensPerSecond),
  ]);
  const table = markdownTable(
    ['', 'train wall s', 'optimisation s', 'iterations', 'features', 'chunk F1', 'token acc.', 'tag tokens/s', 'peak RSS MiB', 'train time ÷ CRFsuite', 'tag speed ÷ CRFsuite'],
    rows,
  );
  const text = `## CRF: CoNLL-2000 chunking against CRFsuite

Training on the CoNLL-2000 train set (8,936 sentences, 211,727 tokens), testing on its test set (2,012 sentences,
47,377 tokens), with the \`chunking\` attribute set (CRFsuite's tutorial attributes, identical strings on both sides),
L2-regularised L-BFGS with CRFsuite's defaults (c2 = 1, delta = 1e-5, period = 10). Medians of ${runs} runs per row,
the tools alternating, each run in its own process. "train wall" is the whole training call (feature generation +
optimisation; for CRFsuite it includes handing the data to the binding); "optimisation" is the L-BFGS part alone
(CRFsuite's own log). Both are scored by ebmkit's conlleval; tagging speed is the median of 10 passes over the whole test set, attributes given.

${table}

Command: \`EBM_CORPORA_DIR=../shared/corpora DOTENV_CONFIG_QUIET=true node --import tsx --conditions=ebmkit-source scripts/bench/crf-conll2000/run.ts --runs ${runs}\`
(setup: \`cd scripts/bench && npm_config_nodedir=/usr npm install\`). Machine: ${machineDescription()}; load average
(1 min) ${loadBefore} at the start and ${loadavg()[0]!.toFixed(2)} at the end.`;
  console.log(text);
  if (!opts.quick) await writeBenchmarkSection('crf-conll2000', text);
}

function log(r: RunResult): RunResult {
  console.error(JSON.stringify(r));
  return r;
}

await main();
