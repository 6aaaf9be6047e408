/**
 * Downloading a corpus into the cache. Each file goes to a temporary name in its final directory,
 * is checked against the registry's sha256 (or content sha256), and only then renamed into place, so
 * an interrupted or corrupt download never leaves a file that looks complete.
 *
 * A URL may deliver (a) the registered file, (b) another gzip of the same content (checked by the
 * gunzipped content's sha256), or (c) the uncompressed content itself (its sha256 equals the registered
 * content sha256), which is then gzipped into the registered name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { toFileError } from '@ebmkit/core';
import { parseChecksumList, sha256Gunzipped } from './checksum.js';
import type { Corpus, CorpusFile } from './registry.js';
import { verifyFile } from './verify.js';

/** How one file's fetch ended. */
export type FetchStatus = 'downloaded' | 'copied' | 'present' | 'skipped' | 'failed';

/** The result for one file. */
export interface FetchResult {
  readonly path: string;
  readonly status: FetchStatus;
  readonly optional: boolean;
  /** The URL that delivered the file. */
  readonly url?: string;
  /** 'file' (byte-identical), 'content' (gunzipped content matches) or 'gzipped' (plain content, gzipped here). */
  readonly matchedBy?: 'file' | 'content' | 'gzipped';
  readonly bytes?: number;
  /** Why it failed or was skipped. */
  readonly detail?: string;
  /** The file is listed in the corpus manifest (SHA256SUMS), not in the registry itself. */
  readonly listed?: boolean;
}

/** A progress sink for one download (the CLI passes a progress bar). */
export interface DownloadProgress {
  setTotal(total: number | undefined): void;
  tick(delta: number): void;
  done(): void;
}

/** Options of fetchCorpus. */
export interface FetchCorpusOptions {
  /** The cache root; the corpus goes to `<cacheDir>/<corpus.dir>`. */
  readonly cacheDir: string;
  /** The registry file (to resolve `copy` paths). */
  readonly registryFile: string;
  /** Download again even when a verified copy is present. */
  readonly force?: boolean;
  /** Abort a download after this many milliseconds without data (default 60,000). */
  readonly idleTimeoutMs?: number;
  /** Parallel downloads for manifest-listed files (default 8). */
  readonly jobs?: number;
  /** A progress sink per single file download. */
  readonly fileProgress?: (label: string, total: number | undefined) => DownloadProgress;
  /** A progress sink counting manifest-listed files. */
  readonly listProgress?: (label: string, total: number) => DownloadProgress;
  /** Called with each file's result as soon as it is known. */
  readonly onResult?: (r: FetchResult) => void;
}

/** The outcome for a corpus. */
export interface FetchCorpusResult {
  readonly dir: string;
  readonly results: readonly FetchResult[];
  /** False when a required file (or a manifest-listed file) could not be obtained. */
  readonly ok: boolean;
}

const NO_PROGRESS: DownloadProgress = { setTotal() {}, tick() {}, done() {} };

