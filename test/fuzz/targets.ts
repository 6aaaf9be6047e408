// The loaders under fuzz: for each, seeds of valid input, an arbitrary of byte strings (random bytes, mutations of
// the seeds, and texts built from the format's own tokens), how to load a file, and the library's own error type it
// may throw. Shared by test/fuzz/loaders.test.ts (a small budget in `npm test`) and scripts/fuzz.ts (the long run).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  DataError,
  decodeModel,
  encodeModel,
  encodePng,
  loadImage,
  loadMask,
  loadModel,
  ModelFileError,
  pairImageMaskFolders,
  readConll,
  readConllu,
  readCsvMatrix,
  readIdx,
} from '@ebmkit/core';
import { Crf, loadTemplate, TemplateError } from '@ebmkit/crf';
import { readPalette } from '@ebmkit/segment';
import { syntheticSequences } from '../crf/synthetic.js';
import { createLearner, DenseChainModel, encodeTableLabels, loadChainModel, readSequenceTable, saveChainModel } from '@ebmkit/ssvm';

/** One loader under fuzz. */
export interface FuzzTarget {
  readonly name: string;
  /** The error class the loader may throw for bad input (its message must name the file). */
  readonly errorType: abstract new (...args: never[]) => Error;
  /** Byte strings to try. */
  readonly input: fc.Arbitrary<Uint8Array>;
  /** The file (or folder) the loader reads; its errors must name it. */
  readonly path: string;
  /** Writes `bytes` to `path` and loads it. */
  load(bytes: Uint8Array): Promise<void>;
  /** Most milliseconds one input may take. */
  readonly timeLimitMs: number;
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/**
 * A seed with up to 8 edits: byte flips, insertions, deletions, a truncation or a duplicated slice (`sizeKept`: byte
 * flips only, so that length fields still agree and the loader's later checks are reached).
 */
function mutated(seeds: readonly Uint8Array[], sizeKept = false): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({
    op: sizeKept ? fc.constant('set') : fc.constantFrom('set', 'insert', 'delete', 'truncate', 'repeat'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    len: fc.integer({ min: 1, max: 16 }),
    byte: fc.integer({ min: 0, max: 255 }),
  });
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 8 })).map(([seed, edits]) => {
    let b = Buffer.from(seed);
    for (const e of edits) {
      const i = Math.min(b.length, Math.floor(e.at * (b.length + 1)));
      if (e.op === 'set' && b.length > 0) b[Math.min(i, b.length - 1)] = e.byte;
      else if (e.op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.alloc(e.len, e.byte), b.subarray(i)]);
      else if (e.op === 'delete') b = Buffer.concat([b.subarray(0, i), b.subarray(i + e.len)]);
      else if (e.op === 'truncate') b = b.subarray(0, i);
      else if (e.op === 'repeat') b = Buffer.concat([b.subarray(0, i + e.len), b.subarray(i)]);
    }
    return new Uint8Array(b);
  });
}

/** Texts made of the format's tokens, separators and awkward characters (BOM, NUL, CR, surrogates, huge numbers). */
function tokens(extra: readonly string[]): fc.Arbitrary<Uint8Array> {
  const common = ['\t', ' ', '\n', '\n', '\r\n', '#', '_', '-', ',', '"', '1', '2', '10', '-1', '0.5', 'NaN', 'Infinity', '1e309', '-0', 'a', 'é', '😀', '\ufeff', '\u0000', '\ud800', '\u200b', '='];
  return fc.array(fc.constantFrom(...common, ...extra), { maxLength: 120 }).map((parts) => enc(parts.join('')));
}

/** Random bytes, the seeds, their mutations (half of them keeping the size), and, for text formats, token texts. */
function bytesFor(seeds: readonly Uint8Array[], extraTokens: readonly string[] | null, maxRandom = 512): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: maxRandom }) },
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
    { weight: 3, arbitrary: mutated(seeds) },
    { weight: 3, arbitrary: mutated(seeds, true) },
    ...(extraTokens ? [{ weight: 3, arbitrary: tokens(extraTokens) }] : []),
  );
}

async function drain<T>(it: AsyncIterable<T>): Promise<void> {
  for await (const _ of it);
}

function idxSeed(): Uint8Array {
  const head = Buffer.from([0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]);
  return new Uint8Array(Buffer.concat([head, Buffer.from([0, 255, 3, 4, 5, 6, 7, 8])]));
}

