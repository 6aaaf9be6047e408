/**
 * Tagging raw English text, end to end, side by side: `ebm tag` (the CLI, whole process), the @ebmkit/crf API
 * (`loadEnglishTagger().tag(line)`, built dist) and wink-nlp with its English model (sentence splitting + POS), on
 * the same file of real text (UD English-EWT train `# text` sentences, repeated to the size). The tools alternate,
 * `--reps` runs each, medians reported; peak RSS from GNU time. Also: cold start of a one-sentence run, UPOS accuracy
 * on EWT test (gold tokens, and raw `# text` lines aligned by character span), a single 1 MB line against 1 MB of
 * ordinary lines, and the peak RSS of `ebm tag` on a long stream from a pipe.
 *
 *   npm run build && (cd scripts/bench && npm install --no-save wink-nlp wink-eng-lite-web-model)
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/tag-stream/run.ts \
 *     [--mb 5] [--reps 3] [--stream-mb 200]
 *
 * Peak RSS is read with GNU time (/usr/bin/time -f %M, Debian package `time`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readConllu, type ConlluSentence } from '@ebmkit/core';
import { loadEnglishTagger } from '@ebmkit/crf';
import { machineDescription, markdownTable, median, writeBenchmarkSection } from '../lib/report.js';
import { goldSpans, scoreRaw, type RawScore } from './ewt-raw.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    'stream-mb': { type: 'string', default: '200' },
    'no-write': { type: 'boolean', default: false },
  },
});
const dir = process.env.EBM_CORPORA_DIR;
if (!dir) throw new Error('EBM_CORPORA_DIR is not set');
const here = fileURLToPath(new URL('.', import.meta.url));
const ebm = fileURLToPath(new URL('../../../packages/cli/bin/ebm.js', import.meta.url));
const reps = Number(values.reps);
const haveWink = existsSync(join(here, '..', 'node_modules', 'wink-nlp')) && existsSync(join(here, '..', 'node_modules', 'wink-eng-lite-web-model'));
const loads: number[] = [];

const ewt = (split: string) => join(dir, 'ud_english_ewt', `en_ewt-ud-${split}.conllu.gz`);
const texts: string[] = [];
for await (const s of readConllu(ewt('train'))) if (s.meta.text) texts.push(s.meta.text);

/** Lines of EWT train text repeated until `mb` MiB. */
function corpusLines(mb: number): string[] {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < mb * 2 ** 20; i++) {
    const line = texts[i % texts.length]!;
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
  }
  return lines;
}

interface Run {
  seconds: number;
  /** User + system CPU seconds of the measured process (less sensitive than wall time to a busy machine). */
  cpu: number;
  peakMiB: number;
  tokens: number;
  stdout: string;
}

