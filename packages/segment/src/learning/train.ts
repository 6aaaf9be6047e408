/**
 * Training a segmenter from examples at working resolution: the unary (linear over pixel features by logistic
 * regression, or the CNN by per-pixel cross-entropy), then the learner —
 *
 * - `piecewise`: unary by per-pixel likelihood, then pairwise weights chosen on a validation split;
 * - `ssvm`: all weights (unary-feature and pairwise) by a structured SVM from @ebmkit/ssvm (BCFW by default, or
 *   one-slack …), warm-started from the piecewise solution;
 * - `contrastive`: approximate maximum likelihood with Gibbs or mean-field negatives: from the piecewise solution,
 *   the pairwise weights and class biases (default), or every weight (`warmStart: false`).
 *
 * For the CNN unary the CRF's pixel features are the network's log-probabilities (and a bias), so SSVM and
 * contrastive training learn how much to trust the network per class alongside the pairwise weights.
 */
import { createRng, type RgbImage } from '@ebmkit/core';
import { createLearner, type SsvmLearnerName } from '@ebmkit/ssvm';
import { trainContrastive, type ContrastiveOptions } from './contrastive.js';
import { splitValidation } from '../data/dataset.js';
import { GridCrf, type PairwiseKind, type SegmentationInput } from './grid-crf.js';
import type { Connectivity } from '../grid/grid.js';
import { IGNORE_LABEL } from '../grid/labels.js';
import { fitPairwiseWeights, validationLoss, type SelectionCriterion } from './pairwise-fit.js';
import { CurveJudge, tunedUnaryLoss, type CurvePoint } from './early-stopping.js';
import type { PixelFeatureOptions } from '../unary/pixel-features.js';
import { FeatureCache, LazyInput, cropInput, imageEdgeFeatures } from './segmentation-input.js';
import { Segmenter } from './segmenter.js';
import type { ForestUnaryOptions } from '../unary/forest-unary.js';
import { ProductUnary, RARE_FOREGROUND, UNARY_KINDS, UNARY_KIND_NAMES, foregroundShare, type CnnFitOptions, type UNetFitOptions, type Unary, type UnaryFitContext, type UnaryKind } from '../unary/unary.js';

/** Learning algorithms. */
export type LearnerKind = 'piecewise' | 'ssvm' | 'contrastive';

/** One training progress event (for progress bars). */
export interface TrainProgress {
  /** 'features', 'logistic', 'cnn', 'pairwise', 'ssvm', 'contrastive'; 'auto' for unary auto's decisions. */
  stage: string;
  done: number;
  total: number;
  message?: string;
}

