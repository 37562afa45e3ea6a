/**
 * What the resize gradient kernels share: the forward kernels' scale between input and
 * output coordinates, the kernels' arguments (checked), a host-memory kernel made from a
 * backward loop, and installing a kernel in place of a backend's own.
 */
import * as tf from "@tensorflow/tfjs";

import { BackendError, BackendErrorCode } from "./backend-error.js";
import { readKernelInput } from "./read-kernel-input.js";

/** Input coordinates per output coordinate along one axis, as the CPU forward kernels compute it. */
export function resizeScale(inSize: number, outSize: number, alignCorners: boolean): number {
  const aligned = alignCorners && outSize > 1;
  return (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize);
}

/** A resize gradient kernel's inputs and attributes. */
export interface ResizeGradArgs {
  images: tf.TensorInfo;
  dy: tf.TensorInfo;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** The checked arguments of `kernelName` (ResizeBilinearGrad, ResizeNearestNeighborGrad). */
export function resizeGradArgs(kernelName: string, { inputs, attrs }: Parameters<tf.KernelFunc>[0]): ResizeGradArgs {
  const { images, dy } = inputs as { images?: tf.TensorInfo; dy?: tf.TensorInfo };
  const { alignCorners, halfPixelCenters } = (attrs ?? {}) as unknown as tf.ResizeBilinearAttrs;
  if (images === undefined || dy === undefined || images.shape.length !== 4 || dy.shape.length !== 4) {
    throw new BackendError(
      `${kernelName} needs 4-D \`images\` and \`dy\` tensors`,
      BackendErrorCode.unsupportedKernelArgs,
    );
  }
  return { images, dy, alignCorners: Boolean(alignCorners), halfPixelCenters: Boolean(halfPixelCenters) };
}

/** A backward loop: `dy` ([batch, outH, outW, C]) scattered onto an image of `imageShape`. */
export type ResizeBackward = (
  dy: ArrayLike<number>,
  dyShape: readonly number[],
  imageShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
) => Float32Array;

/** `kernelName` for a host-memory backend (cpu, onednn, wasm), computed by `backward`. */
export function hostResizeGradKernel(kernelName: string, backward: ResizeBackward): tf.KernelFunc {
  return (args) => {
    const { images, dy, alignCorners, halfPixelCenters } = resizeGradArgs(kernelName, args);
    const dx = backward(readKernelInput(args.backend, dy), dy.shape, images.shape, alignCorners, halfPixelCenters);
    return tf.tensor(dx, images.shape, "float32");
  };
}

/** Installs `kernelFunc` as `kernelName` on `backendName` unless it is already installed. */
export function installKernel(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  const existing = tf.getKernel(kernelName, backendName);
  if (existing?.kernelFunc === kernelFunc) return;
  if (existing !== undefined) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc });
}
