/**
 * The forward pass of a JEM classifier written with plain tfjs ops instead of `model.apply`. tfjs-layers uses fused
 * conv/matmul ops whose gradient computes every input's gradient at once, so ∇ₓ (what SGLD needs at every step) also
 * pays for the filter, weight and bias gradients; with plain ops the autodiff tape computes only the gradients on
 * the path from x.
 * Layers other than those `buildJemClassifier` makes fall back to `layer.apply`.
 */
import * as tf from '../tf.js';

type Config = Record<string, unknown>;

function activate(x: tf.Tensor, name: unknown): tf.Tensor {
  switch (name) {
    case undefined:
    case null:
    case 'linear':
      return x;
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'relu':
      return tf.relu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    default:
      throw new RangeError(`plain forward: activation ${String(name)} is not supported`);
  }
}

/** Logits of a Sequential model of Conv2D / MaxPooling2D / Flatten / Dense layers, computed with plain ops. */
export function plainForward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  let h = x;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Config;
    const w = layer.getWeights(false);
    if (cls === 'Conv2D' && cfg['dataFormat'] === 'channelsLast' && String(cfg['dilationRate']) === '1,1') {
      let y = tf.conv2d(h as tf.Tensor4D, w[0] as tf.Tensor4D, cfg['strides'] as [number, number], cfg['padding'] as 'same' | 'valid');
      if (cfg['useBias'] !== false && w[1]) y = tf.add(y, w[1]);
      h = activate(y, cfg['activation']);
    } else if (cls === 'MaxPooling2D' && String(cfg['poolSize']) === '2,2' && String(cfg['strides']) === '2,2' && cfg['padding'] === 'valid') {
      h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
    } else if (cls === 'Flatten') {
      h = tf.reshape(h, [h.shape[0]!, -1]);
    } else if (cls === 'Dense' && h.rank === 2) {
      let y = tf.matMul(h as tf.Tensor2D, w[0] as tf.Tensor2D);
      if (cfg['useBias'] !== false && w[1]) y = tf.add(y, w[1]);
      h = activate(y, cfg['activation']);
    } else {
      h = layer.apply(h, { training: false }) as tf.Tensor;
    }
  }
  return h as tf.Tensor2D;
}
