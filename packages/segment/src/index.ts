// @ebmkit/segment — grid energies for image segmentation: graph cuts, α-expansion, mean-field, ICM, Gibbs;
// pixel features and unary models; SSVM, piecewise and contrastive learning; image folders; interactive mode.
// Importing this entry point never loads tfjs (the CNN unary asks core's getTf() when it is used).

export const VERSION = '0.1.0';

// --- grids and energies ---
export type { Connectivity, GridDirection } from './grid.js';
export { gridDirections, gridEdgeCount, hasNeighbour } from './grid.js';
export type { GridEnergy } from './grid-energy.js';
export {
  checkGridEnergy,
  checkLabels,
  compatibilityOf,
  forEachGridEdge,
  gridEnergy,
  pairwiseEnergy,
  pottsCompatibility,
  unaryEnergy,
} from './grid-energy.js';

// --- inference ---
export { MaxFlow } from './max-flow.js';
export type { GraphCutResult } from './binary-graph-cut.js';
export { addPairTerm, binaryGraphCut } from './binary-graph-cut.js';
export type { AlphaExpansionOptions, AlphaExpansionResult } from './alpha-expansion.js';
export { alphaExpansion, unaryArgmin } from './alpha-expansion.js';
export type { IcmOptions } from './icm.js';
export { icm } from './icm.js';
export type { GibbsOptions, GibbsResult } from './gibbs.js';
export { gibbsSample } from './gibbs.js';
export type { MeanFieldOptions, MeanFieldResult } from './mean-field.js';
export { meanField, meanFieldFreeEnergy } from './mean-field.js';

// --- features, pairwise terms, resampling ---
export { rgbToLab } from './color.js';
export { boxMean } from './box-filter.js';
export type { KMeansResult } from './kmeans.js';
export { kMeans } from './kmeans.js';
export type { PixelFeatureOptions, PixelFeatureState } from './pixel-features.js';
export { PixelFeatures } from './pixel-features.js';
export type { EdgeFeatures } from './contrast.js';
export { edgeFeatures } from './contrast.js';
export { fitSize, resampleChannels, resizeLabels, resizeLabelsSmooth, resizeRgb } from './resize.js';

// --- the model, learning ---
export { IGNORE_LABEL, countLabelled } from './labels.js';
export type { GridCrfOptions, GridInference, PairwiseKind, SegmentationInput } from './grid-crf.js';
export { EDGE_TERMS, GridCrf, addHammingToEnergies, withLabelMask } from './grid-crf.js';
export type { LogisticOptions, PixelSample } from './logistic.js';
export { logisticObjective, samplePixels, trainLogistic } from './logistic.js';
export type { PairwiseCandidate, SelectionCriterion } from './pairwise-fit.js';
export { BIAS_GRID, CONSTANT_GRID, CONTRAST_GRID, fitPairwiseWeights } from './pairwise-fit.js';
export type { ContrastiveOptions } from './contrastive.js';
export { trainContrastive } from './contrastive.js';
// --- unary terms ---
export type { Unary, UnaryFitContext, UnaryKindSpec } from './unary/unary.js';
export { CnnUnaryTerm, ForestUnaryTerm, LinearUnary, UNARY_KINDS, UNARY_KIND_NAMES } from './unary/unary.js';
export type { FilterBankOptions } from './unary/filter-bank.js';
export { DEFAULT_SCALES, FilterBank, convolveSeparable, gaussianKernel, gaussianSmooth, isGrey, mirror, symmetricEigenvalues } from './unary/filter-bank.js';
export type { ForestArrays, ForestData, ForestOptions } from './unary/forest.js';
export { RandomForest, quantileEdges } from './unary/forest.js';
export type { ForestUnaryMeta, ForestUnaryOptions } from './unary/forest-unary.js';
export { ForestUnary } from './unary/forest-unary.js';
export type { CnnConfig, CnnTrainOptions } from './cnn-unary.js';
export { CnnUnary, cnnInput } from './cnn-unary.js';
export { FeatureCache, LazyInput, cropInput, imageEdgeFeatures, logProbFeatures } from './segmentation-input.js';
export type { Prediction, SegmenterConfig, UnaryKind } from './segmenter.js';
export { SEGMENT_MODEL_KIND, Segmenter } from './segmenter.js';
export type { LearnerKind, TrainProgress, TrainReport, TrainSegmenterOptions, TrainingExample } from './train.js';
export { defaultColor, trainSegmenter } from './train.js';

// --- data: masks, folders, metrics ---
export type { LabelMap, MaskFormat, Palette } from './masks.js';
export { binaryPalette, colorHex, formatLabelCount, loadLabelMap, parseColor, parsePalette, readPalette } from './masks.js';
export type { FolderOptions, SegmentationExample, SizeRule } from './dataset.js';
export type { WorkingSizeChoice } from './dataset.js';
export { applyIgnoreMask, autoWorkingSide, ignoreMaskPaths, listImages, loadExample, loadSegmentationFolder, loadWorkingImage, splitValidation } from './dataset.js';
export { ConfusionMatrix, RocAuc, boundaryFScore, boundaryMap } from './metrics.js';

// --- interactive mode ---
export { ColorGmm } from './gmm.js';
export type { GrabCutOptions, GrabCutResult, Rect } from './grabcut.js';
export { TRIMAP_BACKGROUND, TRIMAP_FOREGROUND, TRIMAP_UNKNOWN, grabCut, trimapFromGrey, trimapFromRect } from './grabcut.js';

// --- output pictures, evaluation ---
export { encodeGrey16Png, maskImage, overlayImage } from './image-output.js';
/** PNG writing lives in core (one encoder for grey and RGB pictures); re-exported for pipelines that import segment. */
export { encodePng, writePng } from '@ebmkit/core';
export type { EvaluateOptions, EvaluationSummary, ImageScores } from './evaluation.js';
export { evaluatePairs, writeScoresCsv } from './evaluation.js';
