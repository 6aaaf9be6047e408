import { createRng, type Rng } from '@ebmkit/core';
import type { ParseSentence } from '@ebmkit/parse';

const VOCAB: Record<string, string[]> = {
  DET: ['the', 'a', 'every', 'this'],
  ADJ: ['big', 'old', 'red', 'quiet', 'new'],
  NOUN: ['dog', 'cat', 'house', 'river', 'teacher', 'idea', 'car', 'garden'],
  VERB: ['sees', 'likes', 'builds', 'finds', 'paints'],
  ADP: ['in', 'near', 'with', 'under'],
  ADV: ['often', 'never', 'quickly'],
  PUNCT: ['.', '!'],
};

interface Tok {
  form: string;
  tag: string;
  head: number;
  rel: string;
}

/** A sentence of a small English-like grammar (NP VERB NP PP* with determiners, adjectives, adverbs), gold tree included. */
export function syntheticSentence(rng: Rng): ParseSentence {
  const toks: Tok[] = [];
  const word = (tag: string) => VOCAB[tag]![rng.int(VOCAB[tag]!.length)]!;
  // Returns the index (1-based) of the NP's head noun; dependents get their heads fixed up later.
  const np = (depth: number): number => {
    const start = toks.length;
    if (rng.uniform() < 0.7) toks.push({ form: word('DET'), tag: 'DET', head: -1, rel: 'det' });
    const adjs = rng.int(3);
    for (let i = 0; i < adjs; i++) toks.push({ form: word('ADJ'), tag: 'ADJ', head: -1, rel: 'amod' });
    toks.push({ form: word('NOUN'), tag: 'NOUN', head: -1, rel: '' });
    const noun = toks.length;
    for (let i = start; i < noun - 1; i++) toks[i]!.head = noun;
    if (depth < 2 && rng.uniform() < 0.3) pp(noun, 'nmod', depth + 1);
    return noun;
  };
  const pp = (attach: number, rel: string, depth: number) => {
    toks.push({ form: word('ADP'), tag: 'ADP', head: -1, rel: 'case' });
    const adp = toks.length;
    const noun = np(depth);
    toks[adp - 1]!.head = noun;
    toks[noun - 1]!.head = attach;
    toks[noun - 1]!.rel = rel;
  };
  const subj = np(1);
  let adv = -1;
  if (rng.uniform() < 0.3) {
    toks.push({ form: word('ADV'), tag: 'ADV', head: -1, rel: 'advmod' });
    adv = toks.length;
  }
  toks.push({ form: word('VERB'), tag: 'VERB', head: 0, rel: 'root' });
  const verb = toks.length;
  toks[subj - 1]!.head = verb;
  toks[subj - 1]!.rel = 'nsubj';
  if (adv > 0) toks[adv - 1]!.head = verb;
  const obj = np(1);
  toks[obj - 1]!.head = verb;
  toks[obj - 1]!.rel = 'obj';
  while (rng.uniform() < 0.4) pp(verb, 'obl', 1);
  toks.push({ form: word('PUNCT'), tag: 'PUNCT', head: verb, rel: 'punct' });
  const heads = new Int32Array(toks.length + 1);
  heads[0] = -1;
  toks.forEach((t, i) => (heads[i + 1] = t.head));
  return { forms: toks.map((t) => t.form), tags: toks.map((t) => t.tag), heads, deprels: toks.map((t) => t.rel) };
}

export function syntheticCorpus(seed: number, count: number): ParseSentence[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => syntheticSentence(rng));
}

/** CoNLL-U text of sentences (lemma = form). */
export function toConllu(sentences: readonly ParseSentence[]): string {
  return sentences
    .map((s, k) => {
      const lines = [`# sent_id = s${k + 1}`];
      s.forms.forEach((f, i) => lines.push([i + 1, f, f, s.tags[i], '_', '_', s.heads![i + 1], s.deprels![i], '_', '_'].join('\t')));
      return lines.join('\n') + '\n';
    })
    .join('\n');
}
