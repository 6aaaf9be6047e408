import { Worker } from 'node:worker_threads';
import type { EncodedCorpus } from '../corpus.js';
import type { FeatureIndex } from '../feature-index.js';
import { LikelihoodWorkspace, negLogLikelihood } from './objective.js';
import { balancedShards, sliceCorpus } from './shards.js';

/**
 * The negative log-likelihood and its gradient over a whole corpus, computed by `threads` worker threads
 * (each holding a contiguous shard of about equal cost) with the weights in shared memory; the per-thread
 * gradients are summed on the calling thread. With one thread it runs inline. The sum is the same as
 * one thread's up to floating-point rounding (the shards are added in a different order).
 */
export class ParallelLikelihood {
  private constructor(
    private readonly index: FeatureIndex,
    private readonly corpus: EncodedCorpus,
    private readonly workers: Worker[],
    private readonly shared: Float64Array | null,
    private readonly grads: Float64Array[],
    private readonly inline: LikelihoodWorkspace | null,
  ) {}

  /** Starts the workers (none when threads ≤ 1) and hands each its shard. */
  static async create(index: FeatureIndex, corpus: EncodedCorpus, threads: number): Promise<ParallelLikelihood> {
    const n = Math.max(1, Math.min(Math.floor(threads), corpus.numSequences));
    if (n <= 1) return new ParallelLikelihood(index, corpus, [], null, [], new LikelihoodWorkspace(index.numLabels));
    const bytes = index.numWeights * Float64Array.BYTES_PER_ELEMENT;
    const weights = new SharedArrayBuffer(bytes);
    const bounds = balancedShards(corpus, n);
    const workers: Worker[] = [];
    const grads: Float64Array[] = [];
    try {
      await Promise.all(
        Array.from({ length: n }, async (_, p) => {
          const gradient = new SharedArrayBuffer(bytes);
          grads[p] = new Float64Array(gradient);
          const worker = startWorker();
          workers[p] = worker;
          const shard = sliceCorpus(corpus, bounds[p]!, bounds[p + 1]!);
          await request(worker, { type: 'init', init: { index, corpus: shard, weights, gradient } }, 'ready');
        }),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w?.terminate()));
      throw e;
    }
    return new ParallelLikelihood(index, corpus, workers, new Float64Array(weights), grads, null);
  }

  get threads(): number {
    return Math.max(1, this.workers.length);
  }

  /** Writes ∇ into `grad` and returns −log-likelihood at `w` (no regularisation). */
  async evaluate(w: Float64Array, grad: Float64Array): Promise<number> {
    if (this.inline) {
      grad.fill(0);
      return negLogLikelihood(this.index, this.corpus, 0, this.corpus.numSequences, w, grad, this.inline);
    }
    this.shared!.set(w);
    const results = await Promise.all(this.workers.map((worker, p) => request(worker, { type: 'evaluate', id: p }, 'done')));
    grad.set(this.grads[0]!);
    for (let p = 1; p < this.grads.length; p++) {
      const g = this.grads[p]!;
      for (let k = 0; k < grad.length; k++) grad[k]! += g[k]!;
    }
    let nll = 0;
    for (const r of results) nll += (r as { nll: number }).nll;
    return nll;
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Starts the worker thread. From built JavaScript it is `likelihood-worker.js` next to this module (also in
 * the CLI bundle). When running from TypeScript sources (tests through tsx), the worker entry is loaded with
 * tsx's `tsImport`, since a .ts worker entry is not handled by loader hooks in Node 20.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./likelihood-worker.js', import.meta.url));
  const entry = new URL('./likelihood-worker.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true });
}

function request(worker: Worker, message: unknown, expect: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; message?: string }) => {
      cleanup();
      if (m.type === expect) resolve(m);
      else reject(new Error(`gradient worker: ${m.message ?? `unexpected reply ${m.type}`}`));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`gradient worker exited with code ${code}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(message);
  });
}
