/**
 * Gradients for `Sum` and `Mean` that broadcast dy without building a tensor of ones in
 * JavaScript.
 *
 * TensorFlow.js 4.22's gradients of a sum and a mean are `dy * ones(x.shape)` (the mean's then
 * divided by the count), and `ones` fills its array one element at a time in JavaScript on
 * every backend (on a GPU backend it then uploads it). The losses sum maps of 16 x 64 x 64
 * values and a `gap` layer averages every map it pools: on the 64x64 scene network the fill
 * took about 1.5 ms of a 140 ms hard-sharing step on onednn (a CPU profile,
 * docs/performance.md). These gradients are the same expressions with the ones made by the
 * `Fill` kernel (a typed-array fill on host backends, a shader on GPU ones): the same values,
 * bit for bit, since dy * 1 = dy.
 */
import * as tf from "@tensorflow/tfjs";

let registered = false;

/** dy reshaped to keep x's reduced axes, times ones of x's shape: dy broadcast over them. */
function broadcastOverReduced(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const expandedShape = [...x.shape];
  for (const a of tf.util.parseAxisParam(axis, x.shape)) expandedShape[a] = 1;
  return tf.mul(tf.reshape(dy, expandedShape), tf.fill(x.shape, 1, "float32"));
}

export const sumGradient: tf.GradFunc = (dy, saved, attrs) => {
  const [x] = saved as [tf.Tensor];
  const { axis } = attrs as unknown as tf.SumAttrs;
  return { x: () => broadcastOverReduced(dy as tf.Tensor, x, axis) };
};

export const meanGradient: tf.GradFunc = (dy, saved, attrs) => {
  const [x] = saved as [tf.Tensor];
  const { axis } = attrs as unknown as tf.MeanAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return { x: () => tf.div(broadcastOverReduced(dy as tf.Tensor, x, axis), count) };
};

/** Replaces the global Sum and Mean gradients with these (idempotent). Affects every backend. */
export function registerReductionGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({ kernelName: tf.Sum, inputsToSave: ["x"], gradFunc: sumGradient });
  tf.registerGradient({ kernelName: tf.Mean, inputsToSave: ["x"], gradFunc: meanGradient });
}
