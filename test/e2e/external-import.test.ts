// Other people's pipelines import the BUILT packages: a temporary project outside the workspace links
// (symlinks, not copies) node_modules/@ebmkit/* to packages/*, imports every entry of every package's
// `exports` map from an ESM .mjs script, and type-checks a TypeScript file with the repository's tsc
// (NodeNext, strict) so that types resolve through the exports maps to dist/*.d.ts. A deliberate type
// error must be reported, so the type check can fail.
import test from 'ava';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRng } from '@ebmkit/core';
import { assertBuilt, repoRoot, runNode } from './helpers.ts';

const PACKAGES = ['core', 'ssvm', 'crf', 'segment', 'parse', 'cli'];
let project = '';

/** Every importable specifier of a package: `@ebmkit/x` and its subpaths, except ./package.json. */
function specifiers(pkg: string): string[] {
  const json = JSON.parse(readFileSync(path.join(repoRoot, 'packages', pkg, 'package.json'), 'utf8'));
  return Object.keys(json.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? json.name : `${json.name}/${k.slice(2)}`));
}

test.before(() => {
  assertBuilt();
  project = mkdtempSync(path.join(os.tmpdir(), 'ebmkit-external-'));
  mkdirSync(path.join(project, 'node_modules', '@ebmkit'), { recursive: true });
  for (const p of PACKAGES) symlinkSync(path.join(repoRoot, 'packages', p), path.join(project, 'node_modules', '@ebmkit', p), 'dir');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'ebmkit-consumer', private: true, type: 'module' }));
});

test.after.always(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test('the temporary project is outside the workspace and links (not copies) the packages', (t) => {
  t.is(path.relative(repoRoot, project).split(path.sep)[0], '..', `${project} is outside ${repoRoot}`);
  for (const p of PACKAGES) t.true(lstatSync(path.join(project, 'node_modules', '@ebmkit', p)).isSymbolicLink(), p);
});

test('an ESM script imports every package entry and runs core code', async (t) => {
  const all = PACKAGES.flatMap(specifiers);
  t.true(all.includes('@ebmkit/core/testing'));
  writeFileSync(
    path.join(project, 'main.mjs'),
    `import { createRng, Dictionary, VERSION } from '@ebmkit/core';
const loaded = {};
for (const s of ${JSON.stringify(all)}) loaded[s] = Object.keys(await import(s)).length;
const d = new Dictionary();
const ids = [d.intern('B-NP'), d.intern('I-NP'), d.intern('B-NP')];
const resolved = import.meta.resolve('@ebmkit/core');
console.log(JSON.stringify({ u: createRng(1).uniform(), ids, size: d.size, version: VERSION, loaded, resolved }));
`,
  );
  const r = await runNode(['main.mjs'], { cwd: project });
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.is(out.u, createRng(1).uniform(), 'same generator as the source build');
  t.true(out.u >= 0 && out.u < 1);
  t.deepEqual(out.ids, [0, 1, 0]);
  t.is(out.size, 2);
  t.regex(out.version, /^\d+\.\d+\.\d+$/);
  for (const s of all) t.is(typeof out.loaded[s], 'number', `${s} imported`);
  t.true(out.loaded['@ebmkit/core'] > 5, 'the core entry has its exports');
  t.regex(out.resolved, /\/packages\/core\/dist\/index\.js$/, 'resolved to the built JavaScript, not the source');
});

const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
function tsconfig(file: string) {
  return JSON.stringify({
    compilerOptions: {
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
    },
    files: [file],
  });
}

test('TypeScript (NodeNext, strict) resolves the types through the exports maps, and reports a deliberate error', async (t) => {
  writeFileSync(
    path.join(project, 'ok.ts'),
    `import { createRng, Dictionary, type Rng } from '@ebmkit/core';
import { defineCommand, parseOptions, type OptionSpec } from '@ebmkit/cli';
import * as ssvm from '@ebmkit/ssvm';
import * as crf from '@ebmkit/crf';
import * as segment from '@ebmkit/segment';
import * as parse from '@ebmkit/parse';
import * as testing from '@ebmkit/core/testing';

const rng: Rng = createRng(1);
const u: number = rng.uniform();
const d = new Dictionary();
const id: number = d.intern('x');
const spec = [{ name: 'epochs', type: 'number', default: 3, help: 'passes' }] as const satisfies readonly OptionSpec[];
const epochs: number = parseOptions(spec, ['--epochs', '4']).options.epochs;
const cmd = defineCommand({ name: 'demo', summary: 'demo', options: spec, run: (ctx) => void ctx.options.epochs.toFixed(1) });
export const used = [u, id, epochs, cmd.name, ssvm, crf, segment, parse, testing];
`,
  );
  writeFileSync(path.join(project, 'tsconfig.ok.json'), tsconfig('ok.ts'));
  const ok = await runNode([tsc, '-p', 'tsconfig.ok.json', '--explainFiles'], { cwd: project });
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /packages\/core\/dist\/index\.d\.ts/, 'core types come from dist/index.d.ts');
  t.regex(ok.stdout, /packages\/cli\/dist\/index\.d\.ts/, 'cli types come from dist/index.d.ts');
  t.notRegex(ok.stdout, /packages\/core\/src\//, 'no source file is type-checked');

  writeFileSync(
    path.join(project, 'bad.ts'),
    `import { createRng } from '@ebmkit/core';
export const s: string = createRng(1).uniform();
`,
  );
  writeFileSync(path.join(project, 'tsconfig.bad.json'), tsconfig('bad.ts'));
  const bad = await runNode([tsc, '-p', 'tsconfig.bad.json'], { cwd: project });
  t.not(bad.code, 0, 'the deliberate type error fails the check');
  t.regex(bad.stdout, /bad\.ts\(2,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
});
