/**
 * Renders a contact sheet of generated scenes with all their targets:
 * columns image | segmentation | depth | normals | edges, one row per scene.
 *
 *   npx tsx test/runtime/data/scripts/scenes-contact-sheet.ts [out.png] [rows] [seed] [size] [scale]
 *
 * Dev-only (uses pngjs); the docs sheet is docs/img/scenes-samples.png.
 */

import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import { generateScenes, SCENE_CLASSES } from "../../../../runtime/data/scenes/index.js";

const out = process.argv[2] ?? "docs/img/scenes-samples.png";
const rows = Number(process.argv[3] ?? 6);
const seed = Number(process.argv[4] ?? 1);
const size = Number(process.argv[5] ?? 64);
const scale = Number(process.argv[6] ?? 2);

const ds = generateScenes({ size, train: rows, val: 1, test: 1, seed });
const split = ds.splits.train;
const cols = 5;
const gap = 2;
const cell = size * scale;
const W = cols * cell + (cols + 1) * gap;
const H = rows * cell + (rows + 1) * gap;
const png = new PNG({ width: W, height: H });
png.data.fill(255);

const palette: [number, number, number][] = [
  [40, 40, 40],
  [230, 80, 60],
  [70, 160, 230],
  [90, 200, 90],
  [240, 200, 50],
  [190, 90, 220],
];
if (palette.length !== SCENE_CLASSES.length) throw new Error("palette does not match the classes");

function put(col: number, row: number, i: number, j: number, rgb: [number, number, number]): void {
  for (let a = 0; a < scale; a++) {
    for (let b = 0; b < scale; b++) {
      const y = gap + row * (cell + gap) + i * scale + a;
      const x = gap + col * (cell + gap) + j * scale + b;
      const q = 4 * (y * W + x);
      png.data[q] = rgb[0];
      png.data[q + 1] = rgb[1];
      png.data[q + 2] = rgb[2];
      png.data[q + 3] = 255;
    }
  }
}

const byte = (v: number): number => Math.max(0, Math.min(255, Math.round(v * 255)));
const px = size * size;
const seg = split.targets["segmentation"] as Int32Array;
const depth = split.targets["depth"] as Float32Array;
const normals = split.targets["normals"] as Float32Array;
const edges = split.targets["edges"] as Float32Array;
for (let r = 0; r < rows; r++) {
  let maxDepth = 0;
  for (let p = 0; p < px; p++) maxDepth = Math.max(maxDepth, depth[r * px + p]!);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const p = r * px + i * size + j;
      put(0, r, i, j, [byte(split.images[3 * p]!), byte(split.images[3 * p + 1]!), byte(split.images[3 * p + 2]!)]);
      put(1, r, i, j, palette[seg[p]!]!);
      const d = depth[p]!;
      // Near = bright; sky (invalid) = dark blue.
      put(2, r, i, j, d === 0 ? [0, 0, 80] : [byte(1 - d / maxDepth), byte(1 - d / maxDepth), byte(1 - d / maxDepth)]);
      put(3, r, i, j, [
        byte(0.5 + 0.5 * normals[3 * p]!),
        byte(0.5 + 0.5 * normals[3 * p + 1]!),
        byte(0.5 + 0.5 * normals[3 * p + 2]!),
      ]);
      put(4, r, i, j, edges[p]! > 0 ? [255, 255, 255] : [0, 0, 0]);
    }
  }
}
writeFileSync(out, PNG.sync.write(png));
console.log(`wrote ${out}: ${rows} scenes, ${size}x${size}, seed ${seed}`);
