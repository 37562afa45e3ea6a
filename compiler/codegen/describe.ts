/**
 * Words for the doc comments of a generated module: what each task's output
 * holds. Every name passes through `commentText`, so no IR text can end a
 * comment.
 */
import type { IrHead, IrTask } from "../ir/types.js";
import { numberLiteral, shapeText } from "./layers.js";
import { commentText } from "./names.js";

function classCount(task: IrTask, channels: number): number {
  const classes = task.options.classes;
  return typeof classes === "number" && Number.isInteger(classes) && classes > 0 ? classes : channels;
}

/** What the output of a task's head holds, from its kind: `segmentation logits for 6 classes`. */
export function outputMeaning(task: IrTask, head: IrHead): string {
  const channels = head.outShape[head.outShape.length - 1] ?? 0;
  switch (task.kind) {
    case "classification":
      return `classification logits for ${numberLiteral(classCount(task, channels))} classes`;
    case "segmentation":
      return `segmentation logits for ${numberLiteral(classCount(task, channels))} classes`;
    case "depth":
      return "depth per pixel";
    case "normals":
      return "surface normals per pixel (x, y, z; not normalised)";
    case "edges":
      return "semantic-edge logits per pixel";
    case "reconstruction":
      return "reconstruction of the input image";
    case "regression":
      return `regression outputs (${numberLiteral(channels)} values)`;
  }
  return `outputs of kind ${commentText(String(task.kind))}`;
}

/** The doc comment of a task's output property. */
export function outputDoc(task: IrTask, head: IrHead): string {
  return (
    `\`${shapeText(head.outShape)}\`: ${outputMeaning(task, head)}.\n` +
    `Task ${commentText(task.name)}, kind ${commentText(String(task.kind))}, loss ${commentText(task.loss.name)}.`
  );
}
