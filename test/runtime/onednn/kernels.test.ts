/**
 * Every native kernel of the "onednn" backend against the pure-JS CPU backend on seeded
 * random inputs, forward and gradients, relative error <= 1e-4 (largest difference over
 * largest reference magnitude). Dilated convolutions are checked against an undilated
 * CPU convolution with an explicitly dilated (zero-filled) filter.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";

import { maxPoolBackward, maxPoolGradKernel } from "../../../runtime/backend/max-pool-grad.js";
import { resizeBilinearBackward } from "../../../runtime/backend/resize-bilinear-grad.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { type ConvCase, expectClose, expectSameBits, onBackend, seeded, seededValues } from "../backend/helpers.js";
import { onednn, skipReason } from "./available.js";

const ONEDNN = "onednn";

/** Runs `fn` on the onednn and cpu backends and compares every output. */
async function expectSameOnBoth(label: string, fn: () => tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const native = await onBackend(ONEDNN, fn);
  const reference = await onBackend("cpu", fn);
  expectClose(native, reference, label, tolerance);
}

/** A filter [k, k, i, o] with zeros between the taps: the undilated equivalent of dilation d. */
function dilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  const [k, , ci, co] = w.shape;
  const span = (k - 1) * d + 1;
  const values = w.dataSync();
  const out = new Float32Array(span * span * ci * co);
  for (let y = 0; y < k; y++)
    for (let x = 0; x < k; x++)
      for (let c = 0; c < ci * co; c++) out[(y * d * span + x * d) * ci * co + c] = values[(y * k + x) * ci * co + c]!;
  return tf.tensor4d(out, [span, span, ci, co]);
}

