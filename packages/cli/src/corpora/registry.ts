/**
 * The corpus registry (`corpora/registry.json` in the checkout): every benchmark corpus with its files,
 * download URLs, sha256 sums, licence and format. It is read at run time — found by walking up from
 * this module to the checkout's `corpora/` folder, or given by `EBM_CORPORA_REGISTRY` — and validated
 * on load, so a broken entry fails with the entry's name rather than halfway through a download.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toFileError } from '@ebmkit/core';

/** One file of a corpus. */
export interface CorpusFile {
  /** Path inside the corpus directory (forward slashes). */
  readonly path: string;
  /** Size in bytes of the registered file. */
  readonly bytes?: number;
  /** sha256 (hex) of the file exactly as registered. */
  readonly sha256: string;
  /** For gzip files: size of the uncompressed content. */
  readonly contentBytes?: number;
  /** For gzip files: sha256 of the uncompressed content (a re-compressed copy still verifies by it). */
  readonly contentSha256?: string;
  /**
   * Download URLs, tried in order (the original distribution first). A URL may deliver the registered
   * file, another gzip of the same content, or the uncompressed content (which fetch gzips); each is
   * accepted by the sha256 rules in verify.ts.
   */
  readonly urls: readonly string[];
  /** Path (relative to the registry file) of a copy shipped with the registry, used by `fetch`. */
  readonly copy?: string;
  /** May be absent: `verify` reports it and does not fail; `fetch` warns instead of failing. */
  readonly optional?: boolean;
  /** Anything a user should know about this file. */
  readonly note?: string;
}

/** A SHA256SUMS-style list of further files (one `<sha256>  <path>` per line), used for image folders. */
export interface CorpusManifest {
  /** Path of the checksum list inside the corpus directory (also one of `files`). */
  readonly path: string;
  /** `fetch` downloads each listed file from `urlBase + path`. */
  readonly urlBase?: string;
}

/** One corpus. */
export interface Corpus {
  readonly name: string;
  readonly title: string;
  /** One line. */
  readonly description: string;
  readonly homepage: string;
  readonly licence: string;
  /** Short licence tag for tables (e.g. `MIT`, `research-only`). */
  readonly licenceId?: string;
  readonly format: string;
  /** Directory name in the cache and in a mirror. */
  readonly dir: string;
  /** Other directory names a mirror may use (e.g. `mnist_partial`). */
  readonly mirrorDirs?: readonly string[];
  readonly files: readonly CorpusFile[];
  readonly manifest?: CorpusManifest;
}

/** A loaded registry and where it came from. */
export interface Registry {
  readonly version: number;
  readonly corpora: readonly Corpus[];
  /** Absolute path of the registry file. */
  readonly file: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Finds `corpora/registry.json`: `EBM_CORPORA_REGISTRY` if set, else the first `corpora/registry.json`
 * in a directory above this module (the checkout root, from src/, dist/ or the bundle).
 */
export function findRegistryFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env['EBM_CORPORA_REGISTRY'];
  if (override) return path.resolve(override);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'corpora', 'registry.json');
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(
    'corpus registry not found: no corpora/registry.json above the ebm installation; set EBM_CORPORA_REGISTRY',
  );
}

function fail(file: string, where: string, msg: string): never {
  throw new Error(`${file}: ${where}: ${msg}`);
}

/** Checks the parsed JSON against the schema above; errors name the file, corpus and field. */
export function validateRegistry(raw: unknown, file: string): Registry {
  const r = raw as { version?: unknown; corpora?: unknown };
  if (typeof r !== 'object' || r === null) fail(file, 'top level', 'expected an object');
  if (r.version !== 1) fail(file, 'version', `expected 1, got ${JSON.stringify(r.version)}`);
  if (!Array.isArray(r.corpora)) fail(file, 'corpora', 'expected an array');
  const names = new Set<string>();
  for (const [i, c] of (r.corpora as Corpus[]).entries()) {
    const where = `corpora[${i}]${typeof c?.name === 'string' ? ` (${c.name})` : ''}`;
    for (const k of ['name', 'title', 'description', 'homepage', 'licence', 'format', 'dir'] as const) {
      if (typeof c?.[k] !== 'string' || c[k] === '') fail(file, where, `'${k}' must be a non-empty string`);
    }
    if (names.has(c.name)) fail(file, where, `duplicate corpus name '${c.name}'`);
    names.add(c.name);
    if (!Array.isArray(c.files) || c.files.length === 0) fail(file, where, "'files' must be a non-empty array");
    const paths = new Set<string>();
    for (const f of c.files) {
      const fw = `${where} file ${JSON.stringify(f?.path)}`;
      if (typeof f?.path !== 'string' || f.path === '' || f.path.startsWith('/') || f.path.split('/').includes('..'))
        fail(file, fw, "'path' must be a relative path inside the corpus directory");
      if (paths.has(f.path)) fail(file, fw, 'duplicate path');
      paths.add(f.path);
      if (typeof f.sha256 !== 'string' || !HEX64.test(f.sha256)) fail(file, fw, "'sha256' must be 64 lower-case hex digits");
      if (f.contentSha256 !== undefined && !HEX64.test(f.contentSha256))
        fail(file, fw, "'contentSha256' must be 64 lower-case hex digits");
      if (!Array.isArray(f.urls) || f.urls.some((u: unknown) => typeof u !== 'string' || !/^https?:\/\//.test(u)))
        fail(file, fw, "'urls' must be an array of http(s) URLs");
    }
    if (c.manifest !== undefined && !paths.has(c.manifest.path))
      fail(file, where, `manifest '${c.manifest.path}' must also be listed in 'files'`);
  }
  return { version: 1, corpora: r.corpora as Corpus[], file };
}

/** Reads and validates the registry (see findRegistryFile for where it is looked up). */
export function loadRegistry(env: Readonly<Record<string, string | undefined>> = process.env): Registry {
  const file = findRegistryFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw toFileError(err, file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: invalid JSON: ${(err as Error).message}`);
  }
  return validateRegistry(raw, file);
}
