/**
 * Reading tensors back to JavaScript on every backend.
 *
 * The runtime reads values only asynchronously: on a GPU backend in Node (webgpu) a
 * synchronous read (`dataSync`, `arraySync`) fails, since TensorFlow.js reads GPU buffers
 * synchronously through an `OffscreenCanvas`, which Node lacks. On host-memory backends
 * (cpu, onednn, wasm) the asynchronous read costs a resolved promise.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The values of scalar (or one-element) tensors, in order, read back together: one
 * transfer and one wait on a GPU rather than one per tensor. The tensors are not disposed.
 */
export async function readScalars(tensors: readonly tf.Tensor[]): Promise<number[]> {
  if (tensors.length === 0) return [];
  if (tensors.length === 1) return [(await tensors[0]!.data())[0] as number];
  const joined = tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [1]))));
  try {
    return Array.from(await joined.data());
  } finally {
    joined.dispose();
  }
}
