/**
 * Host memory: which backends keep tensors there, and synchronous read access to a kernel
 * input's values, for kernels written in JavaScript.
 */
import * as tf from "@tensorflow/tfjs";

/** Backends whose tensors live in host memory (JavaScript arrays or the wasm heap). */
export const HOST_BACKENDS: readonly string[] = ["cpu", "onednn", "wasm"];

/** Whether the current backend keeps tensors in host memory, where reading values back is cheap. */
export function onHostMemory(): boolean {
  return HOST_BACKENDS.includes(tf.getBackend());
}

/** The WebAssembly backend's zero-copy view of a tensor in its heap. */
interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** A backend that lends a kernel its inputs' values for the call (mtsl-onednn: reading through readSync would stop it recycling them). */
interface LendingBackend {
  kernelValues(dataId: tf.DataId): ArrayLike<number> | undefined;
}

function lendsValues(backend: unknown): backend is LendingBackend {
  return typeof (backend as Partial<LendingBackend>).kernelValues === "function";
}

function hasHeapViews(backend: unknown): backend is HeapBackend {
  return typeof (backend as Partial<HeapBackend>).typedArrayFromHeap === "function";
}

/**
 * The values of `info`. On the wasm backend this is a view into its heap (no copy; it is
 * invalidated by the next allocation, so read it before creating any tensor); elsewhere
 * it is the backend's own array (what `readSync` returns). Read-only, and only during the
 * kernel call: never write through the result, keep it, or return it as an output.
 */
export function readKernelInput(backend: unknown, info: tf.TensorInfo): ArrayLike<number> {
  if (hasHeapViews(backend)) return backend.typedArrayFromHeap(info);
  if (lendsValues(backend)) {
    const values = backend.kernelValues(info.dataId);
    if (values !== undefined) return values;
  }
  return (backend as tf.KernelBackend).readSync(info.dataId) as ArrayLike<number>;
}

interface TensorInfoMaker {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** A host kernel's output holding `values` (the wasm backend has no makeTensorInfo: a tensor is made). */
export function kernelOutput(backend: unknown, values: Float32Array, shape: number[]): tf.TensorInfo {
  const maker = backend as Partial<TensorInfoMaker>;
  if (typeof maker.makeTensorInfo === "function" && tf.getBackend() !== "wasm") {
    return maker.makeTensorInfo(shape, "float32", values);
  }
  return tf.tensor(values, shape, "float32");
}

/** Registers `kernelFunc` as `kernelName` on every host-memory backend that lacks it. */
export function registerOnHostBackends(kernelName: string, kernelFunc: tf.KernelFunc): void {
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(kernelName, backendName) === undefined) tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}
