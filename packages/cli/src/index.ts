// @ebmkit/cli — the `ebm` command line as a library: the dispatcher, the option schema and the
// helpers task modules use. The executable is bin/ebm.js (bundled from ebm.ts).

export { VERSION } from './version.js';
export { main, extractGlobalFlags, processIo } from './main.js';
export type { CliIo, CommandContext, CommandSpec, GlobalOptions, TaskEntry, TaskModule, TextOut } from './command.js';
export { defineCommand } from './command.js';
export { TASKS } from './tasks.js';
export type {
  ArgumentSpec,
  BooleanOption,
  CamelCase,
  EnumOption,
  ListOption,
  NumberOption,
  OptionSpec,
  OptionType,
  OptionValue,
  ParsedOptions,
  ParseResult,
  StringOption,
} from './options.js';
export { camelCase, checkSchema, convertValue, outputKind, parseKnownOptions, parseOptions, placeholderOf } from './options.js';
// The JEM recipe's flags → trainJem options (shared with scripts/bench/ebm-jem) are the `@ebmkit/cli/jem-recipe`
// entry: their types name @ebmkit/core/energy's, which this entry's types must not pull in (tfjs-layers' .d.ts files
// do not type-check with skipLibCheck: false).
export { formatCommandHelp, formatMainHelp, formatOptions, formatTaskHelp } from './help.js';
export { BACKEND_FLAG_CHOICES, GLOBAL_OPTIONS } from './global-options.js';
export { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, formatErrorLine, MAX_ERROR_LINE, UsageError } from './errors.js';
export type { ProgressBar, ProgressOptions } from './progress.js';
export { createProgress, formatAmount, formatDuration, renderProgress } from './progress.js';
export { formatTable } from './table.js';
export { FLAG_TABLE_BEGIN, FLAG_TABLE_END, formatFlagTable, replaceFlagTable } from './flag-table.js';
export { editDistance, suggest } from './suggest.js';
export type { Corpus, CorpusFile, CorpusManifest, Registry } from './corpora/registry.js';
export { findRegistryFile, loadRegistry, validateRegistry } from './corpora/registry.js';
export type { CorporaLocation } from './corpora/locations.js';
export { cacheDir, corporaLocations, findCorpusDir } from './corpora/locations.js';
export type { CorpusCheck, FileCheck, FileStatus, ManifestCheck } from './corpora/verify.js';
export { verifyCorpus, verifyFile, verifyManifest } from './corpora/verify.js';
export type { ChecksumEntry } from './corpora/checksum.js';
export { parseChecksumList, sha256File, sha256Gunzipped } from './corpora/checksum.js';
export type { DownloadProgress, FetchCorpusOptions, FetchCorpusResult, FetchResult, FetchStatus } from './corpora/fetch.js';
export { fetchCorpus } from './corpora/fetch.js';
