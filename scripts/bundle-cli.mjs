// Bundles the `ebm` CLI into packages/cli/dist/bundle/ (ESM, code-split so that heavy
// modules such as tfjs, jimp and natural load only when a command needs them).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const outdir = 'packages/cli/dist/bundle';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { ebm: 'packages/cli/src/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Third-party packages stay external: they are dependencies, resolved from node_modules at run time.
  // Workspace packages (@ebmkit/*) are bundled from their built JavaScript.
  packages: 'external',
  external: [],
  plugins: [
    {
      name: 'bundle-workspace',
      setup(b) {
        b.onResolve({ filter: /^@ebmkit\// }, async (args) => {
          if (args.pluginData === 'inner') return undefined;
          const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
          return { path: r.path, external: false };
        });
      },
    },
  ],
  logLevel: 'warning',
});
