// The main job through the built CLI: `ebm tag` with the bundled model, stdin streaming, and a threaded
// `ebm crf train` (its gradient workers are separate bundle entries).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { assertBuilt, cleanEnv, ebmBin, repoRoot, runEbm } from './helpers.js';

test.before(() => assertBuilt());

test('ebm tag tags a sentence with the bundled model, stdout holds only the tagged text', async (t) => {
  const r = await runEbm(['tag', 'The quick brown fox jumps over the lazy dog.']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'The/DET quick/ADJ brown/ADJ fox/NOUN jumps/VERB over/ADP the/DET lazy/ADJ dog/NOUN ./PUNCT\n');
});

test('ebm tag streams stdin line by line (output appears before the input ends)', async (t) => {
  const child = spawn(process.execPath, [ebmBin, 'tag'], { cwd: repoRoot, env: cleanEnv() });
  let out = '';
  const firstLine = new Promise<string>((resolve) => {
    child.stdout.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) resolve(out);
    });
  });
  child.stdin.write('She sleeps.\n');
  const first = await firstLine; // stdin is still open: the first line was tagged on its own
  t.is(first.split('\n')[0], 'She/PRON sleeps/VERB ./PUNCT');
  child.stdin.end('Cats sleep.\n');
  const code = await new Promise<number>((resolve) => child.on('close', resolve));
  t.is(code, 0);
  t.is(out.trim().split('\n').length, 2);
});

test('ebm tag --format jsonl --marginals gives probabilities that sum to one', async (t) => {
  const r = await runEbm(['tag', '--format', 'jsonl', '--marginals', 'Time flies like an arrow.']);
  t.is(r.code, 0, r.stderr);
  const row = JSON.parse(r.stdout.trim().split('\n')[0]!);
  t.is(row.line, 1);
  t.deepEqual(row.tokens.map((x: { text: string }) => x.text), ['Time', 'flies', 'like', 'an', 'arrow', '.']);
  for (const tok of row.tokens) {
    const s = Object.values(tok.marginals as Record<string, number>).reduce((a, b) => a + b, 0);
    t.true(Math.abs(s - 1) < 1e-4, String(s));
    const best = Object.entries(tok.marginals as Record<string, number>).sort((a, b) => b[1] - a[1])[0]![0];
    t.is(typeof tok.tag, 'string');
    t.true(tok.marginals[tok.tag] >= tok.marginals[best] - 0.5, 'the Viterbi tag has substantial probability');
  }
});

test('ebm crf train with two gradient threads runs from the bundle', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ebm-e2e-crf-'));
  try {
    const lines: string[] = [];
    const words = ['the', 'a', 'cat', 'dog', 'runs', 'sleeps'];
    const tags = ['DET', 'DET', 'NOUN', 'NOUN', 'VERB', 'VERB'];
    for (let s = 0; s < 40; s++) {
      for (let k = 0; k < 3; k++) {
        const i = k * 2 + ((s >> k) & 1);
        lines.push(`${words[i]} ${tags[i]}`);
      }
      lines.push('');
    }
    await writeFile(join(dir, 'train.txt'), lines.join('\n'));
    const r = await runEbm(['crf', 'train', '--train', join(dir, 'train.txt'), '--features', 'pos', '--threads', '2', '--out', join(dir, 'm.safetensors')]);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stderr, /wrote .*m\.safetensors/);
    const tagged = await runEbm(['tag', '--model', join(dir, 'm.safetensors'), 'the dog sleeps']);
    t.is(tagged.stdout.trim(), 'the/DET dog/NOUN sleeps/VERB');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
