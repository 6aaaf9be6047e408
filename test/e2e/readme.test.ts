// The README's TypeScript examples run as written (so the documentation cannot drift from the API).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

test('every ```ts block of README.md runs, and the CRF example prints what the README says', async (t) => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  t.true(blocks.length >= 2, `found ${blocks.length} ts blocks`);
  // Temp files live inside the repository so that '@ebmkit/*' resolve through the workspace.
  const dir = await mkdtemp(join(root, 'test', 'e2e', '.readme-'));
  try {
    for (const [i, code] of blocks.entries()) {
      const file = join(dir, `example-${i}.ts`);
      await writeFile(file, code.replace("'pos.safetensors'", JSON.stringify(join(dir, 'pos.safetensors'))));
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=ebmkit-source', file], {
        cwd: dir,
        env: { ...process.env, DOTENV_CONFIG_QUIET: 'true' },
      });
      if (code.includes('Crf.train')) t.true(stdout.includes("[ 'DET', 'NOUN', 'VERB' ]"), stdout);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
