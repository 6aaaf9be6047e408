// Worker thread: holds one shard of the training corpus and, on request, adds the shard's negative
// log-likelihood gradient into its own shared gradient buffer. See parallel-likelihood.ts.
import { parentPort } from 'node:worker_threads';
import type { EncodedCorpus } from '../corpus.js';
import type { FeatureIndex } from '../feature-index.js';
import { LikelihoodWorkspace, negLogLikelihood } from './objective.js';

interface Init {
  index: FeatureIndex;
  corpus: EncodedCorpus;
  weights: SharedArrayBuffer;
  gradient: SharedArrayBuffer;
}

if (!parentPort) throw new Error('likelihood-worker must run in a worker thread');
const port = parentPort;
let state: { index: FeatureIndex; corpus: EncodedCorpus; w: Float64Array; g: Float64Array; ws: LikelihoodWorkspace } | null =
  null;

port.on('message', (msg: { type: 'init'; init: Init } | { type: 'evaluate'; id: number }) => {
  try {
    if (msg.type === 'init') {
      const { index, corpus, weights, gradient } = msg.init;
      state = {
        index,
        corpus,
        w: new Float64Array(weights),
        g: new Float64Array(gradient),
        ws: new LikelihoodWorkspace(index.numLabels),
      };
      port.postMessage({ type: 'ready' });
      return;
    }
    if (!state) throw new Error('likelihood-worker: evaluate before init');
    const { index, corpus, w, g, ws } = state;
    g.fill(0);
    const nll = negLogLikelihood(index, corpus, 0, corpus.numSequences, w, g, ws);
    port.postMessage({ type: 'done', id: msg.id, nll });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
