/**
 * tfjs backend selection: the one place that decides which TensorFlow.js backend runs the dense
 * neural energies. Order for `auto`: native TensorFlow (`@tensorflow/tfjs-node`, an optional
 * dependency that often cannot be installed) → WebAssembly (`@tensorflow/tfjs-backend-wasm`, SIMD when
 * the runtime has it) → the pure-JavaScript cpu backend. `EBM_BACKEND` (or the CLI's `--backend`)
 * overrides the choice.
 *
 * Every tfjs import here is dynamic, so importing `@ebmkit/core` never loads tfjs; the first call to
 * `selectBackend()` or `getTf()` does.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfModule from '@tensorflow/tfjs-core';

/**
 * The tfjs namespace: `@tensorflow/tfjs-core` (tensors, ops, gradients, optimisers), or `@tensorflow/tfjs-node`,
 * which re-exports it.
 */
export type Tf = typeof TfModule;

/** A concrete tfjs backend ebmkit can run on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** A backend request: a concrete backend, or `auto` (tensorflow → wasm → cpu). */
export type BackendPreference = BackendName | 'auto';

/** Every accepted backend request, in the order `auto` tries the concrete ones. */
export const BACKEND_CHOICES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The outcome of backend selection. */
export interface BackendSelection {
  /** The backend now active in `tf`. */
  readonly name: BackendName;
  /** Why this backend was chosen, e.g. "@tensorflow/tfjs-node is not installed; wasm (SIMD) selected". */
  readonly reason: string;
  /** The tfjs namespace with `name` active. */
  readonly tf: Tf;
}

const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS = '@tensorflow/tfjs-core';
const TFJS_CPU = '@tensorflow/tfjs-backend-cpu';
const TFJS_LAYERS = '@tensorflow/tfjs-layers';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

const requireHere = createRequire(import.meta.url);

/** Imports a module by a name held in a variable, so neither tsc nor esbuild resolves it statically. */
async function importByName(name: string): Promise<any> {
  return import(name);
}

/** One line describing why `name` could not be imported. */
function describeImportFailure(name: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const missing =
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    typeof e.message === 'string' &&
    e.message.includes(name);
  if (missing) return `${name} is not installed`;
  const first = String(e?.message ?? err).split('\n')[0];
  return `${name} failed to load (${first})`;
}

let tfjsPromise: Promise<Tf> | undefined;
/**
 * The plain tfjs namespace, imported once: tfjs-core, the cpu backend, and tfjs-layers — whose Node build is
 * what registers tfjs-core's gradient functions (tfjs-core's own Node build defines `registerGradient` but
 * registers none), so `tf.grad` works for every op.
 */
function loadTfjs(): Promise<Tf> {
  tfjsPromise ??= (async () => {
    const tf = (await importByName(TFJS)) as Tf;
    await importByName(TFJS_CPU);
    await importByName(TFJS_LAYERS);
    return tf;
  })();
  return tfjsPromise;
}

let nodePromise: Promise<{ tf?: Tf; failure?: string }> | undefined;
/** Tries `@tensorflow/tfjs-node` once; remembers success or the reason it failed. */
function loadTfjsNode(): Promise<{ tf?: Tf; failure?: string }> {
  nodePromise ??= importByName(TFJS_NODE).then(
    (m) => ({ tf: m as Tf }),
    (err) => ({ failure: describeImportFailure(TFJS_NODE, err) }),
  );
  return nodePromise;
}

let wasmPromise: Promise<{ failure?: string }> | undefined;
/**
 * Registers the wasm backend once, pointing it at the `.wasm` files in the package's dist directory
 * (in Node there is no page URL to fetch them from). The multi-threaded build needs browser workers,
 * so it is switched off; the SIMD build is used when the runtime supports it.
 */
function registerWasm(tf: Tf): Promise<{ failure?: string }> {
  wasmPromise ??= (async () => {
    try {
      const wasm = await importByName(TFJS_WASM);
      const dir = path.dirname(requireHere.resolve(TFJS_WASM));
      wasm.setWasmPaths(dir + path.sep);
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      return {};
    } catch (err) {
      return { failure: describeImportFailure(TFJS_WASM, err) };
    }
  })();
  return wasmPromise;
}

