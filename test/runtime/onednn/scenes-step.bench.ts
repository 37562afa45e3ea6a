/**
 * Times one training step (Trainer.step: forward, gradients, Adam) of the
 * 32x32 scene network (bench/fixtures/scenes32.mtsl) on the oneDNN backend and on WebAssembly, in the same
 * process, and profiles where the oneDNN step spends its time.
 *
 * Run: npx tsx test/runtime/onednn/scenes-step.bench.ts [--steps N] [--profile] [--only onednn|wasm]
 * Prints figures; asserts nothing (the machine is shared, see docs/onednn.md).
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";

import { compileSource } from "../../../compiler/compile.js";
import { selectBackend, type BackendPreference } from "../../../runtime/backend/select.js";
import { getDataSource } from "../../../runtime/data/registry.js";
import { Trainer } from "../../../runtime/train/trainer.js";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const steps = Number(flag("--steps") ?? 8);
const only = flag("--only");
const profile = args.includes("--profile");

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** 2 x multiply-adds of one convolution, from its (input or output) NHWC shapes and HWIO filter. */
function convFlops(outShape: readonly number[], filterShape: readonly number[]): number {
  const [n = 0, oh = 0, ow = 0] = outShape;
  const [kh = 0, kw = 0, ci = 0, co = 0] = filterShape;
  return 2 * n * oh * ow * co * kh * kw * ci;
}

/**
 * FLOPs of the convolutions and matrix products that one call of `run` executes
 * (forward and both gradients), counted by wrapping those kernels of the current backend.
 */
async function countFlops(run: () => Promise<unknown>): Promise<number> {
  const backend = tf.getBackend();
  let flops = 0;
  const count: Record<string, (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, out: tf.TensorInfo) => number> = {
    [tf.Conv2D]: (i, _a, out) => convFlops(out.shape, i.filter!.shape),
    [tf.Conv2DBackpropInput]: (i) => convFlops(i.dy!.shape, i.filter!.shape),
    [tf.Conv2DBackpropFilter]: (i, _a, out) => convFlops(i.dy!.shape, out.shape),
    [tf.BatchMatMul]: (i, a, out) => {
      const aShape = i.a!.shape;
      const k = a.transposeA ? aShape[aShape.length - 2]! : aShape[aShape.length - 1]!;
      return 2 * out.shape.reduce((p, v) => p * v, 1) * k;
    },
  };
  const originals = Object.keys(count).map((name) => tf.getKernel(name, backend));
  for (const original of originals) {
    if (original === undefined) continue;
    tf.unregisterKernel(original.kernelName, backend);
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const out = original.kernelFunc(args) as tf.TensorInfo;
        flops += count[original.kernelName]!(args.inputs, args.attrs ?? {}, out);
        return out;
      },
    });
  }
  try {
    await run();
  } finally {
    for (const original of originals) {
      if (original === undefined) continue;
      tf.unregisterKernel(original.kernelName, backend);
      tf.registerKernel(original);
    }
  }
  return flops;
}

/** FLOPs of one training step (the same on every backend). */
let stepWork: number | undefined;

async function timeBackend(preference: BackendPreference): Promise<void> {
  const info = await selectBackend(preference);
  const ir = compileSource(readFileSync("bench/fixtures/scenes32.mtsl", "utf8")).ir!;
  const dataset = await getDataSource(ir.data.name).load({ ...ir.data.options, train: 64, val: 16, test: 16 } as never);
  const trainer = new Trainer(ir, { outDir: join(tmpdir(), "mtsl-onednn-bench"), dataset, backend: info.name });
  const batch = ir.train.batch;
  const indices = Array.from({ length: batch }, (_, i) => i);
  for (let i = 0; i < 2; i++) await trainer.step(indices, 1e-3, i);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await trainer.step(indices, 1e-3, 100 + i);
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  // Counted once, on the first backend: the wasm backend's backprop kernels are
  // themselves built from Conv2D calls, which would be counted twice.
  stepWork ??= await countFlops(() => trainer.step(indices, 1e-3, 99));
  const flops = stepWork;
  const ms = median(wall);
  console.log(
    `${info.name} (${info.description}): batch ${batch}, ${steps} steps: median ${ms.toFixed(1)} ms/step ` +
      `(min ${Math.min(...wall).toFixed(1)}), CPU ${median(cpu).toFixed(1)} ms/step, ` +
      `${((batch * 1000) / ms).toFixed(1)} samples/s; conv+dense work ${(flops / 1e9).toFixed(2)} GFLOP/step ` +
      `= ${(flops / ms / 1e6).toFixed(1)} GFLOP/s achieved`,
  );
  if (profile) {
    const p = await tf.profile(async () => {
      await trainer.step(indices, 1e-3, 999);
    });
    const byName = new Map<string, { ms: number; count: number }>();
    for (const k of p.kernels) {
      const e = byName.get(k.name) ?? { ms: 0, count: 0 };
      e.ms += Number(k.kernelTimeMs);
      e.count += 1;
      byName.set(k.name, e);
    }
    const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
    const slowest = [...p.kernels].sort((a, b) => Number(b.kernelTimeMs) - Number(a.kernelTimeMs)).slice(0, 8);
    for (const k of slowest) {
      console.log(`  slow: ${k.name} ${Number(k.kernelTimeMs).toFixed(1)} ms ${JSON.stringify(k.inputShapes)}`);
    }
    console.log(`  kernel time ${total.toFixed(1)} ms in ${p.kernels.length} kernels; top:`);
    for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 22)) {
      console.log(`    ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms  x${e.count}`);
    }
  }
  trainer.dispose();
}

console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (const b of ["onednn", "wasm"] as const) if (only === undefined || only === b) await timeBackend(b);
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
