/**
 * The inputs of bench:parse's scaling table: one generated file per axis along which a
 * `.mtsl` file grows (tasks, stages, sharing groups, one long line, many errors), at a base
 * size times 1, 10 and 100. Parse + check should cost the same per character at every size.
 */
import { generateModelSource } from "./generate.js";

export interface ScalingAxis {
  name: string;
  /** What grows, for the table: `n` is the size factor. */
  describe(n: number): string;
  source(n: number): string;
}

const base = (): string => generateModelSource({ name: "Base", tasks: 4, stages: 8 });
const numbers = (count: number, value: (i: number) => number): string =>
  Array.from({ length: count }, (_, i) => value(i)).join(", ");

export const SCALING_AXES: readonly ScalingAxis[] = [
  {
    name: "tasks",
    describe: (n) => `${20 * n} tasks, 8 stages`,
    source: (n) => generateModelSource({ name: "Tasks", tasks: 20 * n, stages: 8 }),
  },
  {
    name: "stages",
    describe: (n) => `${40 * n} stages, one sharing row each`,
    source: (n) => generateModelSource({ name: "Stages", tasks: 4, stages: 40 * n, rowPerStage: true }),
  },
  {
    name: "groups",
    describe: (n) => `${20 * n} tasks in 40 sharing rows (up to ${20 * n} groups a row)`,
    source: (n) => generateModelSource({ name: "Groups", tasks: 20 * n, stages: 40, rowPerStage: true }),
  },
  {
    name: "line",
    describe: (n) => `one line of ${1000 * n} numbers (at_epochs and passes)`,
    source: (n) =>
      base()
        .replace("at_epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", `at_epochs: [${numbers(1000 * n, (i) => i + 1)}]`)
        .replace(/passes: \[[^\]]*\]/, `passes: [${numbers(1000 * n, () => 1)}]`)
        .replace("epochs: 16", `epochs: ${1000 * n + 6}`),
  },
  {
    name: "lex errors",
    describe: (n) => `${400 * n} unexpected characters (1,000 reported, then MTSL0012)`,
    source: (n) => base().replace("  backbone {", `  ${"@ # $ % ".repeat(100 * n)}\n  backbone {`),
  },
  {
    name: "syntax errors",
    describe: (n) => `${400 * n} stray commas in a call (1,000 reported, then MTSL0012)`,
    source: (n) => base().replace("adam(lr: 1e-3,", `adam(lr: 1e-3, ${", ".repeat(400 * n)}`),
  },
];
