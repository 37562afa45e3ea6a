/**
 * The IR as a file format: every example's IR is valid against the schema,
 * and damaged IR (wrong types, unknown words, broken invariants, another
 * version) is refused with the path of what is wrong, in JSON files and in
 * checkpoint headers alike.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { IrFormatError, irFromJson, irProblems, irToJson } from "../../compiler/ir/json.js";
import { IR_VERSION, type IrModel } from "../../compiler/ir/types.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../runtime/train/checkpoint.js";
import { MtslError } from "../../runtime/errors.js";

const examples = readdirSync("examples").filter((f) => f.endsWith(".mtsl"));
const irOf = (f: string): IrModel => compileSource(readFileSync(`examples/${f}`, "utf8")).ir!;
const copy = (ir: IrModel): Record<string, unknown> => JSON.parse(irToJson(ir)) as Record<string, unknown>;

describe("IR files", () => {
  it("every example's IR is valid and reads back unchanged", () => {
    for (const f of examples) {
      const ir = irOf(f);
      expect(irProblems(JSON.parse(irToJson(ir))), f).toEqual([]);
      expect(irToJson(irFromJson(irToJson(ir)))).toBe(irToJson(ir));
    }
  });

  const DELETE = Symbol("delete");
  /** [what, path into the IR, new value (or DELETE), the problem expected]. */
  const damage: [string, (string | number)[], unknown, RegExp][] = [
    [
      "a negative filter count",
      ["stages", 1, "layers", 0, "filters"],
      -3,
      /\/stages\/1\/layers\/0\/filters must be >= 1/,
    ],
    [
      "an unknown task kind",
      ["tasks", 0, "kind"],
      "dept",
      /\/tasks\/0\/kind must be equal to one of the allowed values \("classification"/,
    ],
    ["a missing setting", ["train", "seed"], DELETE, /\/train must have required property 'seed'/],
    [
      "an unknown layer op",
      ["stages", 0, "layers", 0, "op"],
      "conv3d",
      /\/stages\/0\/layers\/0\/op must be equal to one of the allowed values/,
    ],
    ["an extra field", ["train", "lr"], 0.1, /\/train must NOT have additional properties/],
    ["another version", ["version"], IR_VERSION + 1, /\/version must be equal to constant/],
    ["an instance of an unknown stage", ["instances", 0, "stage"], "nowhere", /nowhere/],
    ["a shape that does not chain", ["stages", 1, "inShape"], [7, 7, 7], /expects \[7,7,7\]/],
  ];

  /** Sets (or deletes) the value at `path` inside `root`. */
  function edit(root: unknown, path: (string | number)[], value: unknown): void {
    let at = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (value === DELETE) delete at[last];
    else at[last] = value;
  }

  for (const [what, path, value, message] of damage) {
    it(`refuses ${what}`, () => {
      const bad = copy(irOf("scenes.mtsl"));
      edit(bad, path, value);
      expect(() => irFromJson(JSON.stringify(bad))).toThrow(IrFormatError);
      expect(irProblems(bad).join("\n")).toMatch(message);
    });
  }

  it("refuses text that is not JSON", () => {
    expect(() => irFromJson("{ nope")).toThrow(/not JSON/);
  });

  it("refuses a checkpoint whose header holds damaged IR, with MTSL3301", () => {
    const bad = copy(irOf("multimnist.mtsl"));
    (bad["tasks"] as { weight: unknown }[])[0]!.weight = "heavy";
    const bytes = encodeCheckpoint({
      ir: bad as unknown as IrModel,
      epoch: 1,
      weights: new Map(),
      optimizer: { name: "adam", slots: new Map() },
      state: null,
    });
    let error: unknown;
    try {
      decodeCheckpoint(bytes, "run/checkpoint.ckpt");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MtslError);
    expect((error as MtslError).code).toBe("MTSL3301");
    expect((error as MtslError).message).toMatch(/its IR is not sound \(\/tasks\/0\/weight must be number/);
  });
});
