import { isUtf8 } from 'node:buffer';

/**
 * String interning: strings ↔ dense integer ids. While training a dictionary grows (`intern`);
 * at tagging time it is frozen and `get` returns −1 for strings it has never seen.
 *
 * A frozen dictionary can also live packed: its strings as one UTF-8 byte array with offsets (`toUtf8` /
 * `Dictionary.fromUtf8`, how model files store 10⁵ attribute names). A packed dictionary answers `get` through an
 * open-addressing hash table over the bytes, so loading it creates no JavaScript string at all — strings are
 * decoded only when `string`/`toArray` asks for them. Strings are compared as UTF-8, so a lone surrogate matches
 * U+FFFD (what TextEncoder writes for it); `toUtf8` refuses a dictionary holding one.
 */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  private strings: (string | undefined)[] = [];
  private frozen = false;
  private packed: PackedStrings | null = null;

  /** A dictionary holding `strings` in order (ids 0..n−1); duplicates are an error. */
  static from(strings: Iterable<string>, options: { frozen?: boolean } = {}): Dictionary {
    const d = new Dictionary();
    for (const s of strings) {
      d.ids.set(s, d.strings.length);
      d.strings.push(s);
      // one hash operation per string (loading a model interns ~10⁵): a duplicate leaves the map smaller
      if (d.ids.size !== d.strings.length) throw new RangeError(`Dictionary.from: duplicate string ${JSON.stringify(s)} at id ${d.strings.length - 1}`);
    }
    if (options.frozen ?? true) d.freeze();
    return d;
  }

  /**
   * A frozen dictionary over packed UTF-8 strings: string i is bytes[offsets[i] .. offsets[i+1]). `table`, when
   * given, is the hash table `toUtf8` wrote for these strings (then loading does no hashing: a model file keeps it);
   * without it the table is built here. Throws a RangeError for offsets that do not start at 0, decrease, end past
   * the bytes or cut a character, bytes that are not UTF-8, a table whose size is not a power of two above the
   * count, and (when building the table) duplicate strings.
   */
  static fromUtf8(bytes: Uint8Array, offsets: Int32Array | Uint32Array, table?: Int32Array): Dictionary {
    const d = new Dictionary();
    d.packed = new PackedStrings(bytes, offsets, table ?? null);
    d.strings = new Array<string | undefined>(offsets.length - 1);
    d.frozen = true;
    return d;
  }

  /**
   * The strings as one UTF-8 byte array, n + 1 offsets and the open-addressing hash table `fromUtf8` can reuse
   * (FNV-1a of the UTF-8 bytes, slot = hash & (size − 1), linear probing, −1 = empty; size the smallest power of two
   * ≥ 1.5n). Throws a RangeError if a string holds a lone surrogate (see `utf8Encodable`).
   */
  toUtf8(): { bytes: Uint8Array; offsets: Int32Array; table: Int32Array } {
    if (this.packed !== null) return { bytes: this.packed.bytes, offsets: Int32Array.from(this.packed.offsets), table: this.packed.table };
    const n = this.strings.length;
    const parts: Uint8Array[] = new Array<Uint8Array>(n);
    const offsets = new Int32Array(n + 1);
    const enc = new TextEncoder();
    for (let i = 0; i < n; i++) {
      const s = this.strings[i]!;
      if (!isWellFormed(s)) throw new RangeError(`Dictionary.toUtf8: string ${i} holds a lone surrogate (not UTF-8 encodable)`);
      parts[i] = enc.encode(s);
      offsets[i + 1] = offsets[i]! + parts[i]!.length;
    }
    const bytes = new Uint8Array(offsets[n]!);
    for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]!);
    return { bytes, offsets, table: new PackedStrings(bytes, offsets, null).table };
  }

  /** True when every string can be stored packed (no lone surrogates). */
  get utf8Encodable(): boolean {
    if (this.packed !== null) return true;
    for (const s of this.strings) if (!isWellFormed(s!)) return false;
    return true;
  }

  get size(): number {
    return this.strings.length;
  }

  /** True for a dictionary over packed UTF-8 bytes (`fromUtf8`). */
  get isPacked(): boolean {
    return this.packed !== null;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Stops growth: `intern` of an unseen string then returns −1. */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  /** The id of `s`, adding it if the dictionary is not frozen; −1 if frozen and unseen. */
  intern(s: string): number {
    if (this.packed !== null) return this.packed.get(s); // packed dictionaries are frozen
    const id = this.ids.get(s);
    if (id !== undefined) return id;
    if (this.frozen) return -1;
    const n = this.strings.length;
    this.ids.set(s, n);
    this.strings.push(s);
    return n;
  }

  /** The id of `s`, or −1 if unseen (never adds). */
  get(s: string): number {
    if (this.packed !== null) return this.packed.get(s);
    const id = this.ids.get(s);
    return id === undefined ? -1 : id;
  }

  /**
   * The id of `prefix + value`, or −1 if unseen (never adds). A packed dictionary finds it without building the
   * string (each part is UTF-8-encoded on its own: a surrogate pair split across the two parts does not match).
   */
  getConcat(prefix: string, value: string): number {
    if (this.packed !== null) return this.packed.getConcat(prefix, value);
    const id = this.ids.get(prefix + value);
    return id === undefined ? -1 : id;
  }

  has(s: string): boolean {
    return this.get(s) >= 0;
  }

  /** The string with id `id`. */
  string(id: number): string {
    let s = this.strings[id];
    if (s === undefined) {
      if (this.packed === null || !Number.isInteger(id) || id < 0 || id >= this.strings.length) {
        throw new RangeError(`Dictionary.string: id ${id} out of range [0, ${this.strings.length})`);
      }
      s = this.strings[id] = this.packed.decode(id);
    }
    return s;
  }

  /** All strings in id order (a copy). */
  toArray(): string[] {
    const out = new Array<string>(this.strings.length);
    for (let i = 0; i < out.length; i++) out[i] = this.string(i);
    return out;
  }
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff || i + 1 >= s.length) return false;
    const d = s.charCodeAt(i + 1);
    if (d < 0xdc00 || d > 0xdfff) return false;
    i++;
  }
  return true;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** UTF-8 strings in one byte array, found by an open-addressing table of FNV-1a hashes (linear probing). */
