/**
 * Streaming text input for the loaders: a file (gzip-compressed or plain, told apart by the magic bytes 1f 8b, not by
 * the name) read as UTF-8 lines without their line terminators ("\n" or "\r\n"). A leading byte-order mark is dropped.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fsErrorWords, isErrnoError } from '../io/fs-errors.js';
import { DataError } from './data-error.js';

const CHUNK = 1 << 20;

/** True when the file starts with the gzip magic bytes 1f 8b. */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await openOrThrow(path);
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0).catch((e: unknown) => {
      throw isErrnoError(e) ? new DataError(path, undefined, fsErrorWords(e)) : e;
    });
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

async function openOrThrow(path: string) {
  try {
    return await open(path, 'r');
  } catch (e) {
    if (isErrnoError(e)) throw new DataError(path, undefined, fsErrorWords(e));
    throw e;
  }
}

/**
 * A readable byte stream of the file's content, decompressed when the file is gzip. Decompression errors (a truncated
 * or corrupt gzip file) surface as `DataError` from the stream.
 */
export async function openDecompressed(path: string): Promise<Readable> {
  const gz = await isGzipFile(path);
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  if (!gz) return raw;
  const gunzip = createGunzip({ chunkSize: CHUNK });
  raw.on('error', (e) => gunzip.destroy(e));
  gunzip.on('close', () => raw.destroy()); // a consumer that stops early must not leave the file open
  return raw.pipe(gunzip);
}

/** Turns a stream error into a DataError naming the file (unchanged when it already is one). */
export function streamError(path: string, e: unknown): Error {
  if (e instanceof DataError) return e;
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && err.code.startsWith('Z_')) return new DataError(path, undefined, `corrupt gzip data: ${err.message}`);
  if (isErrnoError(e)) return new DataError(path, undefined, fsErrorWords(e));
  return err instanceof Error ? err : new Error(String(e));
}

/**
 * The file's lines in batches (one array per chunk read, in order), for loaders that want to avoid an await per line.
 * Line i of the file (1-based) is element i − 1 of the concatenation.
 */
export async function* readLineBatches(path: string): AsyncGenerator<string[], void, undefined> {
  const stream = await openDecompressed(path);
  stream.setEncoding('utf8');
  let rest = '';
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = rest + chunk;
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      if (lines.length > 0) yield lines;
    }
  } catch (e) {
    throw streamError(path, e);
  } finally {
    stream.destroy();
  }
  if (rest.length > 0) yield [rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest];
}

/** The file's lines one by one, with their 1-based line numbers. */
export async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }, void, undefined> {
  let line = 0;
  for await (const batch of readLineBatches(path)) {
    for (const text of batch) yield { text, line: ++line };
  }
}
