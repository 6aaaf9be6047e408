/** `ebm corpora list|fetch|verify`: the benchmark corpus registry, downloads and checksum checks. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { defineCommand, type CommandContext, type TaskModule } from '../command.js';
import { parseChecksumList } from '../corpora/checksum.js';
import { fetchCorpus, type FetchResult } from '../corpora/fetch.js';
import { cacheDir, corporaLocations, findCorpusDir } from '../corpora/locations.js';
import { loadRegistry, type Corpus, type Registry } from '../corpora/registry.js';
import { verifyCorpus, type FileCheck } from '../corpora/verify.js';
import { CliError, EXIT_FAILURE, UsageError } from '../errors.js';
import type { OptionSpec } from '../options.js';
import { formatAmount } from '../progress.js';
import { suggest } from '../suggest.js';
import { formatTable } from '../table.js';

/** Looks up the named corpora; an unknown name is a usage error listing the registered ones. */
function pick(registry: Registry, names: readonly string[]): Corpus[] {
  if (names.length === 0) return [...registry.corpora];
  const all = registry.corpora.map((c) => c.name);
  return names.map((n) => {
    const c = registry.corpora.find((x) => x.name === n);
    if (!c) {
      const near = suggest(n, all);
      throw new UsageError(`unknown corpus '${n}'${near ? ` (did you mean '${near}'?)` : ''}; registered: ${all.join(', ')}`);
    }
    return c;
  });
}

/** Number of files a corpus's manifest lists, read from the registry's shipped copy (undefined if none). */
function listedCount(registry: Registry, c: Corpus): number | undefined {
  if (!c.manifest) return undefined;
  const f = c.files.find((x) => x.path === c.manifest!.path);
  if (!f?.copy) return undefined;
  try {
    const file = path.resolve(path.dirname(registry.file), f.copy);
    return parseChecksumList(readFileSync(file, 'utf8'), file).length;
  } catch {
    return undefined;
  }
}

const list = defineCommand({
  name: 'list',
  summary: 'List the registered corpora (files, size, licence, where found locally)',
  options: [
    { name: 'long', short: 'l', type: 'boolean', help: 'Also print description, homepage, format, licence and every file with its URLs' },
    { name: 'json', type: 'boolean', help: 'Print the registry entries as JSON' },
  ],
  examples: ['ebm corpora list', 'ebm corpora list --long'],
  run(ctx) {
    const registry = loadRegistry(ctx.io.env);
    if (ctx.options.json) {
      ctx.io.stdout.write(JSON.stringify(registry.corpora, null, 2) + '\n');
      return;
    }
    const locations = corporaLocations(ctx.io.env);
    const rows = registry.corpora.map((c) => {
      const dir = findCorpusDir(c, locations);
      const where = dir ? (locations.find((l) => dir.startsWith(l.dir + path.sep))?.kind ?? dir) : '-';
      const bytes = c.files.reduce((s, f) => s + (f.bytes ?? 0), 0);
      const listed = listedCount(registry, c);
      const files = `${c.files.length}${listed !== undefined ? `+${listed}` : c.manifest ? '+' : ''}`;
      return [c.name, files, `${formatAmount(bytes, 'bytes')}${c.manifest ? '+' : ''}`, c.licenceId ?? c.licence, where, c.title];
    });
    ctx.io.stdout.write(formatTable(['NAME', 'FILES', 'SIZE', 'LICENCE', 'LOCAL', 'TITLE'], rows));
    if (ctx.options.long) {
      for (const c of registry.corpora) {
        const out = [
          '',
          `${c.name} — ${c.title}`,
          `  ${c.description}`,
          `  homepage: ${c.homepage}`,
          `  licence:  ${c.licence}`,
          `  format:   ${c.format}`,
        ];
        for (const f of c.files) {
          out.push(`  ${f.path}${f.optional ? ' (optional)' : ''}  ${f.bytes !== undefined ? formatAmount(f.bytes, 'bytes') : ''}`);
          out.push(`    sha256 ${f.sha256}${f.contentSha256 ? `\n    content sha256 ${f.contentSha256}` : ''}`);
          for (const u of f.urls) out.push(`    ${u}`);
          if (f.copy) out.push(`    (copy shipped with the registry: ${f.copy})`);
          if (f.note) out.push(`    note: ${f.note}`);
        }
        if (c.manifest) out.push(`  files listed in ${c.manifest.path}${c.manifest.urlBase ? `, fetched from ${c.manifest.urlBase}<path>` : ''}`);
        ctx.io.stdout.write(out.join('\n') + '\n');
      }
    } else {
      ctx.io.stdout.write(`\nregistry: ${registry.file}; '+' = further files listed in a SHA256SUMS; 'ebm corpora list --long' for details\n`);
    }
  },
});

