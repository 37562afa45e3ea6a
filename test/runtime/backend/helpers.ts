/** Shared helpers for the backend tests: seeded data and cross-backend comparison. */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";

import type { ConvPadding } from "../../../runtime/backend/conv-via-forward.js";

/** One convolution of the cross-backend tests: input batch x height x width x inC, k x k filter. */
export interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inC: number;
  outC: number;
  k: number;
  stride: number;
  dilation: number;
  pad: ConvPadding;
}

/** Deterministic normal-ish random numbers (sum of uniforms from a 32-bit LCG). */
export function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = uniform() + uniform() + uniform() - 1.5;
  return out;
}

/** A seeded tensor of the given shape on the current backend. */
export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/**
 * Runs `fn` on `backend`, returning plain copies of its output tensors (read back
 * asynchronously, so GPU backends work too); checks it leaks nothing.
 */
export async function onBackend(
  backend: string,
  fn: () => tf.Tensor[],
  options: { checkLeaks: boolean } = { checkLeaks: true },
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(() => fn());
  const values: Float32Array[] = [];
  try {
    for (const t of outputs) values.push(Float32Array.from(await t.data()));
  } finally {
    tf.dispose(outputs);
  }
  if (options.checkLeaks) expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return values;
}

/** Largest absolute difference divided by the largest reference magnitude. */
export function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (reference[i] as number)));
    scale = Math.max(scale, Math.abs(reference[i] as number));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Asserts every array of `actual` is within `tolerance` relative error of `reference`. */
export function expectClose(actual: Float32Array[], reference: Float32Array[], label: string, tolerance = 1e-4): void {
  expect(actual.length, label).toBe(reference.length);
  reference.forEach((ref, i) => {
    const err = relativeError(actual[i] as Float32Array, ref);
    expect(err, `${label} [output ${i}] relative error ${err}`).toBeLessThanOrEqual(tolerance);
  });
}

/** Asserts that every output holds exactly the reference's bits (NaN payloads included). */
export function expectSameBits(actual: Float32Array[], reference: Float32Array[], label: string): void {
  expect(actual.length, label).toBe(reference.length);
  actual.forEach((v, i) => {
    expect(v.length, `${label} [output ${i}]`).toBe(reference[i]!.length);
    expect(
      Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(
        Buffer.from(reference[i]!.buffer, reference[i]!.byteOffset, reference[i]!.byteLength),
      ),
      `${label} [output ${i}]`,
    ).toBe(true);
  });
}
