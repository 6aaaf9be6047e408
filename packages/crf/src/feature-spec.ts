import {
  builtinFeatures,
  type BuiltinFeatureSetName,
  type ChunkingFeatureOptions,
  type LexicalFeatureOptions,
} from './features/builtin.js';
import type { FeatureExtractor, ItemSequence, TokenColumns } from './features/item-sequence.js';
import { parseTemplate, templateFeatures } from './features/template.js';

/**
 * How a model turns tokens into attributes; stored in the model file so that tagging applies exactly
 * the extraction used in training.
 */
export type FeatureSpec =
  /** Attributes are given directly (ItemSequence input only). */
  | { kind: 'attributes' }
  /** A built-in feature set. */
  | { kind: 'builtin'; name: BuiltinFeatureSetName; options?: ChunkingFeatureOptions & LexicalFeatureOptions }
  /** A CRF++ template (its text), applied to token columns. */
  | { kind: 'template'; text: string; file?: string; columns: number };

/** The extractor of a spec (null for 'attributes'). */
export function featureExtractor(spec: FeatureSpec): FeatureExtractor | null {
  switch (spec.kind) {
    case 'attributes':
      return null;
    case 'builtin':
      return builtinFeatures(spec.name, spec.options ?? {});
    case 'template':
      return templateFeatures(parseTemplate(spec.text, spec.file ? { file: spec.file } : {}), { columns: spec.columns });
  }
}

/** What a model can tag: attributes, a list of words, or token columns ([token][column]). */
export type CrfInput = ItemSequence | readonly string[] | TokenColumns;

/** True for an ItemSequence (flat attributes) as opposed to words or token columns. */
export function isItemSequence(x: CrfInput): x is ItemSequence {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'offsets' in x && 'names' in x;
}

/** Turns any CrfInput into attributes with `extractor` (words become one-column tokens). */
export function toItems(input: CrfInput, extractor: FeatureExtractor | null, spec: FeatureSpec): ItemSequence {
  if (isItemSequence(input)) return input;
  if (!extractor) {
    throw new TypeError('this model was trained on attributes given through the API: pass an ItemSequence, not tokens');
  }
  const arr = input as readonly (string | readonly string[])[];
  const tokens: TokenColumns = arr.map((tok) => (typeof tok === 'string' ? [tok] : tok));
  if (spec.kind === 'template' || (spec.kind === 'builtin' && spec.name === 'chunking')) {
    const need = spec.kind === 'template' ? spec.columns : 1 + Math.max(spec.options?.wordColumn ?? 0, spec.options?.posColumn ?? 1);
    for (let t = 0; t < tokens.length; t++) {
      if (tokens[t]!.length < need) {
        throw new RangeError(
          `token ${t + 1} (${JSON.stringify(tokens[t]!.join(' '))}) has ${tokens[t]!.length} column(s); this model's features need ${need}`,
        );
      }
    }
  }
  return extractor(tokens);
}
