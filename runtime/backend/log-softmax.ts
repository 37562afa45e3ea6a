/**
 * Log-softmax over the last axis of a 2-D tensor as one kernel forward and one backward.
 *
 * `tf.logSoftmax` is composed of a max, a subtraction, an exponential, a sum and a log
 * forward and as many kernels backward, each a pass over the logits; for a segmentation
 * loss of 16 x 64 x 64 pixels and 6 classes those passes cost about 11 ms of a 160 ms
 * hard-sharing step on onednn (bench/kernel-profile.ts), the CPU backend's max reduction and
 * the broadcasts along a last axis of 6 the slowest. `MtslLogSoftmax` computes each row in
 * float64 in one pass:
 *
 *   y = x - max(x) - log(sum(exp(x - max(x))))
 *
 * and `MtslLogSoftmaxGrad` the gradient from the saved output, `dx = dy - exp(y) * sum(dy)`
 * per row. Only their compiled loops pay (runtime/backend/host-kernels.ts, on onednn): the
 * JavaScript ones, one `Math.exp` per value, are slower than the composed ops on onednn
 * (24-29 against 12-17 ms for the loss and gradient of [16, 64, 64, 6] logits) and on wasm
 * (26-30 against 21-23 ms). So {@link logSoftmax2d} uses the kernels where the fused training
 * path is on and the backend has compiled loops; the JavaScript loops are the reference the
 * compiled ones are written against, and the kernels run them on any host backend when called
 * directly (the tests compare both with `tf.logSoftmax` on cpu and wasm).
 */
import * as tf from "@tensorflow/tfjs";

import { compiledFusionEnabled } from "./batch-norm-train.js";
import { allFloat32, nativeHostKernels } from "./host-kernels.js";
import { kernelOutput, readKernelInput, registerOnHostBackends } from "./read-kernel-input.js";

export const LOG_SOFTMAX = "MtslLogSoftmax";
export const LOG_SOFTMAX_GRAD = "MtslLogSoftmaxGrad";

/** Log-softmax of each row of `classes` values of `x` (row-major), accumulated in float64. */
export function logSoftmaxRows(x: ArrayLike<number>, classes: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let start = 0; start < x.length; start += classes) {
    const end = start + classes;
    let max = -Infinity;
    for (let i = start; i < end; i++) if ((x[i] as number) > max) max = x[i] as number;
    // A row of -Infinity (or with +Infinity) has no finite shift: tf.logSoftmax gives NaN there too.
    let sum = 0;
    for (let i = start; i < end; i++) sum += Math.exp((x[i] as number) - max);
    const shift = max + Math.log(sum);
    for (let i = start; i < end; i++) y[i] = (x[i] as number) - shift;
  }
  return y;
}

/** The gradient of {@link logSoftmaxRows} from its output `y`: dy - exp(y) * sum(dy) per row. */
export function logSoftmaxGradRows(dy: ArrayLike<number>, y: ArrayLike<number>, classes: number): Float32Array {
  const dx = new Float32Array(dy.length);
  for (let start = 0; start < dy.length; start += classes) {
    const end = start + classes;
    let sum = 0;
    for (let i = start; i < end; i++) sum += dy[i] as number;
    for (let i = start; i < end; i++) dx[i] = (dy[i] as number) - Math.exp(y[i] as number) * sum;
  }
  return dx;
}

const classesOf = (t: tf.TensorInfo): number => t.shape[t.shape.length - 1]!;

const forwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { logits } = inputs as Record<string, tf.TensorInfo>;
  const x = readKernelInput(backend, logits!);
  const native = nativeHostKernels();
  const classes = classesOf(logits!);
  const y =
    native !== undefined && x instanceof Float32Array ? native.logSoftmaxRows(x, classes) : logSoftmaxRows(x, classes);
  return kernelOutput(backend, y, [...logits!.shape]);
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, y } = inputs as Record<string, tf.TensorInfo>;
  // Read both inputs before the output exists: a wasm heap view dies with the next allocation.
  const values = [readKernelInput(backend, dy!), readKernelInput(backend, y!)];
  const native = nativeHostKernels();
  const classes = classesOf(y!);
  const dx =
    native !== undefined && allFloat32(values)
      ? native.logSoftmaxGradRows(values[0]!, values[1]!, classes)
      : logSoftmaxGradRows(values[0]!, values[1]!, classes);
  return kernelOutput(backend, dx, [...dy!.shape]);
};

let registered = false;

/** Registers both kernels on every host-memory backend, and the forward kernel's gradient. Idempotent. */
export function registerLogSoftmaxKernels(): void {
  if (registered) return;
  registered = true;
  registerOnHostBackends(LOG_SOFTMAX, forwardKernel);
  registerOnHostBackends(LOG_SOFTMAX_GRAD, backwardKernel);
  tf.registerGradient({
    kernelName: LOG_SOFTMAX,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved as tf.Tensor[];
      return {
        logits: () => tf.engine().runKernel(LOG_SOFTMAX_GRAD, { dy: dy as tf.Tensor, y: y! }) as tf.Tensor,
      };
    },
  });
}

/**
 * Log-softmax over the last axis of the 2-D `logits` [rows, classes]: one kernel each way
 * where the fused training path is on and the backend has compiled host loops (onednn),
 * `tf.logSoftmax` elsewhere. Differentiable.
 */
export function logSoftmax2d(logits: tf.Tensor2D): tf.Tensor2D {
  if (!compiledFusionEnabled() || logits.dtype !== "float32") {
    return tf.logSoftmax(logits);
  }
  registerLogSoftmaxKernels();
  return tf.engine().runKernel(LOG_SOFTMAX, { logits }) as tf.Tensor2D;
}
