/**
 * Where corpora live: a read-only mirror named by `EBM_CORPORA_DIR`, and the download cache filled by
 * `ebm corpora fetch` (`EBM_CACHE_DIR`, else `~/.cache/ebmkit/corpora`).
 */
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Corpus } from './registry.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A place corpora may be found. */
export interface CorporaLocation {
  /** `EBM_CORPORA_DIR` (a mirror) or `cache` (filled by fetch). */
  readonly kind: 'EBM_CORPORA_DIR' | 'cache';
  readonly dir: string;
  readonly exists: boolean;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The download cache directory: `$EBM_CACHE_DIR`, else `~/.cache/ebmkit/corpora`. */
export function cacheDir(env: Env = process.env): string {
  const c = env['EBM_CACHE_DIR'];
  return c ? path.resolve(c) : path.join(os.homedir(), '.cache', 'ebmkit', 'corpora');
}

/** The locations searched for corpora, in order: `EBM_CORPORA_DIR` (if set), then the cache. */
export function corporaLocations(env: Env = process.env): CorporaLocation[] {
  const out: CorporaLocation[] = [];
  const mirror = env['EBM_CORPORA_DIR'];
  if (mirror) out.push({ kind: 'EBM_CORPORA_DIR', dir: path.resolve(mirror), exists: isDir(path.resolve(mirror)) });
  const cache = cacheDir(env);
  out.push({ kind: 'cache', dir: cache, exists: isDir(cache) });
  return out;
}

/** The directory holding `corpus`: the first location with its `dir` (or one of its `mirrorDirs`), else undefined. */
export function findCorpusDir(corpus: Corpus, locations: readonly CorporaLocation[]): string | undefined {
  for (const loc of locations) {
    if (!loc.exists) continue;
    for (const name of [corpus.dir, ...(corpus.mirrorDirs ?? [])]) {
      const d = path.join(loc.dir, name);
      if (existsSync(d) && isDir(d)) return d;
    }
  }
  return undefined;
}
