/**
 * The tfjs namespace the energy models use: `@tensorflow/tfjs-core` (tensors, ops, gradients, optimisers) plus
 * `@tensorflow/tfjs-layers` (the JEM classifiers; its Node build also registers tfjs-core's gradient functions),
 * with the pure-JavaScript cpu backend registered so a backend always exists. This is the part of the
 * `@tensorflow/tfjs` umbrella ebmkit uses, without its webgl backend, converter and data packages (≈ 140 MB
 * installed that never run in Node). Ops are called as functions (`tf.cast(x, 'float32')`), never as tensor
 * methods: tfjs-core's Node build does not install the chained-op methods. `selectBackend()` (from
 * `@ebmkit/core/backend`) switches to native TensorFlow or WebAssembly when they are available.
 */
import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