const fetchOptions = [
  { name: 'force', type: 'boolean', help: 'Download again even if a verified copy is already in the cache' },
  { name: 'cache-dir', type: 'string', placeholder: 'DIR', help: 'Cache directory (default: $EBM_CACHE_DIR, else ~/.cache/ebmkit/corpora)' },
  { name: 'timeout', type: 'number', min: 1, default: 60, placeholder: 'SECONDS', help: 'Give up on a download after this long without data' },
  { name: 'jobs', type: 'number', integer: true, min: 1, max: 64, default: 8, help: 'Parallel downloads for files listed in a SHA256SUMS' },
] as const satisfies readonly OptionSpec[];

/** One stdout line for a fetched file. */
function fetchLine(corpus: string, r: FetchResult): string {
  const how = r.matchedBy === 'content' ? ' (content sha256)' : r.matchedBy === 'gzipped' ? ' (gzipped here; content sha256)' : '';
  switch (r.status) {
    case 'downloaded':
      return `${corpus}  ${r.path}  downloaded ${formatAmount(r.bytes ?? 0, 'bytes')} from ${r.url}, sha256 OK${how}`;
    case 'copied':
      return `${corpus}  ${r.path}  copied from the registry, sha256 OK`;
    case 'present':
      return `${corpus}  ${r.path}  already present, sha256 OK${how}`;
    case 'skipped':
      return `${corpus}  ${r.path}  skipped (optional; ${r.detail})`;
    case 'failed':
      return `${corpus}  ${r.path}  FAILED${r.optional ? ' (optional)' : ''}: ${r.detail}`;
  }
}

const fetchCmd = defineCommand({
  name: 'fetch',
  summary: 'Download corpora from their original URLs into the cache, checking sha256',
  description:
    'Each file is downloaded to a temporary name, checked against the registry (its sha256, or for gzip files\n' +
    'the sha256 of the uncompressed content), and renamed into place only if it matches. URLs are tried in\n' +
    'order. Files already in the cache and verified are kept (use --force to download again). Optional files\n' +
    'without a URL are skipped; a failed optional file is a warning, a failed required file exits 1.',
  args: [{ name: 'NAME', help: "Corpus names (see 'ebm corpora list')", variadic: true }],
  options: fetchOptions,
  examples: ['ebm corpora fetch conll2000', 'EBM_CACHE_DIR=/data/ebm ebm corpora fetch fashion_mnist mnist'],
  async run(ctx) {
    const registry = loadRegistry(ctx.io.env);
    const corpora = pick(registry, ctx.args);
    const root = ctx.options.cacheDir ? path.resolve(ctx.options.cacheDir) : cacheDir(ctx.io.env);
    const failed: string[] = [];
    for (const c of corpora) {
      ctx.note(`fetching ${c.name} into ${path.join(root, c.dir)}`);
      const res = await fetchCorpus(c, {
        cacheDir: root,
        registryFile: registry.file,
        force: ctx.options.force,
        idleTimeoutMs: ctx.options.timeout * 1000,
        jobs: ctx.options.jobs,
        fileProgress: (label, total) => ctx.progress({ label, ...(total !== undefined ? { total } : {}), unit: 'bytes' }),
        listProgress: (label, total) => ctx.progress({ label, total, unit: 'files' }),
        onResult: (r) => {
          if (!r.listed) ctx.io.stdout.write(fetchLine(c.name, r) + '\n');
          else if (r.status === 'failed') ctx.io.stdout.write(fetchLine(c.name, r) + '\n');
        },
      });
      const listed = res.results.filter((r) => r.listed);
      if (listed.length) {
        const count = (s: string) => listed.filter((r) => r.status === s).length;
        ctx.io.stdout.write(
          `${c.name}  ${listed.length} files listed in ${c.manifest!.path}: ${count('downloaded')} downloaded, ` +
            `${count('present')} already present, ${count('failed')} failed\n`,
        );
      }
      if (!res.ok) failed.push(c.name);
    }
    if (failed.length) throw new CliError(`could not fetch every required file of ${failed.join(', ')} (see the FAILED lines)`);
  },
});

/** Pads status lines into columns wide enough for every registered name. */
function verifyLine(widths: [number, number], corpus: string, file: string, status: string, detail?: string): string {
  return `${corpus.padEnd(widths[0])}  ${file.padEnd(widths[1])}  ${status}${detail ? `  ${detail}` : ''}`;
}

function statusText(f: FileCheck): string {
  if (f.status === 'OK') return f.matchedBy === 'content' ? 'OK (content sha256)' : 'OK';
  if (f.status === 'MISSING' && f.optional) return 'MISSING (optional)';
  return f.status;
}

/** Bytes that verifying `c` in `dir` will hash (for the progress bar). */
function plannedBytes(c: Corpus, dir: string): number {
  let total = 0;
  const add = (p: string) => {
    try {
      total += statSync(path.join(dir, ...p.split('/'))).size;
    } catch {
      /* missing: reported by verify */
    }
  };
  for (const f of c.files) add(f.path);
  if (c.manifest) {
    try {
      const list = path.join(dir, ...c.manifest.path.split('/'));
      for (const e of parseChecksumList(readFileSync(list, 'utf8'), list)) add(e.path);
    } catch {
      /* reported by verify */
    }
  }
  return total;
}

