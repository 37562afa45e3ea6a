/**
 * The `train { weighting }` of a run, bound to its tasks: what a training step asks of it.
 *
 * Two kinds of method:
 * - loss methods (ew, uw, dwa, random) rescale each task's loss; one backward pass;
 * - gradient methods (pcgrad, cagrad, mgda, imtl, nash_mtl, gradnorm) need each task's
 *   gradient of the parameters shared by more than one task (recomputed from the IR at every
 *   step, so it follows MTSL's merges): one forward and backward pass per task. They return
 *   the shared update and a multiplier for each task's own (task-specific) gradient.
 *
 * The file's task `weight` multiplies each task's loss before either kind sees it. Learned
 * values (uw's and imtl's loss scales, gradnorm's weights) and method state (gradnorm's first
 * losses, nash_mtl's last solution and step count) are saved in checkpoints as JSON numbers,
 * so a resumed run continues bit for bit.
 */
import * as tf from "@tensorflow/tfjs";

import type { IrCall, IrModel } from "../../../compiler/ir/types.js";
import { readScalars } from "../../backend/read-values.js";
import { Rng, fnv1a32 } from "../../random.js";
import { cagrad } from "./cagrad.js";
import { imtlGradient } from "./imtl.js";
import { clipToNorm, combine, norm, type Vector } from "./linalg.js";
import { dwaWeights, gradnormStep, randomWeights } from "./loss-weights.js";
import { mgda, type MgdaNormalisation } from "./mgda.js";
import { nashMtl } from "./nash-mtl.js";
import { pcgrad } from "./pcgrad.js";

/** Where a step is: what the seeded methods (random, pcgrad's order) draw from, and dwa's history. */
export interface StepContext {
  seed: number;
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  lr: number;
  /** history[e][t]: task t's mean training loss in completed epoch e. */
  history: readonly (readonly number[])[];
}

export interface CombinedGradient {
  /** The update of the shared parameters (their concatenation, in `sharedKeys` order). */
  shared: Vector;
  /** The multiplier of each task's gradient on its own parameters. */
  own: number[];
  /** The weights the method gave the tasks this step (for metrics.jsonl). */
  weights: number[];
}

export interface WeightingState {
  name: string;
  /** uw, imtl: one learned scale per task. */
  scales?: number[];
  /** gradnorm: the learned weights, and the first step's losses. */
  weights?: number[];
  initialLosses?: number[];
  /** nash_mtl: the last solution and the steps taken. */
  alpha?: number[];
  steps?: number;
}

const GRADIENT_METHODS = new Set(["pcgrad", "cagrad", "mgda", "imtl", "nash_mtl", "gradnorm"]);

export class TaskWeighting {
  readonly name: string;
  /** One backward pass per task over the whole network (gradient methods on the shared parameters). */
  readonly perTaskGradients: boolean;
  /**
   * MGDA-UB (`mgda(upper_bound: true)`): the task gradients are taken on the shared
   * representation (one backward pass per task through its own layers), and the update is one
   * backward pass with `representationFactors` on the gradients entering the shared layers.
   */
  readonly onRepresentation: boolean;
  private readonly options: IrCall["options"];
  private readonly tasks: string[];
  /** uw, imtl: the learned per-task scales, trained by the run's optimiser. */
  private readonly scaleVars: tf.Variable[] = [];
  private gradnormWeights: number[] | null = null;
  private initialLosses: number[] | null = null;
  private alpha: number[] | null = null;
  private nashSteps = 0;

  constructor(call: IrCall, tasks: readonly string[]) {
    this.name = call.name;
    this.options = call.options;
    this.tasks = [...tasks];
    this.onRepresentation = call.name === "mgda" && call.options["upper_bound"] === true;
    this.perTaskGradients = GRADIENT_METHODS.has(call.name) && !this.onRepresentation;
    if (call.name === "uw" || call.name === "imtl") {
      const start = call.name === "uw" ? this.number("init", -0.5) : 0;
      for (const t of tasks) this.scaleVars.push(tf.variable(tf.scalar(start), true, `weighting/${call.name}/${t}`));
    }
  }

