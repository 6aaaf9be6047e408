/** `ebm tag`: tag English text with the bundled part-of-speech model (or --model). */
import { existsSync } from 'node:fs';
import { englishTaggerPath, TextTagger } from '@ebmkit/crf';
import { defineCommand, type TaskModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { OutputSink, TAG_OUTPUT_FORMATS, type SentenceRecord, type TagOutputFormat } from './tag-output.js';
import { inputFormatFromName, tagSource, TAG_INPUT_FORMATS, type TagInputFormat } from './tagging-io.js';
import { inputName, resolveInputs } from './text-input.js';

/** The bundled UD English-EWT UPOS tagger (models/en-upos.safetensors in @ebmkit/crf). */
export function bundledModelPath(): string {
  return englishTaggerPath();
}

const tag = defineCommand({
  name: 'tag',
  summary: 'Tag English text with part-of-speech tags (bundled UD English-EWT model)',
  description:
    'Tags TEXT arguments, FILES (gzip is recognised by its first bytes; .conllu and .conll files are read as ' +
    'CoNLL-U / CoNLL), or stdin, streaming with constant memory (a long line is tokenised in bounded pieces). An ' +
    'argument that looks like a file name but does not exist is an error. Raw text is split into sentences and ' +
    'tokens following UD English-EWT (do n\'t, long - term, U.S.), for every script without splitting a word. ' +
    'Output: word/TAG per sentence (slash), CoNLL columns, CoNLL-U (with # text), or JSON lines: one record per ' +
    'sentence with the input line, each token\'s text, start and end (character offsets into the line, in Unicode ' +
    'code points) and tag, and with --marginals every tag\'s probability; a blank line gives {"line":N,"tokens":[]}.',
  options: [
    { name: 'model', short: 'm', type: 'string', placeholder: 'MODEL', help: 'Use this CRF model instead of the bundled tagger' },
    { name: 'format', short: 'f', type: 'enum', choices: TAG_OUTPUT_FORMATS, help: 'Output format (default: slash; conllu for CoNLL-U input, conll for CoNLL)' },
    { name: 'input', type: 'enum', choices: TAG_INPUT_FORMATS, help: 'Input format (default: from the file name, else text)' },
    { name: 'tokenized', type: 'boolean', help: 'Input is one sentence per line, tokens separated by spaces (--input tokenized)' },
    { name: 'marginals', type: 'boolean', help: 'With --format jsonl: per-token tag probabilities' },
    { name: 'parse', type: 'boolean', help: 'Also parse each sentence with the bundled English dependency parser (output: conllu by default, jsonl, conll)' },
    { name: 'parser', type: 'string', placeholder: 'MODEL', help: 'With --parse: use this parser model (ebm parse train) instead of the bundled one' },
    { name: 'output', short: 'o', type: 'string', placeholder: 'FILE', help: 'Write to FILE (replaced only when everything was tagged)' },
  ],
  args: [{ name: 'TEXT|FILES', help: 'Text to tag, or files to read (stdin when none, or -)', required: false, variadic: true }],
  examples: [
    'ebm tag "The quick brown fox jumps over the lazy dog."',
    'ebm tag --format jsonl --marginals notes.txt.gz',
    'ebm tag --tokenized --format conllu sentences.txt -o tagged.conllu',
    'ebm tag en_ewt-ud-test.conllu > retagged.conllu',
    'ebm tag --parse "The dog barked at the mailman." > parsed.conllu',
    'cat book.txt | ebm tag > tagged.txt',
  ],
  async run(ctx) {
    const o = ctx.options;
    if (o.tokenized && o.input !== undefined && o.input !== 'tokenized') {
      throw new UsageError(`--tokenized contradicts --input ${o.input}`);
    }
    const forced: TagInputFormat | undefined = o.tokenized ? 'tokenized' : (o.input as TagInputFormat | undefined);
    const sources = resolveInputs(ctx.args);
    const formats = sources.map((s) => forced ?? inputFormatFromName(s));
    sources.forEach((s, i) => {
      if (s.kind === 'text' && (formats[i] === 'conllu' || formats[i] === 'conll')) {
        throw new UsageError(`a text argument cannot be ${formats[i]} input; give a file, or pipe it on stdin`);
      }
    });
    const format = (o.format ??
      (o.parse || formats.every((f) => f === 'conllu') ? 'conllu' : formats.every((f) => f === 'conll') ? 'conll' : 'slash')) as TagOutputFormat;
    if (o.marginals && format !== 'jsonl') {
      throw new UsageError(`--marginals has no effect with --format ${format}; use --format jsonl`);
    }
    if (o.parse && format === 'slash') {
      throw new UsageError('--parse has no effect with --format slash; use --format conllu (the default with --parse), jsonl or conll');
    }
    if (o.parser !== undefined && !o.parse) throw new UsageError('--parser has no effect without --parse');
    const annotate = o.parse ? await parseAnnotator(o.parser) : undefined;
    const path = o.model ?? bundledModelPath();
    if (!existsSync(path)) {
      throw new CliError(o.model ? `${path}: no such model file` : `the bundled model is missing at ${path}; reinstall @ebmkit/crf or pass --model`);
    }
    const tagger = await TextTagger.load(path);
    const sink = o.output ? await OutputSink.file(o.output) : OutputSink.stream(ctx.io.stdout);
    try {
      for (let i = 0; i < sources.length; i++) {
        const src = sources[i]!;
        await tagSource(tagger, src, formats[i]!, sink, {
          format,
          marginals: o.marginals,
          annotate,
          file: sources.length > 1 && src.kind === 'file' ? inputName(src) : undefined,
        });
      }
      await sink.commit();
    } catch (e) {
      await sink.abort();
      throw e;
    }
  },
});

/**
 * Heads and relations for each tagged sentence from a dependency parser (the bundled English one, or `path`),
 * loaded only when `--parse` is given. The parser reads the words and the tagger's UPOS tags.
 */
async function parseAnnotator(path: string | undefined): Promise<(rec: SentenceRecord) => void> {
  const { DependencyParser, englishParserPath } = await import('@ebmkit/parse');
  const file = path ?? englishParserPath();
  if (!existsSync(file)) {
    throw new CliError(path ? `${file}: no such parser model` : `the bundled parser is missing at ${file}; reinstall @ebmkit/parse or pass --parser`);
  }
  const parser = await DependencyParser.load(file);
  return (rec) => {
    const { heads, deprels } = parser.parseTokens(
      rec.tokens.map((t) => t.text),
      rec.tokens.map((t) => t.tag),
    );
    rec.tokens.forEach((t, i) => {
      t.head = heads[i + 1]!;
      t.deprel = deprels[i] ?? '_';
    });
  };
}

export const commands: TaskModule['commands'] = [tag];
