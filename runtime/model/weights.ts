/**
 * The weights of a network, keyed by stable names (`owner/layer.weight`, see
 * compiler/ir/lint.ts `weightKey`), held as TensorFlow.js variables. Structural
 * changes add and remove owners; every other weight stays untouched.
 */
import * as tf from "@tensorflow/tfjs";
import { weightKey } from "../../compiler/ir/lint.js";
import type { IrLayer, IrModel } from "../../compiler/ir/types.js";
import { initialValues } from "./init.js";

export interface WeightOwner {
  /** Instance id (`enc2@seg+depth`) or head id (`head@seg`). */
  id: string;
  /** What the initial values derive from: the stage name, or the head id. */
  scope: string;
  layers: IrLayer[];
}

/** Every owner of weights in an IR: stage instances, then heads. */
export function weightOwners(ir: IrModel): WeightOwner[] {
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  return [
    ...ir.instances.map((i) => ({ id: i.id, scope: i.stage, layers: stages.get(i.stage)!.layers })),
    ...ir.heads.map((h) => ({ id: h.id, scope: h.id, layers: h.layers })),
  ];
}

/**
 * Start values by scope (`weightKey(scope, layer, name)`: `enc1/0.kernel`, `head@seg/0.bias`):
 * what every copy of a stage, or a head, starts from instead of its seeded draw (`train {
 * pretrain: N }` fills it from the pretrained hard-shared network), or by instance id
 * (`enc1@seg+depth/0.kernel`: one copy's own, from `train { warm_start }`).
 */
export type StartValues = ReadonlyMap<string, { shape: number[]; values: Float32Array }>;

/** Every weight's shape and values, by key: what {@link WeightStore.snapshot} reads back. */
export type WeightSnapshot = Map<string, { shape: number[]; values: Float32Array }>;

/** The start values of every owner of `ir` from a snapshot of its store, keyed by scope. */
export function startValuesOf(ir: IrModel, snapshot: WeightSnapshot): StartValues {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const owner of weightOwners(ir)) {
    owner.layers.forEach((layer, j) => {
      for (const w of layer.weights) {
        const value = snapshot.get(weightKey(owner.id, j, w.name));
        if (value) out.set(weightKey(owner.scope, j, w.name), value);
      }
    });
  }
  return out;
}

export class WeightStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly trainable = new Set<string>();
  private readonly byName = new Map<string, string>();

  constructor(
    readonly seed: number,
    readonly starts: StartValues = new Map(),
  ) {}

  /** Creates the weights of every owner in `ir` that the store does not hold yet. */
  static forIr(ir: IrModel, seed: number, starts?: StartValues): WeightStore {
    const store = new WeightStore(seed, starts);
    for (const owner of weightOwners(ir)) store.addOwner(owner);
    return store;
  }

  /**
   * Adds an owner's weights with their start values: the owner's own entry of `starts` (by
   * instance id: a warm start), else the scope's, else the seeded draw of the scope (shared by
   * every copy).
   */
  addOwner(owner: WeightOwner): void {
    owner.layers.forEach((layer, j) => {
      for (const w of layer.weights) {
        const key = weightKey(owner.id, j, w.name);
        if (this.vars.has(key)) continue;
        const start =
          this.starts.get(weightKey(owner.id, j, w.name)) ?? this.starts.get(weightKey(owner.scope, j, w.name));
        if (start && start.shape.join(",") !== w.shape.join(",")) {
          throw new Error(`start value of ${key}: shape [${start.shape}] does not match [${w.shape}]`);
        }
        const values = start?.values ?? initialValues(this.seed, owner.scope, j, w);
        // Variables get engine-unique names (two stores may hold the same keys); keyOf maps back.
        const variable = tf.variable(tf.tensor(values, w.shape, "float32"), w.trainable);
        this.vars.set(key, variable);
        this.byName.set(variable.name, key);
        if (w.trainable) this.trainable.add(key);
      }
    });
  }

  /** Removes and disposes every weight of an owner. */
  removeOwner(ownerId: string): void {
    for (const key of this.keysOf(ownerId)) {
      const v = this.vars.get(key)!;
      this.byName.delete(v.name);
      v.dispose();
      this.vars.delete(key);
      this.trainable.delete(key);
    }
  }

  keysOf(ownerId: string): string[] {
    return [...this.vars.keys()].filter((k) => k.startsWith(`${ownerId}/`));
  }

  /** The weight key of a variable, from its engine name (as `tf.variableGrads` reports gradients). */
  keyOf(variableName: string): string | undefined {
    return this.byName.get(variableName);
  }

  /** Gradients keyed by variable name, re-keyed by weight key (others, e.g. gates, keep their names). */
  rekey(grads: Record<string, tf.Tensor>): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, g] of Object.entries(grads)) out.set(this.byName.get(name) ?? name, g);
    return out;
  }

  has(key: string): boolean {
    return this.vars.has(key);
  }

  get(key: string): tf.Variable {
    const v = this.vars.get(key);
    if (!v) throw new Error(`no weight named ${key}`);
    return v;
  }

  /** Overwrites a weight's value (shape must match). */
  assign(key: string, value: tf.Tensor): void {
    this.get(key).assign(value);
  }

  keys(): string[] {
    return [...this.vars.keys()];
  }

  trainableKeys(): string[] {
    return [...this.vars.keys()].filter((k) => this.trainable.has(k));
  }

  isTrainable(key: string): boolean {
    return this.trainable.has(key);
  }

  /**
   * Values of every weight as plain arrays, for checkpoints and comparisons. Read
   * asynchronously: a GPU backend (webgpu) has no synchronous read in Node.
   */
  async snapshot(): Promise<WeightSnapshot> {
    const out: WeightSnapshot = new Map();
    for (const [k, v] of this.vars) out.set(k, { shape: [...v.shape], values: (await v.data()) as Float32Array });
    return out;
  }

  /** Sets weights from a snapshot; every key must exist with the same shape. */
  load(snapshot: Map<string, { shape: number[]; values: Float32Array }>): void {
    for (const [k, { shape, values }] of snapshot) {
      const v = this.get(k);
      if (v.shape.join(",") !== shape.join(","))
        throw new Error(`weight ${k}: shape [${shape}] does not match [${v.shape}]`);
      v.assign(tf.tensor(values, shape, "float32"));
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.byName.clear();
    this.trainable.clear();
  }
}