/** Options of `trainSegmenter`. */
export interface TrainSegmenterOptions {
  numLabels: number;
  labelNames?: string[];
  classColors?: number[];
  maskKind?: 'binary' | 'palette';
  /**
   * Default 'linear'. 'auto' tries the kinds within `timeBudget` and keeps the one that validates best (by the
   * `selectBy` criterion): the forest first, then the CNN (bounded by what is left of the budget), then the linear
   * unary if a pilot on a few images says it still fits. The report lists every candidate, tried or skipped.
   */
  unary?: UnaryKind | 'auto';
  /**
   * CPU seconds (of this process, so the choice does not depend on the machine's load) 'auto' may spend in all;
   * default max(300, 3 per training example).
   */
  timeBudget?: number;
  /** Default 'piecewise'. */
  learner?: LearnerKind;
  /** Default 8. */
  connectivity?: Connectivity;
  /** Default 'potts' (constant + contrast-sensitive weights); 'matrix' learns a label-compatibility matrix. */
  pairwise?: PairwiseKind;
  /** Recorded in the model: the longer side examples were shrunk to. */
  maxSide?: number;
  /** Fraction of examples held out to fit pairwise weights and report validation error (default 0.2). */
  validationFraction?: number;
  /** Seed of the split, sampling and initialisations (default 1). */
  seed?: number;
  features?: PixelFeatureOptions;
  /** Pixels sampled per image for the logistic regression (default 1000). */
  pixelsPerImage?: number;
  /** L2 strength of the logistic regression (default 1e-4). */
  c2?: number;
  /** CNN unary settings (those left out are chosen from the data: see `cnnSettingsFor`). */
  cnn?: CnnFitOptions;
  /** Forest unary: filter bank, sampling and forest options. */
  forest?: ForestUnaryOptions;
  /** U-Net unary settings (training CPU seconds, width, patches…). */
  unet?: UNetFitOptions;
  ssvm?: { algorithm?: SsvmLearnerName; C?: number; maxPasses?: number; tolerance?: number; warmStart?: boolean };
  /** Contrastive options; with `warmStart` (default) the pairwise weights and class biases are fine-tuned from the piecewise solution. */
  contrastive?: Omit<ContrastiveOptions, 'rng' | 'w0' | 'onEpoch'> & { warmStart?: boolean };
  /**
   * Reuse the unary of an already trained segmenter (its features or network and its unary weights) instead of
   * training one: only the pairwise stage and the learner run. Its unary kind, label count and connectivity win.
   */
  initial?: Segmenter;
  /**
   * What the pairwise stage (weights and the foreground bias) minimises on the validation split: 'error' (default,
   * the pixel error), 'f1' (1 − F1 of class 1; two classes — for thin or rare foreground, where F1 is the score), or
   * 'auto': 'f1' when there are two classes and the foreground is under a fifth of the labelled training pixels.
   */
  selectBy?: SelectionCriterion | 'auto';
  /** Pixels the pairwise stage works on at most (default 400 000): larger validation sets are cut to central windows. */
  pairwisePixels?: number;
  /** Byte budget of the cached feature maps (default 512 MiB). */
  cacheBytes?: number;
  onProgress?: (event: TrainProgress) => void;
}

/** What training measured. */
export interface TrainReport {
  trainImages: number;
  validationImages: number;
  /** Mean validation pixel error of the unary alone and of the final model (NaN without validation images). */
  validationErrorUnary: number;
  /** Validation error of always predicting the most frequent validation class (NaN without validation images). */
  majorityError: number;
  /** Things a user should know, e.g. a unary that learned nothing beyond the majority class. */
  warnings: string[];
  validationError: number;
  /** Validation loss by the selection criterion: the pixel error, or 1 − F1 of the foreground (NaN without validation images). */
  validationLoss: number;
  /** The criterion the pairwise stage (and unary 'auto') selected by. */
  criterion: SelectionCriterion;
  /**
   * Validation loss (by the criterion) of the unary alone with its decision threshold re-tuned (two classes; the
   * argmax otherwise): what 'auto' races an anytime candidate against (NaN without validation images).
   */
  validationLossUnaryTuned: number;
  /** What the unary's fit chose from the validation images, in words (e.g. the forest's auto-context stage). */
  unaryNotes: string[];
  /** CPU seconds of the pairwise stage (the search over pairwise weights and the foreground bias). */
  pairwiseSeconds: number;
  /** With unary 'auto': every candidate in the order considered — tried (validation loss, CPU seconds) or skipped (why). */
  candidates?: UnaryCandidate[];
  /** The pairwise weights of the final model. */
  pairwiseWeights: number[];
  seconds: number;
}

/** One unary kind 'auto' considered. */
export interface UnaryCandidate {
  unary: UnaryKind;
  /** Validation loss by the report's criterion (NaN when skipped). */
  validationLoss: number;
  validationError: number;
  /** CPU seconds it took (0 when skipped). */
  seconds: number;
  /** Why it was not tried, e.g. 'expected 290 s, 64 s left'. */
  skipped?: string;
  /** CPU seconds of its pilot on a few images, and the full cost the pilot predicted. */
  pilot?: { seconds: number; expected: number };
  /** Why it was stopped before its allotment ended (an anytime candidate that could not reach the incumbent). */
  stopped?: string;
  /** Its validation curve at the checkpoints (tuned unary loss by share of the allotment), when it was raced. */
  curve?: CurvePoint[];
}

