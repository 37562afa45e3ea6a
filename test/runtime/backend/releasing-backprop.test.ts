/**
 * The releasing reverse walk (runtime/backend/releasing-backprop.ts) against tfjs 4.22's own
 * `engine.gradients`: the same values bit for bit (a graph with branches, a multi-output op
 * with an unused output, broadcasting, a caller's dy, second-order gradients, and training
 * steps of a real network), nothing leaked, and a lower peak of live tensor bytes during the
 * walk.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { compileSource } from "../../../compiler/compile.js";
import {
  installReleasingBackprop,
  releasingBackpropInstalled,
  restoreTfjsBackprop,
} from "../../../runtime/backend/releasing-backprop.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { getDataSource } from "../../../runtime/data/registry.js";
import type { DataOptions } from "../../../runtime/data/types.js";
import { Trainer } from "../../../runtime/train/trainer.js";
import { seeded } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Runs `fn` once with tfjs's walk and once with the releasing one. */
async function both<T>(fn: () => Promise<T> | T): Promise<{ tfjs: T; releasing: T }> {
  restoreTfjsBackprop();
  const tfjs = await fn();
  installReleasingBackprop();
  const releasing = await fn();
  return { tfjs, releasing };
}

/** A variable of seeded values (tf.variable keeps its initial tensor alive: disposed here). */
function variable(shape: number[], seed: number, name: string): tf.Variable {
  const initial = seeded(shape, seed);
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}

/** Gradients of a small network with branches, as plain arrays; checks nothing leaks. */
function branchyGradients(): Float32Array[] {
  const before = tf.memory().numTensors;
  const w1 = variable([3, 3, 2, 4], 1, "rb-w1");
  const w2 = variable([4, 5], 2, "rb-w2");
  const b = variable([5], 3, "rb-b");
  const scale = variable([1, 1, 1, 4], 4, "rb-scale");
  const x = seeded([2, 6, 6, 2], 5);
  const { value, grads } = tf.variableGrads(() => {
    const h = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, "same"));
    // h feeds three consumers; split has an output that nothing reads.
    const [left, , right] = tf.split(tf.mul(h, scale), [1, 2, 1], 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const pooled = tf.mean(tf.add(h, tf.concat([left!, right!, left!, right!], 3)), [1, 2]);
    const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, w2), b);
    return tf.add(tf.mean(tf.square(logits)), tf.mean(tf.sigmoid(h))) as tf.Scalar;
  });
  const out = [value, ...["rb-w1", "rb-w2", "rb-b", "rb-scale"].map((n) => grads[n]!)].map((t) => t.dataSync().slice());
  tf.dispose([value, ...Object.values(grads), w1, w2, b, scale, x]);
  expect(tf.memory().numTensors, "tensors leaked").toBe(before);
  return out as Float32Array[];
}

describe("the releasing reverse walk", () => {
  beforeAll(async () => {
    await selectBackend("cpu");
  });
  afterAll(() => installReleasingBackprop());

  it("is what selectBackend installs", () => {
    expect(releasingBackpropInstalled()).toBe(true);
  });

  it("gives tfjs's gradients bit for bit on a graph with branches and leaks nothing", async () => {
    const { tfjs, releasing } = await both(branchyGradients);
    expect(releasing).toHaveLength(5);
    releasing.forEach((a, i) => expect(Array.from(a), `output ${i}`).toEqual(Array.from(tfjs[i]!)));
    expect(releasing[1]!.some((v) => v !== 0)).toBe(true);
  });

  it("leaves the caller's dy alive and uses it", async () => {
    const { tfjs, releasing } = await both(() => {
      const x = seeded([4, 3], 6);
      const dy = seeded([4, 3], 7);
      const [g] = tf.grads((a: tf.Tensor) => tf.tanh(tf.mul(a, a)))([x], dy);
      const out = [g!.dataSync().slice(), dy.dataSync().slice()];
      expect(dy.isDisposed).toBe(false);
      tf.dispose([x, dy, g!]);
      return out;
    });
    expect(Array.from(releasing[0]!)).toEqual(Array.from(tfjs[0]!));
  });

  it("gives second-order gradients as tfjs does", async () => {
    const { tfjs, releasing } = await both(() => {
      const x = tf.tensor1d([0.5, -1.5, 2]);
      // d2/dx2 of x^3 * sin(x) = 6x sin x + 6x^2 cos x - x^3 sin x
      const g2 = tf.grad(tf.grad((a: tf.Tensor) => tf.mul(tf.pow(a, 3), tf.sin(a))));
      const r = g2(x);
      const out = Array.from(r.dataSync());
      tf.dispose([x, r]);
      return out;
    });
    expect(releasing).toEqual(tfjs);
    const expected = [0.5, -1.5, 2].map((x) => 6 * x * Math.sin(x) + 6 * x * x * Math.cos(x) - x ** 3 * Math.sin(x));
    releasing.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
  });

  it("holds fewer bytes at its peak than tfjs's walk on a deep chain", async () => {
    const LAYERS = 16;
    const peak = async () => {
      let highest = 0;
      // An identity whose gradient notes the bytes alive when the walk reaches it.
      const probe = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
        value: tf.clone(args[0] as tf.Tensor),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
          highest = Math.max(highest, tf.memory().numBytes);
          return tf.clone(dy as tf.Tensor);
        },
      }));
      const w = variable([256], 8, "rb-chain");
      const x = seeded([256, 256], 9);
      const start = tf.memory().numBytes;
      const { value, grads } = tf.variableGrads(() => {
        let h: tf.Tensor = x;
        for (let l = 0; l < LAYERS; l++) h = probe(tf.tanh(tf.mul(h, w))) as tf.Tensor;
        return tf.mean(h) as tf.Scalar;
      });
      tf.dispose([value, ...Object.values(grads), w, x]);
      return highest - start;
    };
    const { tfjs, releasing } = await both(peak);
    const activation = 256 * 256 * 4;
    // tfjs holds every activation and every intermediate gradient until the walk ends: at
    // its last probe, at least 3 tensors per layer.
    expect(tfjs).toBeGreaterThan(3 * LAYERS * activation);
    // The releasing walk holds the activations not yet reached plus a few gradients.
    expect(releasing).toBeLessThan(tfjs * 0.6);
  });

  it("gives the same losses bit for bit over training steps of a real network", async () => {
    const ir = compileSource(readFileSync(join(here, "../onednn/tiny.mtsl"), "utf8")).ir!;
    const options = { ...ir.data.options, train: 64, val: 16, test: 16 } as unknown as DataOptions;
    const dataset = await getDataSource(ir.data.name).load(options);
    const { tfjs, releasing } = await both(async () => {
      const trainer = new Trainer(ir, { outDir: join(here, "never-written"), dataset, backend: "cpu" });
      const losses: Record<string, number>[] = [];
      try {
        for (let s = 0; s < 3; s++) {
          const indices = Array.from({ length: ir.train.batch }, (_, i) => (s * ir.train.batch + i) % 64);
          losses.push(await trainer.step(indices, 1e-2, 1000 + s));
        }
      } finally {
        trainer.dispose();
      }
      return losses;
    });
    expect(releasing).toEqual(tfjs);
    expect(releasing[2]!.left).not.toBe(releasing[0]!.left);
  });
});
