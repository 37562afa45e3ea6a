/**
 * One value per row of a 2-D tensor, at a column given per row: `y[r] = x[r, index[r]]`,
 * as one kernel forward and one backward.
 *
 * The cross-entropy loss picks each pixel's log-probability of its label. Composed, that is
 * a one-hot matrix, a product with it and a sum over the classes forward, and a broadcast
 * product backward: for a segmentation loss of 16 x 64 x 64 pixels and 6 classes, four
 * passes over [65536, 6] maps each way whose broadcasts along a last axis of 6 are among the
 * slowest kernels of a hard-sharing step on onednn (docs/performance.md). `MtslPickColumns`
 * reads one value per row; `MtslPickColumnsGrad` writes dy at the picked column of a zero
 * matrix. The values are exactly the composed ones: `sum(x * onehot, 1)` adds zeros to the
 * picked value, and the product's gradient is dy times the one-hot row.
 *
 * {@link pickColumns} uses the kernels where the fused training path is on (onednn, wasm:
 * the loops are one read or write per row, as fast in JavaScript as compiled) and the
 * composed ops elsewhere (cpu, the reference; webgpu and tfjs-node, where host loops would
 * read the tensor back).
 */
import * as tf from "@tensorflow/tfjs";

import { fusedTrainingEnabled } from "./batch-norm-train.js";
import { kernelOutput, readKernelInput, registerOnHostBackends } from "./read-kernel-input.js";

export const PICK_COLUMNS = "MtslPickColumns";
export const PICK_COLUMNS_GRAD = "MtslPickColumnsGrad";

/** Throws unless every index is a whole number in [0, columns). */
function checkIndex(index: ArrayLike<number>, columns: number): void {
  for (let r = 0; r < index.length; r++) {
    const c = index[r]!;
    if (!(c >= 0 && c < columns && Number.isInteger(c))) {
      throw new RangeError(`${PICK_COLUMNS}: row ${r} picks column ${c}, outside [0, ${columns})`);
    }
  }
}

/**
 * `y[r] = x[r * columns + index[r]]` for each row of the row-major `x`; when `x` is one row
 * (`x.length === columns`), `y[r] = x[index[r]]`: one row for every index (a lookup table).
 */
export function pickColumnsRows(x: ArrayLike<number>, index: ArrayLike<number>, columns: number): Float32Array {
  checkIndex(index, columns);
  const stride = x.length === columns ? 0 : columns;
  const y = new Float32Array(index.length);
  for (let r = 0; r < index.length; r++) y[r] = x[r * stride + index[r]!]!;
  return y;
}

/**
 * The gradient of {@link pickColumnsRows} for an `x` of `xRows` rows: zeros, plus dy[r] at
 * row r's picked column (of the one row, summed, when `xRows` is 1).
 */
export function pickColumnsGradRows(
  dy: ArrayLike<number>,
  index: ArrayLike<number>,
  columns: number,
  xRows = index.length,
): Float32Array {
  checkIndex(index, columns);
  const dx = new Float32Array(xRows * columns);
  if (xRows === 1 && index.length !== 1) {
    for (let r = 0; r < index.length; r++) dx[index[r]!] = dx[index[r]!]! + dy[r]!;
  } else {
    for (let r = 0; r < index.length; r++) dx[r * columns + index[r]!] = dy[r]!;
  }
  return dx;
}

const columnsOf = (t: tf.TensorInfo): number => t.shape[1]!;

const forwardKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, index } = inputs as Record<string, tf.TensorInfo>;
  // Read both inputs before the output exists: a wasm heap view dies with the next allocation.
  const y = pickColumnsRows(readKernelInput(backend, x!), readKernelInput(backend, index!), columnsOf(x!));
  return kernelOutput(backend, y, [index!.shape[0]!]);
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, index } = inputs as Record<string, tf.TensorInfo>;
  const { columns, rows } = attrs as unknown as { columns: number; rows: number };
  const dx = pickColumnsGradRows(readKernelInput(backend, dy!), readKernelInput(backend, index!), columns, rows);
  return kernelOutput(backend, dx, [rows, columns]);
};

let registered = false;

/** Registers both kernels on every host-memory backend, and the forward kernel's gradient. Idempotent. */
export function registerPickColumnsKernels(): void {
  if (registered) return;
  registered = true;
  registerOnHostBackends(PICK_COLUMNS, forwardKernel);
  registerOnHostBackends(PICK_COLUMNS_GRAD, backwardKernel);
  tf.registerGradient({
    kernelName: PICK_COLUMNS,
    inputsToSave: ["x", "index"],
    gradFunc: (dy, saved) => {
      const [x, index] = saved as tf.Tensor[];
      return {
        x: () =>
          tf.engine().runKernel(PICK_COLUMNS_GRAD, { dy: dy as tf.Tensor, index: index! }, {
            columns: x!.shape[1]!,
            rows: x!.shape[0]!,
          } as never),
        index: () => tf.zerosLike(index!),
      };
    },
  });
}

/**
 * `x[r, index[r]]` for each row r of `x` [rows, columns], or `x[0, index[r]]` when `x` is
 * one row [1, columns] (a lookup table for every index); `index` int32 [rows], every value in
 * [0, columns). One kernel each way on the fused training path, the composed one-hot product
 * elsewhere (the same values). Differentiable in x.
 */
export function pickColumns(x: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor1D {
  if (index.dtype !== "int32") throw new TypeError(`pickColumns: index must be int32, got ${index.dtype}`);
  if (index.shape[0] !== x.shape[0] && x.shape[0] !== 1) {
    throw new RangeError(`pickColumns: ${index.shape[0]} indices for ${x.shape[0]} rows`);
  }
  if (!fusedTrainingEnabled() || x.dtype !== "float32") {
    return tf.sum(tf.mul(x, tf.oneHot(index, x.shape[1])), 1);
  }
  registerPickColumnsKernels();
  return tf.engine().runKernel(PICK_COLUMNS, { x, index }) as tf.Tensor1D;
}