function tempName(final: string): string {
  return `${final}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Streams `url` into `dest`, hashing the bytes; aborts after `idleMs` without data. */
async function download(
  url: string,
  dest: string,
  idleMs: number,
  progress: DownloadProgress,
): Promise<{ sha256: string; bytes: number }> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(new Error(`no data for ${Math.round(idleMs / 1000)} s`)), idleMs);
  };
  arm();
  try {
    const res = await fetch(url, { signal: ac.signal, redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    const len = Number(res.headers.get('content-length'));
    progress.setTotal(Number.isFinite(len) && len > 0 && !res.headers.get('content-encoding') ? len : undefined);
    const h = createHash('sha256');
    let bytes = 0;
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>),
      async function* (src: AsyncIterable<Buffer>) {
        for await (const chunk of src) {
          arm();
          h.update(chunk);
          bytes += chunk.length;
          progress.tick(chunk.length);
          yield chunk;
        }
      },
      createWriteStream(dest),
    );
    return { sha256: h.digest('hex'), bytes };
  } catch (err) {
    const reason = ac.signal.aborted && ac.signal.reason instanceof Error ? ac.signal.reason : err;
    const e = reason as Error & { cause?: Error };
    throw new Error(e.cause?.message ? `${e.message} (${e.cause.message})` : e.message);
  } finally {
    clearTimeout(timer);
  }
}

/** gzips `src` into `dest` (deterministic: no name, no mtime). */
async function gzipFile(src: string, dest: string): Promise<void> {
  await pipeline(createReadStream(src), createGzip({ level: 9 }), createWriteStream(dest));
}

/**
 * Decides whether the downloaded temp file is acceptable for `f` (see the module comment); may replace
 * it by its gzip. Returns how it matched, or a mismatch description.
 */
async function acceptDownload(
  tmp: string,
  got: { sha256: string },
  f: CorpusFile,
): Promise<{ matchedBy?: 'file' | 'content' | 'gzipped'; detail?: string }> {
  if (got.sha256 === f.sha256) return { matchedBy: 'file' };
  if (f.contentSha256 && got.sha256 === f.contentSha256) {
    const gz = tempName(tmp);
    try {
      await gzipFile(tmp, gz);
      renameSync(gz, tmp);
    } finally {
      rmSync(gz, { force: true });
    }
    return { matchedBy: 'gzipped' };
  }
  if (f.contentSha256) {
    try {
      const c = await sha256Gunzipped(tmp);
      if (c.sha256 === f.contentSha256) return { matchedBy: 'content' };
      return { detail: `sha256 mismatch (file ${got.sha256}, content ${c.sha256})` };
    } catch {
      return { detail: `sha256 mismatch (got ${got.sha256}; not gzip)` };
    }
  }
  return { detail: `sha256 mismatch (got ${got.sha256}, expected ${f.sha256})` };
}

/** Obtains one file into `dir` (copy from the registry, or download from its URLs in order). */
async function fetchFile(dir: string, f: CorpusFile, o: FetchCorpusOptions, label: string): Promise<FetchResult> {
  const optional = f.optional === true;
  const final = path.join(dir, ...f.path.split('/'));
  if (!o.force && existsSync(final)) {
    const v = await verifyFile(dir, f);
    if (v.status === 'OK') return { path: f.path, status: 'present', optional, matchedBy: v.matchedBy! };
  }
  mkdirSync(path.dirname(final), { recursive: true });

  if (f.copy) {
    const src = path.resolve(path.dirname(o.registryFile), f.copy);
    let data: Buffer;
    try {
      data = readFileSync(src);
    } catch (err) {
      return { path: f.path, status: 'failed', optional, detail: `cannot read the registry copy: ${(toFileError(err, src) as Error).message}` };
    }
    const sha = createHash('sha256').update(data).digest('hex');
    if (sha !== f.sha256)
      return { path: f.path, status: 'failed', optional, detail: `registry copy ${src} has sha256 ${sha}, expected ${f.sha256}` };
    const tmp = tempName(final);
    try {
      await pipeline(Readable.from([data]), createWriteStream(tmp));
      renameSync(tmp, final);
    } finally {
      rmSync(tmp, { force: true });
    }
    return { path: f.path, status: 'copied', optional, matchedBy: 'file', bytes: data.length };
  }

  if (f.urls.length === 0) {
    return { path: f.path, status: optional ? 'skipped' : 'failed', optional, detail: `no download URL${f.note ? `: ${f.note}` : ''}` };
  }
  const failures: string[] = [];
  for (const url of f.urls) {
    const tmp = tempName(final);
    const bar = o.fileProgress?.(label, f.bytes) ?? NO_PROGRESS;
    try {
      const got = await download(url, tmp, o.idleTimeoutMs ?? 60_000, bar);
      bar.done();
      const verdict = await acceptDownload(tmp, got, f);
      if (verdict.matchedBy) {
        renameSync(tmp, final);
        return { path: f.path, status: 'downloaded', optional, url, matchedBy: verdict.matchedBy, bytes: got.bytes };
      }
      failures.push(`${url}: ${verdict.detail}`);
    } catch (err) {
      bar.done();
      failures.push(`${url}: ${(err as Error).message}`);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return { path: f.path, status: 'failed', optional, detail: failures.join('; ') };
}

/** Runs `fn` over `items` with at most `jobs` in flight. */
async function pool<T>(items: readonly T[], jobs: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

/** Downloads (or copies) every file of `corpus` into `<cacheDir>/<corpus.dir>`, checking sha256 sums. */
export async function fetchCorpus(corpus: Corpus, o: FetchCorpusOptions): Promise<FetchCorpusResult> {
  const dir = path.join(o.cacheDir, corpus.dir);
  mkdirSync(dir, { recursive: true });
  const results: FetchResult[] = [];
  const emit = (r: FetchResult) => {
    results.push(r);
    o.onResult?.(r);
  };
  for (const f of corpus.files) emit(await fetchFile(dir, f, o, `${corpus.name}/${f.path}`));

  const m = corpus.manifest;
  const listResult = m ? results.find((r) => r.path === m.path) : undefined;
  if (m && listResult && listResult.status !== 'failed' && listResult.status !== 'skipped') {
    const listFile = path.join(dir, ...m.path.split('/'));
    const entries = parseChecksumList(readFileSync(listFile, 'utf8'), listFile);
    const bar = o.listProgress?.(`${corpus.name} files`, entries.length) ?? NO_PROGRESS;
    // Listed files download in parallel: one counting bar instead of a bar per file.
    const quietOptions: FetchCorpusOptions = { ...o, fileProgress: undefined };
    await pool(entries, o.jobs ?? 8, async (e) => {
      const f: CorpusFile = { path: e.path, sha256: e.sha256, urls: m.urlBase ? [m.urlBase + e.path] : [] };
      const r = await fetchFile(dir, f, quietOptions, `${corpus.name}/${e.path}`);
      bar.tick(1);
      emit({ ...r, listed: true });
    });
    bar.done();
  }
  const ok = results.every((r) => r.status !== 'failed' || r.optional);
  try {
    rmdirSync(dir); // only succeeds when nothing at all was obtained: leave no empty corpus directory behind
  } catch {
    /* not empty */
  }
  return { dir, results, ok };
}
