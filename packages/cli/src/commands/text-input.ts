/**
 * Text input for `ebm tag` (and `ebm crf tag --input text`): files (gzip recognised by its magic bytes), stdin, or
 * text arguments, read as a stream of line pieces in bounded memory. Binary input (a NUL byte) and invalid UTF-8
 * are refused with a one-line error naming the input, line and byte; a truncated gzip stream is an error too.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CliError } from '../errors.js';

/** One input: a file, stdin, or a text argument. */
export type InputSource = { kind: 'file'; path: string } | { kind: 'stdin' } | { kind: 'text'; text: string };

/**
 * A piece of input line `line` (1-based); `eol` when the line ends after it; `last` on the last piece of the bytes
 * read so far (the reader may wait for more next: a good time to flush output). Pieces are at most ~64 KiB.
 */
export interface LinePiece {
  readonly line: number;
  readonly text: string;
  readonly eol: boolean;
  readonly last: boolean;
}

/** An argument that has no whitespace and contains a path separator or ends in a file extension. */
const PATH_LIKE = /^[^\s]*(?:[/\\][^\s]*|\.[A-Za-z][A-Za-z0-9]{0,5})$/;
/** Unmistakably a path: absolute, home- or dot-relative, or ending in a file extension. */
const SURELY_PATH = /^(?:[/\\~]|\.\.?[/\\]|[A-Za-z]:[/\\])|\.[A-Za-z][A-Za-z0-9]{0,5}$/;

/**
 * Whether a missing `a` was meant as a file: it looks like a path and is unmistakably one, or its directory part
 * exists (`data/in` when data/ is there). Words with a slash whose first part is no directory (`and/or`, `24/7`)
 * are text.
 */
function meantAsFile(a: string): boolean {
  if (!PATH_LIKE.test(a)) return false;
  if (SURELY_PATH.test(a)) return true;
  const cut = Math.max(a.lastIndexOf('/'), a.lastIndexOf('\\'));
  if (cut <= 0) return false;
  try {
    return statSync(a.slice(0, cut)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Classifies arguments: an existing file is read, a directory is an error, an argument meant as a path
 * (`notes.txt`, `./in`, `data/in` when data/ exists) but missing is an error (not text), anything else is text
 * (`and/or`). No arguments: stdin.
 */
export function resolveInputs(args: readonly string[]): InputSource[] {
  if (args.length === 0) return [{ kind: 'stdin' }];
  return args.map((a): InputSource => {
    if (a === '-') return { kind: 'stdin' };
    if (existsSync(a)) {
      const st = statSync(a);
      if (st.isDirectory()) throw new CliError(`${a}: is a directory; expected a text file`);
      return { kind: 'file', path: a };
    }
    if (meantAsFile(a)) {
      throw new CliError(`${a}: no such file (to tag this text rather than a file, pipe it: echo '${a}' | ebm tag)`);
    }
    return { kind: 'text', text: a };
  });
}

/** How an input is named in messages. */
export function inputName(src: InputSource): string {
  return src.kind === 'file' ? src.path : src.kind === 'stdin' ? '<stdin>' : '<argument>';
}

/** Byte offset of the first invalid UTF-8 sequence in `b` (b.length when the bytes are valid or end mid-sequence). */
export function utf8ErrorOffset(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) {
      // the sequence runs past the end: check the bytes that are there
      for (let k = 1; i + k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
      return n;
    }
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k]!;
      if ((x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}

async function* byteChunks(src: InputSource): AsyncGenerator<Uint8Array> {
  const name = inputName(src);
  const raw: AsyncIterable<Uint8Array> =
    src.kind === 'file' ? createReadStream(src.path, { highWaterMark: 1 << 16 }) : (process.stdin as AsyncIterable<Uint8Array>);
  const it = raw[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array>;
  try {
    first = await it.next();
  } catch (e) {
    throw new CliError(`${name}: cannot read: ${(e as Error).message}`);
  }
  if (first.done) return;
  const head = first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const feed = (async () => {
      try {
        if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
        for (let r = await it.next(); !r.done; r = await it.next()) {
          if (!gunzip.write(r.value)) await new Promise((res) => gunzip.once('drain', res));
        }
        gunzip.end();
      } catch (e) {
        gunzip.destroy(e as Error);
      }
    })();
    try {
      for await (const chunk of gunzip as AsyncIterable<Uint8Array>) yield chunk;
    } catch (e) {
      const msg = (e as Error).message;
      throw new CliError(`${name}: ${/unexpected end/i.test(msg) ? 'truncated gzip data (unexpected end of file)' : `corrupt gzip data (${msg})`}`);
    }
    await feed;
    return;
  }
  yield head;
  try {
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  } catch (e) {
    throw new CliError(`${name}: cannot read: ${(e as Error).message}`);
  }
}

/**
 * The lines of an input as pieces (a long line comes in several pieces, so it never has to be held whole).
 * A trailing `\r` is dropped from each line; a final line without a newline is a line.
 */
export async function* linePieces(src: InputSource): AsyncGenerator<LinePiece> {
  if (src.kind === 'text') {
    const lines = src.text.split('\n');
    for (let i = 0; i < lines.length; i++) yield { line: i + 1, text: lines[i]!.replace(/\r$/, ''), eol: true, last: i === lines.length - 1 };
    return;
  }
  const name = inputName(src);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let bytes = 0; // bytes before the current chunk
  let pendingCR = false;
  let open = false; // a line has started and not ended
  for await (const chunk of byteChunks(src)) {
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      throw new CliError(`${name}: binary input (a NUL byte at byte ${bytes + nul + 1}); expected UTF-8 text`);
    }
    let text: string;
    try {
      text = (pendingCR ? '\r' : '') + decoder.decode(chunk, { stream: true });
    } catch {
      let at = utf8ErrorOffset(chunk);
      if (at >= chunk.length) at = 0; // the bad sequence began in the previous chunk
      let lineAt = line;
      for (let i = 0; i < at; i++) if (chunk[i] === 10) lineAt++;
      throw new CliError(`${name}: invalid UTF-8 at line ${lineAt} (byte ${bytes + at + 1}: 0x${chunk[Math.min(at, chunk.length - 1)]!.toString(16).padStart(2, '0')}); expected UTF-8 text`);
    }
    bytes += chunk.length;
    pendingCR = false;
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      let piece = text.slice(from, nl);
      if (piece.endsWith('\r')) piece = piece.slice(0, -1);
      const restLength = text.length - (nl + 1) - (text.endsWith('\r') ? 1 : 0);
      const more = text.indexOf('\n', nl + 1) >= 0 || restLength > 0;
      yield { line, text: piece, eol: true, last: !more };
      line++;
      open = false;
      from = nl + 1;
    }
    if (from < text.length) {
      let piece = text.slice(from);
      // a '\r' at the end of a chunk may be the first half of '\r\n': hold it back
      pendingCR = piece.endsWith('\r');
      if (pendingCR) piece = piece.slice(0, -1);
      if (piece !== '') {
        yield { line, text: piece, eol: false, last: true };
        open = true;
      }
    }
  }
  try {
    const rest = decoder.decode();
    if (rest !== '') throw new Error('incomplete');
  } catch {
    throw new CliError(`${name}: invalid UTF-8 at line ${line} (the input ends inside a multi-byte character); expected UTF-8 text`);
  }
  if (open || pendingCR) yield { line, text: '', eol: true, last: true };
}
