// Every loader, fed arbitrary byte strings (random, mutated valid files, texts of the format's own tokens), either
// loads or throws the library's own error type naming the file — never anything else — within a time bound. A fixed
// seed and a small budget here; `npm run fuzz` runs ≥ 10,000 inputs per loader (scripts/fuzz.ts).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import test from 'ava';
import fc from 'fast-check';
import { fuzzTargets, tryInput, type FuzzTarget } from './targets.js';

const RUNS = 40;
const dir = join(tmpdir(), `ebm-fuzz-test-${process.pid}`);
let targets: FuzzTarget[] = [];

test.before(async () => {
  targets = await fuzzTargets(dir);
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NAMES = ['conll', 'conllu', 'crf++ template', 'idx', 'csv matrix', 'tsv sequence table', 'segmentation palette', 'image', 'mask', 'image folders', 'model file (any kind)', 'crf model file', 'ssvm chain model file'];

for (const name of NAMES) {
  test.serial(`${name}: any bytes load or are refused with the library's error naming the file`, async (t) => {
    const target = targets.find((x) => x.name === name)!;
    const counts = { loaded: 0, refused: 0 };
    const r = await fc.check(
      fc.asyncProperty(target.input, async (bytes) => {
        const o = await tryInput(target, bytes);
        if (o.kind === 'escaped') {
          const e = o.error as Error;
          throw new Error(`escaped ${e?.name}: ${String(e?.message).slice(0, 300)}`);
        }
        if (o.kind === 'slow') throw new Error(`took ${o.ms.toFixed(0)} ms > ${target.timeLimitMs} ms`);
        counts[o.kind]++;
      }),
      { seed: 17, numRuns: RUNS, endOnFailure: true },
    );
    if (r.failed) {
      const input = Buffer.from(r.counterexample![0] as Uint8Array);
      t.fail(`${(r.errorInstance as Error)?.message} — input (base64, ${input.length} bytes): ${input.toString('base64').slice(0, 400)}`);
      return;
    }
    t.is(counts.loaded + counts.refused, RUNS);
    t.log(`${counts.loaded} loaded, ${counts.refused} refused`);
  });
}
