import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkNumberOptions, createRng, loadModel, minimizeLbfgs, saveModel, sgdMinimize, ChainWorkspace, type Dictionary } from '@ebmkit/core';
import { detectScheme } from '../constraints.js';
import { encodeCorpus, trainingDictionaries, type EncodedCorpus, type LabeledSequence } from '../corpus.js';
import { buildFeatureIndex, countFeatures, type FeatureIndex } from '../feature-index.js';
import { Crf, type CrfTrainingInfo } from '../model.js';
import { stateScores, transitionWeights } from '../potentials.js';
import { trainCrfSsvm } from '../structured-model.js';
import { evaluateEncoded } from './dev-eval.js';
import { LikelihoodWorkspace, negLogLikelihood } from './objective.js';
import type { CrfProgress, CrfTrainOptions, CrfTrainer } from './options.js';
import { ParallelLikelihood } from './parallel-likelihood.js';

/** The fitted model and how training went. */
export interface CrfTrainResult {
  model: Crf;
  info: CrfTrainingInfo;
  /** Progress records, one per iteration/epoch. */
  log: CrfProgress[];
}

const CHECKPOINT_KIND = 'crf-checkpoint';

/** Trains a linear-chain CRF on labelled sequences. */
export async function trainCrf(sequences: readonly LabeledSequence[], options: CrfTrainOptions = {}): Promise<CrfTrainResult> {
  const trainer: CrfTrainer = options.trainer ?? { algorithm: 'lbfgs' };
  checkTrainOptions(options, trainer);
  const source = options.source ?? 'training data';
  if (sequences.length === 0) throw new RangeError(`${source}: no sequences to train on`);
  const { attributes, labels } = trainingDictionaries();
  const corpus = encodeCorpus(sequences, attributes, labels, { source });
  if (corpus.seqStart[corpus.numSequences] === 0) throw new RangeError(`${source}: every sequence is empty`);
  const index = buildFeatureIndex(corpus, attributes.size, labels.size, options.featureGeneration);
  const labelList = labels.toArray();
  const scheme = detectScheme(labelList);
  attributes.freeze();
  labels.freeze();
  const dev = options.dev ? prepareDev(options.dev, attributes, labels) : null;
  const start = performance.now();
  const log: CrfProgress[] = [];
  const tracker: { best: { score: number; w: Float64Array; iteration: number } | null } = { best: null };
  let sinceBest = 0;
  const ckpt = options.checkpoint;
  const ckptPath = ckpt ? join(ckpt.dir, 'checkpoint.safetensors') : null;
  let resumeFrom: { iteration: number; w: Float64Array } | null = null;
  if (ckpt?.resume && ckptPath) resumeFrom = await readCheckpoint(ckptPath, index, trainer.algorithm);
  if (ckpt) await mkdir(ckpt.dir, { recursive: true });

  /** Records progress, evaluates dev, checkpoints; returns false to stop. */
  const report = async (iteration: number, objective: number, gradientNorm: number, w: () => Float64Array): Promise<boolean> => {
    const p: CrfProgress = { iteration, objective, gradientNorm, seconds: (performance.now() - start) / 1000 };
    let stop = false;
    if (dev) {
      const weights = w();
      p.dev = evaluateEncoded(index, dev.corpus, weights, labelList, scheme, dev.gold);
      const score = p.dev.f1 ?? p.dev.accuracy;
      if (!tracker.best || score > tracker.best.score) {
        tracker.best = { score, w: Float64Array.from(weights), iteration };
        sinceBest = 0;
      } else if (options.earlyStopping && ++sinceBest >= options.earlyStopping) stop = true;
    }
    log.push(p);
    if (ckptPath && iteration % (ckpt!.every ?? 10) === 0) await writeCheckpoint(ckptPath, iteration, trainer.algorithm, w());
    if (options.onProgress?.(p) === false) stop = true;
    return !stop;
  };

  const offset = resumeFrom?.iteration ?? 0;
  // Iteration budgets (maxIterations, epochs, passes) are totals: a resumed run does what is left of them.
  const left = (total: number | undefined): number | undefined => (total === undefined ? undefined : Math.max(0, total - offset));
  const w0 = resumeFrom?.w ?? new Float64Array(index.numWeights);
  let w: Float64Array;
  let iterations: number;
  let objective: number;
  let status: string;
  const optimStart = performance.now();
  const hyper: Record<string, number | string | boolean> = { ...(trainer as unknown as Record<string, number | string | boolean>) };

  switch (trainer.algorithm) {
    case 'lbfgs':
    case 'owlqn': {
      const c1 = trainer.algorithm === 'owlqn' ? (trainer.c1 ?? 1) : 0;
      const c2 = trainer.c2 ?? (trainer.algorithm === 'lbfgs' ? 1 : 0);
      if (!(c1 >= 0 && c2 >= 0)) throw new RangeError(`c1 and c2 must be ≥ 0, got c1 = ${c1}, c2 = ${c2}`);
      Object.assign(hyper, { c1, c2 });
      // More workers than cores only cost memory and start-up time.
      const threads = Math.min(options.threads ?? availableParallelism(), availableParallelism());
      const nll = await ParallelLikelihood.create(index, corpus, threads);
      hyper.threads = nll.threads;
      try {
        const result = await minimizeLbfgs(
          async (x, g) => {
            let f = await nll.evaluate(x, g);
            if (c2 > 0) {
              let norm = 0;
              for (let k = 0; k < x.length; k++) {
                norm += x[k]! * x[k]!;
                g[k]! += 2 * c2 * x[k]!;
              }
              f += c2 * norm;
            }
            return f;
          },
          w0,
          {
            ...(c1 > 0 ? { c1 } : {}),
            ...(trainer.delta !== undefined ? { delta: trainer.delta } : {}),
            ...(trainer.period !== undefined ? { period: trainer.period } : {}),
            ...(trainer.epsilon !== undefined ? { epsilon: trainer.epsilon } : {}),
            ...(trainer.memory !== undefined ? { memory: trainer.memory } : {}),
            ...(trainer.maxIterations !== undefined ? { maxIterations: left(trainer.maxIterations)! } : {}),
            onIteration: (it) => report(offset + it.iteration, it.fx, it.gnorm, () => it.x),
          },
        );
        w = result.x;
        iterations = offset + result.iterations;
        objective = result.fx;
        status = result.status;
      } finally {
        await nll.close();
      }
      break;
    }
    case 'sgd': {
      const c2 = trainer.c2 ?? 1;
      if (!(c2 >= 0)) throw new RangeError(`c2 must be ≥ 0, got ${c2}`);
      const ws = new LikelihoodWorkspace(index.numLabels);
      const dense = new Float64Array(index.numWeights);
      const L = index.numLabels;
      const transitionGrad = new Float64Array(L * L);
      const result = await sgdMinimize(
        {
          numExamples: corpus.numSequences,
          dim: index.numWeights,
          example(s, wv, sink) {
            const loss = negLogLikelihood(index, corpus, s, s + 1, wv.values, dense, ws, wv.scale);
            // Move the touched state-feature entries and the masked transition block to the sink.
            forEachStateFeature(index, corpus, s, (k) => {
              if (dense[k] !== 0) {
                sink.add(k, dense[k]!);
                dense[k] = 0;
              }
            });
            for (let q = 0; q < L * L; q++) {
              transitionGrad[q] = dense[index.numState + q]!;
              dense[index.numState + q] = 0;
            }
            sink.addDense(transitionGrad, index.numState);
            return loss;
          },
        },
        {
          rng: createRng(options.seed ?? 1),
          c2,
          epochs: left(trainer.epochs ?? 50)!,
          calibrate: trainer.calibrate ?? true,
          ...(trainer.calibrate === false ? { schedule: { kind: 'inverse', eta0: trainer.eta0 ?? 0.1, lambda: (2 * c2) / corpus.numSequences } } : {}),
          averaging: trainer.averaging ?? false,
          delta: trainer.delta ?? 1e-6,
          period: trainer.period ?? 10,
          w0,
          onEpoch: (e) => report(offset + e.epoch, e.loss, NaN, () => e.weights()),
        },
      );
      w = result.w;
      iterations = offset + result.epochs;
      objective = result.losses[result.losses.length - 1] ?? NaN;
      status = result.status;
      hyper.eta0 = result.eta0;
      break;
    }
    case 'perceptron': {
      const epochs = left(trainer.epochs ?? 10)!;
      const r = await averagedPerceptron(index, corpus, w0, epochs, options.seed ?? 1, (e, mistakes, wAvg) =>
        report(offset + e, mistakes, NaN, wAvg),
      );
      w = r.w;
      iterations = offset + r.epochs;
      objective = r.mistakes;
      status = r.status;
      break;
    }
    case 'bcfw':
    case 'oneslack':
    case 'nslack':
    case 'subgradient':
    case 'perceptron-ssvm': {
      // structured-SVM learners of @ebmkit/ssvm over the CRF's features (structured-model.ts)
      const passes = left(trainer.passes ?? (trainer.algorithm === 'perceptron-ssvm' ? 10 : 100))!;
      if (passes === 0) {
        // resumed at or past the total: nothing left to do
        w = w0;
        iterations = offset;
        objective = NaN;
        status = 'max-passes';
        hyper.C = trainer.C ?? 1;
        break;
      }
      const r = await trainCrfSsvm(index, corpus, { ...trainer, passes }, {
        w0,
        seed: options.seed ?? 1,
        onPass: (e, wv) => report(offset + e.pass, e.primal, NaN, () => wv),
      });
      w = r.w;
      iterations = offset + r.passes;
      objective = r.objective;
      status = r.status;
      hyper.C = trainer.C ?? 1;
      break;
    }
    default:
      throw new RangeError(
        `unknown algorithm ${JSON.stringify((trainer as { algorithm: string }).algorithm)}; expected lbfgs, owlqn, sgd, perceptron, bcfw, oneslack, nslack, subgradient or perceptron-ssvm`,
      );
  }
  if (tracker.best && options.earlyStopping) w = tracker.best.w;
  const info: CrfTrainingInfo = {
    algorithm: trainer.algorithm,
    iterations,
    objective,
    seconds: (performance.now() - start) / 1000,
    optimizationSeconds: (performance.now() - optimStart) / 1000,
    status,
    hyperparameters: { ...hyper, features: countFeatures(index) },
  };
  const model = new Crf(index, Float64Array.from(w), attributes, labels, options.features ?? { kind: 'attributes' }, info);
  return { model, info, log };
}