/** The fuzz targets, with their files under `dir` (created). Builds the model seeds (a tiny CRF and SSVM chain). */
export async function fuzzTargets(dir: string): Promise<FuzzTarget[]> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const at = (n: string) => join(dir, n);

  // seeds
  const conll = enc('The DT B-NP\ncat NN I-NP\nsat VBD B-VP\n\nA DT B-NP\ndog NN I-NP\n');
  const conllu = enc(
    '# sent_id = 1\n# text = Don\'t go.\n1-2\tDon\'t\t_\t_\t_\t_\t_\t_\t_\t_\n1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n2\tn\'t\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n' +
      '3\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n3.1\tgone\tgo\tVERB\tVBN\t_\t_\t0:root\t_\t_\n4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n',
  );
  const template = enc('# unigrams\nU00:%x[-1,0]\nU01:%x[0,0]/%x[0,1]\nU02:%x[1,1]\n\n# bigram\nB\n');
  const csv = enc('a,b,label\n0.5,1,0\n1,0.25,1\n-2,3e-1,0\n');
  const table = enc('seq\tpos\tlabel\tf1\tf2\ns1\t1\tA\t0.5\t1\ns1\t2\tB\t-1\t0\ns2\t1\tA\t2\t0.25\n');
  const palette = enc('{"#000000": 0, "#ff0000": 1, "128,128,128": "ignore", "#00ff00": 2}');
  const png = await encodePng({ width: 3, height: 2, gray: new Uint8Array([0, 255, 0, 128, 255, 0]) });
  const mask = await encodePng({ width: 3, height: 2, gray: new Uint8Array([0, 255, 255, 0, 0, 255]) });
  const model = encodeModel({
    kind: 'fuzz',
    formatVersion: 1,
    metadata: { labels: ['A', 'B'], nested: { a: [1, 2, 3] } },
    tensors: { w: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }, b: { dtype: 'I32', shape: [2], data: new Int32Array([5, 6]) } },
  });
  /**
   * Model files with a window of one tensor's bytes overwritten (same dtype and length), re-encoded with a valid
   * checksum: what the loaders' own checks must catch (e.g. a CRF's packed attribute names, offsets and hash table).
   */
  const tensorMutations = (bytes: Uint8Array): fc.Arbitrary<Uint8Array> => {
    const file = decodeModel(bytes, { maxFormatVersion: 99 });
    const names = Object.keys(file.tensors);
    return fc.tuple(fc.constantFrom(...names), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat()).map(([name, raw, pos]) => {
      const t = file.tensors[name]!;
      const data = t.data.slice();
      const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const at = view.length > 0 ? pos % view.length : 0;
      view.set(raw.subarray(0, view.length - at), at);
      try {
        return encodeModel({ ...file, tensors: { ...file.tensors, [name]: { ...t, data } as typeof t } });
      } catch {
        return bytes; // the encoder refused the values (e.g. a NaN weight): try the seed itself
      }
    });
  };

  // a tiny CRF and a tiny SSVM chain, saved the way users get them
  await writeFile(at('seed.tsv'), table);
  const { sequences } = syntheticSequences(6, 1);
  const crf = await Crf.train(sequences, { threads: 1, trainer: { algorithm: 'perceptron', epochs: 2 } });
  await crf.save(at('seed-crf.safetensors'));
  const t = await readSequenceTable(at('seed.tsv'));
  const labels: string[] = [];
  const Y = encodeTableLabels(t, labels, true);
  const chain = new DenseChainModel({ labels: labels.length, features: t.features });
  const fit = createLearner('perceptron', chain, { maxPasses: 2 }).fit(t.sequences, Y);
  await saveChainModel(at('seed-chain.safetensors'), { model: chain, w: fit.w, labels, fit });
  const { readFile } = await import('node:fs/promises');
  const crfBytes = new Uint8Array(await readFile(at('seed-crf.safetensors')));
  const chainBytes = new Uint8Array(await readFile(at('seed-chain.safetensors')));

  /** Model files whose metadata values were replaced by arbitrary JSON, re-encoded with a valid checksum. */
  const metadataMutations = (bytes: Uint8Array): fc.Arbitrary<Uint8Array> => {
    const file = decodeModel(bytes, { maxFormatVersion: 99 }); // a seed of any kind and version (CRF files are format 2)
    const keys = Object.keys(file.metadata as object);
    return fc.tuple(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 })).map(([k, v]) => {
      try {
        return encodeModel({ ...file, metadata: { ...(file.metadata as object), [k]: v } });
      } catch {
        return bytes; // the encoder refused the value (e.g. -0 or a huge number): try the seed itself
      }
    });
  };
  const modelInput = (seed: Uint8Array) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
      { weight: 2, arbitrary: mutated([seed]) },
      { weight: 1, arbitrary: mutated([seed], true) },
      { weight: 3, arbitrary: metadataMutations(seed) },
      { weight: 2, arbitrary: tensorMutations(seed) },
    );

  /** A loader of one file: `bytes` are written to `file` under `dir` and loaded by `read`. */
  const fileTarget = (
    name: string,
    fileName: string,
    errorType: FuzzTarget['errorType'],
    input: fc.Arbitrary<Uint8Array>,
    read: (path: string) => Promise<unknown>,
    timeLimitMs = 5000,
  ): FuzzTarget => {
    const path = at(fileName);
    return {
      name,
      errorType,
      input,
      timeLimitMs,
      path,
      async load(b) {
        await writeFile(path, b);
        await read(path);
      },
    };
  };
  const folders = at('folders');

  return [
    fileTarget('conll', 'data.conll', DataError, bytesFor([conll], ['DT', 'B-NP', 'I-NP', 'O']), (p) => drain(readConll(p, { columns: 3 }))),
    fileTarget(
      'conllu',
      'data.conllu',
      DataError,
      bytesFor([conllu], ['1-2', '2.1', '0:root', 'sent_id = 1', '# text = x', 'NOUN', 'SpaceAfter=No', '\t_\t_\t_\t_\t_\t_\t_\t_']),
      (p) => drain(readConllu(p)),
    ),
    fileTarget(
      'crf++ template',
      'template.txt',
      TemplateError,
      bytesFor([template], ['U', 'B', 'U00:', '%x[0,0]', '%x[-1,2]', '%x[', ']', '/', ':', '%', '%x[99999999999,0]']),
      (p) => loadTemplate(p),
    ),
    fileTarget('idx', 'data.idx', DataError, bytesFor([idxSeed()], null, 64), (p) => readIdx(p)),
    fileTarget('csv matrix', 'data.csv', DataError, bytesFor([csv], ['label', 'a,b', '3e-1', '""', '"a,b"']), (p) => readCsvMatrix(p, { labelColumn: 'label' })),
    fileTarget('tsv sequence table', 'data.tsv', DataError, bytesFor([table], ['s1', 's2', 'A', 'B', 'seq\tpos\tlabel\tf1']), (p) => readSequenceTable(p)),
    fileTarget(
      'segmentation palette',
      'palette.json',
      DataError,
      bytesFor([palette], ['{', '}', ':', '"#000000"', '"#ff0000"', '"ignore"', '0', '253', '254', '"1,2,3"', '[]', 'null', '{"a":{"b":1}}']),
      (p) => readPalette(p),
    ),
    fileTarget('image', 'image.png', DataError, bytesFor([png], null, 256), (p) => loadImage(p), 10000),
    fileTarget('mask', 'mask.png', DataError, bytesFor([mask], null, 256), (p) => loadMask(p), 10000),
    {
      name: 'image folders',
      errorType: DataError,
      // the bytes choose which names (and which kinds of entry) the two folders hold
      input: fc.uint8Array({ maxLength: 12 }),
      timeLimitMs: 10000,
      path: folders,
      async load(b) {
        await rm(folders, { recursive: true, force: true });
        const names = ['a.png', 'a.jpg', 'b.png', 'B.png', '.hidden.png', 'c.txt', 'a', 'ü.png', 'a.PNG', 'd.png.png'];
        for (const side of ['images', 'masks']) await mkdir(join(folders, side), { recursive: true });
        for (const byte of b) {
          const side = byte & 1 ? 'images' : 'masks';
          const name = names[(byte >> 1) % names.length]!;
          if (byte & 0x80) await mkdir(join(folders, side, name), { recursive: true }).catch(() => {});
          else await writeFile(join(folders, side, name), png).catch(() => {});
        }
        await pairImageMaskFolders(join(folders, 'images'), join(folders, 'masks'));
      },
    },
    fileTarget('model file (any kind)', 'model.safetensors', ModelFileError, modelInput(model), (p) => loadModel(p)),
    fileTarget('crf model file', 'crf.safetensors', ModelFileError, modelInput(crfBytes), async (p) => (await Crf.load(p)).tag(sequences[0]!.items)),
    fileTarget('ssvm chain model file', 'chain.safetensors', ModelFileError, modelInput(chainBytes), (p) => loadChainModel(p)),
  ];
}

/** How one input went. */
export type Outcome = { kind: 'loaded' } | { kind: 'refused' } | { kind: 'escaped'; error: unknown } | { kind: 'slow'; ms: number };

/** Loads `bytes` with `target`: loaded, refused with the library's own error naming the file, or a failure. */
export async function tryInput(target: FuzzTarget, bytes: Uint8Array): Promise<Outcome> {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    await target.load(bytes);
    outcome = { kind: 'loaded' };
  } catch (e) {
    const own = e instanceof target.errorType && e.message.includes(target.path);
    outcome = own ? { kind: 'refused' } : { kind: 'escaped', error: e };
  }
  const ms = performance.now() - t0;
  if (ms > target.timeLimitMs && outcome.kind !== 'escaped') return { kind: 'slow', ms };
  return outcome;
}