const convCases: ConvCase[] = [
  { batch: 1, height: 9, width: 7, inC: 3, outC: 5, k: 3, stride: 1, dilation: 1, pad: "same" },
  { batch: 2, height: 11, width: 9, inC: 4, outC: 6, k: 3, stride: 2, dilation: 1, pad: "same" },
  { batch: 2, height: 10, width: 12, inC: 5, outC: 3, k: 3, stride: 2, dilation: 1, pad: "valid" },
  { batch: 3, height: 8, width: 8, inC: 16, outC: 6, k: 1, stride: 1, dilation: 1, pad: "same" },
  { batch: 1, height: 7, width: 9, inC: 3, outC: 4, k: 1, stride: 2, dilation: 1, pad: "valid" },
  { batch: 2, height: 13, width: 11, inC: 3, outC: 4, k: 5, stride: 2, dilation: 1, pad: "same" },
  { batch: 2, height: 12, width: 13, inC: 4, outC: 3, k: 3, stride: 1, dilation: 2, pad: "same" },
  { batch: 1, height: 15, width: 11, inC: 3, outC: 5, k: 3, stride: 1, dilation: 2, pad: "valid" },
  { batch: 2, height: 9, width: 10, inC: 2, outC: 3, k: 2, stride: 1, dilation: 1, pad: "same" },
  {
    batch: 2,
    height: 9,
    width: 8,
    inC: 3,
    outC: 4,
    k: 3,
    stride: 1,
    dilation: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
  { batch: 4, height: 16, width: 16, inC: 24, outC: 32, k: 3, stride: 1, dilation: 1, pad: "same" },
];

const label = (c: ConvCase): string =>
  `${c.batch}x${c.height}x${c.width}x${c.inC} k${c.k} -> ${c.outC}, stride ${c.stride}, dilation ${c.dilation}, ${JSON.stringify(c.pad)}`;

describe.skipIf(onednn === null)(`onednn kernels vs the CPU backend ${skipReason}`, () => {
  it("registers the backend and reports the oneDNN library", async () => {
    expect(onednn?.backendName).toBe(ONEDNN);
    expect(onednn?.describe()).toMatch(/^oneDNN \d+\.\d+\.\d+ \(OpenMP, \d+ threads?\)$/);
    expect(onednn?.nativeKernels).toContain(tf.Conv2DBackpropFilter);
    await tf.setBackend(ONEDNN);
    expect(tf.getBackend()).toBe(ONEDNN);
    // Every listed kernel is the native one, not the CPU kernel copied over.
    for (const name of onednn?.nativeKernels ?? []) {
      expect(tf.getKernel(name, ONEDNN)?.kernelFunc, name).not.toBe(tf.getKernel(name, "cpu")?.kernelFunc);
    }
    // The other CPU kernels are copied over: those that only add a reference to their input
    // as they are, the rest wrapped so that their inputs are no longer recycled.
    expect(tf.getKernel(tf.Reshape, ONEDNN)?.kernelFunc).toBe(tf.getKernel(tf.Reshape, "cpu")?.kernelFunc);
    expect(tf.getKernel(tf.Transpose, ONEDNN)?.kernelFunc).toBeDefined();
    expect(tf.getKernel(tf.Transpose, ONEDNN)?.kernelFunc).not.toBe(tf.getKernel(tf.Transpose, "cpu")?.kernelFunc);
  });

  for (const c of convCases) {
    it(`Conv2D forward and gradients: ${label(c)}`, async () => {
      const run = (dilatedReference: boolean) => (): tf.Tensor[] => {
        const x = seeded([c.batch, c.height, c.width, c.inC], 1) as tf.Tensor4D;
        const w = seeded([c.k, c.k, c.inC, c.outC], 2) as tf.Tensor4D;
        const conv = (xx: tf.Tensor4D, ww: tf.Tensor4D): tf.Tensor4D =>
          dilatedReference
            ? tf.conv2d(xx, dilateFilter(ww, c.dilation), c.stride, c.pad, "NHWC", 1)
            : tf.conv2d(xx, ww, c.stride, c.pad, "NHWC", c.dilation);
        const y = conv(x, w);
        const r = seeded(y.shape, 3);
        // dilateFilter reads values, so the reference gradient wrt w goes through the
        // dilated filter's gradient, sampled at the taps.
        if (dilatedReference) {
          const wd = dilateFilter(w, c.dilation);
          const [gx, gwd] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)),
          )([x, wd]);
          const taps = tf.stridedSlice(gwd!, [0, 0, 0, 0], gwd!.shape, [c.dilation, c.dilation, 1, 1]);
          return [y, gx!, taps];
        }
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, "NHWC", c.dilation), r)),
        )([x, w]);
        return [y, gx!, gw!];
      };
      const native = await onBackend(ONEDNN, run(false));
      const reference = await onBackend("cpu", run(c.dilation > 1));
      expectClose(native, reference, label(c));
    });
  }

  it("Cast of bool and int32 to float32 gives a Float32Array the native kernels use, with the CPU backend's values", async () => {
    const run = (): tf.Tensor[] => {
      const x = seeded([2, 5, 3, 4], 1);
      const mask = tf.cast(tf.greater(x, 0), "float32");
      const ints = tf.cast(tf.tensor1d([3, -2, 7], "int32"), "float32");
      return [mask, ints, tf.mul(x, mask), tf.mul(seeded([2, 5, 3, 1], 2), mask), tf.add(ints, 0.5)];
    };
    await tf.setBackend(ONEDNN);
    const backend = tf.backend() as unknown as { data: { get(id: object): { values: unknown } } };
    tf.tidy(() => {
      const [mask] = run();
      expect(backend.data.get(mask!.dataId).values).toBeInstanceOf(Float32Array);
    });
    expectClose(await onBackend(ONEDNN, run), await onBackend("cpu", run), "cast", 0);
    // Integers past 2^24 round to float32, as a Float32Array store does (the CPU backend
    // keeps the Int32Array, so there a later op sees the exact integer).
    const big = await onBackend(ONEDNN, () => [
      tf.cast(tf.tensor1d([16_777_217, -2_147_483_647, 2_147_483_647], "int32"), "float32"),
    ]);
    expect([...big[0]!]).toEqual([16_777_217, -2_147_483_647, 2_147_483_647].map(Math.fround));
  });

  it("a convolution above the parallel threshold gives the same values on 2 threads as on 1, and after a thread change", async () => {
    // 4 x 32 x 32 x 48 -> 48, 3x3: 170 MFLOP forward, above the 100 MFLOP from which a kernel
    // uses every configured thread; changing the count rebuilds the cached primitives.
    const run = (): tf.Tensor[] => {
      const x = seeded([4, 32, 32, 48], 1) as tf.Tensor4D;
      const w = seeded([3, 3, 48, 48], 2) as tf.Tensor4D;
      const r = seeded([4, 32, 32, 48], 3);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"), r)),
      )([x, w]);
      return [tf.conv2d(x, w, 1, "same"), gx!, gw!];
    };
    try {
      onednn!.setThreads(2);
      const two = await onBackend(ONEDNN, run);
      onednn!.setThreads(1);
      const one = await onBackend(ONEDNN, run);
      // (One thread against the CPU backend: the Conv2D cases above.)
      expectClose(two, one, "2 threads vs 1", 1e-5);
    } finally {
      onednn!.setThreads(2);
    }
  }, 60_000);

  it("Conv2DBackpropInput and Conv2DBackpropFilter kernels called directly", async () => {
    await expectSameOnBoth("backprop kernels", () => {
      const x = seeded([2, 9, 7, 3], 4) as tf.Tensor4D;
      const dy = seeded([2, 5, 4, 6], 5) as tf.Tensor4D;
      const w = seeded([3, 3, 3, 6], 6) as tf.Tensor4D;
      return [
        tf.conv2dTranspose(dy, w, [2, 9, 7, 3], 2, "same"),
        tf.engine().runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          {
            strides: 2,
            pad: "same",
            dataFormat: "NHWC",
            filterShape: [3, 3, 3, 6],
          },
        ) as tf.Tensor,
      ];
    });
  });

  for (const [aShape, bShape, ta, tb] of [
    [[7, 5], [5, 3], false, false],
    [[5, 7], [5, 3], true, false],
    [[7, 5], [3, 5], false, true],
    [[5, 7], [3, 5], true, true],
    [[4, 7, 5], [4, 5, 3], false, false],
    [[2, 3, 5, 7], [2, 3, 3, 5], true, true],
    [[1, 7, 5], [6, 5, 3], false, false],
    [[6, 7, 5], [5, 3], false, false],
    [[33, 64], [64, 10], false, false],
  ] as const) {
    it(`BatchMatMul ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} transposes ${ta}/${tb}, with gradients`, async () => {
      await expectSameOnBoth("matMul", () => {
        const a = seeded([...aShape], 7);
        const b = seeded([...bShape], 8);
        const y = tf.matMul(a, b, ta, tb);
        // tfjs 4.22's BatchMatMul gradient fails for broadcast batches on every backend.
        if (aShape.length !== bShape.length || aShape[0] !== bShape[0]) return [y];
        const r = seeded(y.shape, 9);
        const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), r)))([a, b]);
        return [y, ga!, gb!];
      });
    });
  }

  for (const [alignCorners, halfPixelCenters] of [
    [false, true],
    [false, false],
    [true, false],
  ] as const) {
    it(`ResizeBilinear alignCorners=${alignCorners} halfPixelCenters=${halfPixelCenters}: forward, and its gradient is the exact adjoint`, async () => {
      const cases: [[number, number, number, number], [number, number]][] = [
        [
          [2, 5, 7, 3],
          [10, 14],
        ],
        [
          [1, 8, 8, 16],
          [16, 16],
        ],
        [
          [3, 6, 5, 2],
          [4, 9],
        ],
      ];
      for (const [shape, size] of cases) {
        await expectSameOnBoth(`resize ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`, () => [
          tf.image.resizeBilinear(seeded(shape, 10) as tf.Tensor4D, size, alignCorners, halfPixelCenters),
        ]);
        const dyShape = [shape[0], size[0], size[1], shape[3]];
        const dy = seededValues(
          dyShape.reduce((p, v) => p * v, 1),
          11,
        );
        const [grad] = await onBackend(ONEDNN, () => {
          const x = seeded(shape, 10) as tf.Tensor4D;
          const [g] = tf.grads((a: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.image.resizeBilinear(a as tf.Tensor4D, size, alignCorners, halfPixelCenters),
                tf.tensor(dy, dyShape),
              ),
            ),
          )([x]);
          return [g!];
        });
        const reference = resizeBilinearBackward(dy, dyShape, shape, alignCorners, halfPixelCenters);
        expectClose([grad!], [reference], "resize gradient");
        // <resize(x), dy> == <x, grad(dy)> in float64.
        const [y] = await onBackend(ONEDNN, () => [
          tf.image.resizeBilinear(seeded(shape, 10) as tf.Tensor4D, size, alignCorners, halfPixelCenters),
        ]);
        const x = seededValues(
          shape.reduce((p, v) => p * v, 1),
          10,
        );
        let left = 0;
        let right = 0;
        y!.forEach((v, i) => (left += v * dy[i]!));
        x.forEach((v, i) => (right += v * grad![i]!));
        expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(left)));
      }
    });
  }

  it("same-shape and single-value binary ops above the one-thread threshold: the CPU backend's values bit for bit, on 2 threads", async () => {
    // Their layouts collapse to one row, which the addon splits into chunks across threads;
    // 300,007 elements leave a partial last chunk.
    const run = (): tf.Tensor[] => {
      const a = seeded([300_007], 71);
      const b = tf.add(seeded([300_007], 72), 0.25); // no exact zero to divide by
      const c = tf.scalar(-0.75);
      return [
        tf.add(a, b),
        tf.sub(a, b),
        tf.mul(a, b),
        tf.div(a, b),
        tf.maximum(a, b),
        tf.minimum(a, b),
        tf.mul(a, c),
        tf.sub(c, a),
        tf.div(c, b),
      ];
    };
    onednn!.setThreads(2);
    expectSameBits(await onBackend(ONEDNN, run), await onBackend("cpu", run), "binary");
  });

  it("broadcasting binary ops, forward and gradients", async () => {
    const pairs: [number[], number[]][] = [
      [
        [4, 5, 6, 7],
        [4, 5, 6, 7],
      ],
      [[4, 5, 6, 7], [7]],
      [[7], [4, 5, 6, 7]],
      [
        [4, 5, 6, 7],
        [1, 1, 1, 7],
      ],
      [
        [4, 5, 6, 7],
        [4, 1, 1, 7],
      ],
      [
        [4, 1, 6, 1],
        [1, 5, 1, 7],
      ],
      [
        [3, 1],
        [1, 4],
      ],
      [[5], []],
      [[], [5]],
      [
        [2, 3, 4, 5, 6],
        [3, 1, 5, 1],
      ],
      [[64, 40], [40]],
    ];
    for (const [aShape, bShape] of pairs) {
      await expectSameOnBoth(`binary ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`, () => {
        const a = seeded(aShape, 12);
        const b = tf.add(tf.abs(seeded(bShape, 13)), 0.5);
        const outs = [
          tf.add(a, b),
          tf.sub(a, b),
          tf.mul(a, b),
          tf.div(a, b),
          tf.squaredDifference(a, b),
          tf.maximum(a, b),
          tf.minimum(a, b),
        ];
        // tfjs 4.22's SquaredDifference gradient does not reduce broadcast axes (on every
        // backend), so its operands are broadcast explicitly here.
        const full = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
        const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
          tf.sum(
            tf.add(
              tf.mul(tf.div(p, q), tf.sub(p, q)),
              // (Tile, broadcastTo's gradient, stops at rank 4.)
              full.length <= 4 ? tf.squaredDifference(tf.broadcastTo(p, full), tf.broadcastTo(q, full)) : tf.scalar(0),
            ),
          ),
        )([a, b]);
        return [...outs, ga!, gb!];
      });
    }
  });

  it("comparisons and logical ops on every dtype and shape pairing, the same bools as the CPU backend", async () => {
    const pairs: [number[], number[]][] = [
      [
        [4, 5, 6],
        [4, 5, 6],
      ],
      [[4, 5, 6], []],
      [[], [4, 5, 6]],
      [[4, 5, 6], [1]],
      [
        [4, 5, 6],
        [1, 5, 6],
      ],
      [[6], [4, 5, 6]], // a broadcast: the CPU backend's path
      [[0, 3], [1]],
    ];
    for (const [aShape, bShape] of pairs) {
      for (const dtype of ["float32", "int32"] as const) {
        const label = `compare ${dtype} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`;
        const run = async (backend: string): Promise<Uint8Array[]> => {
          const outs = await onBackend(backend, () => {
            // Small integers, so equal values occur; a NaN in the float case.
            let a = tf.round(tf.mul(seeded(aShape, 21), 3));
            let b = tf.round(tf.mul(seeded(bShape, 22), 3));
            if (dtype === "int32") [a, b] = [tf.cast(a, "int32"), tf.cast(b, "int32")];
            else if (aShape.length === 3) a = tf.where(tf.equal(a, 0), tf.fill(aShape, Number.NaN), a);
            const pa = tf.greater(a, 0);
            const pb = tf.lessEqual(b, 0);
            return [
              tf.greater(a, b),
              tf.greaterEqual(a, b),
              tf.less(a, b),
              tf.lessEqual(a, b),
              tf.equal(a, b),
              tf.notEqual(a, b),
              tf.logicalAnd(pa, pb),
              tf.logicalOr(pa, pb),
              tf.cast(tf.logicalAnd(pa, pb), "float32"),
            ].map((t) => tf.cast(t, "int32"));
          });
          return outs.map((v) => Uint8Array.from(v));
        };
        const native = await run(ONEDNN);
        const reference = await run("cpu");
        expect(native.length).toBe(reference.length);
        native.forEach((v, i) => expect([...v], `${label} output ${i}`).toEqual([...reference[i]!]));
      }
    }
  });

  it("Log, Softplus and Pow give the CPU backend's values bit for bit, and its gradients", async () => {
    const bits = async (backend: string): Promise<Float32Array[]> =>
      onBackend(backend, () => {
        const x = tf.mul(seeded([3, 17, 5], 31), 30); // softplus on both sides of its thresholds
        const pos = tf.add(tf.abs(seeded([3, 17, 5], 32)), 0.01);
        const e = tf.add(tf.abs(seeded([3, 17, 5], 33)), 0.5);
        const [gx, gp] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
          tf.sum(tf.add(tf.softplus(p), tf.mul(tf.log(q), tf.pow(q, 1.5)))),
        )([x, pos]);
        return [
          tf.log(pos),
          tf.log(tf.sub(pos, 0.5)), // NaN for negatives, -Infinity at 0
          tf.softplus(x),
          tf.pow(pos, 2),
          tf.pow(pos, 0.5),
          tf.pow(x, tf.scalar(3)),
          tf.pow(pos, e),
          tf.pow(tf.scalar(2), x),
          tf.pow(pos, seeded([17, 5], 34)), // a broadcast: the CPU backend's path
          gx!,
          gp!,
        ];
      });
    const native = await bits(ONEDNN);
    const reference = await bits("cpu");
    // Forward: bit for bit, except a NaN's payload (V8's Math.log of a negative number makes
    // a NaN with another payload than the addon's; both are NaN at the same places). The
    // gradients go through other kernels too (the native Sigmoid, Multiply), so they are
    // compared to 1e-4 like every other gradient here.
    native.slice(0, 9).forEach((v, i) => {
      const ref = reference[i]!;
      expect(v.length, `output ${i}`).toBe(ref.length);
      const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
      const refBits = new Uint32Array(ref.buffer, ref.byteOffset, ref.length);
      const differing = [...bits.keys()].filter(
        (j) => !(Number.isNaN(v[j]!) && Number.isNaN(ref[j]!)) && bits[j] !== refBits[j],
      );
      expect(differing, `output ${i}`).toEqual([]);
    });
    expect(reference[1]!.some(Number.isNaN)).toBe(true); // the case the exception is for
    expectClose(native.slice(9), reference.slice(9), "Log/Softplus/Pow gradients", 1e-4);
  });

  it("Sum and Mean over any axes, with keepDims", async () => {
    const x = (): tf.Tensor => seeded([4, 5, 6, 7], 14);
    await expectSameOnBoth("reductions", () => [
      tf.sum(x(), [0, 1, 2]),
      tf.mean(x(), [0, 1, 2], true),
      tf.sum(x(), [1, 2]),
      tf.mean(x(), [3]),
      tf.sum(x(), [0, 2]), // not contiguous: the CPU kernel
      tf.sum(x()),
      tf.mean(x(), -1, true),
      tf.sum(seeded([1, 5, 1, 7], 15), [0, 1]),
      tf.sum(seeded([100000], 16)),
    ]);
  });

  it("Slice, SplitV, Tile and concat gradients", async () => {
    await expectSameOnBoth("slices", () => {
      const x = seeded([3, 5, 6, 7], 17);
      const [p, q, r] = tf.split(x, [2, 4, 1], 3);
      const [s, t] = tf.split(x, 2, 2);
      const y = tf.concat([seeded([3, 5, 6, 4], 18), seeded([3, 5, 6, 3], 19)], 3);
      const [g] = tf.grads((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.concat([a, tf.square(a)], 3), seeded([3, 5, 6, 14], 20))),
      )([y]);
      return [
        p!,
        q!,
        r!,
        s!,
        t!,
        tf.slice(x, [1, 0, 2, 3], [2, 5, 3, 2]),
        tf.slice(x, [0, 2, 0, 0], [3, 1, 6, 7]),
        tf.tile(seeded([2, 1, 3], 21), [2, 4, 3]),
        tf.tile(seeded([5], 22), [3]),
        g!,
      ];
    });
  });

  it("unary ops and their gradients", async () => {
    await expectSameOnBoth("unary", () => {
      const x = seeded([4, 6, 5, 9], 23);
      const pos = tf.add(tf.abs(x), 0.1);
      const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), tf.sigmoid(a))))([x]);
      return [
        tf.relu(x),
        tf.step(x, 0.3),
        tf.sqrt(pos),
        tf.rsqrt(pos),
        tf.square(x),
        tf.neg(x),
        tf.exp(x),
        tf.abs(x),
        tf.sigmoid(x),
        g!,
      ];
    });
  });

  it("max pool forward and gradients: overlapping windows, padding, all-negative windows and ties", async () => {
    // MaxPoolGrad is the addon's loop (selectBackend keeps it; elsewhere the runtime's typed
    // loop, runtime/backend/max-pool-grad.ts, replaces the CPU backend's kernel).
    await selectBackend(ONEDNN);
    await expectSameOnBoth("maxPool", () => {
      const x = seeded([3, 9, 8, 5], 31) as tf.Tensor4D;
      // Rounded to one decimal: windows with tied maxima, where the first one must win.
      const tied = tf.div(tf.round(tf.mul(x, 10)), 10) as tf.Tensor4D;
      const dy = (shape: number[], seed: number) => seeded(shape, seed);
      const grad = (f: (a: tf.Tensor4D) => tf.Tensor4D, input: tf.Tensor4D, seed: number) =>
        tf.grads((a: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D), dy(f(input).shape, seed))))([input])[0]!;
      const s2same = (a: tf.Tensor4D) => tf.maxPool(a, 3, 2, "same");
      const s2valid = (a: tf.Tensor4D) => tf.maxPool(a, 3, 2, "valid");
      const s1same = (a: tf.Tensor4D) => tf.maxPool(a, 3, 1, "same");
      const negative = (a: tf.Tensor4D) => tf.maxPool(tf.sub(a, 5) as tf.Tensor4D, 2, 2, "same");
      return [
        s2same(x),
        grad(s2same, x, 32),
        grad(s2valid, x, 33),
        grad(s1same, tied, 34),
        grad(negative, x, 35),
        grad(s2same, tied, 36),
      ];
    });
  });

  it("max pool forward gives the CPU backend's values bit for bit: padding, NaN, odd sizes, threaded sizes", async () => {
    const bits = async (backend: string): Promise<Float32Array[]> =>
      onBackend(backend, () => {
        const x = seeded([3, 9, 8, 5], 41) as tf.Tensor4D;
        // NaN in some windows: never taken, as the CPU backend's `pixel > max`
        const mask = tf.greater(seeded([3, 9, 8, 5], 42), 1.2);
        const withNaN = tf.where(mask, tf.fill([3, 9, 8, 5], Number.NaN), x) as tf.Tensor4D;
        const big = seeded([2, 64, 64, 16], 43) as tf.Tensor4D; // above the one-thread threshold
        return [
          tf.maxPool(x, 3, 2, "same"),
          tf.maxPool(x, 3, 2, "valid"),
          tf.maxPool(x, 2, 1, "same"),
          tf.maxPool(x, [3, 2], [1, 2], "same"),
          tf.maxPool(x, 1, 1, "valid"),
          tf.maxPool(tf.sub(x, 5) as tf.Tensor4D, 3, 2, "same"), // all-negative windows beside padding
          tf.maxPool(withNaN, 3, 2, "same"),
          tf.maxPool(big, 3, 2, "same"),
        ];
      });
    expectSameBits(await bits(ONEDNN), await bits("cpu"), "maxPool");
  });

  it("max pool gradient gives the runtime's typed loop's values bit for bit: NaN, -Infinity, ties, threaded sizes", async () => {
    await selectBackend(ONEDNN);
    expect(tf.getKernel(tf.MaxPoolGrad, ONEDNN)?.kernelFunc).not.toBe(maxPoolGradKernel);
    const cases: {
      shape: [number, number, number, number];
      k: number | [number, number];
      s: number | [number, number];
      pad: "same" | "valid";
    }[] = [
      { shape: [3, 9, 8, 5], k: 3, s: 2, pad: "same" },
      { shape: [3, 9, 8, 5], k: 3, s: 2, pad: "valid" },
      { shape: [2, 7, 9, 21], k: 3, s: 1, pad: "same" }, // overlapping windows, a partial channel block
      { shape: [1, 8, 8, 33], k: [3, 2], s: [1, 2], pad: "same" }, // one image: blocks are the only split
      { shape: [4, 64, 64, 20], k: 3, s: 2, pad: "same" }, // above the one-thread threshold
    ];
    for (const [n, c] of cases.entries()) {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from(seededValues(size, 50 + n), (v, i) =>
        // rounded (ties), with NaN and -Infinity in some windows: never taken
        i % 37 === 0 ? Number.NaN : i % 53 === 0 ? -Infinity : Math.round(v * 10) / 10,
      );
      // An image of -Infinity only and one of NaN only: no gradient passes to them.
      const image = size / c.shape[0];
      if (c.shape[0] >= 2) x.fill(-Infinity, 0, image);
      if (c.shape[0] >= 3) x.fill(Number.NaN, 2 * image, 3 * image);
      const native = await onBackend(ONEDNN, () => {
        const input = tf.tensor4d(x, c.shape);
        const out = tf.maxPool(input, c.k, c.s, c.pad);
        const dy = seeded(out.shape, 60 + n);
        return [
          tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad), dy)))([input])[0]!,
          dy,
        ];
      });
      const [dx, dy] = native as [Float32Array, Float32Array];
      const g = tf.backend_util.computePool2DInfo(c.shape, c.k, c.s, 1, c.pad);
      const reference = maxPoolBackward(x, dy, g);
      expectSameBits([dx], [reference], `case ${n}`);
    }
  });

  it("batch norm (FusedBatchNorm) forward and gradients, per-channel and scalar parameters", async () => {
    await expectSameOnBoth("batchNorm", () => {
      const x = seeded([4, 6, 5, 8], 24);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const gamma = tf.add(seeded([8], 25), 1);
      const beta = seeded([8], 26);
      const [gx, gg, gb] = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const m = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(a, m.mean, m.variance, b, g, 1e-5), seeded([4, 6, 5, 8], 27)));
      })([x, gamma, beta]);
      return [
        tf.batchNorm(x, mean, variance, beta, gamma, 1e-5),
        tf.batchNorm(x, tf.scalar(0.2), tf.scalar(2), undefined, undefined, 1e-3),
        gx!,
        gg!,
        gb!,
      ];
    });
  });

  it("rejects bad arguments to the addon with clear errors instead of crashing", async () => {
    const addonPath: string = "../../../packages/onednn/lib/addon.js";
    const { native } = (await import(addonPath)) as { native: Record<string, (...args: unknown[]) => unknown> };
    const g = Int32Array.from([1, 4, 4, 1, 1, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(() => native.conv2dForward!(new Float32Array(16), new Float32Array(9), new Float32Array(15), g)).toThrow(
      /'y' has 15 elements, expected 16/,
    );
    expect(() => native.conv2dForward!(new Float64Array(16), new Float32Array(9), new Float32Array(16), g)).toThrow(
      /must be a Float32Array/,
    );
    const bad = Int32Array.from([1, 4, 4, 1, 1, 3, 3, 5, 4, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(() => native.conv2dForward!(new Float32Array(16), new Float32Array(9), new Float32Array(20), bad)).toThrow(
      /output size does not match/,
    );
    expect(() =>
      native.matMul!(
        new Float32Array(6),
        new Float32Array(6),
        new Float32Array(9),
        Int32Array.from([2, 3, 1, 3, 1, 0, 0]),
      ),
    ).toThrow(/batch sizes/);
    expect(() => native.setThreads!(0)).toThrow(/positive integer/);
  });
});
