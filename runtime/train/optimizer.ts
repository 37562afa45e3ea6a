/**
 * Optimisers with state keyed by weight name, so that structural changes can
 * add, remove and merge the state of single layers, and checkpoints can store it.
 *
 * Adam follows PyTorch's `torch.optim.Adam` (weight decay is an L2 term added to
 * the gradient, bias-corrected moments, one step count per weight). SGD follows
 * `torch.optim.SGD` (momentum buffer b = mu * b + g, no dampening; Nesterov uses
 * g + mu * b).
 */
import * as tf from "@tensorflow/tfjs";
import type { IrCall } from "../../compiler/ir/types.js";
import { fusedTrainingEnabled } from "../backend/batch-norm-train.js";
import { type AdamLoop, nativeHostKernels } from "../backend/host-kernels.js";
import { readKernelInput } from "../backend/read-kernel-input.js";

export interface SlotState {
  /** Steps taken by this weight. */
  step: number;
  /** Adam: first and second moments; SGD: the momentum buffer in `m`. */
  m: tf.Tensor | null;
  v: tf.Tensor | null;
}

export interface SerializedSlot {
  step: number;
  m: Float32Array | null;
  v: Float32Array | null;
  shape: number[];
}

export interface Optimizer {
  readonly name: "adam" | "sgd";
  /** Applies one update with learning rate `lr` to each variable from its gradient. */
  apply(grads: Map<string, tf.Tensor>, vars: (key: string) => tf.Variable, lr: number): void;
  /** The state of one weight, or undefined before its first step. */
  slot(key: string): SlotState | undefined;
  setSlot(key: string, slot: SlotState): void;
  deleteSlot(key: string): void;
  keys(): string[];
  serialize(): Promise<Map<string, SerializedSlot>>;
  restore(state: Map<string, SerializedSlot>): void;
  dispose(): void;
}

abstract class KeyedOptimizer implements Optimizer {
  abstract readonly name: "adam" | "sgd";
  protected readonly slots = new Map<string, SlotState>();

  abstract apply(grads: Map<string, tf.Tensor>, vars: (key: string) => tf.Variable, lr: number): void;

  slot(key: string): SlotState | undefined {
    return this.slots.get(key);
  }

  setSlot(key: string, slot: SlotState): void {
    this.deleteSlot(key);
    this.slots.set(key, slot);
  }

  deleteSlot(key: string): void {
    const s = this.slots.get(key);
    if (!s) return;
    s.m?.dispose();
    s.v?.dispose();
    this.slots.delete(key);
  }

  keys(): string[] {
    return [...this.slots.keys()];
  }

  async serialize(): Promise<Map<string, SerializedSlot>> {
    const out = new Map<string, SerializedSlot>();
    for (const [k, s] of this.slots) {
      out.set(k, {
        step: s.step,
        m: s.m ? ((await s.m.data()) as Float32Array) : null,
        v: s.v ? ((await s.v.data()) as Float32Array) : null,
        shape: s.m ? [...s.m.shape] : [],
      });
    }
    return out;
  }

  restore(state: Map<string, SerializedSlot>): void {
    this.dispose();
    for (const [k, s] of state) {
      this.slots.set(k, {
        step: s.step,
        m: s.m ? tf.keep(tf.tensor(s.m, s.shape, "float32")) : null,
        v: s.v ? tf.keep(tf.tensor(s.v, s.shape, "float32")) : null,
      });
    }
  }

  dispose(): void {
    for (const k of [...this.slots.keys()]) this.deleteSlot(k);
  }
}

export class Adam extends KeyedOptimizer {
  readonly name = "adam" as const;
  constructor(
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
    readonly weightDecay = 0,
  ) {
    super();
  }

