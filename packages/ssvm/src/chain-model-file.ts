/**
 * The `ssvm-chain` model file: a DenseChainModel's weights and label names in the one ebmkit model-file format
 * (safetensors with JSON metadata, written atomically, validated on load). Layout version 1:
 *   tensors: weights F64 [sizeJointFeature], classWeights F64 [L] (optional)
 *   metadata: labels, features, featureNames, bias, loss, and the training summary.
 */
import { loadModel, ModelFileError, saveModel, type Tensor } from '@ebmkit/core';
import { DenseChainModel } from './dense-chain-model.js';
import type { SsvmFit } from './options.js';

/** Model-file kind of a dense-feature SSVM chain. */
export const SSVM_CHAIN_KIND = 'ssvm-chain';
/** Layout version of `ssvm-chain` files. */
export const SSVM_CHAIN_FORMAT_VERSION = 1;

/** JSON metadata of an `ssvm-chain` file. */
export interface SsvmChainMetadata {
  labels: string[];
  features: number;
  featureNames: string[] | null;
  bias: boolean;
  loss: 'hamming' | 'zero-one';
  training: {
    learner: string;
    C: number;
    lambda: number;
    passes: number;
    status: string;
    /** Last log entry (NaN values stored as null). */
    primal: number | null;
    dual: number | null;
    gap: number | null;
    trainingLoss: number | null;
    seconds: number | null;
    examples: number;
  } | null;
}

/** A loaded chain: the model, its weights and label names. */
export interface SsvmChain {
  model: DenseChainModel;
  w: Float64Array;
  labels: string[];
  metadata: SsvmChainMetadata;
}

const finiteOrNull = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);

/** Saves a trained chain (atomically). */
export async function saveChainModel(
  path: string,
  chain: { model: DenseChainModel; w: Float64Array; labels: readonly string[]; featureNames?: readonly string[] | null; fit?: SsvmFit; examples?: number },
): Promise<void> {
  const { model, w, labels } = chain;
  if (labels.length !== model.labels) throw new RangeError(`${labels.length} label names for a model of ${model.labels} labels`);
  if (w.length !== model.sizeJointFeature) throw new RangeError(`weights length ${w.length} !== model.sizeJointFeature ${model.sizeJointFeature}`);
  const last = chain.fit?.log[chain.fit.log.length - 1];
  const metadata: SsvmChainMetadata = {
    labels: [...labels],
    features: model.features,
    featureNames: chain.featureNames ? [...chain.featureNames] : null,
    bias: model.bias,
    loss: model.lossKind,
    training: chain.fit
      ? {
          learner: chain.fit.learner,
          C: chain.fit.C,
          lambda: chain.fit.lambda,
          passes: chain.fit.passes,
          status: chain.fit.status,
          primal: finiteOrNull(last?.primal),
          dual: finiteOrNull(last?.dual),
          gap: finiteOrNull(last?.gap),
          trainingLoss: finiteOrNull(last?.trainingLoss),
          seconds: finiteOrNull(last?.seconds),
          examples: chain.examples ?? 0,
        }
      : null,
  };
  const tensors: Record<string, Tensor> = { weights: { dtype: 'F64', shape: [w.length], data: Float64Array.from(w) } };
  if (model.classWeights) tensors.classWeights = { dtype: 'F64', shape: [model.labels], data: Float64Array.from(model.classWeights) };
  await saveModel(path, { kind: SSVM_CHAIN_KIND, formatVersion: SSVM_CHAIN_FORMAT_VERSION, metadata: metadata as unknown as Record<string, unknown>, tensors });
}

/** Loads and checks an `ssvm-chain` file; throws a clear error for another kind or inconsistent sizes. */
export async function loadChainModel(path: string): Promise<SsvmChain> {
  const file = await loadModel<SsvmChainMetadata>(path, { kind: SSVM_CHAIN_KIND, maxFormatVersion: SSVM_CHAIN_FORMAT_VERSION });
  const m = file.metadata;
  const bad = (what: string) => new ModelFileError(path, 'invalid', what);
  if (!m || !Array.isArray(m.labels) || !Number.isInteger(m.features)) throw bad('metadata lacks labels or features');
  if (!m.labels.every((l) => typeof l === 'string') || new Set(m.labels).size !== m.labels.length) throw bad('labels must be distinct strings');
  if (m.loss !== undefined && m.loss !== 'hamming' && m.loss !== 'zero-one') throw bad(`unknown loss ${JSON.stringify(m.loss)}`);
  const cw = file.tensors.classWeights?.data;
  let model: DenseChainModel;
  try {
    model = new DenseChainModel({
      labels: m.labels.length,
      features: m.features,
      bias: m.bias === true,
      loss: m.loss ?? 'hamming',
      ...(cw instanceof Float64Array ? { classWeights: cw } : {}),
    });
  } catch (e) {
    throw bad((e as Error).message); // the model's own checks (label count, feature count, class weights)
  }
  const w = file.tensors.weights?.data;
  if (!(w instanceof Float64Array) || w.length !== model.sizeJointFeature) {
    throw bad(`weights tensor has ${w?.length ?? 0} values, expected ${model.sizeJointFeature} for ${m.labels.length} labels × ${m.features} features`);
  }
  return { model, w: Float64Array.from(w), labels: m.labels, metadata: m };
}
