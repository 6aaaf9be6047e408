import test from 'ava';
import { createRng, Dictionary } from '@ebmkit/core';
import { UNICODE_SAMPLES } from '../crf/unicode-corpus.js';

/** Words of every script in the Unicode corpus plus prefixes of them (ASCII, 2-, 3- and 4-byte UTF-8). */
function manyStrings(): string[] {
  const set = new Set<string>(['', 'bias', 'w[-1]=the', '__BOS__']);
  for (const s of UNICODE_SAMPLES) {
    for (const w of s.text.split(/\s+/)) {
      set.add(w);
      set.add(`w=${w}`);
      const cps = [...w];
      for (let k = 1; k < cps.length; k++) set.add(`p${k}=${cps.slice(0, k).join('')}`);
    }
  }
  const rng = createRng(7);
  for (let i = 0; i < 2000; i++) set.add(`x${rng.int(1e9)}`);
  return [...set];
}

test('a packed dictionary finds every string, round-trips and answers −1 for unseen ones', (t) => {
  const strings = manyStrings();
  const plain = Dictionary.from(strings);
  const { bytes, offsets, table } = plain.toUtf8();
  t.is(new TextDecoder().decode(bytes), strings.join(''));
  t.is(table.length & (table.length - 1), 0);
  t.true(table.length >= 1.5 * strings.length);
  for (const packed of [Dictionary.fromUtf8(bytes, offsets), Dictionary.fromUtf8(bytes, offsets, table)]) {
    t.is(packed.size, strings.length);
    t.true(packed.isFrozen);
    for (let i = 0; i < strings.length; i++) {
      if (packed.get(strings[i]!) !== i) t.fail(`get(${JSON.stringify(strings[i])}) !== ${i}`);
      if (packed.string(i) !== strings[i]) t.fail(`string(${i})`);
    }
    t.deepEqual(packed.toArray(), strings);
    for (const unseen of ['bia', 'biass', 'w=résumé!', '🍕🍕', 'x-1', 'Zürich ', 'zürich']) {
      t.is(packed.get(unseen), plain.get(unseen), unseen);
      t.is(packed.intern(unseen), -1);
    }
    t.throws(() => packed.string(strings.length), { instanceOf: RangeError });
    // packing a packed dictionary gives the same bytes and table
    t.deepEqual(packed.toUtf8().table, table);
  }
});

test('getConcat(prefix, value) finds prefix + value without building it, packed or not', (t) => {
  const strings = manyStrings();
  const plain = Dictionary.from(strings);
  const { bytes, offsets, table } = plain.toUtf8();
  const packed = Dictionary.fromUtf8(bytes, offsets, table);
  for (const d of [plain, packed]) {
    for (let i = 0; i < strings.length; i += 7) {
      const cps = [...strings[i]!];
      for (let cut = 0; cut <= cps.length; cut++) {
        const a = cps.slice(0, cut).join('');
        const b = cps.slice(cut).join('');
        if (d.getConcat(a, b) !== i) t.fail(`getConcat(${JSON.stringify(a)}, ${JSON.stringify(b)}) !== ${i}`);
      }
    }
    t.is(d.getConcat('w=', 'no-such-word'), -1);
    t.is(d.getConcat('bia', 'ss'), -1);
    t.is(d.getConcat('bi', 'as'), strings.indexOf('bias'));
  }
  t.true(packed.isPacked);
  t.false(plain.isPacked);
});

test('packed lookups compare UTF-8: a lone surrogate is U+FFFD, and toUtf8 refuses one', (t) => {
  const d = Dictionary.from(['a\ufffdb', 'x']);
  const p = Dictionary.fromUtf8(d.toUtf8().bytes, d.toUtf8().offsets);
  t.is(p.get('a\ud800b'), 0);
  t.is(p.get('a\udc00b'), 0);
  t.is(p.get('a\ud83d\ude00b'), -1); // a whole pair is a 4-byte character, not U+FFFD
  const lone = Dictionary.from(['ok', 'bad\ud800']);
  t.false(lone.utf8Encodable);
  t.true(d.utf8Encodable);
  t.throws(() => lone.toUtf8(), { message: /string 1 holds a lone surrogate/ });
});

test('fromUtf8 refuses bad offsets, bytes that are not UTF-8, duplicates and a table of the wrong size', (t) => {
  const enc = new TextEncoder();
  const bytes = enc.encode('abcé');
  t.throws(() => Dictionary.fromUtf8(bytes, Int32Array.of(1, 5)), { message: /offsets must start with 0/ });
  t.throws(() => Dictionary.fromUtf8(bytes, Int32Array.of(0, 4)), { message: /last offset is 4, expected the byte length 5/ });
  t.throws(() => Dictionary.fromUtf8(bytes, Int32Array.of(0, 3, 2, 5)), { message: /offsets decrease at string 1/ });
  t.throws(() => Dictionary.fromUtf8(bytes, Int32Array.of(0, 4, 5)), { message: /string 1 starts inside a character/ });
  t.throws(() => Dictionary.fromUtf8(Uint8Array.of(0x61, 0xff), Int32Array.of(0, 2)), { message: /not valid UTF-8/ });
  t.throws(() => Dictionary.fromUtf8(enc.encode('abab'), Int32Array.of(0, 2, 4)), { message: /duplicate string "ab" at id 1/ });
  t.throws(() => Dictionary.fromUtf8(bytes, Int32Array.of(0, 5), new Int32Array(12).fill(-1)), { message: /12 slots, expected a power of two/ });
});

test('a wrong stored table can hide strings but never returns a wrong id or loops', (t) => {
  const strings = ['alpha', 'beta', 'gamma', 'delta'];
  const { bytes, offsets } = Dictionary.from(strings).toUtf8();
  const full = new Int32Array(16).fill(2); // no empty slot, every slot points at "gamma"
  const d = Dictionary.fromUtf8(bytes, offsets, full);
  t.is(d.get('gamma'), 2);
  t.is(d.get('alpha'), -1);
  const garbage = Int32Array.from({ length: 16 }, (_, i) => (i % 2 ? 1_000_000 : -7));
  const g = Dictionary.fromUtf8(bytes, offsets, garbage);
  for (const s of strings) t.true([-1, strings.indexOf(s)].includes(g.get(s)));
});