  private number(option: string, fallback: number): number {
    const v = this.options[option];
    return typeof v === "number" ? v : fallback;
  }

  /** The optimiser's keys of the learned scales, by task index (empty for other methods). */
  variableKeys(): string[] {
    return this.scaleVars.map((v) => v.name);
  }

  variable(key: string): tf.Variable | undefined {
    return this.scaleVars.find((v) => v.name === key);
  }

  /** Which task a learned scale belongs to (-1 for other keys). */
  taskOfVariable(key: string): number {
    return this.scaleVars.findIndex((v) => v.name === key);
  }

  /** Task t's loss as differentiated (inside the gradient tape): uw's and imtl's scaled terms. */
  taskLoss(t: number, loss: tf.Scalar): tf.Scalar {
    const s = this.scaleVars[t];
    if (s === undefined) return loss;
    if (this.name === "uw") return tf.add(tf.mul(loss, tf.mul(0.5, tf.exp(tf.neg(s)))), tf.mul(0.5, s));
    return tf.sub(tf.mul(tf.exp(s), loss), s); // imtl: e^s L - s
  }

  /** Loss methods: each task's multiplier this step (uw's is inside taskLoss: 1 here). */
  lossWeights(context: StepContext): number[] {
    const n = this.tasks.length;
    switch (this.name) {
      case "dwa":
        return dwaWeights(context.history, n, this.number("temperature", 2));
      case "random":
        return randomWeights(Rng.fromSeed(stepSeed(context, "random")), n);
      default:
        return new Array<number>(n).fill(1);
    }
  }

  /** The weights a loss method gave this step, for the record (uw: 1 / (2 sigma^2)). */
  async reportedLossWeights(context: StepContext): Promise<number[]> {
    if (this.name === "uw") return (await readScalars(this.scaleVars)).map((s) => 0.5 * Math.exp(-s));
    return this.lossWeights(context);
  }

  /**
   * Gradient methods: the shared update from each task's shared gradient (task losses as
   * `taskLoss` makes them, times the file's weights), and the multipliers of their own.
   * `lastShared`: the entries of the last shared layer with weights (gradnorm's norms).
   */
  combine(
    grads: readonly Vector[],
    losses: readonly number[],
    context: StepContext,
    lastShared: { start: number; end: number } | null,
  ): CombinedGradient {
    const n = grads.length;
    const ones = new Array<number>(n).fill(1);
    if (this.name === "gradnorm") return this.gradnorm(grads, losses, context, lastShared);
    if (grads[0]!.length === 0 || grads.every((g) => norm(g) === 0)) {
      // Nothing shared (one network per task, before any merge), or no gradient there: the
      // plain sum, each task its own gradient.
      return { shared: combine(ones, grads), own: ones, weights: ones };
    }
    switch (this.name) {
      case "pcgrad": {
        const rng = Rng.fromSeed(stepSeed(context, "pcgrad"));
        const out = pcgrad(grads, () => Array.from(rng.permutation(n)));
        return { shared: out.grad, own: ones, weights: out.weights };
      }
      case "cagrad": {
        const out = cagrad(grads, this.number("c", 0.5), this.number("rescale", 1) as 0 | 1 | 2);
        return { shared: out.grad, own: ones, weights: out.weights };
      }
      case "mgda": {
        const out = mgda(grads, losses, this.mgdaNormalisation());
        return { shared: out.grad, own: ones, weights: out.weights };
      }
      case "imtl": {
        const out = imtlGradient(grads);
        return { shared: out.grad, own: ones, weights: out.weights };
      }
      case "nash_mtl": {
        const every = this.number("update_every", 1);
        let alpha = this.alpha;
        if (alpha === null || this.nashSteps % every === 0) alpha = nashMtl(grads, this.alpha, 0).weights;
        this.alpha = alpha;
        this.nashSteps++;
        const shared = clipToNorm(combine(alpha, grads), this.number("max_norm", 1));
        return { shared, own: [...alpha], weights: [...alpha] };
      }
      default:
        throw new Error(`weighting ${this.name} is not a gradient method`);
    }
  }