  apply(grads: Map<string, tf.Tensor>, vars: (key: string) => tf.Variable, lr: number): void {
    if (fusedTrainingEnabled()) {
      this.applyOnHost(grads, vars, lr);
      return;
    }
    for (const [key, grad] of grads) {
      const variable = vars(key);
      const old = this.slots.get(key);
      const step = (old?.step ?? 0) + 1;
      const [m, v] = tf.tidy(() => {
        const g = this.weightDecay > 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
        const m1 = old?.m ? tf.add(tf.mul(old.m, this.beta1), tf.mul(g, 1 - this.beta1)) : tf.mul(g, 1 - this.beta1);
        const v1 = old?.v
          ? tf.add(tf.mul(old.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2))
          : tf.mul(tf.square(g), 1 - this.beta2);
        const c1 = 1 - Math.pow(this.beta1, step);
        const c2 = 1 - Math.pow(this.beta2, step);
        const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(c2)), this.epsilon);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m1, denom), lr / c1)));
        return [m1, v1];
      });
      old?.m?.dispose();
      old?.v?.dispose();
      this.slots.set(key, { step, m: m!, v: v! });
    }
  }

  /**
   * The same update as one loop per weight over host memory (float64 arithmetic, float32
   * results) instead of about fifteen tensor ops: used on the backends whose tensors live
   * in host memory (`fusedTrainingEnabled`), where per-op overhead dominates small weights.
   */
  private applyOnHost(grads: Map<string, tf.Tensor>, vars: (key: string) => tf.Variable, lr: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this;
    const native = nativeHostKernels();
    const loop = native?.adamLoop ?? adamLoop;
    const newArray = native?.outputBuffer ?? ((n: number) => new Float32Array(n));
    const backend = tf.backend();
    for (const [key, grad] of grads) {
      const variable = vars(key);
      const old = this.slots.get(key);
      const step = (old?.step ?? 0) + 1;
      // Read as a kernel reads its inputs (no copy, and on onednn they stay recyclable);
      // every view is read before the outputs below become tensors.
      const w = float32Values(backend, variable);
      const g = float32Values(backend, grad);
      const m0 = old?.m ? float32Values(backend, old.m) : null;
      const v0 = old?.v ? float32Values(backend, old.v) : null;
      const n = w.length;
      const w1 = newArray(n);
      const m1 = newArray(n);
      const v1 = newArray(n);
      const c1 = 1 - Math.pow(beta1, step);
      const sqrtC2 = Math.sqrt(1 - Math.pow(beta2, step));
      loop(w, g, m0 ?? ZERO, v0 ?? ZERO, m0 !== null, w1, m1, v1, beta1, beta2, epsilon, weightDecay, sqrtC2, lr / c1);
      const shape = [...variable.shape];
      const next = tf.tensor(w1, shape, "float32");
      variable.assign(next);
      next.dispose();
      old?.m?.dispose();
      old?.v?.dispose();
      this.slots.set(key, {
        step,
        m: tf.keep(tf.tensor(m1, shape, "float32")),
        v: tf.keep(tf.tensor(v1, shape, "float32")),
      });
    }
  }
}

const ZERO = new Float32Array(0);

/**
 * A tensor's values as a Float32Array, read as a kernel input (a float32 tensor made by
 * casting bool or int32 shares their array: copied then). Read-only, and only until the
 * next tensor is made.
 */
function float32Values(backend: tf.KernelBackend, t: tf.Tensor): Float32Array {
  const values = readKernelInput(backend, t);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/**
 * The Adam update of one weight over host memory, in float64 arithmetic: w1, m1, v1 from
 * w, its gradient g and the moments m0, v0 (read only when `hasMoments`; on the first step
 * they are zero). A function of its own with only typed-array and number arguments, so V8
 * keeps the loop optimised and its doubles unboxed.
 */
export const adamLoop: AdamLoop = function adamLoop(
  w,
  g,
  m0,
  v0,
  hasMoments,
  w1,
  m1,
  v1,
  beta1,
  beta2,
  epsilon,
  weightDecay,
  sqrtC2,
  stepSize,
) {
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    const gi = weightDecay > 0 ? g[i]! + wi * weightDecay : g[i]!;
    const mi = hasMoments ? m0[i]! * beta1 + gi * (1 - beta1) : gi * (1 - beta1);
    const vi = hasMoments ? v0[i]! * beta2 + gi * gi * (1 - beta2) : gi * gi * (1 - beta2);
    m1[i] = mi;
    v1[i] = vi;
    w1[i] = wi - (mi / (Math.sqrt(vi) / sqrtC2 + epsilon)) * stepSize;
  }
};

export class Sgd extends KeyedOptimizer {
  readonly name = "sgd" as const;
  constructor(
    readonly momentum = 0.9,
    readonly weightDecay = 0,
    readonly nesterov = false,
  ) {
    super();
  }

  apply(grads: Map<string, tf.Tensor>, vars: (key: string) => tf.Variable, lr: number): void {
    for (const [key, grad] of grads) {
      const variable = vars(key);
      const old = this.slots.get(key);
      const step = (old?.step ?? 0) + 1;
      if (this.momentum === 0) {
        tf.tidy(() => {
          const g = this.weightDecay > 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
          variable.assign(tf.sub(variable, tf.mul(g, lr)));
        });
        this.slots.set(key, { step, m: null, v: null });
        continue;
      }
      const buffer = tf.tidy(() => {
        const g = this.weightDecay > 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
        const b = old?.m ? tf.add(tf.mul(old.m, this.momentum), g) : tf.clone(g);
        const d = this.nesterov ? tf.add(g, tf.mul(b, this.momentum)) : b;
        variable.assign(tf.sub(variable, tf.mul(d, lr)));
        return b;
      });
      old?.m?.dispose();
      this.slots.set(key, { step, m: buffer, v: null });
    }
  }
}

/** The optimiser an IR's `train.optimizer` names. Returns it and its base learning rate. */
export function createOptimizer(call: IrCall): { optimizer: Optimizer; lr: number } {
  const o = call.options;
  const n = (k: string, d: number): number => (typeof o[k] === "number" ? (o[k] as number) : d);
  if (call.name === "sgd") {
    return { optimizer: new Sgd(n("momentum", 0.9), n("weight_decay", 0), o["nesterov"] === true), lr: n("lr", 0.01) };
  }
  if (call.name === "adam") {
    return {
      optimizer: new Adam(n("beta1", 0.9), n("beta2", 0.999), n("epsilon", 1e-8), n("weight_decay", 0)),
      lr: n("lr", 1e-4),
    };
  }
  throw new Error(`unknown optimizer ${call.name}`);
}