/**
 * Checkpoints of an anytime candidate's validation curve, as shares of its allotment: the first two at
 * CHECKPOINT_FIRST and 2·CHECKPOINT_FIRST (a curve flat from the start is stopped at a tenth of its time), then
 * every CHECKPOINT_EVERY (each checkpoint predicts the validation images, so they are spaced out later).
 */
export const CHECKPOINT_FIRST = 0.05;
export const CHECKPOINT_EVERY = 0.1;

/** An example at working resolution. */
export interface TrainingExample {
  image: RgbImage;
  labels: Uint8Array;
}

function meanLoss(crf: GridCrf, w: Float64Array, X: readonly SegmentationInput[], Y: readonly Uint8Array[]): number {
  if (X.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < X.length; i++) s += crf.loss(Y[i]!, crf.inference(X[i]!, w));
  return s / X.length;
}

/** CPU seconds of this process since `from`. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
}

/** A pilot's CPU time, scaled by the share of pixels, times this predicts the full run's (see trainSegmenter). */
const PILOT_FACTOR = 2;

/** Thrown from a pilot's progress callback to stop it once its prediction already exceeds the budget left. */
class PilotOverrun extends Error {}

/**
 * The pilot CPU seconds past which its prediction (PILOT_FACTOR × seconds × scale) exceeds `left`: the pilot can stop
 * there, since the prediction only grows with its time.
 */
export function pilotStopSeconds(scale: number, left: number): number {
  return Math.max(0, left) / (PILOT_FACTOR * scale);
}

/**
 * The examples a pilot trains on: every k-th of them, about 5 % (at least 2: one to train on, one to validate):
 * its CPU time, scaled by the share of pixels, predicts the full run's (every stage is linear in the images).
 */
function pilotSubset(examples: readonly TrainingExample[]): { subset: TrainingExample[]; scale: number } {
  const m = Math.min(examples.length, Math.max(2, Math.ceil(0.05 * examples.length)));
  const step = examples.length / m;
  const subset = Array.from({ length: m }, (_, i) => examples[Math.floor(i * step)]!);
  const px = (l: readonly TrainingExample[]) => l.reduce((a, e) => a + e.image.width * e.image.height, 0);
  return { subset, scale: px(examples) / px(subset) };
}

