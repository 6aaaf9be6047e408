/**
 * Hopfield networks as ebmkit model files (kind 'hopfield'): a classical network keeps W [N, N] and b [N]
 * (F64), a modern one its patterns [N, d] (F64) and β. Saving is atomic (`saveModel`), loading validated: the
 * network constructors re-check symmetry, the zero diagonal, finiteness and β.
 */
import { loadModel, saveModel, type ModelFile } from '../../io/model-file.js';
import type { Tensor } from '../../io/safetensors.js';
import type { RowMatrix } from '../boltzmann/row-matrix.js';
import { HopfieldNetwork } from './classical.js';
import { ModernHopfield } from './modern.js';

export const HOPFIELD_MODEL_KIND = 'hopfield';
export const HOPFIELD_FORMAT_VERSION = 1;

/** A loaded Hopfield model: the network and the caller's metadata saved with it. */
export type SavedHopfield =
  | { type: 'classical'; network: HopfieldNetwork; metadata: unknown; /** the ±1 patterns, when saved with them */ patterns?: RowMatrix }
  | { type: 'modern'; network: ModernHopfield; metadata: unknown };

/**
 * The model file of a network; `metadata` is any JSON value (e.g. image shape, preprocessing). A classical network
 * may keep the ±1 `patterns` it stored (W alone does not name them), so recall can say which one it reached.
 */
export function hopfieldToModelFile(network: HopfieldNetwork | ModernHopfield, metadata: unknown = null, patterns?: RowMatrix): ModelFile {
  if (network instanceof HopfieldNetwork) {
    const n = network.size;
    const tensors: Record<string, Tensor> = { weights: { dtype: 'F64', shape: [n, n], data: network.weights }, bias: { dtype: 'F64', shape: [n], data: network.bias } };
    if (patterns) {
      if (patterns.cols !== n || patterns.data.length !== patterns.rows * n) throw new RangeError(`hopfieldToModelFile: patterns are ${patterns.rows}×${patterns.cols}, the network has ${n} units`);
      tensors['patterns'] = { dtype: 'F64', shape: [patterns.rows, n], data: Float64Array.from(patterns.data) };
    }
    return { kind: HOPFIELD_MODEL_KIND, formatVersion: HOPFIELD_FORMAT_VERSION, metadata: { type: 'classical', size: n, extra: metadata }, tensors };
  }
  return {
    kind: HOPFIELD_MODEL_KIND,
    formatVersion: HOPFIELD_FORMAT_VERSION,
    metadata: { type: 'modern', count: network.count, dim: network.dim, beta: network.beta, extra: metadata },
    tensors: { patterns: { dtype: 'F64', shape: [network.count, network.dim], data: network.patterns } },
  };
}

function f64(file: string, m: ModelFile, name: string, shape: number[]): Float64Array {
  const t: Tensor | undefined = m.tensors[name];
  if (!t) throw new RangeError(`${file}: Hopfield model file has no tensor "${name}"`);
  if (t.dtype !== 'F64' || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`${file}: tensor "${name}" is ${t.dtype} [${t.shape.join(', ')}], expected F64 [${shape.join(', ')}]`);
  }
  return Float64Array.from(t.data as Float64Array);
}

/** The network in a model file (checked); `file` names it in errors. */
export function hopfieldFromModelFile(m: ModelFile, file = 'model'): SavedHopfield {
  const meta = m.metadata as { type?: unknown; size?: unknown; count?: unknown; dim?: unknown; beta?: unknown; extra?: unknown } | null;
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (meta?.type === 'classical') {
    if (!isInt(meta.size)) throw new RangeError(`${file}: Hopfield metadata has size ${String(meta.size)}, expected a positive integer`);
    const n = meta.size;
    const out: SavedHopfield = { type: 'classical', network: new HopfieldNetwork({ size: n, weights: f64(file, m, 'weights', [n, n]), bias: f64(file, m, 'bias', [n]) }), metadata: meta.extra ?? null };
    const p = m.tensors['patterns'];
    if (p) {
      const rows = p.shape[0] ?? 0;
      const data = f64(file, m, 'patterns', [rows, n]);
      const bad = data.findIndex((v) => v !== 1 && v !== -1);
      if (bad >= 0) throw new RangeError(`${file}: stored pattern ${Math.floor(bad / n)} unit ${bad % n} is ${data[bad]}, expected −1 or +1`);
      out.patterns = { rows, cols: n, data };
    }
    return out;
  }
  if (meta?.type === 'modern') {
    if (!isInt(meta.count) || !isInt(meta.dim)) throw new RangeError(`${file}: Hopfield metadata has count ${String(meta.count)} and dim ${String(meta.dim)}, expected positive integers`);
    if (typeof meta.beta !== 'number') throw new RangeError(`${file}: Hopfield metadata has beta ${String(meta.beta)}, expected a number > 0`);
    const data = f64(file, m, 'patterns', [meta.count, meta.dim]);
    return { type: 'modern', network: new ModernHopfield({ rows: meta.count, cols: meta.dim, data }, meta.beta), metadata: meta.extra ?? null };
  }
  throw new RangeError(`${file}: Hopfield metadata has type ${JSON.stringify(meta?.type)}, expected "classical" or "modern"`);
}

/** Saves a network atomically as a model file of kind 'hopfield'. */
export async function saveHopfield(path: string, network: HopfieldNetwork | ModernHopfield, metadata: unknown = null, patterns?: RowMatrix): Promise<void> {
  await saveModel(path, hopfieldToModelFile(network, metadata, patterns));
}

/** Loads a model file of kind 'hopfield', validated. */
export async function loadHopfield(path: string): Promise<SavedHopfield> {
  const m = await loadModel(path, { kind: HOPFIELD_MODEL_KIND, maxFormatVersion: HOPFIELD_FORMAT_VERSION });
  return hopfieldFromModelFile(m, path);
}
