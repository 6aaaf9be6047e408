/**
 * Rewrites the flag table of docs/cli.md from the commands' option declarations (the same ones `--help` prints).
 *   npm run docs:cli
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatFlagTable, replaceFlagTable, TASKS } from '@ebmkit/cli';

const path = new URL('../docs/cli.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
writeFileSync(path, replaceFlagTable(doc, await formatFlagTable(TASKS)));
console.error('docs/cli.md: flag table regenerated');
