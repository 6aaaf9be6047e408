#!/usr/bin/env node
// Thin launcher: the CLI is bundled by esbuild into ../dist/bundle/ebm.js (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const bundle = new URL('../dist/bundle/ebm.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('ebm: the CLI is not built yet; run `npm run build` in the ebmkit checkout\n');
  process.exit(1);
}
await import(bundle.href);
