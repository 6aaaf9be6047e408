// @ebmkit/core — the public API. Named exports only; each block is one area of the package.

export const VERSION = '0.1.0';

// Randomness and interning
export type { Rng } from './rng.js';
export { createRng } from './rng.js';
export { Dictionary } from './dictionary.js';

// --- semirings, chain DP, structured models (chain/, structured/) ---
export type { Semiring } from './chain/semiring.js';
export { genericMatvec, LogSemiring, MaxSemiring, SCALED_RANGE_LIMIT, SumSemiring } from './chain/semiring.js';
export type { ChainPotentials } from './chain/potentials.js';
export { checkPotentials, potentialsFromEnergies, sequenceScore } from './chain/potentials.js';
export type { LiftedChain } from './chain/dp.js';
export { backtrace, backward, forward, liftChain } from './chain/dp.js';
export { ChainWorkspace, sumSemiringFor } from './chain/inference.js';
export type { ChainWorkspaceOptions } from './chain/inference.js';
export { instantiateKernels, instantiateWasm, regrowWasm, WasmKernels } from './wasm-module.js';
export type { WasmInstance, WasmMemory } from './wasm-module.js';
export type { ScoredLabels } from './chain/kbest.js';
export { kBest } from './chain/kbest.js';
export type { ChainMarginals } from './chain/distribution.js';
export { ChainDistribution } from './chain/distribution.js';
export type { SparseVector } from './structured/sparse.js';
export { addSparse, SparseBuilder, sparseDot, sparseToDense } from './structured/sparse.js';
export type { StructuredModel } from './structured/structured-model.js';
export { addHammingLoss, hammingLoss } from './structured/hamming.js';

// --- dependency trees (tree/) ---
export type { TreeOptions, TreePotentials } from './tree/potentials.js';
export { checkTreePotentials, isProjective, treeError, treeScore } from './tree/potentials.js';
export type { EisnerChart } from './tree/eisner.js';
export { eisnerBacktrace, eisnerInside, eisnerOutside } from './tree/eisner.js';
export type { MatrixTreeResult } from './tree/matrix-tree.js';
export { matrixTree } from './tree/matrix-tree.js';
export { chuLiuEdmonds } from './tree/chu-liu-edmonds.js';
export { wilsonSample } from './tree/wilson.js';
export type { ScoredTree } from './tree/distribution.js';
export { TreeDistribution } from './tree/distribution.js';

// --- optimisers (optim/) ---
export type { Objective, LbfgsOptions, LbfgsResult, LbfgsIteration, LbfgsStatus } from './optim/lbfgs.js';
export { LBFGS_DEFAULTS, minimizeLbfgs } from './optim/lbfgs.js';
export type { SoftmaxRegression, SoftmaxRegressionData, SoftmaxRegressionObjectiveOptions, SoftmaxRegressionOptions } from './optim/softmax-regression.js';
export { fitSoftmaxRegression, predictSoftmaxRegression, softmaxRegressionObjective } from './optim/softmax-regression.js';
export type { LineSearchCode, LineSearchOutcome, LineSearchParams, LineSearchProblem } from './optim/line-search.js';
export { DEFAULT_LINE_SEARCH, backtrackingLineSearch, moreThuenteLineSearch } from './optim/line-search.js';
export type { LearningRateSchedule } from './optim/schedules.js';
export { checkSchedule, learningRate } from './optim/schedules.js';
export type {
  GradientSink,
  ScaledWeights,
  SgdCalibration,
  SgdEpoch,
  SgdOptions,
  SgdProblem,
  SgdResult,
} from './optim/sgd.js';
export { sgdMinimize } from './optim/sgd.js';

// --- model files and data loaders (io/, data/) ---
export type { Dtype, DtypeArray, TensorData, Tensor, Safetensors, SafetensorsLayout, ModelFileErrorCode } from './io/safetensors.js';
export { ModelFileError, DTYPES, dtypeSize, firstInvalidElement, encodeSafetensors, decodeSafetensors, MAX_HEADER_BYTES } from './io/safetensors.js';
export type { ModelFile, LoadModelOptions } from './io/model-file.js';
export { MODEL_FORMAT_VERSION, METADATA_KEY, CHECKSUM_KEY, encodeModel, decodeModel, saveModel, loadModel } from './io/model-file.js';
export { registerTempFile, removeStaleTempFiles, writeFileAtomic } from './io/atomic-write.js';
export { FileError, fsErrorWords, isErrnoError, toFileError } from './io/fs-errors.js';
export { outputDirectoryProblem, outputFileProblem } from './io/output-path.js';
export { DataError } from './data/data-error.js';
export { isGzipFile, readLines, readLineBatches } from './data/lines.js';
export type { ConllSentence, ConllOptions } from './data/conll.js';
export { readConll } from './data/conll.js';
export type { ConlluWord, ConlluMultiword, ConlluEmptyNode, ConlluSentence } from './data/conllu.js';
export { readConllu, CONLLU_COLUMNS } from './data/conllu.js';
export type { IdxType, IdxArray, IdxTensor } from './data/idx.js';
export { readIdx, decodeIdx } from './data/idx.js';
export type { CsvMatrixOptions, CsvMatrix } from './data/csv.js';
export { readCsvMatrix } from './data/csv.js';
export type { ImageMaskPair, RgbImage, BinaryMask } from './data/image-folders.js';
export { IMAGE_EXTENSIONS, listImages, pairImageMaskFolders, loadImage, loadMask } from './data/image-folders.js';
export type { GrayImage } from './data/png.js';
export { encodePng, encodePngSamples, writePng } from './data/png.js';

// --- checks at the public boundary (check/) ---
export type { NumberConstraint } from './check/number-option.js';
export { checkNumberOption, checkNumberOptions, numberProblem } from './check/number-option.js';
export { defaultMemoryBudget, formatBytes, MAX_ARRAY_BYTES, memoryProblem } from './check/memory.js';

// tfjs backend selection lives in the `@ebmkit/core/backend` entry (src/backend/index.ts), so that neither this
// entry's code nor its types reference tfjs: a project that uses only chains, CRFs or SSVMs needs no tfjs installed.
