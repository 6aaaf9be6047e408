import { createRng, TreeDistribution } from '@ebmkit/core';
import {
  arcFeatures,
  betweenTags,
  maxArcFeatures,
  scoreArcs,
  sentenceCodes,
  tagIdCount,
  type ParseFeatureOptions,
  type SentenceCodes,
} from './features.js';
import { RelationLearner } from './relation-learner.js';
import { decodeTree, DependencyParser, type ParserConfig } from './model.js';
import { evaluateParses, type ParseScores } from './eval.js';
import type { ParseSentence } from './sentence.js';

/** The arc learners of `trainParser`, with their help text (the CLI derives its choices from this table). */
export const PARSE_LEARNERS = {
  pa: 'passive-aggressive (1-best MIRA, PA-I) on the Hamming loss over heads, averaged',
  perceptron: 'averaged structured perceptron',
  crf: 'tree CRF: SGD on the log-likelihood with arc marginals from the matrix-tree theorem (or inside–outside)',
} as const;
export type ParseLearner = keyof typeof PARSE_LEARNERS;

/** Options of `trainParser`. */
export interface ParserTrainOptions {
  /** Arc learner (default 'crf', the most accurate on UD English-EWT). */
  learner?: ParseLearner;
  /** Passes over the training data (default 10). */
  epochs?: number;
  /** log2 of the arc weight table (default 22). */
  arcBits?: number;
  /** log2 of the label feature buckets (default 16). */
  labelBits?: number;
  features?: ParseFeatureOptions;
  /** Projective trees only (Eisner) in training and decoding (default false: Chu–Liu–Edmonds). */
  projective?: boolean;
  /**
   * Decode projective trees (Eisner) with the trained parser — and in the dev scoring that picks the epoch — while
   * training over the trees `projective` says (default: the same as `projective`). On UD English-EWT, a tree CRF
   * trained over all trees (matrix-tree theorem, faster) and decoded projectively scores as well as one trained
   * projectively.
   */
  projectiveDecoding?: boolean;
  /** PA aggressiveness (step cap; default 0.1). */
  C?: number;
  /** CRF: initial learning rate (default 0.1) and L2 strength per example (default 1e-5). */
  learningRate?: number;
  l2?: number;
  seed?: number;
  /** Scored after every epoch (with the averaged weights); the best epoch's weights are kept when given. */
  dev?: readonly ParseSentence[];
  onEpoch?: (info: { epoch: number; seconds: number; trainErrors: number; dev?: ParseScores }) => void;
}

/** A trained parser and what training did. */
export interface ParserTrainResult {
  parser: DependencyParser;
  epochs: number;
  bestEpoch: number;
  seconds: number;
}

/**
 * Trains an arc-factored parser on sentences with gold trees: arc weights by the chosen online learner with the best
 * tree (Chu–Liu–Edmonds or Eisner) as prediction, relation weights by an averaged multiclass perceptron on the gold
 * arcs, in the same passes. Sentences are visited in a seeded random order.
 */
