/**
 * mtsl: a language, compiler and runtime for multi-task networks that learn
 * their sharing structure. Everything the `mtslc` CLI does is exported here as
 * a typed function; the CLI is a thin layer over them.
 */

// language: parse, format, print, diagnostics
export * from "./grammar/index.js";
export { format, type FormatResult } from "./grammar/format.js";
export { print, printValue } from "./grammar/printer.js";
export { formatNumber } from "./grammar/numbers.js";

// compiler: checks, IR, lifting, diff, graph, code generation
export { check, CHECK_CODES, RULES, typeModel } from "./compiler/check/index.js";
export { compile, compileSource, type CompileResult } from "./compiler/compile.js";
export type * from "./compiler/ir/types.js";
export { IR_VERSION } from "./compiler/ir/types.js";
export { irToJson, irFromJson, irProblems, IrFormatError } from "./compiler/ir/json.js";
export { lint, instanceId, headId, weightKey } from "./compiler/ir/lint.js";
export { SHAPE_CODES } from "./compiler/ir/infer.js";
export { withPartitions } from "./compiler/ir/rebuild.js";
export {
  instancesOf,
  partitionsOf,
  partitionKey,
  groupKey,
  sameSharingTree,
  type Partitions,
} from "./compiler/ir/sharing-tree.js";
export { lift, liftTemplate, sameIr, type LiftTemplate } from "./compiler/lift.js";
export { printIr } from "./compiler/ir/print.js";
export { IR_SCHEMA } from "./compiler/ir/schema.js";
export { baselineDocument, type Baseline } from "./compiler/baseline.js";
export { revisionText, revisionHeader, type RevisionInfo } from "./compiler/revision.js";
export { summarize as summarizeIr } from "./compiler/summary.js";
export * from "./compiler/diff/index.js";
export * from "./compiler/graph/index.js";
export { generateModelModule } from "./compiler/codegen/generate.js";

// runtime: backends, data, training, structural learning
export { selectBackend, type BackendInfo, type BackendPreference } from "./runtime/backend/select.js";
export { getDataSource, dataSourceNames } from "./runtime/data/registry.js";
export type { Dataset, DatasetDescription, TargetSpec, Batch, Split, SplitName } from "./runtime/data/types.js";
export { MtslError, isMtslError, RUNTIME_ERROR_CODES } from "./runtime/errors.js";
export { Rng } from "./runtime/random.js";
export { WeightStore } from "./runtime/model/weights.js";
export { forward } from "./runtime/model/network.js";
export { Trainer, type EpochRecord, type TrainEvent, type TrainOptions } from "./runtime/train/trainer.js";
export { readMetrics, openRun, readRunHistory, RUN_FILES, revisionPaths } from "./runtime/run/folder.js";
export { evaluateSplit, type SplitScores } from "./runtime/train/evaluate.js";
export { readCheckpoint, writeCheckpoint } from "./runtime/train/checkpoint.js";
export { StructuralLearningHooks, type SlpRecord } from "./runtime/structure/mtsl.js";
export { siblingSets, type SiblingSet } from "./runtime/structure/siblings.js";
export { linearCKA, ckaMatrix, ckaAlignmentLoss } from "./runtime/structure/cka.js";
export { groupTasks, groupTasksDetailed } from "./runtime/structure/grouping.js";
export { LOSSES, getLoss } from "./runtime/losses.js";
export { METRIC_DIRECTIONS, createMetricAccumulator, multiTaskGain } from "./runtime/metrics.js";

// the whole training pipeline (what `mtslc train` runs) and the command line
export {
  trainFile as train,
  mergeMessage,
  type TrainFileOptions,
  type TrainFileResult,
} from "./runtime/run/train-file.js";
export { run as runCli } from "./cli/mtslc.js";
export { diagnoseSource } from "./cli/diagnose.js";

// evaluation and the run report
export { evaluateRun, type EvalReport, type EvaluateRunOptions } from "./runtime/eval/evaluate-run.js";
export { corrupt, CORRUPTION_NAMES, SEVERITIES } from "./runtime/eval/corruptions.js";
export { buildReport, REPORT_SECTIONS } from "./runtime/report/build.js";
