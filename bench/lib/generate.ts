/**
 * Builds large, valid `.mtsl` files programmatically for the parse and compile
 * benchmarks: many tasks of the five dense kinds on the scenes data, many
 * backbone stages (convolutions, residual blocks, skip concatenations), a
 * partly shared sharing tree whose partitions refine with depth, the
 * structural-learning schedule and training settings, with line and block
 * comments throughout.
 */

export interface GeneratedModelOptions {
  /** Model name (an identifier). */
  name: string;
  /** Number of tasks; they cycle through segmentation, depth, normals, edges, reconstruction. */
  tasks: number;
  /** Number of backbone stages (at least 4). */
  stages: number;
  /** Image side of the scenes data (the network keeps this resolution after its stem). */
  size?: number;
  /** Channels of the stages. */
  channels?: number;
  /** Put a line comment before every n-th stage and sharing row (0: none). */
  commentEvery?: number;
  /** One sharing row per stage (many lines) instead of one row per run of equal partitions. */
  rowPerStage?: boolean;
}

interface TaskTemplate {
  kind: string;
  target: string;
  head: string;
  loss: string;
  metrics: string;
}

const TASK_TEMPLATES: readonly TaskTemplate[] = [
  {
    kind: "segmentation(classes: 6)",
    target: "segmentation",
    head: "conv(6, 1)",
    loss: "ce(balanced: true)",
    metrics: "[miou, pixel_acc]",
  },
  { kind: "depth", target: "depth", head: "conv(1, 1)", loss: "rmse", metrics: "[rmse, abs_rel, delta1]" },
  {
    kind: "normals",
    target: "normals",
    head: "conv(3, 1)",
    loss: "l1_unit",
    metrics: "[mean_angle, within_11_25, within_22_5, within_30]",
  },
  { kind: "edges", target: "edges", head: "conv(1, 1)", loss: "bce(pos_weight: 0.95)", metrics: "[bce, accuracy]" },
  { kind: "reconstruction", target: "image", head: "conv(3, 1) sigmoid", loss: "mse", metrics: "[mse]" },
];

/** The task names of a generated model, in declaration order. */
export function generatedTaskNames(tasks: number): string[] {
  return Array.from({ length: tasks }, (_, i) => `t${String(i).padStart(3, "0")}_${TASK_TEMPLATES[i % 5]!.target}`);
}

function stageName(i: number): string {
  return `s${String(i).padStart(4, "0")}`;
}

/** The layers of stage i (i >= 1): a mix of conv+bn+relu, residual blocks and skip concatenations. */
function stageLayers(i: number, channels: number): string {
  if (i % 10 === 0 && i >= 5) return `concat(${stageName(i - 5)}) conv(${channels}, 3) bn relu`;
  switch (i % 4) {
    case 0:
      return `basic(${channels})`;
    case 1:
      return `conv(${channels}, 3, padding: same) bn relu`;
    case 2:
      return `bottleneck(${Math.max(1, channels / 4)}, expansion: 4)`;
    default:
      return `conv(${channels}, 3, dilation: 2) bn leaky_relu(alpha: 0.1)`;
  }
}

/**
 * The partition of `tasks` at stage `i` of `stages`: the first quarter shared by all,
 * then 2, then 4 contiguous groups, then one task per group. Contiguous splits nest,
 * so partitions refine with depth as the language requires.
 */
export function partitionAt(i: number, stages: number, tasks: readonly string[]): string[][] {
  const quarter = Math.floor((4 * i) / stages);
  const k = quarter === 0 ? 1 : quarter === 1 ? 2 : quarter === 2 ? 4 : tasks.length;
  const groups = Math.min(k, tasks.length);
  const out: string[][] = Array.from({ length: groups }, () => []);
  tasks.forEach((t, j) => out[Math.floor((j * groups) / tasks.length)]!.push(t));
  return out;
}

function groupsText(groups: readonly string[][]): string {
  return groups.map((g) => `{${g.join(" ")}}`).join(" ");
}

