// @ts-check
/**
 * BatchMatMul (tf.matMul, dense layers) on oneDNN, with transposes and a broadcast
 * batch of 1 on either side.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";
import { floatOutput, floatValues, outputArray, runCpuKernel, sizeOf } from "./tensor-data.js";

/**
 * The addon's shape vector and the output shape, or null when the batch dimensions
 * need a broadcast other than "equal" or "one side is a single matrix".
 * @param {number[]} aShape
 * @param {number[]} bShape
 * @param {boolean} transposeA
 * @param {boolean} transposeB
 * @returns {{shape: Int32Array, outShape: number[]} | null}
 */
export function matMulShape(aShape, bShape, transposeA, transposeB) {
  if (aShape.length < 2 || bShape.length < 2) return null;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const [ar, ac] = /** @type {[number, number]} */ (aShape.slice(-2));
  const [br, bc] = /** @type {[number, number]} */ (bShape.slice(-2));
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const kB = transposeB ? bc : br;
  const n = transposeB ? br : bc;
  if (k !== kB) return null;
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  let outer;
  if (sameOuter) outer = outerA;
  else if (batchA === 1 && outerA.length <= outerB.length) outer = outerB;
  else if (batchB === 1 && outerB.length <= outerA.length) outer = outerA;
  else return null;
  if ([batchA, batchB, m, k, n].some((v) => v <= 0)) return null;
  return {
    shape: Int32Array.from([batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0]),
    outShape: [...outer, m, n],
  };
}

/** @type {tf.KernelFunc} */
export const batchMatMulKernel = (args) => {
  const { inputs, attrs } = args;
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const a = inputs.a;
  const b = inputs.b;
  if (a === undefined || b === undefined) throw new Error("mtsl-onednn: BatchMatMul needs inputs a and b");
  const { transposeA, transposeB } = /** @type {tf.BatchMatMulAttrs} */ (/** @type {unknown} */ (attrs));
  const plan = matMulShape([...a.shape], [...b.shape], Boolean(transposeA), Boolean(transposeB));
  const av = floatValues(backend, a);
  const bv = floatValues(backend, b);
  if (plan === null || av === null || bv === null) return runCpuKernel(tf.BatchMatMul, args);
  const c = outputArray(sizeOf(plan.outShape));
  native.matMul(av, bv, c, plan.shape);
  return floatOutput(backend, plan.outShape, c);
};
