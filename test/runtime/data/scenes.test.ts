import { describe, expect, it } from "vitest";
import { generateScenes, SCENE_CLASSES, sceneAt, sceneBuffers } from "../../../runtime/data/scenes/index.js";
import { markEdges, renderScene } from "../../../runtime/data/scenes/render.js";
import { FLOOR_ID, SKY_ID, WALL_ID } from "../../../runtime/data/scenes/scene.js";
import { SPHERE } from "../../../runtime/data/scenes/primitives.js";
import { SPLIT_NAMES } from "../../../runtime/data/types.js";

const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Camera-space ray (not normalised) through the centre of pixel (i, j): (u, v, -1). */
function pixelRay(i: number, j: number, size: number, tanHalf: number): [number, number, number] {
  return [((2 * (j + 0.5)) / size - 1) * tanHalf, (1 - (2 * (i + 0.5)) / size) * tanHalf, -1];
}

describe("scenes", () => {
  it("is deterministic from the seed, and a scene does not depend on the split sizes", () => {
    const opts = { size: 24, train: 12, val: 3, test: 3, seed: 3 };
    const a = generateScenes(opts);
    const b = generateScenes(opts);
    const c = generateScenes({ ...opts, seed: 4 });
    const d = generateScenes({ ...opts, train: 5 });
    const px = 24 * 24;
    for (const s of SPLIT_NAMES) {
      expect(bytes(a.splits[s].images).equals(bytes(b.splits[s].images))).toBe(true);
      for (const t of Object.keys(a.description.targets)) {
        expect(bytes(a.splits[s].targets[t]!).equals(bytes(b.splits[s].targets[t]!))).toBe(true);
      }
      expect(bytes(a.splits[s].images).equals(bytes(c.splits[s].images))).toBe(false);
    }
    expect(bytes(d.splits.train.images).equals(bytes(a.splits.train.images.subarray(0, 5 * px * 3)))).toBe(true);
    expect(bytes(d.splits.val.images).equals(bytes(a.splits.val.images))).toBe(true);
  });

  it("has the described shapes, types and ranges", () => {
    const size = 32;
    const ds = generateScenes({ size, train: 30, val: 2, test: 2, seed: 1 });
    const sp = ds.splits.train;
    const px = size * size;
    expect(ds.description.inputShape).toEqual([size, size, 3]);
    expect(sp.images.length).toBe(30 * px * 3);
    expect(sp.targets["image"]).toBe(sp.images);
    const seg = sp.targets["segmentation"] as Int32Array;
    const depth = sp.targets["depth"] as Float32Array;
    const normals = sp.targets["normals"] as Float32Array;
    const edges = sp.targets["edges"] as Float32Array;
    expect(seg).toBeInstanceOf(Int32Array);
    expect(seg.length).toBe(30 * px);
    expect(depth.length).toBe(30 * px);
    expect(normals.length).toBe(30 * px * 3);
    expect(edges.length).toBe(30 * px);
    let bad = 0;
    for (let p = 0; p < sp.images.length; p++) if (!(sp.images[p]! >= 0 && sp.images[p]! <= 1)) bad++;
    for (let p = 0; p < seg.length; p++) {
      if (!(seg[p]! >= 0 && seg[p]! < SCENE_CLASSES.length)) bad++;
      if (!(edges[p] === 0 || edges[p] === 1)) bad++;
      const n = Math.hypot(normals[3 * p]!, normals[3 * p + 1]!, normals[3 * p + 2]!);
      if (depth[p]! > 0) {
        if (Math.abs(n - 1) > 1e-5) bad++; // unit normals where valid
        if (depth[p]! > 60) bad++;
      } else {
        if (depth[p] !== 0 || n !== 0 || seg[p] !== 0) bad++; // sky: invalid depth and normal, background class
      }
    }
    expect(bad).toBe(0);
  });

  it("normals face the camera and depth, normals and geometry agree (floor, wall, spheres)", () => {
    const size = 48;
    const buf = sceneBuffers(size);
    let floorPx = 0,
      wallPx = 0,
      spherePx = 0,
      skyPx = 0;
    let worst = 0;
    let backFacing = 0;
    let wrongClass = 0;
    for (let k = 0; k < 25; k++) {
      const scene = sceneAt(21, "train", k);
      renderScene(scene, size, buf);
      const cp = Math.cos(scene.pitch),
        sp = Math.sin(scene.pitch);
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) {
          const p = i * size + j;
          const id = buf.ids[p]!;
          if (id === SKY_ID) {
            skyPx++;
            continue;
          }
          const [u, v, w] = pixelRay(i, j, size, scene.tanHalfFov);
          const z = buf.depth[p]!;
          const P = [u * z, v * z, w * z]; // camera-space point: its z is -depth
          const n = [buf.normals[3 * p]!, buf.normals[3 * p + 1]!, buf.normals[3 * p + 2]!];
          const nDotRay = n[0]! * u + n[1]! * v + n[2]! * w;
          if (nDotRay >= 1e-6) backFacing++; // visible surfaces face the viewer
          const nDotP = n[0]! * P[0]! + n[1]! * P[1]! + n[2]! * P[2]!;
          if (id === FLOOR_ID) {
            floorPx++;
            // The floor lies cameraHeight below the camera, along its normal.
            worst = Math.max(worst, Math.abs(nDotP + scene.cameraHeight));
            // Its camera-space normal is world up seen from a camera pitched down.
            worst = Math.max(worst, Math.abs(n[0]!) + Math.abs(n[1]! - cp) + Math.abs(n[2]! - sp));
          } else if (id === WALL_ID) {
            wallPx++;
            worst = Math.max(worst, Math.abs(nDotP - scene.wallZ * scene.wallNz));
          } else {
            const obj = scene.objects.find((o) => o.id === id)!;
            if (buf.segmentation[p] !== obj.shape) wrongClass++;
            if (obj.shape === SPHERE) {
              spherePx++;
              // World point from camera space: o + x R + y U - z F, with R = (-1,0,0), U = (0,cp,sp), F = (0,-sp,cp).
              const wx = -P[0]!;
              const wy = scene.cameraHeight + P[1]! * cp - P[2]! * -sp;
              const wz = P[1]! * sp - P[2]! * cp;
              const r = obj.size[0]!;
              worst = Math.max(worst, Math.abs(Math.hypot(wx - obj.cx, wy - obj.cy, wz - obj.cz) - r) / r);
            }
          }
        }
    }
    expect(backFacing).toBe(0);
    expect(wrongClass).toBe(0);
    expect(floorPx).toBeGreaterThan(1000);
    expect(wallPx).toBeGreaterThan(1000);
    expect(spherePx).toBeGreaterThan(100);
    expect(skyPx).toBeGreaterThan(10);
    expect(worst).toBeLessThan(1e-3);
  });

  it("marks edges exactly where a 4-neighbour belongs to another segment", () => {
    const size = 40;
    const buf = sceneBuffers(size);
    let edgePx = 0;
    for (let k = 0; k < 10; k++) {
      renderScene(sceneAt(5, "val", k), size, buf);
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) {
          const p = i * size + j;
          const nb: number[] = [];
          if (i > 0) nb.push(p - size);
          if (i < size - 1) nb.push(p + size);
          if (j > 0) nb.push(p - 1);
          if (j < size - 1) nb.push(p + 1);
          const differs = nb.some((q) => buf.ids[q] !== buf.ids[p]);
          expect(buf.edges[p]).toBe(differs ? 1 : 0);
          // Every segmentation boundary is an edge.
          if (nb.some((q) => buf.segmentation[q] !== buf.segmentation[p])) expect(buf.edges[p]).toBe(1);
          edgePx += buf.edges[p]!;
        }
    }
    expect(edgePx).toBeGreaterThan(200);
    // markEdges on a hand-made map.
    const ids = Int32Array.from([0, 0, 1, 0, 0, 1, 2, 2, 2]);
    const e = new Float32Array(9);
    markEdges(ids, 3, e);
    expect([...e]).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("dataset arrays equal a direct render of the same scene", () => {
    const size = 20;
    const ds = generateScenes({ size, train: 4, val: 2, test: 2, seed: 9 });
    const buf = sceneBuffers(size);
    renderScene(sceneAt(9, "test", 1), size, buf);
    const px = size * size;
    const sp = ds.splits.test;
    expect(bytes(sp.images.subarray(px * 3, 2 * px * 3)).equals(bytes(buf.image))).toBe(true);
    expect(bytes((sp.targets["depth"] as Float32Array).subarray(px, 2 * px)).equals(bytes(buf.depth))).toBe(true);
    expect(bytes((sp.targets["segmentation"] as Int32Array).subarray(px, 2 * px)).equals(bytes(buf.segmentation))).toBe(
      true,
    );
  });

  it("every class appears in many images, and colour does not give the class away", () => {
    const size = 32;
    const n = 400;
    const ds = generateScenes({ size, train: n, val: 1, test: 1, seed: 2 });
    const sp = ds.splits.train;
    const seg = sp.targets["segmentation"] as Int32Array;
    const px = size * size;
    const imagesWith = new Array<number>(SCENE_CLASSES.length).fill(0);
    const pixels = new Array<number>(SCENE_CLASSES.length).fill(0);
    const colour = SCENE_CLASSES.map(() => [0, 0, 0]);
    for (let k = 0; k < n; k++) {
      const seen = new Set<number>();
      for (let p = k * px; p < (k + 1) * px; p++) {
        const c = seg[p]!;
        seen.add(c);
        pixels[c]!++;
        for (let ch = 0; ch < 3; ch++) colour[c]![ch]! += sp.images[3 * p + ch]!;
      }
      for (const c of seen) imagesWith[c]!++;
    }
    console.log(
      `scenes: images per class ${JSON.stringify(imagesWith)} of ${n}; pixel share ${pixels.map((v) => (v / (n * px)).toFixed(3)).join(" ")}`,
    );
    for (let c = 1; c < SCENE_CLASSES.length; c++) expect(imagesWith[c]).toBeGreaterThan(n * 0.35);
    expect(pixels[0]! / (n * px)).toBeLessThan(0.95);
    // Shading differs by shape (flat box faces, self-shadowed tori), so compare chromaticity,
    // which shading does not change: r/(r+g+b) and g/(r+g+b) of each class's mean colour.
    const chroma = colour.slice(1).map(([r, g, b]) => [r! / (r! + g! + b!), g! / (r! + g! + b!)]);
    let spread = 0;
    for (const a of chroma)
      for (const b of chroma) spread = Math.max(spread, Math.abs(a[0]! - b[0]!), Math.abs(a[1]! - b[1]!));
    console.log(`scenes: largest chromaticity gap between shape classes ${spread.toFixed(4)}`);
    expect(spread).toBeLessThan(0.03);
  });

  it("draws object textures and colours independently of the shape", () => {
    const byClass = new Map<number, { n: number; rgb: number[]; kinds: number[] }>();
    for (let k = 0; k < 1500; k++) {
      for (const o of sceneAt(77, "train", k).objects) {
        const e = byClass.get(o.shape) ?? { n: 0, rgb: [0, 0, 0, 0, 0, 0], kinds: [0, 0, 0, 0] };
        e.n++;
        for (let c = 0; c < 6; c++) e.rgb[c]! += o.texture.colors[c]!;
        e.kinds[o.texture.kind]!++;
        byClass.set(o.shape, e);
      }
    }
    expect(byClass.size).toBe(5);
    const all = [...byClass.values()];
    for (const a of all) {
      expect(a.n).toBeGreaterThan(1000);
      for (const b of all) {
        for (let c = 0; c < 6; c++) expect(Math.abs(a.rgb[c]! / a.n - b.rgb[c]! / b.n)).toBeLessThan(0.04);
        for (let t = 0; t < 4; t++) expect(Math.abs(a.kinds[t]! / a.n - b.kinds[t]! / b.n)).toBeLessThan(0.06);
      }
    }
  });

  it("renders 64x64 scenes in a few milliseconds each", () => {
    const t = performance.now();
    generateScenes({ size: 64, train: 200, val: 1, test: 1, seed: 8 });
    const ms = (performance.now() - t) / 202;
    console.log(`scenes: ${ms.toFixed(2)} ms per 64x64 image`);
    expect(ms).toBeLessThan(40);
  });
});