function prepareDev(dev: readonly LabeledSequence[], attributes: Dictionary, labels: Dictionary) {
  const corpus = encodeCorpus(dev, attributes, labels, { unknownLabel: 'ignore', source: 'dev data' });
  return { corpus, gold: dev.map((s) => s.labels) };
}

/** Calls `fn(k)` for every state feature k touched by sequence s (with repeats). */
function forEachStateFeature(index: FeatureIndex, corpus: EncodedCorpus, s: number, fn: (k: number) => void): void {
  const { attrStart } = index;
  for (let i = corpus.seqStart[s]!; i < corpus.seqStart[s + 1]!; i++) {
    for (let j = corpus.itemStart[i]!; j < corpus.itemStart[i + 1]!; j++) {
      const a = corpus.attr[j]!;
      for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) fn(k);
    }
  }
}

/**
 * Averaged structured perceptron: Viterbi with the current weights; on a mistake add the gold features and
 * subtract the predicted ones. Averages with the lazy trick (w_avg = w − u/c, u accumulating c·update).
 */
async function averagedPerceptron(
  index: FeatureIndex,
  corpus: EncodedCorpus,
  w0: Float64Array,
  epochs: number,
  seed: number,
  onEpoch: (epoch: number, mistakes: number, wAvg: () => Float64Array) => Promise<boolean>,
): Promise<{ w: Float64Array; epochs: number; mistakes: number; status: string }> {
  const L = index.numLabels;
  const { attrStart, featLabel, numState } = index;
  const w = Float64Array.from(w0);
  const u = new Float64Array(w.length);
  let c = 1;
  const rng = createRng(seed);
  const order = Int32Array.from({ length: corpus.numSequences }, (_, i) => i);
  const ws = new ChainWorkspace();
  let unary = new Float64Array(0);
  let pred = new Int32Array(0);
  const avg = () => {
    const out = new Float64Array(w.length);
    for (let k = 0; k < w.length; k++) out[k] = w[k]! - u[k]! / c;
    return out;
  };
  const update = (k: number, d: number) => {
    w[k]! += d;
    u[k]! += c * d;
  };
  const addItem = (i: number, y: number, d: number) => {
    for (let j = corpus.itemStart[i]!; j < corpus.itemStart[i + 1]!; j++) {
      const a = corpus.attr[j]!;
      const v = corpus.value === null ? d : d * corpus.value[j]!;
      for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) if (featLabel[k] === y) update(k, v);
    }
  };
  let mistakes = 0;
  let e = 0;
  let status = 'max-epochs';
  for (e = 1; e <= epochs; e++) {
    rng.shuffle(order);
    mistakes = 0;
    for (const s of order) {
      const i0 = corpus.seqStart[s]!;
      const T = corpus.seqStart[s + 1]! - i0;
      if (T === 0) continue;
      if (unary.length < T * L) unary = new Float64Array(T * L * 2);
      if (pred.length < T) pred = new Int32Array(T * 2);
      stateScores(index, corpus, s, w, unary);
      ws.viterbi({ T, L, unary, transition: transitionWeights(index, w) }, pred);
      let wrong = false;
      for (let t = 0; t < T; t++) if (pred[t] !== corpus.label[i0 + t]) wrong = true;
      if (wrong) {
        mistakes++;
        for (let t = 0; t < T; t++) {
          const g = corpus.label[i0 + t]!;
          const p = pred[t]!;
          if (g !== p) {
            addItem(i0 + t, g, 1);
            addItem(i0 + t, p, -1);
          }
          if (t > 0) {
            const gt = corpus.label[i0 + t - 1]! * L + g;
            const pt = pred[t - 1]! * L + p;
            if (gt !== pt) {
              if (index.transitionMask[gt]) update(numState + gt, 1);
              if (index.transitionMask[pt]) update(numState + pt, -1);
            }
          }
        }
      }
      c++;
    }
    if (!(await onEpoch(e, mistakes, avg))) {
      status = 'stopped';
      break;
    }
    if (mistakes === 0) {
      status = 'separated';
      break;
    }
  }
  return { w: avg(), epochs: Math.min(e, epochs), mistakes, status };
}

