// Bundles the `ebm` CLI into packages/cli/dist/bundle/ (ESM, code-split so that heavy
// modules such as tfjs and jimp load only when a command needs them).
// Writes packages/cli/dist/bundle/meta.json (esbuild's metafile): test/e2e checks from it that the
// entry chunk has no static import path to @tensorflow/*.
import { build } from 'esbuild';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const outdir = 'packages/cli/dist/bundle';
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  // Worker-thread entry points sit next to the chunks that start them (new URL('./x.js', import.meta.url)).
  entryPoints: {
    ebm: 'packages/cli/src/ebm.ts',
    'likelihood-worker': 'packages/crf/dist/train/likelihood-worker.js',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  // Third-party packages stay external: they are dependencies, resolved from node_modules at run time.
  // Workspace packages (@ebmkit/*) are bundled from their built JavaScript (dist/, via the `import`
  // condition of their exports map), resolved the way Node resolves them from this checkout.
  packages: 'external',
  plugins: [
    {
      name: 'bundle-workspace',
      setup(b) {
        b.onResolve({ filter: /^@ebmkit\// }, (args) => ({ path: fileURLToPath(import.meta.resolve(args.path)) }));
      },
    },
  ],
  logLevel: 'warning',
});
writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile, null, 1));

// The corpus registry ships inside the CLI package (packages/cli/corpora/, generated, git-ignored), where
// `ebm corpora` finds it by walking up from the bundle; the checkout's corpora/ stays the one source.
rmSync('packages/cli/corpora', { recursive: true, force: true });
cpSync('corpora', 'packages/cli/corpora', { recursive: true });

// Every package ships the licence and the notice (the bundled models are CC BY-SA 4.0 derivatives of UD English-EWT):
// copied from the checkout root at build (git-ignored), listed in each package's `files`.
for (const pkg of ['core', 'ssvm', 'crf', 'segment', 'parse', 'cli']) {
  for (const f of ['LICENSE', 'NOTICE']) cpSync(f, `packages/${pkg}/${f}`);
}
