// @ebmkit/core/energy — energies over continuous or binary x (tfjs): samplers, contrastive MLE,
// Boltzmann machines, RBM/DBN with AIS, JEM, composition. Importing this entry point loads tfjs;
// the main `@ebmkit/core` entry never does. Call `selectBackend()` (from `@ebmkit/core`) first.

// --- energies, composition, samplers, replay buffer, contrastive training, JEM (helper: energy) ---
export type { EnergyFunction, ConditionEnergy, WeightedEnergy, EnergyAndGradient, GradientSession } from './energy-function.js';
export { composeEnergies, conditionEnergy, energyAndGradient, maskedQuadraticEnergy } from './energy-function.js';
export { normalNoise, uniformNoise } from './noise.js';
export type { ClampRange, CommonSamplerOptions, LangevinOptions, SgldOptions, MalaOptions, SamplerOptions } from './sampler-options.js';
export { checkSamplerOptions } from './sampler-options.js';
export type { SamplerStepCallback } from './langevin.js';
export { langevin, sgld, driftNoiseChain } from './langevin.js';
export type { MalaResult } from './mala.js';
export { mala } from './mala.js';
export type { SampleResult } from './run-sampler.js';
export { runSampler } from './run-sampler.js';
export type { NoiseInit, ReplayBufferOptions, ReplayDraw } from './replay-buffer.js';
export { ReplayBuffer, uniformInit, normalInit } from './replay-buffer.js';
export { PersistentChains } from './persistent-chains.js';
export type { TwoSampleResult } from './two-sample-test.js';
export { energyDistanceTest } from './two-sample-test.js';
export type { CheckpointMetadata, Checkpoint } from './checkpoint.js';
export {
  CHECKPOINT_KIND,
  CHECKPOINT_VERSION,
  DivergenceError,
  saveCheckpoint,
  loadCheckpoint,
  restoreOptimizer,
  restoreVariables,
  snapshotVariables,
} from './checkpoint.js';
export type { NegativeSource, ContrastiveStep, ContrastiveOptions, ContrastiveResult } from './contrastive.js';
export { trainContrastive, layersVariables } from './contrastive.js';
export { filterGradientKernel, registerWasmConvGradients, type FilterGradientKernel } from './conv-gradients.js';
export type { JemArchitecture } from './jem/classifier.js';
export { buildJemClassifier } from './jem/classifier.js';
export type { JemMetadata } from './jem/jem-model.js';
export { Jem, JEM_KIND, JEM_FORMAT_VERSION } from './jem/jem-model.js';
export type { LabelledData, JemSgldOptions, JemTrainOptions, JemStep, JemTrainResult, JemEarlyStopOptions, JemCheck } from './jem/train-jem.js';
export type { GaussianComponent } from './gaussian-init.js';
export { cholesky, fitClassGaussians, gaussianMixtureInit } from './gaussian-init.js';
export { trainJem, flipRowLeftRight } from './jem/train-jem.js';
export type { JointLossWeights, JointLossGradients, FastGradientSession } from './jem/fast-cnn.js';
export { FastJemNet, winogradConv3x3, winogradFilter } from './jem/fast-cnn.js';
export type { JemScores, OodAuroc, JemEvaluation } from './jem/evaluate-jem.js';
export { scoreJem, oodAuroc, evaluateJem, predictJem, classificationMetrics } from './jem/evaluate-jem.js';
export type { JemSampleOptions } from './jem/sample-jem.js';
export { sampleJem } from './jem/sample-jem.js';
export type { AttackNorm, PgdOptions, RefineOptions, RobustAccuracyOptions, RobustAccuracy } from './jem/attack.js';
export { pgdAttack, refineInputs, robustAccuracy, crossEntropyRows, crossEntropyAndInputGradient } from './jem/attack.js';
export type { InpaintOptions, InpaintTerms, InpaintResult } from './jem/inpaint-jem.js';
export { inpaintJem, inpaintingEnergy } from './jem/inpaint-jem.js';
export { accuracy, argmaxRows, auroc, expectedCalibrationError } from './jem/metrics.js';

// --- Boltzmann machines, RBM, DBN, AIS (helper: boltzmann) ---
export type { RowMatrix } from './boltzmann/row-matrix.js';
export {
  binarize,
  checkDataValues,
  checkRowMatrix,
  columnMeans,
  dataRange,
  rescaleToUnitInterval,
  selectRows,
} from './boltzmann/row-matrix.js';
export type { BinaryMoments, BoltzmannMachineParameters, BoltzmannTrainOptions } from './boltzmann/boltzmann-machine.js';
export { BoltzmannMachine, dataMoments, trainBoltzmannMachine } from './boltzmann/boltzmann-machine.js';
export type { VisibleUnits, RbmParameters, RbmSampleOptions, RbmFileExtras, SavedRbm } from './boltzmann/rbm.js';
export { Rbm, RBM_MODEL_KIND, rbmToModelFile, rbmFromModelFile, saveRbm, loadRbm } from './boltzmann/rbm.js';
export type { RbmTrainingMethod, RbmTrainOptions, RbmEpochReport, RbmTrainResult } from './boltzmann/rbm-train.js';
export { trainRbm, RbmDivergenceError } from './boltzmann/rbm-train.js';
export type { RbmParameterArrays } from './boltzmann/rbm-tensors.js';
export type { RbmGradient } from './boltzmann/rbm-exact.js';
export {
  enumeratedLayer,
  rbmLogPartition,
  rbmFreeEnergy64,
  rbmExactLogLikelihood,
  rbmExactGradient,
  rbmVisibleDistribution,
} from './boltzmann/rbm-exact.js';
export type { RbmAisOptions, RbmAisResult } from './boltzmann/rbm-ais.js';
export { aisSchedule, baseRateVisibleBias, rbmAis, rbmLogLikelihood } from './boltzmann/rbm-ais.js';
export type { ImageGridOptions } from './boltzmann/image-grid.js';
export { imageGrid, writeImageGrid, rbmFilters } from './boltzmann/image-grid.js';
export type { GrayImage } from '../data/png.js';
export { encodePng, writePng } from '../data/png.js';
export type { DbnPretrainOptions, DenseLayer, DbnFineTuneOptions } from './boltzmann/dbn.js';
export {
  pretrainDbn,
  fineTuneDbn,
  DbnClassifier,
  DBN_MODEL_KIND,
  dbnToModelFile,
  dbnFromModelFile,
  saveDbn,
  loadDbn,
} from './boltzmann/dbn.js';

// --- Hopfield networks: classical binary (Hebbian, pseudo-inverse) and modern continuous (helper: hopfield) ---
export type { HopfieldParameters, HopfieldRecallOptions, AsyncRecallResult, SyncOutcome, SyncRecallResult } from './hopfield/classical.js';
export { HopfieldNetwork, hammingDistance, toSpins } from './hopfield/classical.js';
export type { ModernRecallResult } from './hopfield/modern.js';
export { ModernHopfield, suggestBeta } from './hopfield/modern.js';
export type { DisposableEnergy } from './hopfield/energy-functions.js';
export { hopfieldEnergy, modernHopfieldEnergy } from './hopfield/energy-functions.js';
export type { SavedHopfield } from './hopfield/hopfield-file.js';
export { HOPFIELD_MODEL_KIND, HOPFIELD_FORMAT_VERSION, hopfieldToModelFile, hopfieldFromModelFile, saveHopfield, loadHopfield } from './hopfield/hopfield-file.js';
