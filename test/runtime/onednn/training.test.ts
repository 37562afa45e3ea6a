/**
 * A whole training run of a tiny MTSL model (conv, stride 2, batch norm, relu, global
 * average pooling, two dense heads, Adam) on the "onednn" backend and on the pure-JS
 * CPU backend from the same seed: the losses of the first steps must match. Also with
 * residual blocks (tiny-residual.mtsl), whose batch norms onednn fuses with the residual
 * add and ReLU and cpu composes.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";

import { compileSource } from "../../../compiler/compile.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { getDataSource } from "../../../runtime/data/registry.js";
import type { DataOptions } from "../../../runtime/data/types.js";
import { Trainer } from "../../../runtime/train/trainer.js";
import { onednn, skipReason } from "./available.js";

const here = dirname(fileURLToPath(import.meta.url));
const STEPS = 4;

/** Losses of the first STEPS training steps of `file` on `backend`. */
async function lossesOn(backend: "onednn" | "cpu", file: string): Promise<Record<string, number>[]> {
  const info = await selectBackend(backend);
  expect(info.name).toBe(backend);
  const ir = compileSource(readFileSync(join(here, file), "utf8")).ir!;
  const options = { ...ir.data.options, train: 64, val: 16, test: 16 } as unknown as DataOptions;
  const dataset = await getDataSource(ir.data.name).load(options);
  const trainer = new Trainer(ir, { outDir: join(here, "never-written"), dataset, backend: info.name });
  const losses: Record<string, number>[] = [];
  try {
    for (let s = 0; s < STEPS; s++) {
      const indices = Array.from({ length: ir.train.batch }, (_, i) => (s * ir.train.batch + i) % 64);
      losses.push(await trainer.step(indices, 1e-2, 1000 + s));
    }
  } finally {
    trainer.dispose();
  }
  return losses;
}

describe.skipIf(onednn === null)(`training on onednn vs cpu ${skipReason}`, () => {
  it.each(["tiny.mtsl", "tiny-residual.mtsl"])(
    `gives the CPU backend's losses for the first ${STEPS} steps of %s`,
    async (file) => {
      await selectBackend("onednn");
      const start = tf.memory().numTensors;
      const native = await lossesOn("onednn", file);
      const keptByNative = tf.memory().numTensors - start;
      const reference = await lossesOn("cpu", file);
      const keptByCpu = tf.memory().numTensors - start - keptByNative;
      // Whatever the runtime keeps alive (data, caches) it keeps on both backends alike.
      expect(keptByNative).toBe(keptByCpu);
      expect(native).toHaveLength(STEPS);
      native.forEach((step, s) => {
        expect(Object.keys(step).sort()).toEqual(["left", "right"]);
        for (const [task, loss] of Object.entries(step)) {
          const ref = reference[s]![task]!;
          expect(Number.isFinite(loss)).toBe(true);
          expect(Math.abs(loss - ref), `step ${s + 1} task ${task}: ${loss} vs ${ref}`).toBeLessThanOrEqual(
            1e-4 * Math.abs(ref),
          );
        }
      });
      // The run learns: the last step's losses differ from the first's.
      expect(native[STEPS - 1]!.left).not.toBe(native[0]!.left);
    },
  );
});