async function writeCheckpoint(path: string, iteration: number, algorithm: string, w: Float64Array): Promise<void> {
  await saveModel(path, {
    kind: CHECKPOINT_KIND,
    formatVersion: 1,
    metadata: { iteration, algorithm },
    tensors: { weights: { dtype: 'F64', shape: [w.length], data: Float64Array.from(w) } },
  });
}

async function readCheckpoint(path: string, index: FeatureIndex, algorithm: string): Promise<{ iteration: number; w: Float64Array } | null> {
  let file;
  try {
    file = await loadModel<{ iteration: number; algorithm: string }>(path, { kind: CHECKPOINT_KIND });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const w = file.tensors.weights?.data;
  if (!(w instanceof Float64Array) || w.length !== index.numWeights) {
    throw new RangeError(
      `${path}: checkpoint has ${w?.length ?? 0} weights but this training run has ${index.numWeights}: it was made with other data or features`,
    );
  }
  if (file.metadata.algorithm !== algorithm) {
    throw new RangeError(`${path}: checkpoint was made by ${file.metadata.algorithm}, this run uses ${algorithm}`);
  }
  return { iteration: file.metadata.iteration, w: Float64Array.from(w) };
}

const NONNEG = { min: 0 } as const;
const COUNT = { integer: true, min: 1 } as const;

/**
 * Checks every numeric option of `Crf.train` / `trainCrf` with the words the CLI uses for the same flags
 * (`threads expects an integer, got NaN`; the CLI says `--threads expects an integer, got 'nan'`).
 */
function checkTrainOptions(options: CrfTrainOptions, trainer: CrfTrainer): void {
  checkNumberOptions(options, { threads: COUNT, earlyStopping: COUNT, seed: { integer: true } });
  if (options.checkpoint) checkNumberOptions(options.checkpoint, { every: COUNT });
  if (options.featureGeneration) checkNumberOptions(options.featureGeneration, { minFrequency: NONNEG });
  checkNumberOptions(trainer, {
    c1: NONNEG,
    c2: NONNEG,
    delta: NONNEG,
    period: COUNT,
    epsilon: NONNEG,
    maxIterations: COUNT,
    memory: COUNT,
    epochs: COUNT,
    eta0: { min: Number.MIN_VALUE },
    C: { min: Number.MIN_VALUE },
    passes: COUNT,
    tolerance: NONNEG,
  });
}
