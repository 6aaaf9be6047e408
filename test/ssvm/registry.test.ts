// The one learner registry: createLearner, the CRF's algorithm list and the help texts of `ebm ssvm` / `ebm crf`
// derive from it, and each CRF algorithm declares its own defaults.
import test from 'ava';
import { createLearner, MulticlassModel, SSVM_LEARNER_REGISTRY, SSVM_LEARNERS, ssvmLearner } from '@ebmkit/ssvm';
import { CRF_ALGORITHM_REGISTRY, CRF_ALGORITHMS, crfAlgorithm, crfNameOfLearner, trainCrf } from '@ebmkit/crf';
import { runCli } from '../cli/helpers.js';
import { syntheticSequences } from '../crf/synthetic.js';

test('every registered learner is built by createLearner under its own name, with its declared defaults', (t) => {
  const model = new MulticlassModel({ features: 2, classes: 3 });
  t.deepEqual(Object.keys(SSVM_LEARNER_REGISTRY).sort(), [...SSVM_LEARNERS].sort());
  for (const name of SSVM_LEARNERS) {
    const l = createLearner(name, model);
    t.is(l.name, name);
    t.deepEqual({ ...l.opts }, { ...SSVM_LEARNER_REGISTRY[name].defaults });
    t.true(SSVM_LEARNER_REGISTRY[name].description.length > 10);
  }
  t.throws(() => ssvmLearner('frank-wolfe'), { instanceOf: RangeError, message: /expected one of bcfw, oneslack/ });
});

test('the CRF algorithm list holds every ssvm learner; the help texts list every algorithm and learner', async (t) => {
  for (const name of SSVM_LEARNERS) t.true(CRF_ALGORITHMS.includes(crfNameOfLearner(name)), name);
  t.is(new Set(CRF_ALGORITHMS).size, CRF_ALGORITHMS.length, 'names are unique');
  const crf = await runCli(['crf', 'train', '--help']);
  for (const a of CRF_ALGORITHM_REGISTRY) t.true(crf.stdout.includes(`${a.name.padEnd(16)}${a.description}`), a.name);
  const ssvm = await runCli(['ssvm', 'train', '--help']);
  for (const name of SSVM_LEARNERS) t.true(ssvm.stdout.includes(`${name}: ${SSVM_LEARNER_REGISTRY[name].description}`), name);
});

test('each CRF algorithm fills in its own declared defaults (c2 is 1 for lbfgs, 0 for owlqn)', async (t) => {
  const { sequences } = syntheticSequences(8, 2);
  const c2Of = (name: string) => crfAlgorithm(name).hyperparameters.find((h) => h.key === 'c2')?.default;
  t.is(c2Of('lbfgs'), 1);
  t.is(c2Of('owlqn'), 0);
  const lb = await trainCrf(sequences, { threads: 1, trainer: { algorithm: 'lbfgs', maxIterations: 2 } });
  t.is(lb.info.hyperparameters['c2'], 1);
  const ow = await trainCrf(sequences, { threads: 1, trainer: { algorithm: 'owlqn', maxIterations: 2 } });
  t.is(ow.info.hyperparameters['c2'], 0);
  t.is(ow.info.hyperparameters['c1'], 1);
  // an option given as undefined takes its default
  const un = await trainCrf(sequences, { threads: 1, trainer: { algorithm: 'lbfgs', c2: undefined, maxIterations: 2 } });
  t.is(un.info.hyperparameters['c2'], 1);
  // a numeric flag the chosen algorithm does not take is refused instead of ignored
  const r = await runCli(['crf', 'train', '--train', 'x.txt', '--out', 'x.safetensors', '--algorithm', 'lbfgs', '--c1', '0.5']);
  t.is(r.code, 2);
  t.regex(r.stderr, /--c1 does not apply to --algorithm lbfgs \(it applies to owlqn\)/);
});
