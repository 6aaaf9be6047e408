// @ebmkit/crf — linear-chain CRFs for sequence labelling. Named exports only.

export const VERSION = '0.1.0';

// The model
export { Crf, CRF_FORMAT_VERSION, CRF_MODEL_KIND } from './model.js';
export type { CrfLabelling, CrfMarginals, CrfTrainingInfo } from './model.js';
export { trainCrf } from './train/train.js';
export type { CrfTrainResult } from './train/train.js';
export { CRF_ALGORITHM_REGISTRY, CRF_ALGORITHMS, crfAlgorithm, crfHyperparameters } from './train/algorithms/registry.js';
export type { AlgorithmContext, AlgorithmResult, CrfAlgorithm, Hyperparameter } from './train/algorithms/algorithm.js';
export type {
  CrfProgress,
  CrfTrainer,
  CrfTrainOptions,
  LbfgsTrainer,
  OwlqnTrainer,
  PerceptronTrainer,
  SgdTrainer,
} from './train/options.js';
export { CrfStructuredModel, crfNameOfLearner, learnerOfCrfName, SSVM_CRF_ALGORITHMS, trainCrfSsvm } from './structured-model.js';
export type { CrfSsvmResult, SsvmCrfAlgorithm, SsvmCrfTrainer } from './structured-model.js';
export { detectScheme, schemeMasks } from './constraints.js';
export type { DecodeConstraints, LabelScheme } from './constraints.js';

// Data
export { corpusItems, encodeCorpus } from './corpus.js';
export type { EncodedCorpus, LabeledSequence } from './corpus.js';
export { buildFeatureIndex, countFeatures, stateFeature } from './feature-index.js';
export type { FeatureGenerationOptions, FeatureIndex } from './feature-index.js';
export { featureExtractor, isItemSequence, toItems } from './feature-spec.js';
export type { CrfInput, FeatureSpec } from './feature-spec.js';
export { stateScores, transitionWeights } from './potentials.js';
export { LikelihoodWorkspace, negLogLikelihood } from './train/objective.js';
export { ParallelLikelihood } from './train/parallel-likelihood.js';

// Features
export {
  internItemSequence,
  itemAttributes,
  itemSequenceFromAttributes,
  ItemSequenceBuilder,
} from './features/item-sequence.js';
export type {
  Attributes,
  FeatureExtractor,
  InternedItemSequence,
  ItemSequence,
  TokenColumns,
} from './features/item-sequence.js';
export {
  BUILTIN_FEATURE_SETS,
  builtinFeatures,
  chunkingFeatures,
  nerFeatures,
  posFeatures,
  wordShape,
  wordTypeAttributes,
} from './features/builtin.js';
export type { BuiltinFeatureSetName, ChunkingFeatureOptions, LexicalFeatureOptions } from './features/builtin.js';
export {
  checkTemplateColumns,
  expandTemplate,
  loadTemplate,
  parseTemplate,
  TemplateError,
  templateBoundaryToken,
  templateFeatures,
} from './features/template.js';
export type { CrfTemplate, TemplateMacro, UnigramTemplate } from './features/template.js';

// Evaluation
export { conlleval, conllevalText, ConllevalAccumulator, formatConlleval } from './eval/conlleval.js';
export type { ChunkRules, ChunkScore, ConllevalOptions, ConllevalResult } from './eval/conlleval.js';
export { confusions, formatConfusions, formatLabelReport, labelReport, tokenAccuracy } from './eval/label-report.js';
export type { Confusion, LabelReport, LabelScore, TokenAccuracy } from './eval/label-report.js';

// Raw text
export { createTokenizer, splitSentences, tokenSpans } from './text/tokenize.js';
export type { TextSentence, TextToken, Tokenizer } from './text/tokenize.js';
export { SentenceStream } from './text/sentence-stream.js';
export type { SentenceStreamOptions, SentenceStreamStats } from './text/sentence-stream.js';
export { englishTaggerPath, loadEnglishTagger, TextTagger } from './text/tagger.js';
export type { TaggedTextSentence, TaggedToken, TaggedWord, TagOptions } from './text/tagger.js';
export { PosScorer } from './features/pos-scorer.js';

// Labelled files
export { formatFromName, readLabeledSequences, readTaggedSentences } from './data.js';
export type { LabeledFormat, ReadTaggedOptions, TaggedSentence } from './data.js';