/** Trains a segmenter (see the module comment). */
export async function trainSegmenter(examples: readonly TrainingExample[], options: TrainSegmenterOptions): Promise<{ segmenter: Segmenter; report: TrainReport }> {
  if (options.unary !== 'auto' || options.initial) return trainOne(examples, { ...options, unary: options.unary === 'auto' ? 'forest' : options.unary });
  const t0 = performance.now();
  if (examples.length === 0) throw new RangeError('trainSegmenter: no examples');
  const budget = options.timeBudget ?? Math.max(300, 3 * examples.length);
  if (!(budget > 0)) throw new RangeError(`timeBudget must be > 0 seconds, got ${budget}`);
  // The budget counts this process's CPU time, not wall time: which candidates are tried (and so which model comes
  // out) must not depend on what else the machine is running.
  const cpu0 = process.cpuUsage();
  const left = () => budget - cpuSince(cpu0);
  const candidates: UnaryCandidate[] = [];
  let best: { segmenter: Segmenter; report: TrainReport } | undefined;
  const consider = (kind: UnaryKind, r: { segmenter: Segmenter; report: TrainReport }, seconds: number, pilot?: UnaryCandidate['pilot']) => {
    candidates.push({ unary: kind, validationLoss: r.report.validationLoss, validationError: r.report.validationError, seconds, ...(pilot ? { pilot } : {}) });
    note(kind, `validation error ${r.report.validationError.toFixed(4)}, loss ${r.report.validationLoss.toFixed(4)}, ${seconds.toFixed(0)} CPU s; ${Math.max(0, left()).toFixed(0)} s left`);
    // without validation images there is nothing to compare: the first candidate stands
    if (!best || r.report.validationLoss < best.report.validationLoss) best = r;
  };
  const note = (kind: UnaryKind, message: string) => options.onProgress?.({ stage: 'auto', done: candidates.length, total: 3, message: `${kind}: ${message}` });
  const skip = (kind: UnaryKind, why: string) => {
    note(kind, `skipped (${why})`);
    candidates.push({ unary: kind, validationLoss: NaN, validationError: NaN, seconds: 0, skipped: why });
  };
  // 1. the forest: cheap on most folders, strong on texture and thin structures
  let c = process.cpuUsage();
  const forest = await trainOne(examples, { ...options, unary: 'forest' });
  consider('forest', forest, cpuSince(c));
  const comparable = !Number.isNaN(forest.report.validationLoss);
  // 2. the CNN: anytime — it trains until its epochs end or what is left of the budget is spent (its pairwise stage
  // and validation maps need about a tenth of that on top)
  const allot = 0.9 * left();
  if (!comparable) skip('cnn', 'no validation images to compare on');
  else if (allot < 0.05 * budget) skip('cnn', `${Math.max(0, left()).toFixed(0)} s of the budget left`);
  else {
    c = process.cpuUsage();
    const given = options.cnn?.cpuSeconds;
    // raced against the forest: stopped once its validation curve cannot plausibly reach the forest's (the time
    // saved goes to the next candidate)
    const race = { incumbent: forest.report.validationLossUnaryTuned, first: CHECKPOINT_FIRST, every: CHECKPOINT_EVERY };
    const cnn = await trainOne(examples, { ...options, unary: 'cnn', cnn: { ...options.cnn, cpuSeconds: given !== undefined ? Math.min(given, allot) : allot } }, race);
    if ('stopped' in cnn) {
      const seconds = cpuSince(c);
      candidates.push({ unary: 'cnn', validationLoss: NaN, validationError: NaN, seconds, stopped: cnn.stopped.reason, curve: cnn.stopped.curve });
      note('cnn', `stopped early, ${seconds.toFixed(0)} CPU s: ${cnn.stopped.reason}; ${Math.max(0, left()).toFixed(0)} s left`);
    } else {
      consider('cnn', cnn, cpuSince(c));
      // both finished: their product of experts, if it helps the unary on validation
      c = process.cpuUsage();
      const product = await productCandidate(examples, options, [forest, cnn]);
      if (typeof product === 'string') skip('product', product);
      else consider('product', product, cpuSince(c));
    }
  }
  // 3. the linear unary, if a pilot on a few images says the full run fits what is left
  if (comparable && left() >= 0.05 * budget) {
    const { subset, scale } = pilotSubset(examples);
    c = process.cpuUsage();
    // The prediction below only grows with the pilot's time: once the pilot alone has spent what would predict
    // more than is left, the answer is known and the pilot stops there (the choice is the same; the time is saved).
    const leftAtPilot = left();
    const stopAt = pilotStopSeconds(scale, leftAtPilot);
    const pilotProgress = (e: TrainProgress) => {
      options.onProgress?.(e);
      if (cpuSince(c) > stopAt) throw new PilotOverrun();
    };
    let overrun = false;
    try {
      await trainOne(subset, { ...options, unary: 'linear', onProgress: pilotProgress });
    } catch (e) {
      if (!(e instanceof PilotOverrun)) throw e;
      overrun = true;
    }
    const pilot = cpuSince(c);
    // a pilot on few images underestimates the unary's part: the logistic regression converges in fewer iterations
    // on fewer pixels, and a small validation split's features stay in the cache; hence twice the pixel-scaled
    // pilot. (It also scales up its pairwise stage, whose cost does not grow with the images: on DRIVE that
    // overestimate is what keeps a losing linear candidate from being trained — piloting the unary alone predicted
    // that linear fits, and its full run cost 137 CPU s to lose, 1.31× scikit-image's training time in all.)
    const expected = PILOT_FACTOR * pilot * scale;
    note('linear', `pilot on ${subset.length} images: ${pilot.toFixed(1)} CPU s${overrun ? ' (stopped: already past what fits)' : ''}, predicts ${overrun ? 'more than ' : ''}${expected.toFixed(0)} s; ${Math.max(0, left()).toFixed(0)} s left`);
    if (overrun) skip('linear', `its pilot on ${subset.length} images was stopped after ${pilot.toFixed(0)} s: it already predicted more than the ${Math.max(0, leftAtPilot).toFixed(0)} s left`);
    else if (expected > left()) skip('linear', `a pilot on ${subset.length} images (${pilot.toFixed(0)} s) predicts ${expected.toFixed(0)} s, ${Math.max(0, left()).toFixed(0)} s left`);
    else {
      c = process.cpuUsage();
      const linear = await trainOne(examples, { ...options, unary: 'linear' });
      consider('linear', linear, cpuSince(c), { seconds: pilot, expected });
    }
  } else if (comparable) skip('linear', 'the budget is spent');
  const chosen: { segmenter: Segmenter; report: TrainReport } = best!;
  return { segmenter: chosen.segmenter, report: { ...chosen.report, candidates, seconds: (performance.now() - t0) / 1000 } };
}

