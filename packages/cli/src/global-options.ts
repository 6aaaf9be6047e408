/** The flags every `ebm` command accepts, anywhere on the command line. */
import type { OptionSpec } from './options.js';

/** Accepted `--backend` values (the same list as @ebmkit/core's BACKEND_CHOICES; a test keeps them equal). */
export const BACKEND_FLAG_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

/** Global flag schema, used for parsing and for help text. */
export const GLOBAL_OPTIONS = [
  { name: 'help', short: 'h', type: 'boolean', help: 'Show help for ebm, a task or a verb' },
  { name: 'version', type: 'boolean', help: 'Print the ebmkit version and exit' },
  { name: 'quiet', short: 'q', type: 'boolean', help: 'No progress bars or notes on stderr' },
  { name: 'debug', type: 'boolean', help: 'Print stack traces with errors' },
  {
    name: 'backend',
    type: 'enum',
    choices: BACKEND_FLAG_CHOICES,
    help: 'tfjs backend (default: $EBM_BACKEND, else auto = tensorflow → wasm → cpu)',
  },
] as const satisfies readonly OptionSpec[];
