/**
 * Times data generation: scenes (ms per image) and MultiMNIST.
 *
 *   npx tsx test/runtime/data/scripts/bench-data.ts [scenesCount] [size]
 */

import { generateMultiMnist } from "../../../../runtime/data/multimnist.js";
import { loadMnistDigits } from "../../../../runtime/data/mnist-digits.js";
import { generateScenes } from "../../../../runtime/data/scenes/index.js";

const count = Number(process.argv[2] ?? 1000);
const size = Number(process.argv[3] ?? 64);

let t = performance.now();
const cpu = process.cpuUsage();
generateScenes({ size, train: count, val: 1, test: 1, seed: 7 });
let ms = performance.now() - t;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
console.log(
  `scenes: ${count} images of ${size}x${size} in ${(ms / 1000).toFixed(2)} s = ${(ms / count).toFixed(3)} ms/image` +
    ` (CPU ${(cpuMs / count).toFixed(3)} ms/image)`,
);

t = performance.now();
loadMnistDigits();
console.log(`mnist digits: loaded in ${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
generateMultiMnist({ train: 10000, val: 1000, test: 1000 });
ms = performance.now() - t;
console.log(`multimnist: 12000 images of 28x28 in ${ms.toFixed(0)} ms = ${((1000 * ms) / 12000).toFixed(1)} us/image`);
