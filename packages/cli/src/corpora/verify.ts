/**
 * Checking corpus files against the registry.
 *
 * Rules (also in corpora/README.md):
 * - A file is OK when its sha256 equals the registered one, or — for a gzip file with a registered
 *   content sha256 — when its gunzipped content's sha256 does (a re-compressed copy still verifies).
 * - A present file that matches neither is a MISMATCH: verify fails.
 * - A missing required file is MISSING: verify fails. A missing `optional` file is reported as
 *   `MISSING (optional)` and does not fail verify.
 * - A corpus with a manifest (SHA256SUMS) also checks every file the list names; any mismatch or
 *   missing listed file fails.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseChecksumList, sha256File, sha256Gunzipped } from './checksum.js';
import type { Corpus, CorpusFile } from './registry.js';

/** Outcome for one file. */
export type FileStatus = 'OK' | 'MISMATCH' | 'MISSING';

/** The check of one file. */
export interface FileCheck {
  readonly path: string;
  readonly status: FileStatus;
  readonly optional: boolean;
  /** For OK: 'file' (byte-identical) or 'content' (gunzipped content matches). */
  readonly matchedBy?: 'file' | 'content';
  /** Human detail (which hashes differed, the registry note for absent optional files, ...). */
  readonly detail?: string;
}

/** The check of a manifest's listed files. */
export interface ManifestCheck {
  readonly path: string;
  readonly listed: number;
  readonly ok: number;
  /** Files that are missing or differ. */
  readonly problems: readonly FileCheck[];
}

/** The check of one corpus in one directory. */
export interface CorpusCheck {
  readonly corpus: Corpus;
  /** The directory checked, or undefined if the corpus was found nowhere. */
  readonly dir: string | undefined;
  readonly files: readonly FileCheck[];
  readonly manifest?: ManifestCheck;
  /** True unless a required file is missing or any file mismatches. */
  readonly ok: boolean;
}

/** Checks one registered file in `dir`; `onBytes` reports hashing progress. */
export async function verifyFile(dir: string, f: CorpusFile, onBytes?: (n: number) => void): Promise<FileCheck> {
  const optional = f.optional === true;
  const full = path.join(dir, ...f.path.split('/'));
  if (!existsSync(full) || !statSync(full).isFile()) {
    return { path: f.path, status: 'MISSING', optional, ...(f.note ? { detail: f.note } : {}) };
  }
  const got = await sha256File(full, onBytes);
  if (got.sha256 === f.sha256) return { path: f.path, status: 'OK', optional, matchedBy: 'file' };
  if (f.contentSha256) {
    let content: { sha256: string } | undefined;
    try {
      content = await sha256Gunzipped(full);
    } catch (err) {
      return {
        path: f.path,
        status: 'MISMATCH',
        optional,
        detail: `sha256 ${got.sha256} != ${f.sha256}, and not readable as gzip (${(err as Error).message})`,
      };
    }
    if (content.sha256 === f.contentSha256) return { path: f.path, status: 'OK', optional, matchedBy: 'content' };
    return {
      path: f.path,
      status: 'MISMATCH',
      optional,
      detail: `sha256 ${got.sha256} != ${f.sha256}; content sha256 ${content.sha256} != ${f.contentSha256}`,
    };
  }
  return { path: f.path, status: 'MISMATCH', optional, detail: `sha256 ${got.sha256} != ${f.sha256}` };
}

/** Checks every file listed in the manifest `listPath` (inside `dir`). */
export async function verifyManifest(dir: string, listPath: string, onBytes?: (n: number) => void): Promise<ManifestCheck> {
  const full = path.join(dir, ...listPath.split('/'));
  const entries = parseChecksumList(readFileSync(full, 'utf8'), full);
  let ok = 0;
  const problems: FileCheck[] = [];
  for (const e of entries) {
    const r = await verifyFile(dir, { path: e.path, sha256: e.sha256, urls: [] }, onBytes);
    if (r.status === 'OK') ok++;
    else problems.push(r);
  }
  return { path: listPath, listed: entries.length, ok, problems };
}

/** Checks a corpus found in `dir` (or reports every file missing when `dir` is undefined). */
export async function verifyCorpus(corpus: Corpus, dir: string | undefined, onBytes?: (n: number) => void): Promise<CorpusCheck> {
  if (dir === undefined) {
    const files = corpus.files.map((f): FileCheck => ({ path: f.path, status: 'MISSING', optional: f.optional === true }));
    return { corpus, dir, files, ok: files.every((f) => f.optional) };
  }
  const files: FileCheck[] = [];
  for (const f of corpus.files) files.push(await verifyFile(dir, f, onBytes));
  let manifest: ManifestCheck | undefined;
  if (corpus.manifest) {
    const listCheck = files.find((f) => f.path === corpus.manifest!.path);
    if (listCheck?.status === 'OK') manifest = await verifyManifest(dir, corpus.manifest.path, onBytes);
  }
  const ok =
    files.every((f) => f.status === 'OK' || (f.status === 'MISSING' && f.optional)) &&
    (manifest === undefined || manifest.problems.length === 0) &&
    (corpus.manifest === undefined || manifest !== undefined);
  return { corpus, dir, files, ...(manifest ? { manifest } : {}), ok };
}
