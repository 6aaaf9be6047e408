// @ebmkit/segment — grid energies for image segmentation: graph cuts, α-expansion, mean-field, ICM, Gibbs;
// pixel features and unary models; SSVM, piecewise and contrastive learning; image folders; interactive mode.
// Importing this entry point never loads tfjs (the CNN unary asks core's getTf() when it is used).

export const VERSION = '0.1.0';

// --- grids and energies ---
export type { Connectivity, GridDirection, GridEdgeSpan } from './grid/grid.js';
export { gridDirections, gridEdgeCount, gridEdgeSpans, hasNeighbour } from './grid/grid.js';
export type { GridEnergy } from './grid/grid-energy.js';
export {
  checkGridEnergy,
  checkLabels,
  compatibilityOf,
  forEachGridEdge,
  gridEnergy,
  pairwiseEnergy,
  pottsCompatibility,
  unaryEnergy,
} from './grid/grid-energy.js';

// --- inference ---
export { MaxFlow } from './inference/max-flow.js';
export type { GraphCutResult } from './inference/binary-graph-cut.js';
export { addPairTerm, binaryGraphCut } from './inference/binary-graph-cut.js';
export type { AlphaExpansionOptions, AlphaExpansionResult } from './inference/alpha-expansion.js';
export { alphaExpansion, unaryArgmin } from './inference/alpha-expansion.js';
export type { IcmOptions } from './inference/icm.js';
export { icm } from './inference/icm.js';
export type { GibbsOptions, GibbsResult } from './inference/gibbs.js';
export { gibbsSample } from './inference/gibbs.js';
export type { MeanFieldOptions, MeanFieldResult } from './inference/mean-field.js';
export { meanField, meanFieldFreeEnergy } from './inference/mean-field.js';

// --- features, pairwise terms, resampling ---
export { rgbToLab } from './unary/color.js';
export { boxMean } from './unary/box-filter.js';
export type { KMeansResult } from './unary/kmeans.js';
export { kMeans } from './unary/kmeans.js';
export type { PixelFeatureOptions, PixelFeatureState } from './unary/pixel-features.js';
export { PixelFeatures } from './unary/pixel-features.js';
export type { EdgeFeatures } from './grid/contrast.js';
export { edgeFeatures } from './grid/contrast.js';
export { fitSize, resampleChannels, resizeLabels, resizeLabelsSmooth, resizeRgb } from './data/resize.js';

// --- the model, learning ---
export { IGNORE_LABEL, countLabelled } from './grid/labels.js';
export type { GridCrfOptions, GridInference, PairwiseKind, SegmentationInput } from './learning/grid-crf.js';
export { EDGE_TERMS, GridCrf, addHammingToEnergies, withLabelMask } from './learning/grid-crf.js';
export type { LogisticOptions, PixelSample } from './unary/logistic.js';
export { logisticObjective, samplePixels, trainLogistic } from './unary/logistic.js';
export type { PairwiseCandidate, SelectionCriterion } from './learning/pairwise-fit.js';
export { BIAS_GRID, CONSTANT_GRID, CONTRAST_GRID, fitPairwiseWeights } from './learning/pairwise-fit.js';
export type { ContrastiveOptions } from './learning/contrastive.js';
export { trainContrastive } from './learning/contrastive.js';
// --- unary terms ---
export type { CnnFitOptions, CnnSettings, UNetFitOptions, Unary, UnaryFitContext, UnaryKindSpec } from './unary/unary.js';
export { CnnUnaryTerm, ForestUnaryTerm, LinearUnary, ProductUnary, RARE_FOREGROUND, UNARY_KINDS, UNARY_KIND_NAMES, UNET_DEFAULT_SECONDS, UNetUnaryTerm, cnnSettingsFor, foregroundShare } from './unary/unary.js';
export type { UNetConfig, UNetConv, UNetSettings, UNetTrainOptions } from './unary/unet-unary.js';
export { UNet, resolveUNetConfig, unetArchitecture, unetFlopsPerPixel, unetInput, unetInputChannels } from './unary/unet-unary.js';
export type { FilterBankOptions } from './unary/filter-bank.js';
export { DEFAULT_SCALES, FilterBank, convolveSeparable, gaussianKernel, gaussianSmooth, isGrey, mirror, symmetricEigenvalues } from './unary/filter-bank.js';
export type { ForestArrays, ForestData, ForestOptions } from './unary/forest.js';
export { RandomForest, quantileEdges } from './unary/forest.js';
export type { ForestUnaryMeta, ForestUnaryOptions, UnaryValidation } from './unary/forest-unary.js';
export { CONTEXT_SCALES, ForestUnary, contextPlanes, mergeForests } from './unary/forest-unary.js';
export type { CnnConfig, CnnTrainOptions } from './unary/cnn-unary.js';
export { CnnUnary, balancedClassWeights, cnnInput, transformPatch } from './unary/cnn-unary.js';
export { FeatureCache, LazyInput, cropInput, imageEdgeFeatures, logProbFeatures } from './learning/segmentation-input.js';
export type { Prediction, SegmenterConfig, UnaryKind } from './learning/segmenter.js';
export { SEGMENT_MODEL_KIND, Segmenter } from './learning/segmenter.js';
export type { LearnerKind, TrainProgress, TrainReport, TrainSegmenterOptions, TrainingExample, UnaryCandidate } from './learning/train.js';
export type { CurvePoint, CurveVerdict } from './learning/early-stopping.js';
export { CurveJudge, tunedUnaryLoss } from './learning/early-stopping.js';
export { CHECKPOINT_EVERY, PRODUCT_BETAS, defaultColor, pilotStopSeconds, trainSegmenter } from './learning/train.js';

// --- data: masks, folders, metrics ---
export type { LabelMap, MaskFormat, Palette } from './data/masks.js';
export { binaryPalette, colorHex, formatLabelCount, loadLabelMap, parseColor, parsePalette, readPalette } from './data/masks.js';
export type { FolderOptions, SegmentationExample, SizeRule } from './data/dataset.js';
export type { WorkingSizeChoice } from './data/dataset.js';
export { applyIgnoreMask, autoWorkingSide, ignoreMaskPaths, listImages, loadExample, loadSegmentationFolder, loadWorkingImage, splitValidation } from './data/dataset.js';
export { ConfusionMatrix, RocAuc, boundaryFScore, boundaryMap } from './data/metrics.js';

// --- interactive mode ---
export { ColorGmm } from './interactive/gmm.js';
export type { GrabCutOptions, GrabCutResult, Rect } from './interactive/grabcut.js';
export { TRIMAP_BACKGROUND, TRIMAP_FOREGROUND, TRIMAP_UNKNOWN, grabCut, trimapFromGrey, trimapFromRect } from './interactive/grabcut.js';

// --- output pictures, evaluation ---
export { encodeGrey16Png, maskImage, overlayImage } from './data/image-output.js';
/** PNG writing lives in core (one encoder for grey and RGB pictures); re-exported for pipelines that import segment. */
export { encodePng, writePng } from '@ebmkit/core';
export type { EvaluateOptions, EvaluationSummary, ImageScores } from './data/evaluation.js';
export { evaluatePairs, writeScoresCsv } from './data/evaluation.js';
