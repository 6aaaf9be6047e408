/**
 * The task table of `ebm`. Each entry names a task and how to load its module; nothing is imported
 * until the task is used, so `ebm --help` stays fast. A new task adds one line here and a module in
 * `commands/` exporting `commands` (see command.ts).
 */
import type { TaskEntry } from './command.js';

/** Every task `ebm` knows, in the order `ebm --help` lists them. */
export const TASKS: readonly TaskEntry[] = [
  {
    task: 'tag',
    summary: 'Tag English text with part-of-speech tags (the bundled model)',
    single: true,
    load: () => import('./commands/tag.js'),
  },
  {
    task: 'crf',
    summary: 'Linear-chain CRFs: train, tag, eval, dump',
    load: () => import('./commands/crf.js'),
  },
  {
    task: 'info',
    summary: 'Show versions, the active tfjs backend and why, threads and corpora locations',
    single: true,
    load: () => import('./commands/info.js'),
  },
  {
    task: 'corpora',
    summary: 'List, fetch and verify the benchmark corpora',
    load: () => import('./commands/corpora.js'),
  },
  { task: 'ssvm', summary: 'Structured SVMs (BCFW, cutting planes, subgradient, perceptron) on dense-feature sequences', load: () => import('./commands/ssvm.js') },
  {
    task: 'rbm',
    summary: 'Restricted Boltzmann machines: train (CD-k, PCD), eval (log-likelihood, AIS), sample, filters',
    load: () => import('./commands/rbm.js'),
  },
  {
    task: 'dbn',
    summary: 'Deep belief networks: greedy RBM pretraining, fine-tuning as a classifier',
    load: () => import('./commands/dbn.js'),
  },
  { task: 'jem', summary: 'Joint energy-based models: train a classifier as an energy model (SGLD + replay buffer), eval (accuracy, ECE, OOD), sample', load: () => import('./commands/jem.js') },
  { task: 'parse', summary: 'Dependency parsing: train, eval (UAS/LAS) and parse CoNLL-U with arc-factored tree energies', load: () => import('./commands/parse.js') },
  { task: 'hopfield', summary: 'Hopfield networks as associative memories: store images or CSV rows, recall from corrupted queries', load: () => import('./commands/hopfield.js') },
  { task: 'segment', summary: 'Segment images with grid energies: train, predict, eval, interactive (GrabCut)', load: () => import('./commands/segment.js') },
];
