import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DependencyParser } from './model.js';

const FILE = 'en-ewt-parser.safetensors';

/**
 * Path of the bundled English parser (models/en-ewt-parser.safetensors in this package): trained on UD English-EWT
 * r2.16 train (CC BY-SA 4.0) by `npm run train:parser`; it expects UPOS tags such as the bundled tagger's.
 */
export function englishParserPath(): string {
  // From the sources (src/english.ts) and the build (dist/english.js): ../models; from a bundle that inlined this
  // module (the ebm CLI): the installed package's models/ folder.
  const candidates = [fileURLToPath(new URL(`../models/${FILE}`, import.meta.url))];
  try {
    candidates.push(fileURLToPath(new URL(`models/${FILE}`, import.meta.resolve('@ebmkit/parse/package.json'))));
  } catch {
    // not resolvable from here: keep the first candidate
  }
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

let cached: Promise<DependencyParser> | undefined;

/** Loads (once) the bundled English parser: `(await loadEnglishParser()).parseTokens(words, upos)`. */
export function loadEnglishParser(): Promise<DependencyParser> {
  cached ??= DependencyParser.load(englishParserPath()).catch((e) => {
    cached = undefined;
    throw e;
  });
  return cached;
}
