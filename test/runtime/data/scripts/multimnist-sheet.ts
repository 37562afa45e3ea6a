/**
 * Renders a grid of MultiMNIST images with their (left, right) labels printed
 * to stdout, for a visual check.
 *
 *   npx tsx test/runtime/data/scripts/multimnist-sheet.ts [out.png] [count] [seed]
 */

import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import { generateMultiMnist } from "../../../../runtime/data/multimnist.js";

const out = process.argv[2] ?? "/tmp/multimnist.png";
const count = Number(process.argv[3] ?? 16);
const seed = Number(process.argv[4] ?? 0);
const { dataset } = generateMultiMnist({ train: count, val: 1, test: 1, seed });
const sp = dataset.splits.train;
const size = dataset.description.inputShape[0];
const scale = 3;
const perRow = 8;
const cell = size * scale + 2;
const png = new PNG({ width: perRow * cell, height: Math.ceil(count / perRow) * cell });
png.data.fill(128);
for (let k = 0; k < count; k++) {
  const ox = (k % perRow) * cell;
  const oy = Math.floor(k / perRow) * cell;
  for (let y = 0; y < size * scale; y++) {
    for (let x = 0; x < size * scale; x++) {
      const v = Math.round(255 * sp.images[k * size * size + Math.floor(y / scale) * size + Math.floor(x / scale)]!);
      const q = 4 * ((oy + y) * png.width + ox + x);
      png.data[q] = png.data[q + 1] = png.data[q + 2] = v;
      png.data[q + 3] = 255;
    }
  }
}
writeFileSync(out, PNG.sync.write(png));
const labels: string[] = [];
for (let k = 0; k < count; k++) labels.push(`${sp.targets["left"]![k]}${sp.targets["right"]![k]}`);
console.log(`wrote ${out}; (left,right) labels row by row: ${labels.join(" ")}`);