class PackedStrings {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array | Uint32Array;
  readonly table: Int32Array;
  private readonly mask: number;
  /** All the strings decoded at once (on first need) and their UTF-16 offsets in it. */
  private whole: string | null = null;
  private units: Int32Array | null = null;

  constructor(bytes: Uint8Array, offsets: Int32Array | Uint32Array, table: Int32Array | null) {
    const n = offsets.length - 1;
    if (n < 0 || offsets[0] !== 0) throw new RangeError('Dictionary.fromUtf8: offsets must start with 0');
    if (offsets[n] !== bytes.length) throw new RangeError(`Dictionary.fromUtf8: the last offset is ${offsets[n]}, expected the byte length ${bytes.length}`);
    for (let i = 0; i < n; i++) {
      const o = offsets[i + 1]!;
      if (o < offsets[i]!) throw new RangeError(`Dictionary.fromUtf8: offsets decrease at string ${i}`);
      if (o < bytes.length && (bytes[o]! & 0xc0) === 0x80) throw new RangeError(`Dictionary.fromUtf8: string ${i + 1} starts inside a character`);
    }
    if (!isUtf8(bytes)) throw new RangeError('Dictionary.fromUtf8: the bytes are not valid UTF-8');
    this.bytes = bytes;
    this.offsets = offsets;
    if (table !== null) {
      // a stored table: lookups verify every candidate's bytes and probe at most table.length slots, so a wrong
      // table can only hide strings, never return a wrong id or loop
      const cap = table.length;
      if (cap < 1.5 * n || cap < 16 || (cap & (cap - 1)) !== 0) {
        throw new RangeError(`Dictionary.fromUtf8: the hash table has ${cap} slots, expected a power of two ≥ ${Math.max(16, Math.ceil(1.5 * n))}`);
      }
      this.table = table;
      this.mask = cap - 1;
      return;
    }
    let cap = 16;
    while (cap < 1.5 * n) cap *= 2;
    this.mask = cap - 1;
    this.table = new Int32Array(cap).fill(-1);
    for (let i = 0; i < n; i++) {
      let h = FNV_OFFSET;
      for (let k = offsets[i]!, e = offsets[i + 1]!; k < e; k++) h = Math.imul(h ^ bytes[k]!, FNV_PRIME);
      let slot = h & this.mask;
      for (;;) {
        const j = this.table[slot]!;
        if (j < 0) break;
        if (this.sameBytes(i, j)) throw new RangeError(`Dictionary.fromUtf8: duplicate string ${JSON.stringify(this.decode(i))} at id ${i}`);
        slot = (slot + 1) & this.mask;
      }
      this.table[slot] = i;
    }
  }

