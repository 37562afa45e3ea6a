/**
 * A gradient for `Sum` that broadcasts dy without building a tensor of ones in JavaScript.
 *
 * TensorFlow.js 4.22's gradient of a sum is `dy * ones(x.shape)`, and `ones` fills its
 * array one element at a time in JavaScript on every backend (on a GPU backend it then
 * uploads it). The losses sum maps of 16 x 64 x 64 values: on the 64x64 scene network that
 * fill took about 1.5 ms of a 140 ms hard-sharing step on onednn (a CPU profile,
 * docs/performance.md). This gradient is the same product with the ones made by the `Fill`
 * kernel (a typed-array fill on host backends, a shader on GPU ones): the same values, bit
 * for bit, since dy * 1 = dy.
 */
import * as tf from "@tensorflow/tfjs";

let registered = false;

export const sumGradient: tf.GradFunc = (dy, saved, attrs) => {
  const [x] = saved as [tf.Tensor];
  const { axis } = attrs as unknown as tf.SumAttrs;
  const expandedShape = [...x.shape];
  for (const a of tf.util.parseAxisParam(axis, x.shape)) expandedShape[a] = 1;
  return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, expandedShape), tf.fill(x.shape, 1, "float32")) };
};

/** Replaces the global Sum gradient with {@link sumGradient} (idempotent). Affects every backend. */
export function registerSumGradient(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({ kernelName: tf.Sum, inputsToSave: ["x"], gradFunc: sumGradient });
}