/** A valid `.mtsl` source for `options` (checks and compiles without errors). */
export function generateModelSource(options: GeneratedModelOptions): string {
  const { name, tasks: taskCount, stages } = options;
  if (stages < 4) throw new Error("generateModelSource: at least 4 stages");
  if (taskCount < 2) throw new Error("generateModelSource: at least 2 tasks");
  const size = options.size ?? 32;
  const channels = options.channels ?? 16;
  const every = options.commentEvery ?? 0;
  const tasks = generatedTaskNames(taskCount);
  const out: string[] = [];
  out.push(`/*`);
  out.push(` * ${name}: a generated benchmark model with ${taskCount} tasks and ${stages} stages.`);
  out.push(` * Built by bench/lib/generate.ts; not meant to be trained.`);
  out.push(` */`);
  out.push(`model ${name} {`);
  out.push(`  input image: f32[${size}, ${size}, 3]`);
  out.push(`  data scenes(size: ${size}, train: 64, val: 16, test: 16, seed: 3)`);
  out.push(``);
  tasks.forEach((t, i) => {
    const tpl = TASK_TEMPLATES[i % 5]!;
    if (every > 0) out.push(`  // task ${i}: ${tpl.target}`);
    out.push(`  task ${t}: ${tpl.kind} {`);
    out.push(`    head: ${tpl.head}`);
    out.push(`    loss: ${tpl.loss}`);
    out.push(`    metrics: ${tpl.metrics}`);
    out.push(`    weight: ${1 + (i % 3) * 0.25}`);
    out.push(`    target: ${tpl.target}`);
    out.push(`  }`);
    out.push(``);
  });
  out.push(`  backbone {`);
  out.push(`    ${stageName(0)}: conv(${channels}, 3) bn relu // stem`);
  for (let i = 1; i < stages; i++) {
    if (every > 0 && i % every === 0) out.push(`    // stage ${i} of ${stages}`);
    out.push(`    ${stageName(i)}: ${stageLayers(i, channels)}${i % 7 === 0 ? " /* a trailing block comment */" : ""}`);
  }
  out.push(`  }`);
  out.push(``);
  out.push(`  // the sharing tree: shared trunk, then 2, 4 and one group per task`);
  out.push(`  sharing {`);
  let start = 0;
  for (let i = 1; i <= stages; i++) {
    const same =
      i < stages &&
      !options.rowPerStage &&
      groupsText(partitionAt(i, stages, tasks)) === groupsText(partitionAt(start, stages, tasks));
    if (same) continue;
    if (every > 0 && start % every === 0) out.push(`    // row at stage ${start}`);
    const range = i - 1 > start ? `${stageName(start)}..${stageName(i - 1)}` : stageName(start);
    out.push(`    ${range}: ${groupsText(partitionAt(start, stages, tasks))}`);
    start = i;
  }
  out.push(`  }`);
  out.push(``);
  out.push(`  structural_learning {`);
  out.push(`    at_epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]`);
  out.push(`    similarity: cka(debiased: true, pool: gap, samples: 400)`);
  out.push(`    threshold: 0.8`);
  out.push(`    init: fresh`);
  out.push(`    transfer: distill(gate: channel, passes: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])`);
  out.push(`    alignment: 0.2`);
  out.push(`    handoff: mean`);
  out.push(`  }`);
  out.push(``);
  out.push(`  train {`);
  out.push(`    epochs: 16`);
  out.push(`    batch: 16`);
  out.push(`    optimizer: adam(lr: 1e-3, weight_decay: 5e-5)`);
  out.push(`    schedule: step(milestones: [12, 14], gamma: 0.1)`);
  out.push(`    seed: 1`);
  out.push(`    backend: auto`);
  out.push(`  }`);
  out.push(`}`);
  return out.join("\n") + "\n";
}

/** The number of lines of `source` (a final newline does not start a line). */
export function lineCount(source: string): number {
  const n = source.split("\n").length;
  return source.endsWith("\n") ? n - 1 : n;
}
