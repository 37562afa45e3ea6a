/**
 * The onednn backend's memory for kernel outputs:
 * - the free lists (packages/onednn/lib/free-lists.js) reuse the array of a length freed
 *   last and evict the array free the longest, so arrays a training step no longer takes
 *   (an evaluation at another batch size) age out instead of the step's own; checked on
 *   that scenario and, as a property, against a reference model of the policy;
 * - the addon's mapped buffers are unmapped at once by `releaseFloat32`, which refuses
 *   anything it did not map whole.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { skipReason } from "./available.js";

interface FreeListsClass {
  new (onDrop: (values: Float32Array) => void): {
    take(length: number): Float32Array | undefined;
    put(values: Float32Array, limit: number): void;
    counts(): Map<number, number>;
    bytes: number;
  };
}
const freeListsPath: string = "../../../packages/onednn/lib/free-lists.js";
const { FreeLists } = (await import(freeListsPath)) as { FreeLists: FreeListsClass };

/** One training step's outputs: lengths live at once, then all freed (last first). */
function runStep(
  lists: InstanceType<FreeListsClass>,
  lengths: number[],
  limit: number,
): { allocated: Float32Array[]; used: Float32Array[] } {
  const allocated: Float32Array[] = [];
  const used = lengths.map((n) => {
    const reused = lists.take(n);
    if (reused !== undefined) return reused;
    const fresh = new Float32Array(n);
    allocated.push(fresh);
    return fresh;
  });
  for (const a of [...used].reverse()) lists.put(a, limit);
  return { allocated, used };
}

describe("kernel-output free lists", () => {
  it("takes the array of a length freed last, and nothing for a length never freed", () => {
    const lists = new FreeLists(() => {});
    const [a, b, c] = [new Float32Array(8), new Float32Array(8), new Float32Array(4)];
    lists.put(a, 1e9);
    lists.put(b, 1e9);
    lists.put(c, 1e9);
    expect(lists.bytes).toBe(80);
    expect(lists.take(8)).toBe(b);
    expect(lists.take(8)).toBe(a);
    expect(lists.take(8)).toBeUndefined();
    expect(lists.take(5)).toBeUndefined();
    expect(lists.bytes).toBe(16);
  });

  it("lets arrays a step no longer takes age out, and keeps serving the step from its own", () => {
    const dropped: Float32Array[] = [];
    const lists = new FreeLists((v) => dropped.push(v));
    const step = [10, 40, 10, 30]; // 90 elements live at the step's peak
    const limit = 4 * 90;
    runStep(lists, step, limit);
    // An evaluation at another batch size: eight arrays of a length the step also uses.
    for (let i = 0; i < 8; i++) lists.put(new Float32Array(10), limit);
    dropped.length = 0;
    const fresh: number[] = [];
    for (let s = 0; s < 5; s++) fresh.push(runStep(lists, step, limit).allocated.length);
    // The evaluation's arrays, freed last, displaced the step's 40 and 30: the first step
    // after it maps those again, and from then on the stale arrays go, not the step's (evicting
    // least recently used *lengths* lost the 40 and 30 at every step: the over-stocked length
    // 10 looked recent).
    expect(fresh).toEqual([2, 0, 0, 0, 0]);
    expect(dropped.map((d) => d.length)).toEqual([10, 10, 10, 10, 10, 10, 10]);
    expect(lists.bytes).toBeLessThanOrEqual(limit);
    expect(lists.counts()).toEqual(
      new Map([
        [10, 2],
        [40, 1],
        [30, 1],
      ]),
    );
  });

  it("drops an array larger than the limit at once, evicting nothing else", () => {
    const dropped: Float32Array[] = [];
    const lists = new FreeLists((v) => dropped.push(v));
    const small = new Float32Array(4);
    lists.put(small, 64);
    const big = new Float32Array(32);
    lists.put(big, 64);
    expect(dropped).toEqual([big]);
    expect(lists.take(4)).toBe(small);
  });

  it("follows the policy's reference model over random sequences of takes and frees", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("put" as const), length: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant("take" as const), length: fc.integer({ min: 1, max: 6 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 4, max: 120 }), (ops, limit) => {
        const dropped: Float32Array[] = [];
        const lists = new FreeLists((v) => dropped.push(v));
        // Reference: every free array with the time it was freed.
        let model: { values: Float32Array; time: number }[] = [];
        const modelDropped: Float32Array[] = [];
        let time = 0;
        for (const o of ops) {
          if (o.kind === "put") {
            const values = new Float32Array(o.length);
            lists.put(values, limit);
            if (4 * o.length > limit) modelDropped.push(values);
            else {
              model.push({ values, time: time++ });
              while (model.reduce((s, m) => s + 4 * m.values.length, 0) > limit) {
                const oldest = model.reduce((a, b) => (b.time < a.time ? b : a));
                model = model.filter((m) => m !== oldest);
                modelDropped.push(oldest.values);
              }
            }
          } else {
            const got = lists.take(o.length);
            const candidates = model.filter((m) => m.values.length === o.length);
            const newest = candidates.reduce<(typeof model)[number] | undefined>(
              (a, b) => (a === undefined || b.time > a.time ? b : a),
              undefined,
            );
            expect(got).toBe(newest?.values);
            if (newest !== undefined) model = model.filter((m) => m !== newest);
          }
          expect(lists.bytes).toBe(model.reduce((s, m) => s + 4 * m.values.length, 0));
        }
        expect(dropped).toEqual(modelDropped);
        expect(dropped.every((d, i) => d === modelDropped[i])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(skipReason !== "")("mapped kernel outputs (mtsl-onednn addon)", () => {
  it("unmaps a buffer at once on release, detaching it, and refuses what it did not map whole", async () => {
    const addonPath: string = "../../../packages/onednn/lib/addon.js";
    const { native } = (await import(addonPath)) as {
      native: {
        allocFloat32(length: number): Float32Array;
        releaseFloat32(values: unknown): boolean;
        poolStats(): { mappedBytes: number; released: number };
      };
    };
    const before = native.poolStats();
    const a = native.allocFloat32((1 << 19) + 1); // just over 2 MiB: two huge pages
    expect(native.poolStats().mappedBytes - before.mappedBytes).toBe(4 << 20);
    a.fill(3);
    expect(a[a.length - 1]).toBe(3);
    expect(native.releaseFloat32(a.subarray(1))).toBe(false);
    expect(native.releaseFloat32(new Float32Array(1 << 19))).toBe(false);
    expect(native.releaseFloat32("not an array")).toBe(false);
    expect(native.poolStats().mappedBytes - before.mappedBytes).toBe(4 << 20);
    expect(native.releaseFloat32(a)).toBe(true);
    expect(a.length, "the released array is detached").toBe(0);
    expect(native.poolStats().mappedBytes).toBe(before.mappedBytes);
    expect(native.poolStats().released - before.released).toBe(1);
    expect(native.releaseFloat32(a), "a second release").toBe(false);
  });
});