async function runVerify(ctx: CommandContext<readonly [{ name: 'present'; type: 'boolean'; help: string }]>): Promise<number> {
  const registry = loadRegistry(ctx.io.env);
  const corpora = pick(registry, ctx.args);
  const locations = corporaLocations(ctx.io.env);
  ctx.io.stdout.write(
    `looking in: ${locations.map((l) => `${l.dir} (${l.kind}${l.exists ? '' : ', does not exist'})`).join(', then ')}\n`,
  );
  const widths: [number, number] = [
    Math.max(6, ...corpora.map((c) => c.name.length)),
    Math.max(4, ...corpora.flatMap((c) => [...c.files.map((f) => f.path.length), c.manifest ? c.manifest.path.length + 12 : 0])),
  ];
  ctx.io.stdout.write(verifyLine(widths, 'CORPUS', 'FILE', 'STATUS') + '\n');
  const summary: string[] = [];
  let bad = 0;
  let found = 0;
  for (const c of corpora) {
    const dir = findCorpusDir(c, locations);
    if (!dir) {
      if (ctx.options.present) {
        summary.push(`${c.name.padEnd(widths[0])}  SKIPPED  not found (--present)`);
        continue;
      }
      ctx.io.stdout.write(verifyLine(widths, c.name, '*', 'MISSING', `no ${[c.dir, ...(c.mirrorDirs ?? [])].join(' or ')} directory in any location`) + '\n');
      summary.push(`${c.name.padEnd(widths[0])}  MISSING  not found in any location`);
      bad++;
      continue;
    }
    found++;
    const bar = ctx.progress({ label: `verify ${c.name}`, total: plannedBytes(c, dir), unit: 'bytes' });
    const check = await verifyCorpus(c, dir, (n) => bar.tick(n));
    bar.done();
    for (const f of check.files) {
      const detail = f.status === 'OK' ? undefined : f.detail;
      ctx.io.stdout.write(verifyLine(widths, c.name, f.path, statusText(f), detail) + '\n');
    }
    if (check.manifest) {
      const m = check.manifest;
      ctx.io.stdout.write(
        verifyLine(widths, c.name, `[files in ${m.path}]`, m.problems.length ? 'MISMATCH' : 'OK', `${m.ok}/${m.listed} listed files OK`) + '\n',
      );
      for (const p of m.problems) ctx.io.stdout.write(verifyLine(widths, c.name, p.path, p.status, p.detail) + '\n');
    } else if (c.manifest) {
      ctx.io.stdout.write(verifyLine(widths, c.name, `[files in ${c.manifest.path}]`, 'UNCHECKED', 'the list itself did not verify') + '\n');
    }
    const optionalMissing = check.files.filter((f) => f.status === 'MISSING' && f.optional).map((f) => f.path);
    const partial = optionalMissing.length ? ` (partial: optional ${optionalMissing.join(', ')} missing)` : '';
    summary.push(`${c.name.padEnd(widths[0])}  ${check.ok ? 'OK' : 'FAILED'}  ${dir}${partial}`);
    if (!check.ok) bad++;
  }
  ctx.io.stdout.write('\n' + summary.join('\n') + '\n');
  if (found === 0 && ctx.options.present) throw new CliError('no registered corpus was found in any location');
  if (bad > 0) {
    ctx.io.stderr.write(`ebm: error: ${bad} of ${corpora.length} corpora failed verification\n`);
    return EXIT_FAILURE;
  }
  return 0;
}

const verify = defineCommand({
  name: 'verify',
  summary: 'Check local corpora (EBM_CORPORA_DIR, then the cache) against the registry sha256 sums',
  description:
    'For each file: OK when its sha256 matches, or — for gzip files with a registered content sha256 — when the\n' +
    'gunzipped content matches (a re-compressed copy still verifies); MISMATCH otherwise; MISSING when absent.\n' +
    'A missing optional file (e.g. the MNIST train images, absent from the mnist_partial mirror) is reported as\n' +
    "'MISSING (optional)' and does not fail. Corpora with a SHA256SUMS list also check every listed file.\n" +
    'Exit 1 on any mismatch, missing required file, or (without --present) corpus not found.',
  args: [{ name: 'NAME', help: 'Corpora to check (default: every registered corpus)', variadic: true, required: false }],
  options: [{ name: 'present', type: 'boolean', help: 'Skip corpora that are not found anywhere instead of failing' }],
  examples: ['EBM_CORPORA_DIR=../shared/corpora ebm corpora verify', 'ebm corpora verify conll2000 mnist'],
  run: runVerify,
});

/** The `corpora` task. */
export const commands: TaskModule['commands'] = [list, fetchCmd, verify];
