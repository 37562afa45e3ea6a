import { describe, expect, it } from "vitest";
import { hitBox, hitCone, hitCylinder, hitSphere, hitTorus } from "../../../runtime/data/scenes/primitives.js";
import { Rng } from "../../../runtime/random.js";

type HitFn = (size: Float64Array, ray: Float64Array, hit: Float64Array) => boolean;

const size = (a: number, b = 0, c = 0): Float64Array => Float64Array.from([a, b, c]);
function cast(f: HitFn, s: Float64Array, o: number[], d: number[], tMin = 0, tMax = Infinity): number[] | null {
  const len = Math.hypot(d[0]!, d[1]!, d[2]!);
  const ray = Float64Array.from([o[0]!, o[1]!, o[2]!, d[0]! / len, d[1]! / len, d[2]! / len, tMin, tMax]);
  const hit = new Float64Array(4);
  return f(s, ray, hit) ? [...hit] : null;
}

describe("primitive intersections: hand-worked cases", () => {
  it("sphere", () => {
    expect(cast(hitSphere, size(1), [0, 0, -5], [0, 0, 1])).toEqual([4, 0, 0, -1]);
    expect(cast(hitSphere, size(1), [0, 2, -5], [0, 0, 1])).toBeNull();
    expect(cast(hitSphere, size(1), [0, 0, -5], [0, 0, 1], 0, 3.5)).toBeNull(); // beyond tMax
    expect(cast(hitSphere, size(2), [0, 0, 0], [1, 0, 0])).toEqual([2, 1, 0, 0]); // from inside: the far side
  });

  it("box", () => {
    expect(cast(hitBox, size(1, 2, 3), [-5, 0, 0], [1, 0, 0])).toEqual([4, -1, 0, 0]);
    expect(cast(hitBox, size(1, 2, 3), [0, 10, 0], [0, -1, 0])).toEqual([8, 0, 1, 0]);
    expect(cast(hitBox, size(1, 2, 3), [0, 0, 9], [0, 0, -1])).toEqual([6, 0, 0, 1]);
    expect(cast(hitBox, size(1, 1, 1), [-5, 1.5, 0], [1, 0, 0])).toBeNull();
    // 45 degrees onto the corner region of the top face: enters through y = 1 at x = -0.5.
    const h = cast(hitBox, size(1, 1, 1), [-2.5, 3, 0], [1, -1, 0])!;
    expect(h[0]).toBeCloseTo(2 * Math.SQRT2, 12);
    expect(h.slice(1)).toEqual([0, 1, 0]);
  });

  it("cylinder: side and caps", () => {
    expect(cast(hitCylinder, size(1, 2), [-5, 0.5, 0], [1, 0, 0])).toEqual([4, -1, 0, 0]);
    expect(cast(hitCylinder, size(1, 2), [0.5, 6, 0], [0, -1, 0])).toEqual([4, 0, 1, 0]);
    expect(cast(hitCylinder, size(1, 2), [0.5, -6, 0], [0, 1, 0])).toEqual([4, 0, -1, 0]);
    expect(cast(hitCylinder, size(1, 2), [-5, 2.5, 0], [1, 0, 0])).toBeNull();
  });

  it("cone: side, base, and the apex region", () => {
    // r = 1 at y = -1, apex at y = 1: at y = 0 the radius is 0.5.
    const h = cast(hitCone, size(1, 1), [-5, 0, 0], [1, 0, 0])!;
    expect(h[0]).toBeCloseTo(4.5, 12);
    // Side normal ∝ (x, k^2 (h - y), z) with k = 1/2: (-0.5, 0.25, 0) normalised.
    const n = Math.hypot(0.5, 0.25);
    expect(h[1]).toBeCloseTo(-0.5 / n, 12);
    expect(h[2]).toBeCloseTo(0.25 / n, 12);
    expect(cast(hitCone, size(1, 1), [0.2, -5, 0], [0, 1, 0])).toEqual([4, 0, -1, 0]);
    expect(cast(hitCone, size(1, 1), [-5, 0.9, 0.2], [1, 0, 0])).toBeNull(); // radius 0.05 there
    expect(cast(hitCone, size(1, 1), [-5, 1.5, 0], [1, 0, 0])).toBeNull(); // above the apex: no mirror cone
  });

  it("torus: outer rim, through the hole, top of the tube", () => {
    const R = 1,
      r = 0.25;
    const a = cast(hitTorus, size(R, r), [-5, 0, 0], [1, 0, 0])!;
    expect(a[0]).toBeCloseTo(5 - (R + r), 4);
    expect(a[1]).toBeCloseTo(-1, 4);
    expect(cast(hitTorus, size(R, r), [0, 5, 0], [0, -1, 0])).toBeNull(); // the hole
    const c = cast(hitTorus, size(R, r), [R, 5, 0], [0, -1, 0])!;
    expect(c[0]).toBeCloseTo(5 - r, 4);
    expect(c[2]).toBeCloseTo(1, 4);
    // Along the axis of the tube ring at y = 0 from inside the hole: hits the inner rim.
    const d = cast(hitTorus, size(R, r), [0, 0, 0], [0, 0, 1])!;
    expect(d[0]).toBeCloseTo(R - r, 4);
    expect(d[3]).toBeCloseTo(-1, 4);
  });
});