function linearFitOptions(options: TrainSegmenterOptions): NonNullable<UnaryFitContext['linear']> {
  return { ...(options.features ? { features: options.features } : {}), ...(options.pixelsPerImage ? { pixelsPerImage: options.pixelsPerImage } : {}), ...(options.c2 !== undefined ? { c2: options.c2 } : {}) };
}

/** Weights β tried for the second expert of a product unary. */
export const PRODUCT_BETAS = [0.25, 0.5, 1];

/**
 * The product of two trained segmenters' unaries (the better one by validation loss first, the other weighted by β
 * from PRODUCT_BETAS by the tuned unary loss on the validation split), with its own pairwise stage; or why not
 * (no β lowers the tuned loss below both parts').
 */
async function productCandidate(examples: readonly TrainingExample[], options: TrainSegmenterOptions, pair: readonly [Trained, Trained]): Promise<Trained | string> {
  const [a, b] = pair[0].report.validationLoss <= pair[1].report.validationLoss ? pair : [pair[1], pair[0]];
  const ua = a.segmenter.unary;
  const ub = b.segmenter.unary;
  const { validation } = splitValidation(examples, options.validationFraction ?? 0.2, options.seed ?? 1);
  if (validation.length === 0) return 'no validation images';
  const K = options.numLabels;
  const Y = validation.map((e) => e.labels);
  const la: Float32Array[] = [];
  const lb: Float32Array[] = [];
  for (const e of validation) {
    la.push(await ua.logProbabilities(e.image));
    lb.push(await ub.logProbabilities(e.image));
  }
  const criterion = a.report.criterion;
  const alone = Math.min(tunedUnaryLoss(la, Y, K, criterion), tunedUnaryLoss(lb, Y, K, criterion));
  let best = { beta: NaN, loss: alone };
  for (const beta of PRODUCT_BETAS) {
    const loss = tunedUnaryLoss(la.map((x, i) => ProductUnary.combine(x, lb[i]!, beta, K)), Y, K, criterion);
    if (loss < best.loss) best = { beta, loss };
  }
  if (Number.isNaN(best.beta)) return `no β in ${PRODUCT_BETAS.join(', ')} makes ${ua.kind} × ${ub.kind}^β better than either alone on validation (tuned unary loss ${alone.toFixed(4)})`;
  return trainOne(examples, { ...options, unary: 'product' }, undefined, new ProductUnary([ua, ub], best.beta));
}

type Trained = { segmenter: Segmenter; report: TrainReport };
type Stopped = { stopped: { reason: string; curve: CurvePoint[] } };

/**
 * Trains one unary kind and the learner. With `race`, an anytime unary (the CNN) is checked every `race.every` of
 * its allotment against the incumbent's tuned unary loss (see early-stopping.ts) and may come back stopped.
 */
