/**
 * `ebm tag` on a 10 MB English text file: throughput and peak memory (the CLI streams line by line, so memory
 * should stay flat however large the input). The text is real: the `# text =` sentences of UD English-EWT
 * train, repeated until the file reaches the size.
 *
 *   npm run build && EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/tag-stream/run.ts [--mb 10]
 *
 * Peak RSS is read with GNU time (/usr/bin/time -f %M, Debian package `time`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readConllu } from '@ebmkit/core';
import { machineDescription, markdownTable, writeBenchmarkSection } from '../lib/report.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '10' } } });
const dir = process.env.EBM_CORPORA_DIR;
if (!dir) throw new Error('EBM_CORPORA_DIR is not set');
const texts: string[] = [];
for await (const s of readConllu(join(dir, 'ud_english_ewt', 'en_ewt-ud-train.conllu.gz'))) {
  const t = s.meta.text;
  if (t) texts.push(t);
}
const target = Number(values.mb) * 1024 * 1024;
const lines: string[] = [];
let bytes = 0;
for (let i = 0; bytes < target; i++) {
  const line = texts[i % texts.length]!;
  lines.push(line);
  bytes += Buffer.byteLength(line) + 1;
}
const work = mkdtempSync(join(tmpdir(), 'ebm-tag-stream-'));
try {
  const input = join(work, 'input.txt');
  writeFileSync(input, lines.join('\n') + '\n');
  const ebm = fileURLToPath(new URL('../../../packages/cli/bin/ebm.js', import.meta.url));
  const out = join(work, 'out.txt');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'sh', '-c', `"${process.execPath}" "${ebm}" tag "${input}" > "${out}"`], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`ebm tag failed: ${r.stderr}`);
  const peakMiB = Number(r.stderr.trim().split('\n').pop()) / 1024;
  const outText = spawnSync('wc', ['-w', out], { encoding: 'utf8' }).stdout;
  const tokens = Number(outText.trim().split(/\s+/)[0]);
  const table = markdownTable(
    ['input', 'lines', 'tokens tagged', 'seconds', 'tokens/s (incl. tokenising)', 'peak RSS MiB'],
    [[`${(statSync(input).size / 2 ** 20).toFixed(1)} MiB`, lines.length, tokens, seconds.toFixed(1), Math.round(tokens / seconds), peakMiB.toFixed(0)]],
  );
  const text = `## \`ebm tag\` streaming a large file

The bundled tagger on ${values.mb} MB of real English text (UD English-EWT train sentences, repeated), read line by line
from a file, tokenised with natural, written to a file. Peak RSS is the whole process (Node + model + tokenizer).

${table}

Command: \`npm run build && EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/tag-stream/run.ts --mb ${values.mb}\`.
Machine: ${machineDescription()}.`;
  console.log(text);
  await writeBenchmarkSection('tag-stream', text);
} finally {
  rmSync(work, { recursive: true, force: true });
}
