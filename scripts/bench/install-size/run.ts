/**
 * Installed size of ebmkit as users get it: packs every workspace, installs the tarballs into fresh projects
 * (only @ebmkit/crf; only @ebmkit/segment; the CLI with everything) and reports node_modules sizes, their largest
 * packages, the npm install time, and the time from the start of `npm install` to the first sentence tagged by
 * `npx ebm tag`. Writes the `install-size` section of docs/benchmarks.md (or prints it with --no-write).
 *
 *   npm run build && node --import tsx scripts/bench/install-size/run.ts [--no-write]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskBytes, npmInstall, packageSizes, packWorkspaces, sh, writeProject } from '../../lib/consumer-project.ts';
import { machineDescription, median, writeBenchmarkSection } from '../lib/report.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const write = !process.argv.includes('--no-write');
const env = { ...process.env, DOTENV_CONFIG_QUIET: 'true' };
const MB = 2 ** 20;
const projects: { name: string; pkgs: string[] }[] = [
  { name: '@ebmkit/crf only', pkgs: ['core', 'ssvm', 'crf'] },
  { name: '@ebmkit/segment only', pkgs: ['core', 'ssvm', 'segment'] },
  { name: '@ebmkit/parse only', pkgs: ['core', 'ssvm', 'parse'] },
  { name: '@ebmkit/cli (all packages)', pkgs: ['core', 'ssvm', 'crf', 'segment', 'parse', 'cli'] },
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ebmkit-install-size-'));
try {
  const tarballs = await packWorkspaces(repoRoot, path.join(tmp, 'tgz'), env);
  const rows: string[] = [];
  let firstTag = '';
  for (const [i, p] of projects.entries()) {
    const dir = path.join(tmp, `p${i}`);
    writeProject(dir, tarballs, p.pkgs);
    const inst = await npmInstall(dir, env);
    if (inst.code !== 0) throw new Error(`npm install (${p.name}) failed: ${inst.stderr}`);
    const nm = path.join(dir, 'node_modules');
    const total = diskBytes(nm) / MB;
    const top = packageSizes(nm).slice(0, 5).map((s) => `${s.name} ${(s.bytes / MB).toFixed(1)}`).join(', ');
    rows.push(`| ${p.name} | ${total.toFixed(1)} | ${(inst.ms / 1000).toFixed(1)} | ${top} |`);
    if (p.pkgs.includes('cli')) {
      const tag = await sh('npx', ['--no-install', 'ebm', 'tag', 'The dog barked.'], dir, env);
      if (tag.code !== 0 || tag.stdout !== 'The/DET dog/NOUN barked/VERB ./PUNCT\n') throw new Error(`ebm tag failed: ${tag.stdout}${tag.stderr}`);
      const starts: number[] = [];
      for (let r = 0; r < 3; r++) starts.push((await sh(process.execPath, [path.join(nm, '.bin', 'ebm'), 'tag', 'The dog barked.'], dir, env)).ms);
      firstTag =
        `From the start of \`npm install\` to the first tagged sentence (\`npx ebm tag "The dog barked."\` → ` +
        `\`The/DET dog/NOUN barked/VERB ./PUNCT\`): ${((inst.ms + tag.ms) / 1000).toFixed(1)} s ` +
        `(install ${(inst.ms / 1000).toFixed(1)} s with a warm npm cache, first \`npx ebm tag\` ${(tag.ms / 1000).toFixed(2)} s); ` +
        `later one-sentence runs through the installed bin: median ${median(starts).toFixed(0)} ms (3 runs).`;
    }
  }
  const section = [
    '## install-size: what users install',
    '',
    `\`node --import tsx scripts/bench/install-size/run.ts\` on ${machineDescription()}, load average ${os.loadavg()[0]!.toFixed(1)}. ` +
      'Each row is a fresh project that depends on the packed tarballs (`npm pack` of every workspace, so what ships is what ' +
      "the `files` lists say), installed with `npm install --prefer-offline --omit=optional` (the optional native " +
      '`@tensorflow/tfjs-node` left out; its install script downloads a binary). Targets (issue 15): crf only ≤ 40 MB, the CLI ≤ 150 MB ' +
      '(426 MB before: the `@tensorflow/tfjs` umbrella and `natural` with its database drivers).',
    '',
    '| project | node_modules MB | npm install s | largest packages (MB) |',
    '|---|---:|---:|---|',
    ...rows,
    '',
    firstTag,
  ].join('\n');
  if (write) await writeBenchmarkSection('install-size', section);
  console.log(section);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