/** Inside tests straight from each solid's definition (independent of the ray code). */
const inside: Record<string, (s: Float64Array, x: number, y: number, z: number) => boolean> = {
  sphere: (s, x, y, z) => x * x + y * y + z * z < s[0]! ** 2,
  box: (s, x, y, z) => Math.abs(x) < s[0]! && Math.abs(y) < s[1]! && Math.abs(z) < s[2]!,
  cylinder: (s, x, y, z) => x * x + z * z < s[0]! ** 2 && Math.abs(y) < s[1]!,
  cone: (s, x, y, z) => Math.abs(y) < s[1]! && Math.hypot(x, z) < (s[0]! * (s[1]! - y)) / (2 * s[1]!),
  torus: (s, x, y, z) => (Math.hypot(x, z) - s[0]!) ** 2 + y * y < s[1]! ** 2,
};
const fns: Record<string, HitFn> = {
  sphere: hitSphere,
  box: hitBox,
  cylinder: hitCylinder,
  cone: hitCone,
  torus: hitTorus,
};
const sizes: Record<string, Float64Array> = {
  sphere: size(0.7),
  box: size(0.5, 0.8, 0.3),
  cylinder: size(0.4, 0.7),
  cone: size(0.6, 0.8),
  torus: size(0.6, 0.2),
};

describe("primitive intersections against a brute-force march", () => {
  for (const name of Object.keys(fns)) {
    it(name, () => {
      const rng = Rng.fromSeed(100 + name.length);
      const s = sizes[name]!;
      let compared = 0;
      let hits = 0;
      for (let k = 0; k < 150; k++) {
        // A ray from a point on a sphere of radius 3 towards a random point near the origin.
        const u = rng.range(-1, 1),
          phi = rng.range(0, 2 * Math.PI),
          sq = Math.sqrt(1 - u * u);
        const o = [3 * sq * Math.cos(phi), 3 * u, 3 * sq * Math.sin(phi)];
        const target = [rng.range(-0.8, 0.8), rng.range(-0.8, 0.8), rng.range(-0.8, 0.8)];
        const d = [target[0]! - o[0]!, target[1]! - o[1]!, target[2]! - o[2]!];
        const len = Math.hypot(d[0]!, d[1]!, d[2]!);
        const dn = d.map((v) => v / len);
        // March in steps of 2e-3 to the first inside point, then bisect the crossing.
        const at = (t: number): boolean => inside[name]!(s, o[0]! + t * dn[0]!, o[1]! + t * dn[1]!, o[2]! + t * dn[2]!);
        let ref: number | null = null;
        for (let t = 0; t < 6; t += 2e-3) {
          if (at(t)) {
            let lo = t - 2e-3,
              hi = t;
            for (let i = 0; i < 40; i++) {
              const mid = (lo + hi) / 2;
              if (at(mid)) hi = mid;
              else lo = mid;
            }
            // Skip grazing rays: the solid must still be there 0.01 further on.
            ref = at(hi + 0.01) ? hi : Number.NaN;
            break;
          }
        }
        if (ref !== null && Number.isNaN(ref)) continue;
        const h = cast(fns[name]!, s, o, d);
        compared++;
        if (ref === null) {
          // The march found nothing; a grazing analytic hit may still exist, but not a deep one.
          if (h !== null) expect(at(h[0]! + 0.01)).toBe(false);
          continue;
        }
        hits++;
        expect(h).not.toBeNull();
        expect(Math.abs(h![0]! - ref)).toBeLessThan(1e-4);
        expect(Math.hypot(h![1]!, h![2]!, h![3]!)).toBeCloseTo(1, 9);
        expect(h![1]! * dn[0]! + h![2]! * dn[1]! + h![3]! * dn[2]!).toBeLessThan(1e-9); // faces the ray
      }
      expect(compared).toBeGreaterThan(120);
      expect(hits).toBeGreaterThan(30);
    });
  }
});
