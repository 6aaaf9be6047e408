/** sha256 of files, of their gunzipped content, and SHA256SUMS lists. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** sha256 (hex) and size of a file, streamed; `onBytes` sees each chunk's length (for progress). */
export async function sha256File(file: string, onBytes?: (n: number) => void): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  await pipeline(createReadStream(file), async function* (src: AsyncIterable<Buffer>) {
    for await (const chunk of src) {
      h.update(chunk);
      bytes += chunk.length;
      onBytes?.(chunk.length);
    }
    yield* [];
  });
  return { sha256: h.digest('hex'), bytes };
}

/** sha256 (hex) and size of a gzip file's uncompressed content (multi-member gzip is read whole). */
export async function sha256Gunzipped(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  await pipeline(createReadStream(file), createGunzip(), async function* (src: AsyncIterable<Buffer>) {
    for await (const chunk of src) {
      h.update(chunk);
      bytes += chunk.length;
    }
    yield* [];
  });
  return { sha256: h.digest('hex'), bytes };
}

/** One line of a SHA256SUMS list. */
export interface ChecksumEntry {
  readonly sha256: string;
  /** Relative path, forward slashes. */
  readonly path: string;
  /** 1-based line number in the list (for messages). */
  readonly line: number;
}

/**
 * Parses `sha256sum` output (`<64 hex>  <path>` or `<64 hex> *<path>` per line; blank lines and
 * `#` comments skipped). Errors name `source` and the line; absolute paths and `..` are refused.
 */
export function parseChecksumList(text: string, source: string): ChecksumEntry[] {
  const out: ChecksumEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(raw);
    if (!m) throw new Error(`${source}:${i + 1}: expected '<sha256>  <path>', got '${raw.slice(0, 60)}'`);
    const p = m[2]!.replace(/^\.\//, '');
    if (p.startsWith('/') || p.split('/').includes('..')) throw new Error(`${source}:${i + 1}: path '${p}' leaves the corpus directory`);
    out.push({ sha256: m[1]!.toLowerCase(), path: p, line: i + 1 });
  }
  return out;
}
