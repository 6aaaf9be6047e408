// @ebmkit/core/backend — tfjs backend selection (native TensorFlow → WebAssembly → cpu). A separate entry point
// so that `@ebmkit/core` neither loads nor type-references tfjs; it needs the optional peer dependencies
// @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu (plus -backend-wasm for wasm, tfjs-node for native).
export type { Tf, BackendName, BackendPreference, BackendSelection } from './select.js';
export { BACKEND_CHOICES, selectBackend, activeBackend, getTf } from './select.js';
