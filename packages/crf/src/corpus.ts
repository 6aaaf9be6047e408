import { Dictionary } from '@ebmkit/core';
import { internItemSequence, type ItemSequence } from './features/item-sequence.js';

/** A training or evaluation sequence: items with attributes, and (for training) one label per item. */
export interface LabeledSequence {
  items: ItemSequence;
  labels: readonly string[];
}

/**
 * Many interned sequences in one set of flat typed arrays — the form the gradient code and the worker
 * threads read (and what is copied to a worker: no per-sentence objects).
 *
 *   seqStart[s] .. seqStart[s+1]      items of sequence s (global item indices)
 *   itemStart[i] .. itemStart[i+1]    attribute occurrences of item i
 *   attr[j], value[j]                 attribute id and value of occurrence j (value null: all 1)
 *   label[i]                          gold label id of item i (−1 when unknown)
 */
export interface EncodedCorpus {
  readonly numSequences: number;
  readonly seqStart: Int32Array;
  readonly itemStart: Int32Array;
  readonly attr: Int32Array;
  readonly value: Float64Array | null;
  readonly label: Int32Array;
}

/**
 * Interns attributes and labels of `sequences` into an EncodedCorpus. With unfrozen dictionaries (training)
 * new strings get ids; with frozen ones unseen attributes are dropped and unseen labels become −1 (or
 * throw, when `unknownLabel: 'error'`, naming the sequence and position).
 */
export function encodeCorpus(
  sequences: readonly LabeledSequence[] | readonly { items: ItemSequence; labels?: readonly string[] }[],
  attributes: Dictionary,
  labels: Dictionary,
  options: { unknownLabel?: 'error' | 'ignore'; source?: string } = {},
): EncodedCorpus {
  const n = sequences.length;
  let items = 0;
  let occ = 0;
  let weighted = false;
  for (const s of sequences) {
    items += s.items.length;
    occ += s.items.names.length;
    if (s.items.values !== null) weighted = true;
  }
  const seqStart = new Int32Array(n + 1);
  const itemStart = new Int32Array(items + 1);
  const attr = new Int32Array(occ);
  const value = weighted ? new Float64Array(occ) : null;
  const label = new Int32Array(items).fill(-1);
  let i = 0;
  let j = 0;
  for (let s = 0; s < n; s++) {
    const seq = sequences[s]!;
    seqStart[s] = i;
    const enc = internItemSequence(seq.items, attributes);
    const lab = seq.labels;
    if (lab && lab.length !== seq.items.length) {
      throw new RangeError(`${where(options.source, s)}: labels length ${lab.length} !== items length ${seq.items.length}`);
    }
    for (let t = 0; t < enc.length; t++, i++) {
      itemStart[i] = j;
      for (let k = enc.offsets[t]!; k < enc.offsets[t + 1]!; k++, j++) {
        attr[j] = enc.ids[k]!;
        if (value) value[j] = enc.values ? enc.values[k]! : 1;
      }
      if (lab) {
        const id = labels.intern(lab[t]!);
        if (id < 0 && options.unknownLabel === 'error') {
          throw new RangeError(
            `${where(options.source, s)}, item ${t + 1}: label ${JSON.stringify(lab[t])} was not seen in training (known: ${labels.toArray().join(' ')})`,
          );
        }
        label[i] = id;
      }
    }
  }
  seqStart[n] = i;
  itemStart[i] = j;
  return {
    numSequences: n,
    seqStart,
    itemStart,
    attr: j === occ ? attr : attr.slice(0, j),
    value: value === null ? null : j === occ ? value : value.slice(0, j),
    label,
  };
}

function where(source: string | undefined, s: number): string {
  return `${source ?? 'sequence'} #${s + 1}`;
}

/** Number of items (tokens) in the corpus. */
export function corpusItems(c: EncodedCorpus): number {
  return c.seqStart[c.numSequences]!;
}

/** A fresh, growing dictionary pair for training. */
export function trainingDictionaries(): { attributes: Dictionary; labels: Dictionary } {
  return { attributes: new Dictionary(), labels: new Dictionary() };
}
