// @ebmkit/core/testing — helpers for checking models: brute-force enumeration, gradient checks, random problems.
export {
  bruteForceChain,
  bruteForceSemiring,
  enumerateLabellings,
  labellingIndex,
} from './brute-force.js';
export type { BruteForceChain } from './brute-force.js';
export { checkGradient, checkObjectiveGradient, finiteDifferenceGradient } from './gradient-check.js';
export type { GradientCheck } from './gradient-check.js';
export { randomChainPotentials } from './random-potentials.js';
export type { RandomPotentialOptions } from './random-potentials.js';
export { chiSquareTest } from './chi-square.js';
export { bruteForceTree, enumerateTrees, randomTreePotentials, treeKey } from './brute-force-tree.js';
export type { BruteForceTree } from './brute-force-tree.js';