/** Activates `name` in `tf`; returns a failure description or undefined on success. */
async function activate(tf: Tf, name: string): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    return undefined;
  } catch (err) {
    return String((err as Error)?.message ?? err).split('\n')[0];
  }
}

/** Turns off the cpu backend's one-time "install tfjs-node" console banner: `ebm info` reports the backend instead. */
function silenceCpuBanner(tf: Tf): void {
  const b = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (b && 'firstUse' in b) b.firstUse = false;
}

async function trySelect(name: BackendName): Promise<{ sel?: BackendSelection; failure?: string }> {
  if (name === 'tensorflow') {
    const node = await loadTfjsNode();
    if (!node.tf) return { failure: node.failure };
    const failure = await activate(node.tf, 'tensorflow');
    if (failure) return { failure: `tensorflow backend failed: ${failure}` };
    return { sel: { name, reason: `${TFJS_NODE} loaded; native TensorFlow selected`, tf: node.tf } };
  }
  // If tfjs-node loaded earlier, its namespace is the live engine; otherwise plain tfjs.
  const tf = (nodePromise && (await nodePromise).tf) || (await loadTfjs());
  if (name === 'wasm') {
    const reg = await registerWasm(tf);
    if (reg.failure) return { failure: reg.failure };
    const failure = await activate(tf, 'wasm');
    if (failure) return { failure: `wasm backend failed: ${failure}` };
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
    return { sel: { name, reason: `wasm (${simd}) selected`, tf } };
  }
  const failure = await activate(tf, 'cpu');
  if (failure) return { failure: `cpu backend failed: ${failure}` };
  silenceCpuBanner(tf);
  return { sel: { name, reason: 'cpu (pure JavaScript) selected', tf } };
}

/** Checks a backend request; throws a RangeError that lists the accepted names. */
function parsePreference(preferred: string): BackendPreference {
  const p = preferred.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(p)) return p as BackendPreference;
  throw new RangeError(
    `unknown tfjs backend '${preferred}'; available: ${BACKEND_CHOICES.join(', ')} ` +
      `(tensorflow needs the optional ${TFJS_NODE})`,
  );
}

let current: BackendSelection | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects and activates a tfjs backend. `preferred` defaults to `EBM_BACKEND`, else `auto`
 * (tensorflow if `@tensorflow/tfjs-node` loads, then wasm, then cpu). An explicit backend that cannot
 * start throws; `auto` falls through and says why in `reason`. An unknown name throws a RangeError
 * listing the available ones. Calls are serialised; the result also becomes what `getTf()` returns.
 */
export function selectBackend(preferred?: BackendPreference | string): Promise<BackendSelection> {
  const request = preferred ?? process.env['EBM_BACKEND'] ?? 'auto';
  const fromEnv = preferred === undefined && process.env['EBM_BACKEND'] !== undefined;
  let pref: BackendPreference;
  try {
    pref = parsePreference(request === '' ? 'auto' : request);
  } catch (err) {
    if (fromEnv) (err as Error).message = `EBM_BACKEND: ${(err as Error).message}`;
    return Promise.reject(err);
  }
  const run = async (): Promise<BackendSelection> => {
    if (pref !== 'auto') {
      const r = await trySelect(pref);
      if (!r.sel) throw new Error(`tfjs backend '${pref}' is not available: ${r.failure}`);
      const how = fromEnv ? 'requested by EBM_BACKEND' : 'requested';
      current = { ...r.sel, reason: `${r.sel.reason} (${how})` };
      return current;
    }
    const skipped: string[] = [];
    for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
      const r = await trySelect(name);
      if (r.sel) {
        current = { ...r.sel, reason: [...skipped, r.sel.reason].join('; ') };
        return current;
      }
      skipped.push(r.failure ?? `${name} unavailable`);
    }
    throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
  };
  const p = queue.then(run, run);
  queue = p.catch(() => undefined);
  return p;
}

/** The backend chosen by the last successful `selectBackend()`, or undefined if none yet. */
export function activeBackend(): BackendSelection | undefined {
  return current;
}

/**
 * The tfjs namespace with a backend active: the cached selection, or a default `selectBackend()`
 * (honouring `EBM_BACKEND`) on first use.
 */
export async function getTf(): Promise<Tf> {
  if (current) return current.tf;
  return (await selectBackend()).tf;
}
