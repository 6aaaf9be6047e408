/**
 * ebmkit model files: one format for every model kind, a safetensors container whose `__metadata__` holds
 *
 *   "ebmkit":        JSON text of {"kind": string, "format_version": integer ≥ 1, "metadata": any JSON}
 *   "ebmkit.sha256": 64 lowercase hex digits, the sha256 of the whole file computed with these 64 digits replaced
 *                    by ASCII "0" — so every byte of the file (length prefix, header, padding, tensor data) is covered.
 *
 * Files are written atomically and validated on load: structure, checksum, format version, kind, and finite values
 * in float tensors. See docs/model-format.md.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fsErrorWords, isErrnoError } from './fs-errors.js';
import { writeFileAtomic } from './atomic-write.js';
import {
  ModelFileError,
  decodeSafetensors,
  encodeSafetensors,
  firstInvalidElement,
  type Tensor,
} from './safetensors.js';

/** The newest model-file format version this ebmkit reads and writes. */
export const MODEL_FORMAT_VERSION = 1;

/** `__metadata__` key holding the JSON text of kind, format version and metadata. */
export const METADATA_KEY = 'ebmkit';
/** `__metadata__` key holding the file's sha256 (hex). */
export const CHECKSUM_KEY = 'ebmkit.sha256';

const ZERO_DIGEST = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

/** A model as saved and loaded: its kind (e.g. "crf", "rbm"), the version of its layout, JSON metadata and tensors. */
export interface ModelFile<M = unknown> {
  /** Model kind; `loadModel` can insist on one. Non-empty. */
  kind: string;
  /** Version of this kind's layout of metadata and tensors (integer ≥ 1). */
  formatVersion: number;
  /** Hyperparameters, dictionaries, …: any JSON value (finite numbers, plain objects and arrays, strings, booleans, null). */
  metadata: M;
  tensors: Record<string, Tensor>;
}

/** Options for `loadModel` / `decodeModel`. */
export interface LoadModelOptions {
  /** Accepted kind(s); any kind when omitted. */
  kind?: string | readonly string[];
  /** Newest `formatVersion` the caller understands (default `MODEL_FORMAT_VERSION`). */
  maxFormatVersion?: number;
}

/** Throws a TypeError naming the first value under `value` that JSON cannot represent faithfully. */
function checkJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}: JSON cannot hold non-finite numbers`);
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new TypeError(`${path} is a circular reference`);
      seen.add(value);
      if (Array.isArray(value)) {
        value.forEach((v, i) => checkJson(v, `${path}[${i}]`, seen));
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
          throw new TypeError(`${path} is a ${name}: metadata must be plain JSON (numeric arrays belong in tensors)`);
        }
        for (const [k, v] of Object.entries(value)) checkJson(v, `${path}.${k}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      throw new TypeError(`${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}: metadata must be plain JSON`);
  }
}

function sha256Blanked(bytes: Uint8Array, digestAt: number): string {
  const h = createHash('sha256');
  h.update(bytes.subarray(0, digestAt));
  h.update(ZERO_DIGEST);
  h.update(bytes.subarray(digestAt + 64));
  return h.digest('hex');
}

/** Byte offset of the 64 checksum digits in the header, or −1 when `"ebmkit.sha256":"<digits>"` is not there exactly once. */
function findDigest(bytes: Uint8Array, headerEnd: number, digits: string): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, headerEnd);
  const marker = `${JSON.stringify(CHECKSUM_KEY)}:"${digits}"`;
  const at = buf.indexOf(marker, 8, 'latin1');
  if (at < 0 || buf.indexOf(marker, at + 1, 'latin1') >= 0) return -1;
  return at + marker.length - 65;
}

/**
 * Encodes a model as the bytes of an ebmkit model file. Throws `ModelFileError` (code 'invalid') for a bad kind or
 * version, metadata JSON cannot hold (naming the path, e.g. `metadata.c2 is NaN`), or an invalid tensor (dtype/array
 * mismatch, wrong length, NaN/±Infinity in a float tensor — naming tensor and element).
 */
export function encodeModel(model: ModelFile, options: { name?: string } = {}): Uint8Array {
  const name = options.name ?? 'model';
  if (typeof model.kind !== 'string' || model.kind.length === 0) throw new ModelFileError(name, 'invalid', `kind must be a non-empty string, got ${JSON.stringify(model.kind)}`);
  if (!Number.isSafeInteger(model.formatVersion) || model.formatVersion < 1) {
    throw new ModelFileError(name, 'invalid', `formatVersion must be an integer ≥ 1, got ${model.formatVersion}`);
  }
  try {
    checkJson(model.metadata, 'metadata', new Set());
  } catch (e) {
    throw new ModelFileError(name, 'invalid', (e as Error).message);
  }
  const info = JSON.stringify({ kind: model.kind, format_version: model.formatVersion, metadata: model.metadata ?? null });
  const bytes = encodeSafetensors(
    { metadata: { [METADATA_KEY]: info, [CHECKSUM_KEY]: ZERO_DIGEST }, tensors: model.tensors },
    { name },
  );
  const headerEnd = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const at = findDigest(bytes, headerEnd, ZERO_DIGEST);
  if (at < 0) throw new Error(`encodeModel: checksum placeholder not found in the header (a bug)`);
  const digest = sha256Blanked(bytes, at);
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).write(digest, at, 'latin1');
  return bytes;
}