async function trainOne(examples: readonly TrainingExample[], options: TrainSegmenterOptions & { unary?: UnaryKind }, race?: undefined, prebuilt?: Unary): Promise<Trained>;
async function trainOne(examples: readonly TrainingExample[], options: TrainSegmenterOptions & { unary?: UnaryKind }, race: { incumbent: number; first?: number; every: number }): Promise<Trained | Stopped>;
async function trainOne(examples: readonly TrainingExample[], options: TrainSegmenterOptions & { unary?: UnaryKind }, race?: { incumbent: number; first?: number; every: number }, prebuilt?: Unary): Promise<Trained | Stopped> {
  const t0 = performance.now();
  const K = options.numLabels;
  if (examples.length === 0) throw new RangeError('trainSegmenter: no examples');
  for (const [i, ex] of examples.entries()) {
    if (ex.labels.length !== ex.image.width * ex.image.height) throw new RangeError(`example ${i}: ${ex.labels.length} labels for a ${ex.image.width}×${ex.image.height} image`);
  }
  const initial = options.initial;
  if (initial && initial.config.numLabels !== K) throw new RangeError(`initial segmenter has ${initial.config.numLabels} labels, expected ${K}`);
  const unary = initial ? initial.config.unary : (options.unary ?? 'linear');
  if (!UNARY_KINDS[unary]) throw new RangeError(`unknown unary kind ${JSON.stringify(unary)} (expected ${UNARY_KIND_NAMES.join(', ')})`);
  const learner = options.learner ?? 'piecewise';
  const connectivity = options.connectivity ?? 8;
  const pairwise = options.pairwise ?? 'potts';
  const seed = options.seed ?? 1;
  const rng = createRng(seed);
  const progress = options.onProgress ?? (() => {});
  const { train, validation } = splitValidation(examples, options.validationFraction ?? 0.2, seed);
  const cache = new FeatureCache(options.cacheBytes);

  let trainX: SegmentationInput[];
  let valX: SegmentationInput[];
  const trainY = train.map((e) => e.labels);
  const valY = validation.map((e) => e.labels);
  if (options.selectBy === 'f1' && K !== 2) throw new RangeError(`selectBy 'f1' needs two classes, got ${K}`);
  const criterion: SelectionCriterion = options.selectBy === 'auto' ? (K === 2 && foregroundShare(trainY) < RARE_FOREGROUND ? 'f1' : 'error') : (options.selectBy ?? 'error');
  let stopped: Stopped['stopped'] | undefined;
  const judge = race && validation.length > 0 ? new CurveJudge(race.incumbent) : undefined;
  const monitor = judge
    ? {
        ...(race!.first !== undefined ? { first: race!.first } : {}),
        every: race!.every,
        at: async (logp: (img: RgbImage) => Promise<Float32Array>, done: number): Promise<boolean> => {
          // once it has reached the incumbent it runs to its end: no more validation passes
          if (judge.reached) return true;
          const scores: Float32Array[] = [];
          for (const e of validation) scores.push(await logp(e.image));
          const v = judge.observe(done, tunedUnaryLoss(scores, valY, K, criterion));
          progress({ stage: 'auto', done: Math.round(100 * done), total: 100, message: `${unary} at ${(100 * done).toFixed(0)} %: validation loss ${judge.points[judge.points.length - 1]!.loss.toFixed(4)} (unary, tuned), projected ${v.projected.toFixed(4)}, incumbent ${judge.incumbent.toFixed(4)}` });
          if (!v.stop) return true;
          stopped = { reason: v.reason!, curve: judge.points };
          return false;
        },
      }
    : undefined;

  const unaryTerm: Unary = initial
    ? initial.unary
    : prebuilt
      ? prebuilt
      : await UNARY_KINDS[unary].fit(
        train.map((e) => e.image),
        trainY,
        {
          numLabels: K,
          rng,
          progress: (stage, done, total, message) => progress({ stage, done, total, ...(message !== undefined ? { message } : {}) }),
          linear: linearFitOptions(options),
          ...(options.cnn ? { cnn: options.cnn } : {}),
          ...(options.forest ? { forest: options.forest } : {}),
          ...(options.unet ? { unet: options.unet } : {}),
          ...(monitor ? { monitor } : {}),
          ...(validation.length > 0 ? { validation: { images: validation.map((e) => e.image), labels: valY, criterion } } : {}),
        },
      );
  if (stopped) return { stopped };
  const F = unaryTerm.numFeatures;
  // model inputs: linear features are recomputed on demand through a byte-bounded cache; the others are computed
  // once, and only for the images a stage needs (piecewise training never looks at the training images again)
  const sync = unaryTerm.featuresSync?.bind(unaryTerm);
  const make = async (e: TrainingExample): Promise<SegmentationInput> =>
    sync ? new LazyInput(e.image, F, sync, cache, connectivity) : { width: e.image.width, height: e.image.height, features: await unaryTerm.features(e.image), numFeatures: F, edges: imageEdgeFeatures(e.image, connectivity) };
  const inputs = async (list: readonly TrainingExample[], stage: string): Promise<SegmentationInput[]> => {
    const out: SegmentationInput[] = [];
    for (const e of list) {
      out.push(await make(e));
      progress({ stage, done: out.length, total: list.length });
    }
    return out;
  };
  const needTrainInputs = learner !== 'piecewise' || validation.length === 0;
  valX = await inputs(validation, 'unary maps');
  trainX = needTrainInputs ? await inputs(validation.length === 0 ? train.slice(0, learner === 'piecewise' ? 20 : train.length) : train, 'unary maps') : [];
  const crf = new GridCrf({ numLabels: K, numFeatures: F, connectivity, pairwise });
  let w: Float64Array = new Float64Array(crf.sizeJointFeature);
  w.set(initial ? initial.weights.subarray(0, crf.pairOffset) : unaryTerm.initialWeights());

  // piecewise stage 2: pairwise weights on the validation split (or the training images when there is none)
  let fitX = valX.length > 0 ? valX : trainX.slice(0, 20);
  let fitY = valX.length > 0 ? valY : trainY.slice(0, 20);
  // large images: central windows holding about `pairwisePixels` pixels in all (each candidate is a graph cut of them)
  const fitBudget = options.pairwisePixels ?? 400_000;
  const fitPixels = fitX.reduce((a, x) => a + x.width * x.height, 0);
  if (fitPixels > fitBudget) {
    const f = Math.sqrt(fitBudget / fitPixels);
    const crops = fitX.map((x, i) => {
      const w = Math.max(1, Math.min(x.width, Math.round(x.width * f)));
      const h = Math.max(1, Math.min(x.height, Math.round(x.height * f)));
      return cropInput(x, fitY[i]!, (x.width - w) >> 1, (x.height - h) >> 1, w, h);
    });
    fitX = crops.map((c) => c.input);
    fitY = crops.map((c) => c.labels);
  }
  let count = 0;
  const planned = crf.pairwise === 'potts' ? 2 * 36 + 7 : 2 * 9 + 7 + 4 * crf.numPairWeights;
  const pairwiseCpu = process.cpuUsage();
  const fit = fitPairwiseWeights(crf, w, fitX, fitY, { criterion, onCandidate: () => progress({ stage: 'pairwise', done: Math.min(++count, planned), total: planned }) });
  const pairwiseSeconds = cpuSince(pairwiseCpu);
  w = fit.w;
  const unaryW = Float64Array.from(w).fill(0, crf.pairOffset);
  const validationErrorUnary = meanLoss(crf, unaryW, valX, valY);
  const validationLossUnaryTuned = valX.length === 0 ? NaN : tunedUnaryLoss(valX.map((x) => negate(crf.unaryEnergies(x, unaryW))), valY, K, criterion);
  const majorityError = majorityRate(valY, K);
  const warnings: string[] = [];
  if (validationErrorUnary >= majorityError - 1e-3) {
    warnings.push(
      `the ${unaryTerm.kind} unary's validation error ${validationErrorUnary.toFixed(3)} is no better than always predicting the most frequent class (${majorityError.toFixed(3)}): it learned nothing useful — try another --unary, more images or a higher --size`,
    );
  }

  if (learner === 'ssvm') {
    const o = options.ssvm ?? {};
    const maxPasses = o.maxPasses ?? 10;
    const algorithm = o.algorithm ?? 'bcfw';
    const l = createLearner(algorithm, crf, {
      C: o.C ?? 10,
      maxPasses,
      ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
      evaluateEvery: maxPasses,
      rng,
      ...(o.warmStart ?? true ? { w0: w } : {}),
    });
    const it = l.run(trainX, trainY);
    let pass = 0;
    for (;;) {
      const r = it.next();
      if (r.done) {
        w = Float64Array.from(r.value.w);
        break;
      }
      progress({ stage: 'ssvm', done: ++pass, total: maxPasses, message: `primal ${r.value.primal.toFixed(4)}` });
    }
  } else if (learner === 'contrastive') {
    const o = options.contrastive ?? {};
    const epochs = o.epochs ?? 10;
    const { warmStart, ...rest } = o;
    const warm = warmStart ?? true;
    w = trainContrastive(crf, trainX, trainY, {
      // from the piecewise solution: fine-tune the pairwise weights and class biases (the unary features keep their
      // likelihood optimum); from zero: everything
      learningRate: warm ? 0.02 : 0.05,
      learn: warm ? 'pairwise-and-bias' : 'all',
      ...rest,
      epochs,
      rng,
      ...(warm ? { w0: w } : {}),
      onEpoch: (ep, gn) => progress({ stage: 'contrastive', done: ep, total: epochs, message: `‖g‖ ${gn.toFixed(4)}` }),
    });
  }
  const validationError = meanLoss(crf, w, valX, valY);
  const vLoss = criterion === 'error' ? validationError : valX.length === 0 ? NaN : validationLoss(crf, w, valX, valY, criterion);
  const segmenter = new Segmenter(
    {
      unary: unaryTerm.kind,
      numLabels: K,
      ...(options.maxSide !== undefined ? { maxSide: options.maxSide } : {}),
      connectivity,
      pairwise,
      labelNames: options.labelNames ?? Array.from({ length: K }, (_, k) => (K === 2 ? ['background', 'foreground'][k]! : `class ${k}`)),
      classColors: options.classColors ?? Array.from({ length: K }, (_, k) => (K === 2 ? [0, 0xffffff][k]! : defaultColor(k))),
      maskKind: options.maskKind ?? (K === 2 ? 'binary' : 'palette'),
      learner,
      notes: { trainImages: train.length, validationImages: validation.length, seed },
    },
    w,
    unaryTerm,
  );
  return {
    segmenter,
    report: {
      trainImages: train.length,
      validationImages: validation.length,
      validationErrorUnary,
      majorityError,
      warnings,
      validationError,
      validationLoss: vLoss,
      criterion,
      validationLossUnaryTuned,
      unaryNotes: [...(unaryTerm.notes ?? [])],
      pairwiseSeconds,
      pairwiseWeights: Array.from(w.subarray(crf.pairOffset)),
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

/** −x, in place. */
function negate(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = -x[i]!;
  return x;
}

/** Mean over images of the error of predicting the most frequent class of all the images' labelled pixels. */
function majorityRate(Y: readonly Uint8Array[], K: number): number {
  if (Y.length === 0) return NaN;
  const counts = new Float64Array(K);
  for (const y of Y) for (let p = 0; p < y.length; p++) if (y[p]! < K) counts[y[p]!]++;
  let top = 0;
  for (let k = 1; k < K; k++) if (counts[k]! > counts[top]!) top = k;
  let s = 0;
  for (const y of Y) {
    let n = 0;
    let wrong = 0;
    for (let p = 0; p < y.length; p++) {
      if (y[p] === IGNORE_LABEL) continue;
      n++;
      if (y[p] !== top) wrong++;
    }
    s += n === 0 ? 0 : wrong / n;
  }
  return s / Y.length;
}

/** A distinct colour for class k (a fixed bright palette, then a hash). */
export function defaultColor(k: number): number {
  const base = [0x000000, 0xe6194b, 0x3cb44b, 0xffe119, 0x4363d8, 0xf58231, 0x911eb4, 0x46f0f0, 0xf032e6, 0xbcf60c, 0xfabebe, 0x008080];
  if (k < base.length) return base[k]!;
  return ((k * 2654435761) >>> 8) & 0xffffff;
}
