// @ebmkit/parse — dependency parsing as an energy model. Named exports only.

export const VERSION = '0.1.0';

export type { ConlluParseSentence, ParseResult, ParseSentence } from './sentence.js';
export { checkSentence, formatConllu, fromConllu, readParseCorpus } from './sentence.js';
export type { ChildSpans, ParseFeatureOptions, SentenceCodes } from './features.js';
export { arcFeatures, betweenTags, FEATURE_VERSION, childSpans, labelFeatures, maxArcFeatures, scoreArcs, sentenceCodes } from './features.js';
export type { ParserConfig } from './model.js';
export { decodeTree, DependencyParser, labelTree, MAX_PARSE_WORDS, MAX_PROJECTIVE_PARSE_WORDS, PARSER_FORMAT_VERSION, PARSER_MODEL_KIND } from './model.js';
export type { ParseLearner, ParserTrainOptions, ParserTrainResult } from './train.js';
export { PARSE_LEARNERS, trainParser } from './train.js';
export type { ParseScores, RelationScore } from './eval.js';
export { evaluateParses, formatParseScores, universalRelation } from './eval.js';
export type { ParserSsvmOptions } from './structured-model.js';
export { ArcFactoredModel, trainParserSsvm } from './structured-model.js';
export { RelationLearner } from './relation-learner.js';
export { prepareTraining } from './train.js';
export { englishParserPath, loadEnglishParser } from './english.js';
