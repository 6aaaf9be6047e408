/** `ebm info`: versions, the active tfjs backend and why, threads, and where corpora are looked for. */
import { selectBackend } from '@ebmkit/core/backend';
import os from 'node:os';
import { defineCommand, type TaskModule } from '../command.js';
import { corporaLocations } from '../corpora/locations.js';
import { loadRegistry } from '../corpora/registry.js';
import { VERSION } from '../version.js';

const info = defineCommand({
  name: 'info',
  summary: 'Show versions, the active tfjs backend and why, threads and corpora locations',
  description:
    'Selecting the backend imports TensorFlow.js (tensorflow if @tensorflow/tfjs-node loads, else wasm, else cpu;\n' +
    'override with --backend or EBM_BACKEND). Corpora are read from EBM_CORPORA_DIR, then from the fetch cache.',
  options: [{ name: 'json', type: 'boolean', help: 'Print the information as one JSON object' }],
  examples: ['ebm info', 'ebm info --backend cpu', 'EBM_CORPORA_DIR=../shared/corpora ebm info --json'],
  async run(ctx) {
    const sel = await selectBackend();
    const threads = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    const locations = corporaLocations(ctx.io.env);
    let registry: { file: string; corpora: number } | { error: string };
    try {
      const r = loadRegistry(ctx.io.env);
      registry = { file: r.file, corpora: r.corpora.length };
    } catch (err) {
      registry = { error: (err as Error).message };
    }
    const data = {
      ebmkit: VERSION,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      tfjs: sel.tf.version_core,
      backend: sel.name,
      backendReason: sel.reason,
      threads,
      corpora: locations,
      registry,
    };
    if (ctx.options.json) {
      ctx.io.stdout.write(JSON.stringify(data, null, 2) + '\n');
      return;
    }
    const rows: [string, string][] = [
      ['ebmkit', VERSION],
      ['node', `${process.version} (${data.platform})`],
      ['tfjs', data.tfjs],
      ['backend', `${sel.name} (${sel.reason})`],
      ['threads', `${threads} (os.availableParallelism)`],
    ];
    const mirror = locations.find((l) => l.kind === 'EBM_CORPORA_DIR');
    rows.push(['corpora', mirror ? `${mirror.dir} (EBM_CORPORA_DIR; ${mirror.exists ? 'exists' : 'does not exist'})` : 'EBM_CORPORA_DIR is not set']);
    const cache = locations.find((l) => l.kind === 'cache')!;
    rows.push([
      'cache',
      `${cache.dir} (${ctx.io.env['EBM_CACHE_DIR'] ? 'EBM_CACHE_DIR' : 'default'}; ${cache.exists ? 'exists' : 'does not exist yet'})`,
    ]);
    rows.push(['registry', 'error' in registry ? `unavailable: ${registry.error}` : `${registry.file} (${registry.corpora} corpora)`]);
    const w = Math.max(...rows.map(([k]) => k.length));
    ctx.io.stdout.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n');
  },
});

/** The `info` task (a single command). */
export const commands: TaskModule['commands'] = [info];
