import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkNumberOption, checkNumberOptions, loadModel, saveModel, type Dictionary } from '@ebmkit/core';
import { detectScheme } from '../constraints.js';
import { encodeCorpus, trainingDictionaries, type LabeledSequence } from '../corpus.js';
import { buildFeatureIndex, countFeatures, type FeatureIndex } from '../feature-index.js';
import { Crf, type CrfTrainingInfo } from '../model.js';
import { defaultsOf, type Hyperparameter } from './algorithms/algorithm.js';
import { crfAlgorithm } from './algorithms/registry.js';
import { evaluateEncoded } from './dev-eval.js';
import type { CrfProgress, CrfTrainOptions, CrfTrainer } from './options.js';

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
  const algorithm = crfAlgorithm(trainer.algorithm);
  checkTrainOptions(options, trainer, algorithm.hyperparameters);
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
  let resumeFrom: Checkpoint | null = null;
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
    if (ckptPath && iteration % (ckpt!.every ?? 10) === 0) await writeCheckpoint(ckptPath, iteration, trainer.algorithm, w(), objective);
    if (options.onProgress?.(p) === false) stop = true;
    return !stop;
  };

  const offset = resumeFrom?.iteration ?? 0;
  const w0 = resumeFrom?.w ?? new Float64Array(index.numWeights);
  const optimStart = performance.now();
  // The trainer with every declared default filled in; it is what the model's training info records.
  // (an option given as undefined takes its default, as it did when each default was written `?? value`)
  const given = Object.fromEntries(Object.entries(trainer).filter(([, v]) => v !== undefined));
  const params = { ...defaultsOf(algorithm.hyperparameters), ...given } as CrfTrainer;
  const hyper: Record<string, number | string | boolean> = { ...(params as unknown as Record<string, number | string | boolean>) };
  // The iteration budget is a total: a resumed run does what is left of it.
  const total = (params as unknown as Record<string, number | undefined>)[algorithm.budget];
  const budget = total === undefined ? undefined : total - offset;
  let w: Float64Array;
  let iterations: number;
  let objective: number;
  let status: string;
  if (budget !== undefined && budget <= 0) {
    // The checkpoint already reached the total: its weights are the model.
    if (resumeFrom?.objective === undefined) {
      throw new RangeError(`${ckptPath}: the checkpoint is at iteration ${offset}, which already reaches ${algorithm.budget} ${total}; give a larger total`);
    }
    w = w0;
    iterations = offset;
    objective = resumeFrom.objective;
    status = `${algorithm.budget === 'maxIterations' ? 'max-iterations' : algorithm.budget === 'epochs' ? 'max-epochs' : 'max-passes'} (reached before resuming)`;
  } else {
    const r = await algorithm.run(
      {
        index,
        corpus,
        w0,
        threads: options.threads,
        seed: options.seed ?? 1,
        report: (it, f, g, wv) => report(offset + it, f, g, wv),
      },
      params,
      budget,
    );
    w = r.w;
    iterations = offset + r.iterations;
    objective = r.objective;
    status = r.status;
    Object.assign(hyper, r.extra ?? {});
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

/** A checkpoint: the weights after `iteration` iterations, and the objective then (absent in older checkpoints). */
interface Checkpoint {
  iteration: number;
  w: Float64Array;
  objective?: number;
}

async function writeCheckpoint(path: string, iteration: number, algorithm: string, w: Float64Array, objective: number): Promise<void> {
  await saveModel(path, {
    kind: CHECKPOINT_KIND,
    formatVersion: 1,
    metadata: { iteration, algorithm, ...(Number.isFinite(objective) ? { objective } : {}) },
    tensors: { weights: { dtype: 'F64', shape: [w.length], data: Float64Array.from(w) } },
  });
}

async function readCheckpoint(path: string, index: FeatureIndex, algorithm: string): Promise<Checkpoint | null> {
  let file;
  try {
    file = await loadModel<{ iteration: number; algorithm: string; objective?: number }>(path, { kind: CHECKPOINT_KIND });
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
  const objective = file.metadata.objective;
  return { iteration: file.metadata.iteration, w: Float64Array.from(w), ...(typeof objective === 'number' ? { objective } : {}) };
}

const COUNT = { integer: true, min: 1 } as const;

/**
 * Checks every numeric option of `Crf.train` / `trainCrf`, the trainer's against its algorithm's declarations, with
 * the words the CLI uses for the same flags (`threads expects an integer, got NaN`; the CLI says
 * `--threads expects an integer, got 'nan'`).
 */
function checkTrainOptions(options: CrfTrainOptions, trainer: CrfTrainer, hyperparameters: readonly Hyperparameter[]): void {
  checkNumberOptions(options, { threads: COUNT, earlyStopping: COUNT, seed: { integer: true } });
  if (options.checkpoint) checkNumberOptions(options.checkpoint, { every: COUNT });
  if (options.featureGeneration) checkNumberOptions(options.featureGeneration, { minFrequency: { min: 0 } });
  const t = trainer as unknown as Record<string, unknown>;
  for (const h of hyperparameters) {
    const v = t[h.key];
    if (v === undefined) continue;
    if (h.type === 'boolean') {
      if (typeof v !== 'boolean') throw new RangeError(`${h.key} expects true or false, got ${String(v)}`);
      continue;
    }
    checkNumberOption(h.key, v, { ...(h.integer ? { integer: true } : {}), ...(h.min !== undefined ? { min: h.min } : {}) });
    if (h.positive && !((v as number) > 0)) throw new RangeError(`${h.key} must be > 0, got ${String(v)}`);
  }
}
