/** `ebm tag`: tag raw English text with the bundled part-of-speech model (or --model). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Crf } from '@ebmkit/crf';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError } from '../errors.js';
import { openTextInputs, tagTextLines, TAG_OUTPUT_FORMATS, type TagOutputFormat } from './tagging-io.js';

/** The bundled UD English-EWT UPOS tagger (models/en-upos.safetensors in the CLI package). */
export function bundledModelPath(): string {
  // From the bundle (packages/cli/dist/bundle/*.js) and from the sources (packages/cli/src/commands/*.ts).
  const candidates = ['../../models/en-upos.safetensors', '../../../models/en-upos.safetensors'];
  for (const c of candidates) {
    const p = fileURLToPath(new URL(c, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fileURLToPath(new URL(candidates[0]!, import.meta.url));
}

const tag = defineCommand({
  name: 'tag',
  summary: 'Tag English text with part-of-speech tags (bundled UD English-EWT model)',
  description:
    'Tags TEXT arguments, the lines of FILES (arguments naming existing files are read), or stdin, line by line with ' +
    'constant memory. Sentences and tokens come from the natural tokenizer. Output: word/TAG per sentence (default), ' +
    'CoNLL columns, or JSON lines (with --marginals, every tag probability of each token).',
  options: [
    { name: 'model', short: 'm', type: 'string', placeholder: 'MODEL', help: 'Use this CRF model instead of the bundled tagger' },
    { name: 'format', short: 'f', type: 'enum', choices: TAG_OUTPUT_FORMATS, default: 'slash', help: 'Output format' },
    { name: 'marginals', type: 'boolean', help: 'With --format jsonl: per-token tag probabilities' },
  ],
  args: [{ name: 'TEXT|FILES', help: 'Text to tag, or files to read (stdin when none)', required: false, variadic: true }],
  examples: ['ebm tag "The quick brown fox jumps over the lazy dog."', 'ebm tag --format jsonl --marginals notes.txt', 'cat book.txt | ebm tag > tagged.txt'],
  async run(ctx) {
    const path = ctx.options.model ?? bundledModelPath();
    if (!ctx.options.model && !existsSync(path)) {
      throw new CliError(`the bundled model is missing at ${path}; run 'npm run train:bundled' or pass --model`);
    }
    const model = await Crf.load(path);
    await tagTextLines(model, openTextInputs(ctx.args, ctx.io), ctx.io.stdout, {
      format: ctx.options.format as TagOutputFormat,
      marginals: ctx.options.marginals,
    });
  },
});

export const commands: TaskModule['commands'] = [tag];
