import test from 'ava';
import { createRequire } from 'node:module';
import { BACKEND_CHOICES, activeBackend, getTf, selectBackend } from '@ebmkit/core/backend';

const require = createRequire(import.meta.url);
const loadedTensorflowModules = () => Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
let tfjsNodeInstalled = true;
try {
  require.resolve('@tensorflow/tfjs-node');
} catch {
  tfjsNodeInstalled = false;
}

// Serial: the tests share the process-wide tfjs engine and EBM_BACKEND.

test.serial('importing @ebmkit/core loads no tfjs module', (t) => {
  t.deepEqual(loadedTensorflowModules(), []);
  t.is(activeBackend(), undefined);
});

test.serial('auto selects tensorflow if tfjs-node loads, else wasm, and says why', async (t) => {
  delete process.env['EBM_BACKEND'];
  const sel = await selectBackend();
  if (tfjsNodeInstalled) {
    t.is(sel.name, 'tensorflow');
  } else {
    t.is(sel.name, 'wasm');
    t.regex(sel.reason, /@tensorflow\/tfjs-node (is not installed|failed to load)/);
    t.regex(sel.reason, /wasm \((SIMD|no SIMD)\) selected/);
  }
  t.is(sel.tf.getBackend(), sel.name);
  t.is(activeBackend(), sel);
  t.true(loadedTensorflowModules().length > 0, 'selection imported tfjs');
});

test.serial('a small matMul runs on the selected backend', async (t) => {
  const tf = await getTf();
  const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2]);
  const c = tf.matMul(a, b);
  t.deepEqual(Array.from(await c.data()), [58, 64, 139, 154]);
  tf.dispose([a, b, c]);
});

test.serial('EBM_BACKEND=cpu is honoured and getTf follows the selection', async (t) => {
  process.env['EBM_BACKEND'] = 'cpu';
  try {
    const sel = await selectBackend();
    t.is(sel.name, 'cpu');
    t.regex(sel.reason, /EBM_BACKEND/);
    const tf = await getTf();
    t.is(tf.getBackend(), 'cpu');
    const x = tf.tensor1d([1, 2, 3]);
    t.deepEqual(Array.from(await tf.sum(tf.square(x)).data()), [14]);
  } finally {
    delete process.env['EBM_BACKEND'];
  }
});

test.serial('an explicit wasm request switches back', async (t) => {
  const sel = await selectBackend('wasm');
  t.is(sel.name, 'wasm');
  t.is((await getTf()).getBackend(), 'wasm');
});

test.serial('an unknown backend name is rejected with the available ones listed', async (t) => {
  const err = await t.throwsAsync(selectBackend('gpu'), { instanceOf: RangeError });
  t.regex(err!.message, /unknown tfjs backend 'gpu'/);
  for (const name of BACKEND_CHOICES) t.true(err!.message.includes(name), `lists ${name}`);
  process.env['EBM_BACKEND'] = 'bogus';
  try {
    const e2 = await t.throwsAsync(selectBackend());
    t.regex(e2!.message, /^EBM_BACKEND: unknown tfjs backend 'bogus'; available: auto, tensorflow, wasm, cpu/);
  } finally {
    delete process.env['EBM_BACKEND'];
  }
  // A failed request leaves the previous backend active.
  t.is(activeBackend()?.name, 'wasm');
});

test.serial('an explicit tensorflow request fails clearly when tfjs-node is absent', async (t) => {
  if (tfjsNodeInstalled) {
    t.pass('tfjs-node is installed here; nothing to check');
    return;
  }
  const err = await t.throwsAsync(selectBackend('tensorflow'));
  t.regex(err!.message, /tfjs backend 'tensorflow' is not available: @tensorflow\/tfjs-node is not installed/);
});
