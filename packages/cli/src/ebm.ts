/**
 * Entry point of the bundled `ebm` executable (bin/ebm.js imports the bundle of this file).
 * Only the dispatcher is loaded here; tasks are imported when used.
 */
import { main } from './main.js';

// `ebm corpora list | head` closes stdout early: stop quietly instead of throwing EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
