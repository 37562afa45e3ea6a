/**
 * What `mtslc predict` writes for one task's output on one image, by task kind:
 *
 * | kind           | NAME.TASK.npy                                   | NAME.TASK.png                       |
 * | -------------- | ----------------------------------------------- | ----------------------------------- |
 * | segmentation   | int32 [H, W]: the class of each pixel (argmax)  | the classes in a fixed palette      |
 * | edges          | float32 [H, W]: edge probability (sigmoid)      | grey, white = 1                     |
 * | depth          | float32 [H, W]: depth in the target's units     | grey, black = its min, white = max  |
 * | normals        | float32 [H, W, 3]: unit normals                 | (n + 1) / 2 as RGB                  |
 * | reconstruction | float32 [H, W, C]: the image                    | the image, clipped to [0, 1]        |
 * | classification | float32 [K]: class probabilities (softmax)      | (none; the class is in the manifest)|
 * | regression     | float32: the outputs as the head gives them     | (none)                              |
 */
import { dump } from "npyjs";
import { PNG } from "pngjs";
import type { IrTask } from "../../compiler/ir/types.js";

export interface TaskFiles {
  files: { extension: "npy" | "png"; bytes: Uint8Array }[];
  /** The predicted class (classification). */
  class?: number;
}

/** A segmentation palette: 20 distinct colours, then a hash of the class for the rest. */
const PALETTE: readonly [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
  [174, 199, 232],
  [255, 187, 120],
  [152, 223, 138],
  [255, 152, 150],
  [197, 176, 213],
  [196, 156, 148],
  [247, 182, 210],
  [199, 199, 199],
  [219, 219, 141],
  [158, 218, 229],
];

export function classColour(k: number): [number, number, number] {
  const c = PALETTE[k];
  if (c) return c;
  const x = Math.imul(k + 1, 2654435761) >>> 0;
  return [x & 255, (x >>> 8) & 255, (x >>> 16) & 255];
}

function npy(values: Float32Array | Int32Array, shape: number[]): Uint8Array {
  return new Uint8Array(dump(values, shape));
}

/** An RGB(A) picture from per-pixel colours in [0, 255]. */
function png(h: number, w: number, colour: (p: number) => [number, number, number]): Uint8Array {
  const image = new PNG({ width: w, height: h });
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = colour(p);
    image.data[p * 4] = r;
    image.data[p * 4 + 1] = g;
    image.data[p * 4 + 2] = b;
    image.data[p * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(image));
}

const byte = (v: number): number => Math.max(0, Math.min(255, Math.round(v * 255)));
const grey = (v: number): [number, number, number] => [byte(v), byte(v), byte(v)];
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The files of one task's output `values` (one sample, shape `shape` without the batch). */
export function taskOutputs(task: IrTask, shape: number[], values: Float32Array): TaskFiles {
  const dense = shape.length === 3;
  const [h, w, c] = dense ? (shape as [number, number, number]) : [0, 0, shape[shape.length - 1] ?? 1];
  switch (task.kind) {
    case "segmentation": {
      const classes = new Int32Array(h * w);
      for (let p = 0; p < h * w; p++) {
        let best = 0;
        for (let k = 1; k < c; k++) if (values[p * c + k]! > values[p * c + best]!) best = k;
        classes[p] = best;
      }
      return {
        files: [
          { extension: "npy", bytes: npy(classes, [h, w]) },
          { extension: "png", bytes: png(h, w, (p) => classColour(classes[p]!)) },
        ],
      };
    }
    case "edges": {
      const prob = Float32Array.from(values, sigmoid);
      return {
        files: [
          { extension: "npy", bytes: npy(prob, [h, w]) },
          { extension: "png", bytes: png(h, w, (p) => grey(prob[p]!)) },
        ],
      };
    }
    case "depth": {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const span = hi > lo ? hi - lo : 1;
      return {
        files: [
          { extension: "npy", bytes: npy(Float32Array.from(values), [h, w]) },
          { extension: "png", bytes: png(h, w, (p) => grey((values[p]! - lo) / span)) },
        ],
      };
    }
    case "normals": {
      const unit = new Float32Array(h * w * 3);
      for (let p = 0; p < h * w; p++) {
        const [x, y, z] = [values[p * 3]!, values[p * 3 + 1]!, values[p * 3 + 2]!];
        const n = Math.hypot(x, y, z) || 1;
        unit[p * 3] = x / n;
        unit[p * 3 + 1] = y / n;
        unit[p * 3 + 2] = z / n;
      }
      return {
        files: [
          { extension: "npy", bytes: npy(unit, [h, w, 3]) },
          {
            extension: "png",
            bytes: png(h, w, (p) => [
              byte((unit[p * 3]! + 1) / 2),
              byte((unit[p * 3 + 1]! + 1) / 2),
              byte((unit[p * 3 + 2]! + 1) / 2),
            ]),
          },
        ],
      };
    }
    case "reconstruction":
      return {
        files: [
          { extension: "npy", bytes: npy(Float32Array.from(values), [h, w, c]) },
          {
            extension: "png",
            bytes: png(h, w, (p) =>
              c >= 3
                ? [byte(values[p * c]!), byte(values[p * c + 1]!), byte(values[p * c + 2]!)]
                : grey(values[p * c]!),
            ),
          },
        ],
      };
    case "classification": {
      const max = Math.max(...values);
      const exp = Float32Array.from(values, (v) => Math.exp(v - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      const prob = exp.map((v) => v / sum);
      let best = 0;
      for (let k = 1; k < prob.length; k++) if (prob[k]! > prob[best]!) best = k;
      return { files: [{ extension: "npy", bytes: npy(prob, [prob.length]) }], class: best };
    }
    case "regression":
      return { files: [{ extension: "npy", bytes: npy(Float32Array.from(values), shape) }] };
  }
}
