// @ebmkit/core — the public API. Named exports only; each block is one area of the package.

export const VERSION = '0.1.0';

// Randomness and interning
export type { Rng } from './rng.js';
export { createRng } from './rng.js';
export { Dictionary } from './dictionary.js';

// --- semirings, chain DP, structured models (chain/, structured/) ---

// --- optimisers (optim/) ---

// --- model files and data loaders (io/, data/) ---

// --- tfjs backend selection (backend.ts) ---
