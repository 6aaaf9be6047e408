// The packages as users get them: every workspace package is packed with `npm pack` (its `files` list decides what
// ships), the tarballs are installed with npm into fresh projects outside the repository (real copies, no symlinks),
// and from there: the README's "Use in a pipeline" examples run (ESM and CommonJS) and print what the README says,
// every entry of every exports map imports, TypeScript type-checks a consumer with skipLibCheck: false under NodeNext
// and Bundler resolution, `npx ebm tag` tags with the bundled model, `npx ebm --help` and `ebm corpora list` work.
// A second project installs only @ebmkit/crf (with core and ssvm) to measure what a CRF user installs.
// npm reuses its cache (--prefer-offline); the optional native TensorFlow (@tensorflow/tfjs-node, whose install script
// downloads a binary) is omitted. Skipped, with the reason in the title, when the npm registry cannot be reached.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writePng } from '@ebmkit/core';
import { diskBytes, npmInstall, packWorkspaces, sh as run, WORKSPACES, writeProject } from '../../scripts/lib/consumer-project.ts';
import { assertBuilt, cleanEnv, repoRoot } from './helpers.ts';

const PACKAGES: readonly string[] = WORKSPACES;
const CRF_ONLY = ['core', 'ssvm', 'crf'];
/** Targets of issue 15 (installed size of node_modules). */
const MAX_CRF_ONLY_MB = 40;
const MAX_FULL_MB = 150;

const ping = spawnSync('npm', ['ping'], { encoding: 'utf8', timeout: 30_000, env: cleanEnv() });
const offline = ping.status !== 0 ? (ping.stderr || ping.error?.message || 'npm ping failed').trim().split('\n').pop() : undefined;
const suite = offline ? test.serial.skip : test.serial;
const tag = offline ? ` (skipped: the npm registry is unreachable: ${offline})` : '';

