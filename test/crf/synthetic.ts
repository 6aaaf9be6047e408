// Small seeded synthetic tagging problems for CRF tests (written for ebmkit; no external data).
import { createRng } from '@ebmkit/core';
import { itemSequenceFromAttributes, type LabeledSequence } from '@ebmkit/crf';

/**
 * Sentences from a 3-state Markov chain over labels B-X, I-X, O (valid IOB2), each emitting a word that
 * depends noisily on its label; attributes: the word, the previous word, a bias.
 */
export function syntheticSequences(n: number, seed: number): { sequences: LabeledSequence[]; words: string[][] } {
  const rng = createRng(seed);
  const vocab: Record<string, string[]> = {
    'B-X': ['the', 'a', 'this'],
    'I-X': ['cat', 'dog', 'bird', 'fish'],
    O: ['runs', 'sleeps', 'and', 'quickly', 'eats'],
  };
  const next: Record<string, [string, number][]> = {
    start: [['B-X', 0.6], ['O', 0.4]],
    'B-X': [['I-X', 0.9], ['O', 0.1]],
    'I-X': [['I-X', 0.3], ['O', 0.5], ['B-X', 0.2]],
    O: [['O', 0.4], ['B-X', 0.6]],
  };
  const all = Object.values(vocab).flat();
  const sequences: LabeledSequence[] = [];
  const words: string[][] = [];
  for (let s = 0; s < n; s++) {
    const T = 3 + rng.int(8);
    let state = 'start';
    const labels: string[] = [];
    const ws: string[] = [];
    for (let t = 0; t < T; t++) {
      const opts = next[state]!;
      const y = opts[rng.categorical(opts.map((o) => o[1]))]![0];
      labels.push(y);
      const noisy = rng.uniform() < 0.1;
      const pool = noisy ? all : vocab[y]!;
      ws.push(pool[rng.int(pool.length)]!);
      state = y;
    }
    words.push(ws);
    sequences.push({
      items: itemSequenceFromAttributes(
        ws.map((w, t) => ({ names: [`w=${w}`, `w[-1]=${t > 0 ? ws[t - 1] : '__BOS__'}`, 'bias'] })),
      ),
      labels,
    });
  }
  return { sequences, words };
}
