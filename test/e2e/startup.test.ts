// `ebm --help` must not load tfjs. Proven twice: statically from esbuild's metafile (the entry chunk's
// static import closure does not contain the backend module), and at run time by a preloaded probe that
// lists the @tensorflow modules in Node's module cache at exit (tfjs is CommonJS, so every tfjs module
// a run loads is there). `ebm info` is the control: the same probe must see tfjs there.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runEbm } from './helpers.ts';

test.before(() => assertBuilt());

interface Meta {
  inputs: Record<string, unknown>;
  outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;
}

test('the entry chunk has no static import path to tfjs or the backend module', (t) => {
  const meta: Meta = JSON.parse(readFileSync(new URL('../../packages/cli/dist/bundle/meta.json', import.meta.url), 'utf8'));
  const entry = 'packages/cli/dist/bundle/ebm.js';
  t.truthy(meta.outputs[entry], 'entry in metafile');
  const closure = new Set<string>();
  const externals = new Set<string>();
  const visit = (out: string) => {
    if (closure.has(out)) return;
    closure.add(out);
    for (const imp of meta.outputs[out]!.imports) {
      if (imp.kind !== 'import-statement') continue; // dynamic import() is lazy
      if (imp.external) externals.add(imp.path);
      else visit(imp.path);
    }
  };
  visit(entry);
  const heavy = [...externals].filter((p) => /^(@tensorflow\/|jimp|natural|@fast-csv\/|fast-csv)/.test(p));
  t.deepEqual(heavy, [], 'no heavy external is imported statically');
  const staticInputs = [...closure].flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
  t.false(staticInputs.some((i) => i.endsWith('core/dist/backend/select.js')), 'backend.ts is not in the static closure');
  t.false(staticInputs.some((i) => i.includes('/commands/')), 'no command module is in the static closure');
  // The control: the backend module is in the bundle, reachable only through import().
  const all = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
  t.true(all.some((i) => i.endsWith('core/dist/backend/select.js')), 'backend.js is bundled somewhere');
});

test('at run time --help loads no @tensorflow module while info does; start-up times are logged', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ebm-probe-'));
  try {
    const probe = path.join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => {
  const tf = Object.keys(require.cache).filter((k) => k.includes('${path.sep}@tensorflow${path.sep}'));
  process.stderr.write('EBM_PROBE ' + tf.length + '\\n');
});\n`,
    );
    const count = (stderr: string) => Number(/EBM_PROBE (\d+)/.exec(stderr)?.[1] ?? NaN);
    const times = { help: [] as number[], info: [] as number[] };
    for (let i = 0; i < 3; i++) {
      const help = await runEbm(['--help'], { nodeArgs: ['--require', probe] });
      t.is(help.code, 0);
      t.is(count(help.stderr), 0, '--help loaded tfjs');
      times.help.push(help.ms);
      const info = await runEbm(['info'], { nodeArgs: ['--require', probe] });
      t.is(info.code, 0, info.stderr);
      t.true(count(info.stderr) > 0, 'the probe sees tfjs when it is loaded');
      times.info.push(info.ms);
    }
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[1]!;
    t.log(`start-up (median of 3, wall clock incl. node): ebm --help ${median(times.help).toFixed(0)} ms, ebm info ${median(times.info).toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
