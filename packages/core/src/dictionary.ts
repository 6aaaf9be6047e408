/**
 * String interning: strings ↔ dense integer ids. While training a dictionary grows (`intern`);
 * at tagging time it is frozen and `get` returns −1 for strings it has never seen.
 */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];
  private frozen = false;

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

  get size(): number {
    return this.strings.length;
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
    const id = this.ids.get(s);
    return id === undefined ? -1 : id;
  }

  has(s: string): boolean {
    return this.ids.has(s);
  }

  /** The string with id `id`. */
  string(id: number): string {
    const s = this.strings[id];
    if (s === undefined) throw new RangeError(`Dictionary.string: id ${id} out of range [0, ${this.strings.length})`);
    return s;
  }

  /** All strings in id order (a copy). */
  toArray(): string[] {
    return this.strings.slice();
  }
}