  private sameBytes(i: number, j: number): boolean {
    const a = this.offsets[i]!;
    const b = this.offsets[j]!;
    const len = this.offsets[i + 1]! - a;
    if (this.offsets[j + 1]! - b !== len) return false;
    for (let k = 0; k < len; k++) if (this.bytes[a + k] !== this.bytes[b + k]) return false;
    return true;
  }

  /**
   * String i. The first call decodes all the bytes once into one string and maps every string's byte offsets to
   * UTF-16 offsets in it (one pass: a lead byte below 0xF0 is one UTF-16 unit, 0xF0 and above two, continuation
   * bytes none); each string is then a slice of it.
   */
  decode(i: number): string {
    if (this.whole === null) {
      this.whole = new TextDecoder().decode(this.bytes);
      const n = this.offsets.length - 1;
      const units = new Int32Array(n + 1);
      let u = 0;
      let k = 0;
      for (let j = 0; j < n; j++) {
        const end = this.offsets[j + 1]!;
        for (; k < end; k++) {
          const b = this.bytes[k]!;
          if (b < 0x80 || b >= 0xc0) u += b >= 0xf0 ? 2 : 1;
        }
        units[j + 1] = u;
      }
      this.units = units;
    }
    return this.whole.slice(this.units![i]!, this.units![i + 1]!);
  }

  /** The id of `s` (its UTF-8 bytes hashed and compared without encoding it), −1 if absent. */
  get(s: string): number {
    this.hash = FNV_OFFSET;
    this.length = 0;
    this.feed(s);
    return this.find(s, '');
  }

  /** The id of `a + b`, hashed and compared part by part, −1 if absent. */
  getConcat(a: string, b: string): number {
    this.hash = FNV_OFFSET;
    this.length = 0;
    this.feed(a);
    this.feed(b);
    return this.find(a, b);
  }

  /** Running FNV-1a hash and byte length of the parts fed so far. */
  private hash = 0;
  private length = 0;

  /** Feeds the UTF-8 encoding of `s` (a lone surrogate as U+FFFD) into `hash` and `length`. */
  private feed(s: string): void {
    let h = this.hash;
    let len = this.length;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        h = Math.imul(h ^ c, FNV_PRIME);
        len++;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else c = 0xfffd;
      }
      if (c < 0x800) {
        h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | (c & 63)), FNV_PRIME);
        len += 2;
      } else if (c < 0x10000) {
        h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >> 6) & 63)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | (c & 63)), FNV_PRIME);
        len += 3;
      } else {
        h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >> 12) & 63)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >> 6) & 63)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | (c & 63)), FNV_PRIME);
        len += 4;
      }
    }
    this.hash = h;
    this.length = len;
  }

  /** Probes for the string of `hash`/`length` whose bytes are those of a then b. */
  private find(a: string, b: string): number {
    const n = this.offsets.length - 1;
    const len = this.length;
    for (let slot = this.hash & this.mask, probes = 0; probes <= this.mask; slot = (slot + 1) & this.mask, probes++) {
      const j = this.table[slot]!;
      if (j < 0) return -1;
      if (j >= n) continue;
      const start = this.offsets[j]!;
      if (this.offsets[j + 1]! - start !== len) continue;
      const k = this.match(start, a);
      if (k >= 0 && (b.length === 0 || this.match(k, b) >= 0)) return j;
    }
    return -1;
  }

  /** Whether the bytes from k are the UTF-8 encoding of `s` (lone surrogates as U+FFFD): the offset after it, or −1. */
  private match(k: number, s: string): number {
    const b = this.bytes;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        if (b[k++] !== c) return -1;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else c = 0xfffd;
      }
      if (c < 0x800) {
        if (b[k++] !== (0xc0 | (c >> 6)) || b[k++] !== (0x80 | (c & 63))) return -1;
      } else if (c < 0x10000) {
        if (b[k++] !== (0xe0 | (c >> 12)) || b[k++] !== (0x80 | ((c >> 6) & 63)) || b[k++] !== (0x80 | (c & 63))) return -1;
      } else if (
        b[k++] !== (0xf0 | (c >> 18)) ||
        b[k++] !== (0x80 | ((c >> 12) & 63)) ||
        b[k++] !== (0x80 | ((c >> 6) & 63)) ||
        b[k++] !== (0x80 | (c & 63))
      ) {
        return -1;
      }
    }
    return k;
  }
}