function kindList(kind: string | readonly string[]): string[] {
  return typeof kind === 'string' ? [kind] : [...kind];
}

/**
 * Decodes and validates the bytes of an ebmkit model file (`name` is used in messages). Checks, in order: the
 * safetensors structure (truncation, trailing bytes, header, tensor sizes), the checksum, the format version, the kind,
 * and that float tensors hold only finite values. Every refusal is a `ModelFileError` with a one-line message, e.g.
 * `model.safetensors: checksum mismatch — the file is corrupt or was altered`. Tensor arrays are views into `bytes`
 * where aligned.
 */
export function decodeModel<M = unknown>(bytes: Uint8Array, options: LoadModelOptions & { name?: string } = {}): ModelFile<M> {
  const name = options.name ?? 'model';
  const maxVersion = options.maxFormatVersion ?? MODEL_FORMAT_VERSION;
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes, { name });
  } catch (e) {
    if (e instanceof ModelFileError && e.code === 'not-model') {
      throw new ModelFileError(name, 'not-model', `not an ebmkit model file (${e.message.slice(name.length + 2)})`);
    }
    throw e;
  }
  const { metadata, tensors, layout } = decoded;
  const infoText = metadata[METADATA_KEY];
  if (infoText === undefined) throw new ModelFileError(name, 'not-model', `not an ebmkit model file (no "${METADATA_KEY}" entry in __metadata__)`);
  let info: { kind?: unknown; format_version?: unknown; metadata?: unknown } | undefined;
  try {
    const parsed: unknown = JSON.parse(infoText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) info = parsed as typeof info;
  } catch {
    info = undefined;
  }
  const version = info?.format_version;
  const newer = typeof version === 'number' && Number.isSafeInteger(version) && version > maxVersion;
  const newerError = () => new ModelFileError(name, 'version', `format version ${version} is newer than this ebmkit supports (≤ ${maxVersion})`);

  const digits = metadata[CHECKSUM_KEY];
  const at = digits !== undefined && HEX64.test(digits) ? findDigest(bytes, layout.dataStart, digits) : -1;
  if (at < 0 || sha256Blanked(bytes, at) !== digits) {
    // A newer format may checksum differently; say so rather than calling the file corrupt.
    if (newer) throw newerError();
    throw new ModelFileError(name, 'checksum', 'checksum mismatch — the file is corrupt or was altered');
  }
  if (info === undefined) throw new ModelFileError(name, 'corrupt', `corrupt header: "${METADATA_KEY}" is not a JSON object`);
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new ModelFileError(name, 'corrupt', `corrupt header: format_version must be an integer ≥ 1, got ${JSON.stringify(version)}`);
  }
  if (newer) throw newerError();
  const kind = info.kind;
  if (typeof kind !== 'string' || kind.length === 0) throw new ModelFileError(name, 'corrupt', `corrupt header: kind must be a non-empty string, got ${JSON.stringify(kind)}`);
  if (options.kind !== undefined) {
    const want = kindList(options.kind);
    if (!want.includes(kind)) {
      throw new ModelFileError(name, 'kind', `expected a model of kind ${want.map((k) => JSON.stringify(k)).join(' or ')}, found ${JSON.stringify(kind)}`);
    }
  }
  for (const [tname, t] of Object.entries(tensors)) {
    const bad = firstInvalidElement(t);
    if (bad >= 0) {
      const what = t.dtype === 'BOOL' ? `is ${String(t.data[bad])}, not 0 or 1` : `is ${String(t.data[bad])}, not a finite number`;
      throw new ModelFileError(name, 'invalid', `tensor "${tname}" (${t.dtype}): element ${bad} ${what}`);
    }
  }
  return { kind, formatVersion: version, metadata: (info.metadata ?? null) as M, tensors };
}

/**
 * Saves a model to `path` atomically: encodes first (any error leaves the file system untouched), then writes a temp
 * file in the same directory, fsyncs it and renames it over `path`.
 */
export async function saveModel(path: string, model: ModelFile): Promise<void> {
  const bytes = encodeModel(model, { name: path });
  await writeFileAtomic(path, bytes);
}

/**
 * Loads and validates a model file (see `decodeModel`). `kind` restricts the accepted kinds; `maxFormatVersion` is
 * the newest layout the caller understands. A missing file is a `ModelFileError` with code 'not-model'.
 */
export async function loadModel<M = unknown>(path: string, options: LoadModelOptions = {}): Promise<ModelFile<M>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if (isErrnoError(e)) throw new ModelFileError(path, 'not-model', fsErrorWords(e));
    throw e;
  }
  return decodeModel<M>(bytes, { ...options, name: path });
}

