/**
 * parse-ewt: ebmkit's tagger + parser against spaCy (trained from scratch by spacy-train.sh) on UD English-EWT test
 * with gold tokens. Tags and parses the test set with both (each on one thread, under /usr/bin/time -v for peak RSS),
 * scores both outputs with the same CoNLL 2018-style scorer (UPOS, UAS, LAS), and writes the `parse-ewt` section of
 * docs/benchmarks.md.
 *
 *   EBM_CORPORA_DIR=/work/shared/corpora SPACY_PY=/path/venv/bin/python \
 *     node --import tsx --conditions=ebmkit-source scripts/bench/parse-ewt/run.ts \
 *       --spacy-work WORKDIR [--ebmkit-train train-parser.json] [--model PARSER] [--note TEXT]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { englishTaggerPath } from '@ebmkit/crf';
import { englishParserPath, evaluateParses, readParseCorpus } from '@ebmkit/parse';
import { machineDescription, writeBenchmarkSection } from '../lib/report.js';

const { values } = parseArgs({
  options: {
    'spacy-work': { type: 'string' },
    'ebmkit-train': { type: 'string' },
    model: { type: 'string', default: englishParserPath() },
    tagger: { type: 'string', default: englishTaggerPath() },
    note: { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
  },
});
const corpora = process.env.EBM_CORPORA_DIR;
if (!corpora) {
  console.error('parse-ewt: set EBM_CORPORA_DIR');
  process.exit(2);
}
const work = join(tmpdir(), `parse-ewt-${process.pid}`);
mkdirSync(work, { recursive: true });
const testFile = join(work, 'test.conllu');
writeFileSync(testFile, gunzipSync(readFileSync(join(corpora, 'ud_english_ewt', 'en_ewt-ud-test.conllu.gz'))));
const gold = (await readParseCorpus(testFile)).map((s) => s.sentence);
const loadBefore = loadavg()[0]!;

/** Runs a command under /usr/bin/time -v; returns its stdout and the peak RSS in MiB. */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): { stdout: string; rssMiB: number; wallSeconds: number } {
  const timeFile = join(work, `time-${Math.random().toString(36).slice(2)}.txt`);
  const t0 = performance.now();
  const stdout = execFileSync('/usr/bin/time', ['-v', '-o', timeFile, cmd, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', ...env },
    maxBuffer: 1 << 26,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? NaN);
  return { stdout, rssMiB: kb / 1024, wallSeconds };
}

interface Row {
  system: string;
  upos: number;
  uas: number;
  las: number;
  trainSeconds: number | null;
  wordsPerSecond: number;
  sentencesPerSecond: number;
  rssMiB: number;
}
const rows: Row[] = [];

async function scoreFile(path: string) {
  const pred = (await readParseCorpus(path)).map((s) => s.sentence);
  return evaluateParses(gold, pred.map((p) => ({ heads: p.heads!, deprels: p.deprels! })), pred.map((p) => p.tags));
}

// ebmkit
const ebmOut = join(work, 'ebmkit-test.conllu');
const ebm = timed(process.execPath, ['--import', 'tsx', '--conditions=ebmkit-source', fileURLToPath(new URL('./ebmkit-parse.ts', import.meta.url)), values.model!, values.tagger!, testFile, ebmOut]);
const ebmSpeed = JSON.parse(ebm.stdout.trim().split('\n').pop()!);
const ebmScores = await scoreFile(ebmOut);
const ebmTrain = values['ebmkit-train'] && existsSync(values['ebmkit-train']) ? JSON.parse(readFileSync(values['ebmkit-train'], 'utf8').trim().split('\n').pop()!) : null;
rows.push({
  system: 'ebmkit (CRF tagger + arc-factored parser)',
  upos: ebmScores.tagAccuracy!,
  uas: ebmScores.uas,
  las: ebmScores.las,
  trainSeconds: ebmTrain ? ebmTrain.trainSeconds : null,
  wordsPerSecond: ebmSpeed.wordsPerSecond,
  sentencesPerSecond: ebmSpeed.sentencesPerSecond,
  rssMiB: ebm.rssMiB,
});

// spaCy
const spacyWork = values['spacy-work'];
const py = process.env.SPACY_PY ?? 'python3';
let spacyTrainNote = '';
if (spacyWork) {
  const modelDir = join(spacyWork, 'model', 'model-best');
  const spOut = join(work, 'spacy-test.conllu');
  const sp = timed(py, [fileURLToPath(new URL('./spacy-parse.py', import.meta.url)), modelDir, testFile, spOut]);
  const m = /words\/s (\d+) sentences\/s (\d+)/.exec(sp.stdout);
  const spScores = await scoreFile(spOut);
  let trainSeconds: number | null = null;
  const tt = join(spacyWork, 'train-time.txt');
  if (existsSync(tt)) {
    const w = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(readFileSync(tt, 'utf8'));
    if (w) trainSeconds = Number(w[1] ?? 0) * 3600 + Number(w[2]) * 60 + Number(w[3]);
  }
  spacyTrainNote = `spaCy model: ${modelDir}`;
  rows.push({
    system: `spaCy (tagger, morphologizer, parser; efficiency config)`,
    upos: spScores.tagAccuracy!,
    uas: spScores.uas,
    las: spScores.las,
    trainSeconds,
    wordsPerSecond: Number(m?.[1] ?? NaN),
    sentencesPerSecond: Number(m?.[2] ?? NaN),
    rssMiB: sp.rssMiB,
  });
}

const loadAfter = loadavg()[0]!;
const f = (x: number | null, d = 2) => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));
const table = [
  '| system | UPOS | UAS | LAS | training s | words/s (tag+parse, 1 thread) | sentences/s | peak RSS MiB (parse run) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.system} | ${f(r.upos)} | ${f(r.uas)} | ${f(r.las)} | ${f(r.trainSeconds, 0)} | ${f(r.wordsPerSecond, 0)} | ${f(r.sentencesPerSecond, 0)} | ${f(r.rssMiB, 0)} |`),
].join('\n');
const md = `## parse-ewt — dependency parsing of UD English-EWT test (gold tokens, predicted UPOS)

Command: \`EBM_CORPORA_DIR=… SPACY_PY=… node --import tsx --conditions=ebmkit-source scripts/bench/parse-ewt/run.ts --spacy-work WORK --ebmkit-train train-parser.json\`
(spaCy trained by \`scripts/bench/parse-ewt/spacy-train.sh WORK\`; ebmkit's parser by \`npm run train:parser\`).
Machine: ${machineDescription()}; 1-minute load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after the run (a shared machine). ${values.note}

${table}

Scores: every syntactic word counts (punctuation included); LAS compares the universal part of DEPREL (CoNLL 2018).
Both systems tag the test words themselves (gold tokens, no gold tags). ${spacyTrainNote}
`;
console.log(md);
if (!values['no-write']) await writeBenchmarkSection('parse-ewt', md);