export function trainParser(train: readonly ParseSentence[], options: ParserTrainOptions = {}): ParserTrainResult {
  const learner = options.learner ?? 'crf';
  if (!(learner in PARSE_LEARNERS)) throw new RangeError(`unknown learner ${JSON.stringify(learner)}; expected one of ${Object.keys(PARSE_LEARNERS).join(', ')}`);
  const epochs = options.epochs ?? 10;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be an integer ≥ 1, got ${epochs}`);
  const arcBits = options.arcBits ?? 22;
  const labelBits = options.labelBits ?? 16;
  if (!Number.isInteger(arcBits) || arcBits < 4 || arcBits > 28) throw new RangeError(`arcBits must be an integer in 4..28, got ${arcBits}`);
  if (!Number.isInteger(labelBits) || labelBits < 4 || labelBits > 24) throw new RangeError(`labelBits must be an integer in 4..24, got ${labelBits}`);
  const C = options.C ?? 0.1;
  const projective = options.projective ?? false;
  const { config, codes, goldLabels, tagCount: T } = prepareTraining(train, {
    arcBits,
    labelBits,
    features: options.features ?? {},
    projective: options.projectiveDecoding ?? projective,
  });
  const L = config.labels.length;
  const A = 2 ** arcBits;
  const mask = A - 1;
  const w = new Float64Array(A);
  const u = new Float64Array(A); // Σ c·Δw for averaging
  const relations = new RelationLearner(labelBits, L);
  let c = 1;
  const feats = new Int32Array(maxArcFeatures(T));
  const between = new Int32Array(T);
  const seen = new Uint8Array(T);
  const rng = createRng(options.seed ?? 1);
  const order = Int32Array.from(train.keys());
  let arcBuf = new Float64Array(64 * 64);
  // Δφ accumulation for PA (scratch table + touched list).
  const delta = new Float64Array(A);
  const touched: number[] = [];

  const addArc = (cs: SentenceCodes, h: number, d: number, scale: number, acc: boolean) => {
    const nb = betweenTags(cs, h, d, seen, between);
    const m = arcFeatures(cs, h, d, between, nb, mask, feats);
    for (let i = 0; i < m; i++) {
      const f = feats[i]!;
      if (acc) {
        if (delta[f] === 0) touched.push(f);
        delta[f]! += scale;
      } else {
        w[f]! += scale;
        u[f]! += c * scale;
      }
    }
  };
  const averaged = (): DependencyParser => {
    const aw = new Float32Array(A);
    for (let i = 0; i < A; i++) aw[i] = w[i]! - u[i]! / c;
    return new DependencyParser(config, aw, relations.averaged());
  };

  const t0 = performance.now();
  let best: { parser: DependencyParser; epoch: number; las: number } | null = null;
  let learningRate = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 1e-5;
  let wScale = 1; // CRF: w = wScale · stored (lazy L2 shrink)
  for (let epoch = 1; epoch <= epochs; epoch++) {
    rng.shuffle(order);
    let trainErrors = 0;
    for (const idx of order) {
      const cs = codes[idx]!;
      const gold = train[idx]!.heads!;
      const n = cs.n;
      const N = n + 1;
      if (arcBuf.length < N * N) arcBuf = new Float64Array(N * N);
      const arcs = arcBuf.subarray(0, N * N);
      scoreArcs(cs, w, mask, T, arcs);
      if (learner === 'crf') {
        if (wScale !== 1) for (let i = 0; i < N * N; i++) arcs[i]! *= wScale;
        const dist = new TreeDistribution({ n, arcs }, { projective });
        const mu = dist.marginals();
        const step = learningRate / wScale;
        for (let d = 1; d < N; d++) {
          addArc(cs, gold[d]!, d, step, false);
          for (let h = 0; h < N; h++) {
            const q = mu[h * N + d]!;
            if (h !== d && q > 1e-4) addArc(cs, h, d, -step * q, false);
          }
        }
        wScale *= 1 - learningRate * l2;
        if (wScale < 1e-6) {
          for (let i = 0; i < A; i++) (w[i]! *= wScale), (u[i]! *= wScale);
          wScale = 1;
        }
      } else {
        const pred = decodeTree(arcs, n, projective);
        let loss = 0;
        let margin = 0;
        for (let d = 1; d < N; d++) {
          if (pred[d] !== gold[d]) {
            loss++;
            margin += arcs[gold[d]! * N + d]! - arcs[pred[d]! * N + d]!;
          }
        }
        if (loss > 0) {
          trainErrors += loss;
          let tau = 1;
          if (learner === 'pa') {
            for (let d = 1; d < N; d++) {
              if (pred[d] !== gold[d]) {
                addArc(cs, gold[d]!, d, 1, true);
                addArc(cs, pred[d]!, d, -1, true);
              }
            }
            let norm2 = 0;
            for (const f of touched) norm2 += delta[f]! * delta[f]!;
            tau = norm2 > 0 ? Math.min(C, (loss - margin) / norm2) : 0;
            for (const f of touched) {
              const v = tau * delta[f]!;
              w[f]! += v;
              u[f]! += c * v;
              delta[f] = 0;
            }
            touched.length = 0;
          } else {
            for (let d = 1; d < N; d++) {
              if (pred[d] !== gold[d]) {
                addArc(cs, gold[d]!, d, 1, false);
                addArc(cs, pred[d]!, d, -1, false);
              }
            }
          }
        }
      }
      relations.update(cs, gold, goldLabels[idx]!);
      c++;
    }
    if (learner === 'crf') learningRate = (options.learningRate ?? 0.1) / (1 + epoch);
    let devScores: ParseScores | undefined;
    if (options.dev && options.dev.length > 0) {
      const parser = learner === 'crf' ? scaled(averaged(), wScale) : averaged();
      devScores = evaluateParses(options.dev, options.dev.map((s) => parser.parse(s)));
      if (!best || devScores.las > best.las) best = { parser, epoch, las: devScores.las };
    }
    options.onEpoch?.({ epoch, seconds: (performance.now() - t0) / 1000, trainErrors, ...(devScores ? { dev: devScores } : {}) });
  }
  const seconds = (performance.now() - t0) / 1000;
  const final = best ?? { parser: learner === 'crf' ? scaled(averaged(), wScale) : averaged(), epoch: epochs };
  const training = { learner, epochs, bestEpoch: final.epoch, seconds: Math.round(seconds), sentences: train.length };
  const parser = new DependencyParser(config, final.parser.arcWeights, final.parser.labelWeights, training);
  return { parser, epochs, bestEpoch: final.epoch, seconds };
}

function scaled(p: DependencyParser, s: number): DependencyParser {
  if (s === 1) return p;
  const aw = Float32Array.from(p.arcWeights, (x) => x * s);
  return new DependencyParser(p.config, aw, p.labelWeights);
}


/** The shared set-up of every parser trainer: tag and relation sets, per-sentence codes, gold relation ids. */
export function prepareTraining(
  train: readonly ParseSentence[],
  base: Omit<ParserConfig, 'tags' | 'labels'>,
): { config: ParserConfig; codes: SentenceCodes[]; goldLabels: Int32Array[]; tagCount: number } {
  if (train.length === 0) throw new RangeError('no training sentences');
  const tags = new Set<string>();
  const labelSet = new Set<string>();
  train.forEach((s, i) => {
    if (!s.heads || !s.deprels) throw new RangeError(`training sentence ${i + 1} has no gold tree`);
    for (const t of s.tags) tags.add(t);
    for (const r of s.deprels) labelSet.add(r);
  });
  const tagList = [...tags].sort();
  const labels = [...labelSet].sort();
  const tagIndex = new Map(tagList.map((t, i) => [t, i]));
  const labelIndex = new Map(labels.map((t, i) => [t, i]));
  const config: ParserConfig = { ...base, tags: tagList, labels };
  const codes = train.map((s) => sentenceCodes(s, tagIndex, base.features));
  const goldLabels = train.map((s) => Int32Array.from(s.deprels!, (r) => labelIndex.get(r)!));
  return { config, codes, goldLabels, tagCount: tagIdCount(tagIndex) };
}
