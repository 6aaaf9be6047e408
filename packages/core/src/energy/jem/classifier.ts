/**
 * The classifiers f(x) JEM reads as energy models: an MLP and the small CNN of the benchmark (conv 32 and 64, 3×3,
 * two 2×2 max-poolings, dense 128, one logit per class, Swish activations), built as tfjs-layers models with
 * seeded initialisers so the same seed gives the same weights.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';

/** Architecture of a JEM classifier; stored in model files so they can be rebuilt. */
export type JemArchitecture =
  | {
      kind: 'mlp';
      /** Shape of one input (flattened first), e.g. [784] or [28, 28, 1]. */
      inputShape: number[];
      classes: number;
      /** Hidden layer widths (default [256, 256]). */
      hidden?: number[];
    }
  | {
      kind: 'cnn';
      /** [height, width, channels]. */
      inputShape: [number, number, number];
      classes: number;
      /** Filters of the two 3×3 conv layers (default [32, 64]). */
      filters?: [number, number];
      /** Width of the dense layer (default 128). */
      dense?: number;
    };

function checkArchitecture(a: JemArchitecture): void {
  if (!Number.isSafeInteger(a.classes) || a.classes < 2) throw new RangeError(`JEM classifier: classes must be an integer ≥ 2, got ${a.classes}`);
  if (a.inputShape.length === 0 || a.inputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new RangeError(`JEM classifier: invalid inputShape [${a.inputShape.join(', ')}]`);
  }
  if (a.kind === 'cnn' && a.inputShape.length !== 3) throw new RangeError(`JEM cnn: inputShape must be [height, width, channels], got [${a.inputShape.join(', ')}]`);
  if (a.kind === 'cnn' && (a.inputShape[0] < 4 || a.inputShape[1] < 4)) throw new RangeError(`JEM cnn: images of ${a.inputShape[0]}×${a.inputShape[1]} are too small for two 2×2 poolings`);
}

/** Builds the classifier for `arch` with Glorot-uniform weights seeded from `rng` (zero biases). */
export function buildJemClassifier(arch: JemArchitecture, rng: Rng): tf.Sequential {
  checkArchitecture(arch);
  const init = () => tf.initializers.glorotUniform({ seed: rng.int(2 ** 31) });
  const layers: tf.layers.Layer[] = [];
  if (arch.kind === 'mlp') {
    const hidden = arch.hidden ?? [256, 256];
    const flat = arch.inputShape.length === 1;
    if (!flat) layers.push(tf.layers.flatten({ inputShape: arch.inputShape }));
    hidden.forEach((units, i) => {
      layers.push(tf.layers.dense({ ...(flat && i === 0 ? { inputShape: arch.inputShape } : {}), units, activation: 'swish', kernelInitializer: init() }));
    });
  } else {
    const [f1, f2] = arch.filters ?? [32, 64];
    const conv = (filters: number, first: boolean) =>
      tf.layers.conv2d({
        ...(first ? { inputShape: arch.inputShape } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'swish',
        kernelInitializer: init(),
      });
    layers.push(conv(f1, true), tf.layers.maxPooling2d({ poolSize: 2 }), conv(f2, false), tf.layers.maxPooling2d({ poolSize: 2 }));
    layers.push(tf.layers.flatten(), tf.layers.dense({ units: arch.dense ?? 128, activation: 'swish', kernelInitializer: init() }));
  }
  const first = arch.kind === 'mlp' && arch.inputShape.length === 1 && (arch.hidden ?? [256, 256]).length === 0;
  layers.push(tf.layers.dense({ ...(first ? { inputShape: arch.inputShape } : {}), units: arch.classes, kernelInitializer: init() }));
  return tf.sequential({ layers });
}