/** The README's "Use in a pipeline" code blocks: `// file: NAME` on their first line. */
function readmeExamples(): { file: string; code: string }[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  return [...readme.matchAll(/```js\n\/\/ file: (\S+)\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
}

/** The output a README line promises: `console.log(...); // OUTPUT`. */
function promisedOutputs(code: string): string[] {
  return [...code.matchAll(/console\.log\(.*\);? \/\/ (.+)$/gm)].map((m) => m[1]!.trim());
}

const tmp = offline ? '' : mkdtempSync(path.join(os.tmpdir(), 'ebmkit-consumer-'));
const app = path.join(tmp, 'app');
const crfOnly = path.join(tmp, 'crf-only');
const tarballs: Record<string, string> = {};
let installMs = 0;
let setupError: string | undefined;

const env = cleanEnv({ DOTENV_CONFIG_QUIET: 'true' });
const sh = (cmd: string, args: string[], cwd: string) => run(cmd, args, cwd, env);

test.before(async () => {
  if (offline) return;
  assertBuilt();
  try {
    Object.assign(tarballs, await packWorkspaces(repoRoot, path.join(tmp, 'tgz'), env));
  } catch (err) {
    setupError = (err as Error).message;
    return;
  }
  const typesNode = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/@types/node/package.json'), 'utf8')).version;
  writeProject(app, tarballs, PACKAGES, { '@types/node': typesNode });
  writeProject(crfOnly, tarballs, CRF_ONLY);
  const [a, c] = await Promise.all([npmInstall(app, env), npmInstall(crfOnly, env)]);
  installMs = a.ms;
  if (a.code !== 0 || c.code !== 0) setupError = `npm install failed: ${a.stderr}\n${c.stderr}`;
});

test.after.always(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

suite(`every package packs, and installs from its tarball as a real copy outside the repository${tag}`, (t) => {
  t.is(setupError, undefined);
  t.deepEqual(Object.keys(tarballs).sort(), [...PACKAGES].sort());
  t.is(path.relative(repoRoot, tmp).split(path.sep)[0], '..', `${tmp} is outside ${repoRoot}`);
  for (const p of PACKAGES) {
    const dir = path.join(app, 'node_modules', '@ebmkit', p);
    t.false(lstatSync(dir).isSymbolicLink(), `${p} is installed, not linked`);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    t.truthy(readFileSync(path.join(dir, 'README.md'), 'utf8').length > 200, `${p} has its own README`);
    t.regex(readFileSync(path.join(dir, 'LICENSE'), 'utf8'), /MIT/, `${p} ships the licence`);
    t.regex(readFileSync(path.join(dir, 'NOTICE'), 'utf8'), /CC BY-SA 4\.0/, `${p} ships the notice`);
    t.is(pkg.engines.node, '>=20.19', `${p} engines`);
  }
});

suite(`sizes: a CRF-only project and the whole CLI stay within their budgets${tag}`, (t) => {
  t.is(setupError, undefined);
  const crfMb = diskBytes(path.join(crfOnly, 'node_modules')) / 2 ** 20;
  const fullMb = diskBytes(path.join(app, 'node_modules')) / 2 ** 20 - diskBytes(path.join(app, 'node_modules', '@types')) / 2 ** 20;
  t.log(`node_modules: @ebmkit/crf only ${crfMb.toFixed(1)} MB; all packages with the CLI ${fullMb.toFixed(1)} MB (without @types); npm install ${(installMs / 1000).toFixed(1)} s`);
  const installed = readdirSync(path.join(crfOnly, 'node_modules'));
  t.false(installed.includes('natural'), 'no natural (and its database drivers) for tokenising text');
  t.false(readdirSync(path.join(crfOnly, 'node_modules')).includes('@tensorflow'), 'no tfjs for CRFs');
  t.true(crfMb <= MAX_CRF_ONLY_MB, `@ebmkit/crf installs ${crfMb.toFixed(1)} MB > ${MAX_CRF_ONLY_MB} MB`);
  t.true(fullMb <= MAX_FULL_MB, `the CLI installs ${fullMb.toFixed(1)} MB > ${MAX_FULL_MB} MB`);
});

suite(`the README's pipeline examples run from the installed packages and print what the README says${tag}`, async (t) => {
  t.is(setupError, undefined);
  const examples = readmeExamples();
  t.deepEqual(examples.map((e) => path.extname(e.file)).filter((x, i, a) => a.indexOf(x) === i).sort(), ['.cjs', '.mjs'], 'ESM and CommonJS examples');
  // A tiny image folder for the segmentation example: a bright square on a dark background.
  mkdirSync(path.join(app, 'images'), { recursive: true });
  mkdirSync(path.join(app, 'masks'), { recursive: true });
  for (const [name, off] of [['a', 8], ['b', 12], ['c', 4]] as const) {
    const W = 32;
    const rgb = new Uint8Array(W * W * 3);
    const mask = new Uint8Array(W * W);
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        const fg = x >= off && x < off + 14 && y >= off && y < off + 14;
        const v = fg ? 200 + ((x * 7 + y * 3) % 40) : 30 + ((x * 5 + y * 11) % 40);
        rgb.fill(v, (y * W + x) * 3, (y * W + x) * 3 + 3);
        mask[y * W + x] = fg ? 255 : 0;
      }
    }
    await writePng(path.join(app, 'images', `${name}.png`), { width: W, height: W, data: rgb });
    await writePng(path.join(app, 'masks', `${name}.png`), { width: W, height: W, gray: mask });
  }
  for (const { file, code } of examples) {
    writeFileSync(path.join(app, file), code);
    const r = await sh(process.execPath, [file], app);
    t.is(r.code, 0, `${file}: ${r.stderr}`);
    const promised = promisedOutputs(code);
    t.true(promised.length > 0, `${file} promises an output`);
    for (const out of promised) t.true(r.stdout.includes(out), `${file} prints ${out}; got:\n${r.stdout}`);
  }
});

suite(`each installed package's own README example runs and prints what it says${tag}`, async (t) => {
  t.is(setupError, undefined);
  for (const p of PACKAGES) {
    const readme = readFileSync(path.join(app, 'node_modules', '@ebmkit', p, 'README.md'), 'utf8');
    for (const [i, m] of [...readme.matchAll(/```js\n([\s\S]*?)```/g)].entries()) {
      const file = `readme-${p}-${i}.mjs`;
      writeFileSync(path.join(app, file), m[1]!);
      const r = await sh(process.execPath, [file], app);
      t.is(r.code, 0, `${p} README: ${r.stderr}`);
      const promised = promisedOutputs(m[1]!);
      t.true(promised.length > 0, `${p} README example promises an output`);
      for (const out of promised) t.true(r.stdout.includes(out), `${p} README prints ${out}; got:\n${r.stdout}`);
    }
  }
});

suite(`every entry of every exports map imports (ESM) and requires (CommonJS) from the install${tag}`, async (t) => {
  t.is(setupError, undefined);
  const specs: string[] = [];
  for (const p of PACKAGES) {
    const pkg = JSON.parse(readFileSync(path.join(app, 'node_modules', '@ebmkit', p, 'package.json'), 'utf8'));
    for (const k of Object.keys(pkg.exports)) if (k !== './package.json') specs.push(k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`);
  }
  t.true(specs.includes('@ebmkit/core/energy') && specs.includes('@ebmkit/core/backend'));
  writeFileSync(path.join(app, 'entries.mjs'), `const out = {};\nfor (const s of ${JSON.stringify(specs)}) out[s] = Object.keys(await import(s)).length;\nconsole.log(JSON.stringify(out));\n`);
  writeFileSync(path.join(app, 'entries.cjs'), `const out = {};\nfor (const s of ${JSON.stringify(specs)}) out[s] = Object.keys(require(s)).length;\nconsole.log(JSON.stringify(out));\n`);
  for (const f of ['entries.mjs', 'entries.cjs']) {
    const r = await sh(process.execPath, [f], app);
    t.is(r.code, 0, `${f}: ${r.stderr}`);
    const counts = JSON.parse(r.stdout) as Record<string, number>;
    for (const s of specs) t.true(counts[s]! > 0, `${f}: ${s} has exports`);
  }
});

const CONSUMER_TS = `import { ChainDistribution, createRng, type Rng } from '@ebmkit/core';
import { getTf, selectBackend, type BackendSelection } from '@ebmkit/core/backend';
import { Crf, itemSequenceFromAttributes } from '@ebmkit/crf';
import { createLearner, DenseChainModel } from '@ebmkit/ssvm';
import { Segmenter, trainSegmenter } from '@ebmkit/segment';
import { defineCommand } from '@ebmkit/cli';
import { loadEnglishParser, type ParseResult } from '@ebmkit/parse';

const rng: Rng = createRng(1);
const d = new ChainDistribution({ T: 2, L: 2, unary: new Float64Array(4), transition: new Float64Array(4) });
const best: Int32Array = d.argmax().labels;
const items = itemSequenceFromAttributes([{ names: ['w=a'] }]);
const model: Promise<Crf> = Crf.train([{ items, labels: ['A'] }], { threads: 1 });
const learner = createLearner('bcfw', new DenseChainModel({ labels: 2, features: 2 }), { C: 1 });
const selection: Promise<BackendSelection> = selectBackend('cpu');
const parsed: Promise<ParseResult> = loadEnglishParser().then((p) => p.parseTokens(['Dogs', 'bark'], ['NOUN', 'VERB']));
export const used = [rng.uniform(), best, model, learner, selection, getTf, Segmenter, trainSegmenter, defineCommand, parsed];
`;

suite(`TypeScript type-checks a consumer with skipLibCheck: false under NodeNext and Bundler resolution${tag}`, async (t) => {
  t.is(setupError, undefined);
  writeFileSync(path.join(app, 'consumer.ts'), CONSUMER_TS);
  writeFileSync(path.join(app, 'bad.ts'), `import { createRng } from '@ebmkit/core';\nexport const s: string = createRng(1).uniform();\n`);
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [resolution, module] of [['NodeNext', 'NodeNext'], ['Bundler', 'ESNext']] as const) {
    // One program with both files: the only error reported must be the deliberate one in bad.ts.
    const config = `tsconfig.${resolution}.json`;
    const compilerOptions = { target: 'ES2022', module, moduleResolution: resolution, strict: true, skipLibCheck: false, noEmit: true };
    writeFileSync(path.join(app, config), JSON.stringify({ compilerOptions, files: ['consumer.ts', 'bad.ts'] }));
    const r = await sh(process.execPath, [tsc, '-p', config], app);
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    t.deepEqual(errors.length, 1, `${resolution}: ${r.stdout}${r.stderr}`);
    t.regex(errors[0] ?? '', /^bad\.ts\(2,14\): error TS2322/, `${resolution}: the deliberate type error is the only one`);
  }
});

suite(`npx ebm tag uses the bundled model (and --parse the bundled parser); npx ebm --help and ebm corpora list work from the install${tag}`, async (t) => {
  t.is(setupError, undefined);
  const tagged = await sh('npx', ['--no-install', 'ebm', 'tag', 'The dog barked.'], app);
  t.is(tagged.code, 0, tagged.stderr);
  t.is(tagged.stdout, 'The/DET dog/NOUN barked/VERB ./PUNCT\n');
  t.log(`npm install of the tarballs ${(installMs / 1000).toFixed(1)} s, then the first tagged sentence ${(tagged.ms / 1000).toFixed(2)} s`);
  // The bundled parser is found from the CLI bundle inside the installed @ebmkit/parse.
  const parsed = await sh('npx', ['--no-install', 'ebm', 'tag', '--parse', 'The dog barked.'], app);
  t.is(parsed.code, 0, parsed.stderr);
  t.regex(parsed.stdout, /^3\tbarked\t_\tVERB\t_\t_\t0\troot\t/m);
  const help = await sh('npx', ['--no-install', 'ebm', '--help'], app);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /\btag\b/);
  const corpora = await sh('npx', ['--no-install', 'ebm', 'corpora', 'list'], app);
  t.is(corpora.code, 0, corpora.stderr);
  t.regex(corpora.stdout, /conll2000/);
});
