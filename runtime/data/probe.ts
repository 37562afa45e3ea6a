/**
 * What can be known of a model's data before any of it is loaded: for a
 * folder source (npy), the `.npy` headers (shapes, dtypes, sample counts of
 * every split and every folder the tasks read) against the model's input and
 * tasks. `mtslc check` and `compile` report what this finds; `train` runs the
 * same checks (the trainer's input check is {@link checkInputShape}).
 */
import { existsSync } from "node:fs";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import { getDataSource } from "./registry.js";
import type { DatasetDescription } from "./types.js";

export type DataProbe =
  /** Headers read; the data fits the model as far as headers tell. */
  | { readonly kind: "bound"; readonly description: DatasetDescription }
  /** The dataset folder is not on this machine (yet): nothing could be checked. */
  | { readonly kind: "absent"; readonly dir: string }
  /** The data on disk does not fit the model, or cannot be read. */
  | { readonly kind: "refused"; readonly error: MtslError };

/** Throws MTSL3003 when the data's images are not the model's input shape. */
export function checkInputShape(want: readonly number[], description: DatasetDescription): void {
  const [h, w, c] = description.inputShape;
  if (want[0] !== h || want[1] !== w || want[2] !== c) {
    throw new MtslError(
      "MTSL3003",
      `the model's input is [${want.join(", ")}] but the data's images are [${h}, ${w}, ${c}]`,
      {
        expected: `[${want.join(", ")}]`,
        found: `[${h}, ${w}, ${c}]`,
      },
    );
  }
}

/** Reads the headers of the model's data (never the arrays) and checks them against the model. */
export function probeData(ir: IrModel): DataProbe {
  const dir = ir.data.options["dir"];
  if (typeof dir === "string" && !existsSync(dir)) return { kind: "absent", dir };
  try {
    const description = getDataSource(ir.data.name).describe(ir.data.options as never, ir.tasks);
    checkInputShape(ir.input.shape, description);
    return { kind: "bound", description };
  } catch (e) {
    if (e instanceof MtslError) return { kind: "refused", error: e };
    throw e;
  }
}
