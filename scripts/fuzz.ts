/**
 * The long fuzz run of every loader (test/fuzz/targets.ts): each gets RUNS byte strings (default 10,000) from a
 * fixed seed and must load them or refuse them with the library's own error type naming the file, within its time
 * bound. Prints one line per loader (loaded, refused, escaped, slow, slowest input) and exits 1 on any escape.
 *
 *   npm run fuzz [-- --runs 10000 --seed 1 --only conll,idx]
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { fuzzTargets, tryInput } from '../test/fuzz/targets.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, only: { type: 'string', default: '' } },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
const only = values.only ? values.only.split(',') : [];

const dir = join(tmpdir(), `ebm-fuzz-${process.pid}`);
const targets = (await fuzzTargets(dir)).filter((t) => only.length === 0 || only.includes(t.name));
let failures = 0;
console.log(`fuzz: ${runs} inputs per loader, seed ${seed}`);
console.log('| loader | inputs | loaded | refused (own error, file named) | escaped | over time bound | slowest input | seconds |');
console.log('|---|---|---|---|---|---|---|---|');
for (const target of targets) {
  const c = { loaded: 0, refused: 0, escaped: 0, slow: 0 };
  const examples: string[] = [];
  let slowest = 0;
  const t0 = performance.now();
  await fc.assert(
    fc.asyncProperty(target.input, async (bytes) => {
      const s = performance.now();
      const o = await tryInput(target, bytes);
      slowest = Math.max(slowest, performance.now() - s);
      c[o.kind]++;
      if (o.kind === 'escaped' && examples.length < 3) {
        const e = o.error as Error;
        examples.push(`${e?.name}: ${String(e?.message).slice(0, 200)} [input ${Buffer.from(bytes).toString('base64').slice(0, 200)}]`);
      }
      return true; // count everything; do not stop at the first escape
    }),
    { seed, numRuns: runs },
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(`| ${target.name} | ${runs} | ${c.loaded} | ${c.refused} | ${c.escaped} | ${c.slow} | ${slowest.toFixed(0)} ms | ${seconds.toFixed(1)} |`);
  for (const e of examples) console.log(`    escaped: ${e}`);
  failures += c.escaped + c.slow;
}
await rm(dir, { recursive: true, force: true });
if (failures > 0) {
  console.error(`fuzz: ${failures} inputs escaped or ran over their time bound`);
  process.exitCode = 1;
}
