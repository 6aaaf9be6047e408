// @ebmkit/ssvm — structured-SVM learners for any core StructuredModel. Named exports only.

export const VERSION = '0.1.0';

// Objective, options, results
export type { ResolvedOptions, SsvmFit, SsvmLearnerName, SsvmOptions, SsvmPass, SsvmStatus } from './options.js';
export { cFromLambda, lambdaFromC, resolveOptions, SSVM_DEFAULTS } from './options.js';
export type { SsvmModel } from './ssvm-model.js';

// Learners
export { SsvmLearner, TrainingRun } from './learner.js';
export { BcfwLearner, dualObjective } from './bcfw.js';
export type { BcfwOptions } from './bcfw.js';
export { NSlackLearner } from './n-slack.js';
export type { NSlackOptions } from './n-slack.js';
export { OneSlackLearner } from './one-slack.js';
export type { OneSlackOptions } from './one-slack.js';
export { SubgradientLearner } from './subgradient.js';
export type { SubgradientOptions } from './subgradient.js';
export { PERCEPTRON_DEFAULTS, PerceptronLearner } from './perceptron.js';
export type { PerceptronOptions } from './perceptron.js';
export { createLearner } from './create-learner.js';
export { SSVM_LEARNER_REGISTRY, SSVM_LEARNERS, ssvmLearner, ssvmLearnerHelp } from './registry.js';
export type { SsvmLearnerEntry } from './registry.js';
export type { LearnerOptions } from './create-learner.js';

// Building blocks
export { Oracle, dot, norm2 } from './oracle.js';
export type { Constraint } from './oracle.js';
export { SparseAccumulator } from './sparse-accumulator.js';
export { HybridVector } from './hybrid-vector.js';
export { AveragedIterate } from './averaged-iterate.js';
export { outputKey } from './output-key.js';

// Models
export { MulticlassModel } from './multiclass-model.js';
export type { MulticlassModelOptions } from './multiclass-model.js';
export { DenseChainModel } from './dense-chain-model.js';
export type { DenseChainModelOptions, DenseSequence } from './dense-chain-model.js';

// Data and model files of the dense chain
export { encodeTableLabels, readSequenceTable } from './sequence-table.js';
export type { SequenceTable, SequenceTableOptions } from './sequence-table.js';
export { loadChainModel, saveChainModel, SSVM_CHAIN_FORMAT_VERSION, SSVM_CHAIN_KIND } from './chain-model-file.js';
export type { SsvmChain, SsvmChainMetadata } from './chain-model-file.js';