  /**
   * MGDA-UB: from each task's gradient on the shared representation, the weights of the
   * min-norm combination and the factor on each task's gradient into the shared layers
   * (weight / normaliser, as `combine` applies mgda to normalised parameter gradients).
   * Without a representation or a gradient on it: ones, the plain sum.
   */
  representationFactors(grads: readonly Vector[], losses: readonly number[]): { weights: number[]; factors: number[] } {
    const ones = new Array<number>(grads.length).fill(1);
    if (grads.length === 0 || grads[0]!.length === 0 || grads.every((g) => norm(g) === 0)) {
      return { weights: ones, factors: ones };
    }
    const out = mgda(grads, losses, this.mgdaNormalisation());
    return { weights: out.weights, factors: out.weights.map((w, t) => w / out.normalisers[t]!) };
  }

  private mgdaNormalisation(): MgdaNormalisation {
    const written = (this.options["normalize"] as string | undefined) ?? "none";
    return (written === "loss_l2" ? "loss+" : written) as MgdaNormalisation;
  }

  private gradnorm(
    grads: readonly Vector[],
    losses: readonly number[],
    context: StepContext,
    lastShared: { start: number; end: number } | null,
  ): CombinedGradient {
    const n = grads.length;
    const weights = this.gradnormWeights ?? new Array<number>(n).fill(1);
    this.initialLosses ??= [...losses];
    const shared = combine(weights, grads);
    if (lastShared !== null) {
      const norms = grads.map((g) => norm(g.subarray(lastShared.start, lastShared.end)));
      const lr = this.number("lr", context.lr);
      this.gradnormWeights = gradnormStep(
        weights,
        norms,
        losses,
        this.initialLosses,
        this.number("alpha", 1.5),
        lr,
      ).weights;
    }
    return { shared, own: [...weights], weights: [...weights] };
  }

  async saveState(): Promise<WeightingState> {
    const state: WeightingState = { name: this.name };
    if (this.scaleVars.length > 0) state.scales = await readScalars(this.scaleVars);
    if (this.gradnormWeights !== null) state.weights = [...this.gradnormWeights];
    if (this.initialLosses !== null) state.initialLosses = [...this.initialLosses];
    if (this.alpha !== null) state.alpha = [...this.alpha];
    if (this.nashSteps > 0) state.steps = this.nashSteps;
    return state;
  }

  restoreState(state: WeightingState | undefined): void {
    if (state === undefined || state.name !== this.name) return;
    state.scales?.forEach((v, t) => this.scaleVars[t]?.assign(tf.scalar(v)));
    this.gradnormWeights = state.weights ? [...state.weights] : null;
    this.initialLosses = state.initialLosses ? [...state.initialLosses] : null;
    this.alpha = state.alpha ? [...state.alpha] : null;
    this.nashSteps = state.steps ?? 0;
  }

  dispose(): void {
    for (const v of this.scaleVars) v.dispose();
  }
}

/** The seed of a step's draws: (run seed, epoch, step, method), independent of anything else drawn. */
function stepSeed(context: StepContext, label: string): number {
  return fnv1a32(`weighting/${label}/${context.seed}/${context.epoch}/${context.step}`);
}

/**
 * The trainable weight keys shared by more than one task (instances of several tasks), in
 * IR order, and each task's own keys (its single-task instances and its head).
 */
export function sharedAndOwnKeys(
  ir: IrModel,
  keysOf: (owner: string) => string[],
  trainable: (key: string) => boolean,
): { shared: string[]; lastShared: string[]; own: Map<string, string[]> } {
  const shared: string[] = [];
  let lastShared: string[] = [];
  const own = new Map(ir.tasks.map((t) => [t.name, [] as string[]]));
  for (const instance of ir.instances) {
    const keys = keysOf(instance.id).filter(trainable);
    if (instance.tasks.length > 1) {
      shared.push(...keys);
      if (keys.length > 0) lastShared = keys;
    } else own.get(instance.tasks[0]!)?.push(...keys);
  }
  for (const head of ir.heads) own.get(head.task)?.push(...keysOf(head.id).filter(trainable));
  return { shared, lastShared, own };
}
