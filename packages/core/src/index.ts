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
export type { ScoredLabels } from './chain/kbest.js';
export { kBest } from './chain/kbest.js';
export type { ChainMarginals } from './chain/distribution.js';
export { ChainDistribution } from './chain/distribution.js';
export type { SparseVector } from './structured/sparse.js';
export { addSparse, SparseBuilder, sparseDot, sparseToDense } from './structured/sparse.js';
export type { StructuredModel } from './structured/structured-model.js';
export { addHammingLoss, hammingLoss } from './structured/hamming.js';

// --- optimisers (optim/) ---

// --- model files and data loaders (io/, data/) ---

// --- tfjs backend selection (backend.ts) ---
