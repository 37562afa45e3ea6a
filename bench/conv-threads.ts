/**
 * `npx tsx bench/conv-threads.ts`: 3x3 convolutions with both gradients on the onednn
 * backend, on 1 and on 2 threads, at sizes from a scenes stage (~5 MFLOP) to a large
 * NYUv2-like layer (~5 GFLOP): where a second thread starts to pay. This is what the
 * addon's parallel threshold (100 MFLOP, packages/onednn/src/common.h) rests on.
 *
 * Each thread count runs in a fresh child process (oneDNN primitives are built for the
 * thread count of their creation). Printed, never asserted. Options: --threads 1,2.
 */
import * as tf from "@tensorflow/tfjs";

import { selectBackend } from "../runtime/backend/select.js";
import { stringArg } from "./lib/args.js";
import { childArgs, isChild, runChild } from "./lib/child.js";
import { loadLine } from "./lib/machine.js";
import { markdownTable } from "./lib/table.js";

/** batch, height = width, input channels, output channels */
const CASES: ReadonlyArray<[number, number, number, number]> = [
  [16, 16, 8, 8],
  [16, 32, 16, 16],
  [16, 32, 32, 32],
  [16, 64, 32, 32],
  [4, 128, 64, 64],
];

interface Row {
  shape: string;
  mflop: number;
  ms: number;
}

async function child(threads: number): Promise<Row[]> {
  process.env["MTSL_ONEDNN_THREADS"] = String(threads);
  const info = await selectBackend("onednn");
  if (info.name !== "onednn") throw new Error("the onednn backend is not available");
  const rows: Row[] = [];
  for (const [n, hw, ci, co] of CASES) {
    const x = tf.randomNormal([n, hw, hw, ci]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
    const flops = 2 * n * hw * hw * ci * co * 9;
    const step = (): void =>
      tf.dispose(
        tf.tidy(() =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same")))([
            x,
            w,
          ]),
        ),
      );
    for (let i = 0; i < 5; i++) step();
    const reps = Math.max(5, Math.min(200, Math.round(2e9 / flops)));
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) step();
    rows.push({ shape: `${n}x${hw}x${hw}x${ci} -> ${co}`, mflop: flops / 1e6, ms: (performance.now() - t0) / reps });
    tf.dispose([x, w]);
  }
  return rows;
}

if (isChild()) {
  const [threads] = childArgs();
  console.log(JSON.stringify(await child(Number(threads))));
} else {
  const counts = (stringArg(process.argv.slice(2), "--threads") ?? "1,2").split(",").map(Number);
  const results = counts.map((t) => runChild<Row[]>(import.meta.filename, [String(t)]));
  const header = ["convolution (3x3, same)", "MFLOP forward", ...counts.map((t) => `${t} thread(s): ms fwd+bwd`)];
  const rows = results[0]!.map((r, i) => [
    r.shape,
    r.mflop.toFixed(1),
    ...results.map((res) => `${res[i]!.ms.toFixed(2)} (${((3 * res[i]!.mflop) / res[i]!.ms).toFixed(0)} GFLOP/s)`),
  ]);
  console.log(markdownTable(header, rows));
  console.log(loadLine("end"));
}