/** Runs a shell command under GNU time; wall seconds measured here, peak RSS (KiB) from time's last stderr line. */
function timed(cmd: string): Run {
  loads.push(loadavg()[0]!);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', 'sh', '-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}\n${r.stderr}`);
  const [user, sys, kib] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, cpu: user! + sys!, peakMiB: kib! / 1024, tokens: 0, stdout: r.stdout };
}

const node = `"${process.execPath}"`;
const work = mkdtempSync(join(tmpdir(), 'ebm-tag-stream-'));
const sections: string[] = [];
try {
  // ---- throughput on ordinary lines ----
  const lines = corpusLines(Number(values.mb));
  const input = join(work, 'input.txt');
  writeFileSync(input, lines.join('\n') + '\n');
  const inputMiB = Buffer.byteLength(lines.join('\n') + '\n') / 2 ** 20;
  const out = join(work, 'out.txt');
  type Tool = { name: string; run: () => Run };
  const tools: Tool[] = [
    {
      name: '`ebm tag` (CLI)',
      run: () => {
        const r = timed(`${node} "${ebm}" tag "${input}" > "${out}"`);
        const wc = spawnSync('sh', ['-c', `tr -s ' \\n' '\\n\\n' < "${out}" | grep -c .`], { encoding: 'utf8' });
        r.tokens = Number(wc.stdout.trim());
        return r;
      },
    },
    {
      name: '@ebmkit/crf API',
      run: () => {
        const r = timed(`${node} "${join(here, 'api-child.mjs')}" "${input}"`);
        r.tokens = JSON.parse(r.stdout).tokens;
        return r;
      },
    },
  ];
  if (haveWink) {
    tools.push({
      name: 'wink-nlp + wink-eng-lite-web-model',
      run: () => {
        const r = timed(`${node} "${join(here, 'wink-child.mjs')}" "${input}"`);
        r.tokens = JSON.parse(r.stdout).tokens;
        return r;
      },
    });
  }
  const runs = new Map<string, Run[]>(tools.map((t) => [t.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const tool of tools) {
      const r = tool.run();
      runs.get(tool.name)!.push(r);
      console.error(`${tool.name}: ${r.tokens} tokens in ${r.seconds.toFixed(2)} s (CPU ${r.cpu.toFixed(2)} s), peak ${r.peakMiB.toFixed(0)} MiB`);
    }
  }
  const rate = (name: string) => median(runs.get(name)!.map((r) => r.tokens / r.seconds));
  const cpuRate = (name: string) => median(runs.get(name)!.map((r) => r.tokens / r.cpu));
  const wink = 'wink-nlp + wink-eng-lite-web-model';
  const rows = tools.map((t) => {
    const rs = runs.get(t.name)!;
    const sec = median(rs.map((r) => r.seconds));
    return [
      t.name,
      rs[0]!.tokens,
      sec.toFixed(2),
      Math.round(rate(t.name)),
      haveWink ? (rate(t.name) / rate(wink)).toFixed(2) : '–',
      median(rs.map((r) => r.cpu)).toFixed(2),
      Math.round(cpuRate(t.name)),
      haveWink ? (cpuRate(t.name) / cpuRate(wink)).toFixed(2) : '–',
      (inputMiB / sec).toFixed(2),
      median(rs.map((r) => r.peakMiB)).toFixed(0),
    ];
  });
  const throughput = markdownTable(
    ['tool', 'tokens', 'wall s', 'tokens/s (wall)', '÷ wink-nlp', 'CPU s', 'tokens per CPU s', '÷ wink-nlp', 'MiB/s (wall)', 'peak RSS MiB'],
    rows,
  );

  // ---- cold start: one sentence, whole process ----
  const one = 'The quick brown fox jumps over the lazy dog.';
  const cold = new Map<string, Run[]>([['node -e 0 (Node start alone)', []], ['`ebm tag` one sentence', []]]);
  if (haveWink) cold.set('wink-nlp one sentence', []);
  for (let rep = 0; rep < Math.max(5, reps); rep++) {
    cold.get('node -e 0 (Node start alone)')!.push(timed(`${node} -e 0`));
    cold.get('`ebm tag` one sentence')!.push(timed(`${node} "${ebm}" tag "${one}"`));
    if (haveWink) cold.get('wink-nlp one sentence')!.push(timed(`${node} "${join(here, 'wink-child.mjs')}" --one "${one}"`));
  }
  const coldTable = markdownTable(
    ['run', 'wall seconds (median)', 'min', 'CPU seconds (median)'],
    [...cold].map(([k, v]) => [k, median(v.map((r) => r.seconds)).toFixed(3), Math.min(...v.map((r) => r.seconds)).toFixed(3), median(v.map((r) => r.cpu)).toFixed(3)]),
  );

  // ---- one 1 MB line against 1 MB of ordinary lines ----
  const mbLines = corpusLines(1);
  const longLine = join(work, 'one-line.txt');
  const shortLines = join(work, 'lines.txt');
  writeFileSync(longLine, mbLines.join(' ') + '\n');
  writeFileSync(shortLines, mbLines.join('\n') + '\n');
  const tLong: number[] = [];
  const tShort: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    tShort.push(timed(`${node} "${ebm}" tag "${shortLines}" > /dev/null`).seconds);
    tLong.push(timed(`${node} "${ebm}" tag "${longLine}" > /dev/null`).seconds);
  }
  const lineTable = markdownTable(
    ['input (1 MiB of the same text)', 'seconds (median)', 'ratio'],
    [
      ['ordinary lines', median(tShort).toFixed(2), '1.00'],
      ['a single line', median(tLong).toFixed(2), (median(tLong) / median(tShort)).toFixed(2)],
    ],
  );

  // ---- a long stream from a pipe: peak RSS ----
  const streamMb = Number(values['stream-mb']);
  const gen = join(work, 'gen.mjs');
  writeFileSync(
    gen,
    `import { readFileSync } from 'node:fs';\nconst block = readFileSync(${JSON.stringify(input)});\nlet left = ${streamMb} * 2 ** 20;\n` +
      `const out = process.stdout;\nconst write = () => { while (left > 0) { left -= block.length; if (!out.write(block)) return out.once('drain', write); } };\nwrite();\n`,
  );
  const stream = timed(`${node} "${gen}" | /usr/bin/time -f %M ${node} "${ebm}" tag > /dev/null`);
  const streamTable = markdownTable(
    ['stream', 'seconds', 'peak RSS MiB of `ebm tag`'],
    [[`${streamMb} MiB of text through a pipe`, stream.seconds.toFixed(1), stream.peakMiB.toFixed(0)]],
  );

  // ---- accuracy on EWT test ----
  const tagger = await loadEnglishTagger();
  const test: ConlluSentence[] = [];
  for await (const s of readConllu(ewt('test'))) test.push(s);
  let ok = 0;
  let n = 0;
  const raw: RawScore = { goldWords: 0, aligned: 0, correct: 0 };
  for (const s of test) {
    const ids = tagger.tagIds(s.words.map((w) => w.form));
    s.words.forEach((w, i) => {
      n++;
      if (tagger.labels[ids[i]!] === w.upos) ok++;
    });
    scoreRaw(goldSpans(s), tagger.tag(s.meta.text ?? '').flatMap((x) => x.tokens), raw);
  }
  const accTable = markdownTable(
    ['EWT test', 'UPOS accuracy', 'gold words aligned'],
    [
      ['gold tokens', `${((100 * ok) / n).toFixed(2)}% of ${n}`, '–'],
      ['raw `# text` lines, our tokenizer', `${((100 * raw.correct) / raw.aligned).toFixed(2)}% of aligned`, `${((100 * raw.aligned) / raw.goldWords).toFixed(2)}% of ${raw.goldWords}`],
    ],
  );

  const load = median(loads);
  sections.push(`## Tagging raw English text: \`ebm tag\`, the API and wink-nlp

${inputMiB.toFixed(1)} MiB of real English text (UD English-EWT train \`# text\` sentences, repeated; ${lines.length} lines),
tagged end to end by each tool in its own process (read, split sentences, tokenise, tag, format \`word/TAG\`; the
CLI writes to a file, the API and wink-nlp children build the same strings). Tools alternate, ${reps} runs each,
medians (each ratio is the median over runs of that tool's rate, divided by wink-nlp's); tokens/s counts each tool's
own tokens (the tokenizers differ), MiB/s the same input for all; CPU s is user + system time of the whole process,
a steadier measure than wall time when the machine is shared. wink-nlp runs with only its \`sbd\` and \`pos\` pipes
(its fastest configuration for tagging).

${throughput}

Cold start (one sentence, whole process, wall clock and user + system CPU, ${Math.max(5, reps)} runs each, alternating; the target is ≤ 0.3 s wall on a quiet machine — compare with Node starting alone in the same run):

${coldTable}

A single 1 MiB line against the same text as ordinary lines (\`ebm tag\`, ${reps} runs each):

${lineTable}

Memory on a long stream (text generated into a pipe, \`ebm tag\` reading stdin):

${streamTable}

UPOS accuracy of the bundled model on EWT test (raw text: a predicted token counts when its character span equals a
gold word's; scripts/bench/tag-stream/ewt-raw.ts):

${accTable}

Command: \`npm run build && EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/tag-stream/run.ts --mb ${values.mb} --reps ${reps} --stream-mb ${streamMb}\`.
Machine: ${machineDescription()}; median 1-minute load average during the runs ${load.toFixed(1)}${load > 2.5 ? ' (the machine was shared and busy: absolute times are inflated, compare the ratios)' : ''}.`);
  const text = sections.join('\n\n');
  console.log(text);
  if (!values['no-write']) await writeBenchmarkSection('tag-stream', text);
} finally {
  rmSync(work, { recursive: true, force: true });
}
