/**
 * Smoke test of the CRFsuite reference: trains CRFsuite (the optional `crfsuite` binding) on the first 200
 * CoNLL-2000 training sentences with ebmkit's `chunking` attributes (identical strings to CRFsuite's tutorial),
 * tags the first 100 test sentences and prints chunk F1 / accuracy (ebmkit's conlleval) and CRFsuite's log summary.
 *
 *   EBM_CORPORA_DIR=../shared/corpora DOTENV_CONFIG_QUIET=true \
 *     node --import=tsx scripts/bench/crf-conll2000/crfsuite-smoke.ts [--sentences 200] [--test 100] [--max-iterations 1000]
 *
 * Training runs in a child process because CRFsuite prints its log to the C++ stdout; the parent parses it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkingFeatures } from '../../../packages/crf/src/features/builtin.js';
import type { ItemSequence } from '../../../packages/crf/src/features/item-sequence.js';
import { conlleval, formatConlleval } from '../../../packages/crf/src/eval/conlleval.js';
import { conll2000Paths, readConll } from './conll.js';
import { loadCrfsuite, parseCrfsuiteLog } from './crfsuite.js';

/** ItemSequence → CRFsuite's xseq (attribute strings per item; values are all 1 in the chunking set). */
export function toXseq(seq: ItemSequence): string[][] {
  const x: string[][] = [];
  for (let t = 0; t < seq.length; t++) x.push(seq.names.slice(seq.offsets[t]!, seq.offsets[t + 1]!) as string[]);
  return x;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const RESULT = '@@RESULT ';

function child(): void {
  const loaded = loadCrfsuite();
  if ('error' in loaded) throw new Error(loaded.error);
  const { Trainer, Tagger } = loaded.binding;
  const paths = conll2000Paths();
  const nTrain = arg('--sentences', 200);
  const nTest = arg('--test', 100);
  const extract = chunkingFeatures();
  const train = readConll(paths.train, { columns: 3 }).slice(0, nTrain);
  const test = readConll(paths.test, { columns: 3 }).slice(0, nTest);
  const dir = mkdtempSync(join(tmpdir(), 'ebm-crfsuite-'));
  const model = join(dir, 'model.crfsuite');
  try {
    const trainer = new Trainer({ debug: true });
    trainer.set_params({ c2: '1', delta: '1e-5', period: '10', max_iterations: String(arg('--max-iterations', 1000)) });
    const params = trainer.get_params();
    const t0 = performance.now();
    for (const s of train) trainer.append(toXseq(extract(s)), s.map((tok) => tok[2]!));
    const t1 = performance.now();
    const status = trainer.train(model);
    const t2 = performance.now();
    const tagger = new Tagger();
    if (!tagger.open(model)) throw new Error(`CRFsuite could not open ${model}`);
    const xs = test.map((s) => toXseq(extract(s)));
    const t3 = performance.now();
    const guessed = xs.map((x) => tagger.tag(x));
    const t4 = performance.now();
    const labels = tagger.get_labels();
    tagger.close();
    const gold = test.map((s) => s.map((tok) => tok[2]!));
    const tokens = gold.reduce((n, s) => n + s.length, 0);
    const r = conlleval(gold, guessed);
    process.stdout.write(
      RESULT +
        JSON.stringify({
          params,
          status,
          appendSeconds: (t1 - t0) / 1000,
          trainSeconds: (t2 - t1) / 1000,
          tagSeconds: (t4 - t3) / 1000,
          tokens,
          labels,
          sample: { words: test[0]!.map((tok) => tok[0]), gold: gold[0], guessed: guessed[0] },
          report: formatConlleval(r),
          maxRssMiB: process.resourceUsage().maxRSS / 1024,
        }) +
        '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parent(): void {
  const loaded = loadCrfsuite();
  if ('error' in loaded) {
    console.error(loaded.error);
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, [...process.execArgv, self, '--child', ...process.argv.slice(2)], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (res.status !== 0) {
    console.error(res.stderr || res.stdout);
    process.exit(1);
  }
  const lines = res.stdout.split('\n');
  const resultLine = lines.find((l) => l.startsWith(RESULT));
  if (!resultLine) throw new Error('child printed no result');
  const result = JSON.parse(resultLine.slice(RESULT.length)) as Record<string, unknown>;
  const log = parseCrfsuiteLog(lines.filter((l) => !l.startsWith(RESULT)).join('\n'));
  const { report, sample, params, ...rest } = result;
  console.log('CRFsuite parameters:', JSON.stringify(params));
  console.log('CRFsuite log:', JSON.stringify(log));
  console.log('run:', JSON.stringify(rest));
  console.log('first test sentence:', JSON.stringify(sample));
  process.stdout.write(String(report));
}

if (process.argv.includes('--child')) child();
else parent();
