/**
 * Reverse-mode differentiation that frees memory as it goes, the way PyTorch's autograd does.
 *
 * TensorFlow.js 4.22's `engine.gradients` (behind `tf.variableGrads`, `tf.grads`, `tf.grad`)
 * walks the tape backwards and keeps everything until the walk ends: every node's saved
 * forward tensors (the activations) and the gradient of every intermediate tensor. Its peak
 * is therefore the activations plus all of their gradients, about twice what the step
 * needs. This module replaces the engine's `gradients` with the same walk (the same
 * gradient functions, called in the same order, accumulated by the same `add` in the same
 * order, so every value is bit for bit what tfjs computes) that releases, right after each
 * node's gradient has been taken:
 * - the node's saved tensors (no other node reads them; each node saves its own clones);
 * - the gradients of the node's outputs (each is read once, by its producer's node, since
 *   every consumer of a tensor comes after its producer on the tape);
 * - a contribution `dx` once it has been added into its input's accumulated gradient.
 *
 * A tensor is disposed only when no entry of the gradient map refers to it any more
 * (references are counted, so a gradient function that passes `dy` through, or returns one
 * tensor for two inputs, keeps it alive), never the caller's `dy`, and never the gradient
 * of one of the `xs`. Nested differentiation (a gradient taken inside a gradient function,
 * `gradientDepth > 0`) keeps tfjs's behaviour: nothing is released early there.
 *
 * Measured on bench/fixtures/scenes64.mtsl (one network per task, onednn, one thread):
 * peak bytes owned by the kernels' outputs 921 MB -> 498 MB, peak RSS 1.23 -> 0.86 GB,
 * step time unchanged (docs/performance.md).
 */
import * as tf from "@tensorflow/tfjs";

type Tensor = tf.Tensor;
type GradientThunks = Record<string, () => Tensor>;

/** A node of tfjs's tape (tfjs-core's `TapeNode`, which the package does not export). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  saved?: Tensor[];
  gradient?: (dys: Array<Tensor | null>) => GradientThunks;
}

/** The parts of tfjs-core's `Engine` this walk uses (all present in 4.22; private in its types). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
  gradients: GradientsFunction;
}

type GradientsFunction = (
  f: () => Tensor,
  xs: Tensor[],
  dy?: Tensor | null,
  allowNoGradients?: boolean,
) => { value: Tensor; grads: Array<Tensor | undefined> };

let original: GradientsFunction | null = null;

/**
 * Makes the engine's `gradients` the releasing walk. Idempotent; `restoreTfjsBackprop`
 * undoes it (tests compare the two).
 */
export function installReleasingBackprop(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (original !== null) return;
  original = engine.gradients;
  engine.gradients = function (this: EngineInternals, f, xs, dy, allowNoGradients) {
    return releasingGradients(this, f, xs, dy ?? null, allowNoGradients ?? false);
  };
}

/** Puts tfjs's own `gradients` back. */
export function restoreTfjsBackprop(): void {
  if (original === null) return;
  const engine = tf.engine() as unknown as EngineInternals;
  engine.gradients = original;
  original = null;
}

/** Whether `installReleasingBackprop` is in effect. */
export function releasingBackpropInstalled(): boolean {
  return original !== null;
}

function releasingGradients(
  engine: EngineInternals,
  f: () => Tensor,
  xs: Tensor[],
  dy: Tensor | null,
  allowNoGradients: boolean,
): { value: Tensor; grads: Array<Tensor | undefined> } {
  // The checks and messages are tfjs's own.
  if (xs.length === 0) throw new Error("gradients() received an empty list of xs.");
  if (dy !== null && dy.dtype !== "float32") {
    throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  }
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy("forward", f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error("The result y returned by f() must be a tensor.");
  const tape = engine.state.activeTape ?? [];
  const filtered = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
    throw new Error(
      "Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.",
    );
  }
  return engine.tidy("backward", () => {
    const release = engine.state.gradientDepth === 0;
    const gradients = new GradientMap(dy, xs);
    gradients.set(y.id, dy ?? tf.ones(y.shape));
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i] as TapeNode;
      const dys = node.outputs.map((o) => gradients.get(o.id) ?? null);
      if (node.gradient === undefined) {
        throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      }
      const thunks = node.gradient(dys);
      const added: Tensor[] = [];
      for (const inputName in node.inputs) {
        if (!(inputName in thunks)) {
          throw new Error(
            `Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(thunks)}.`,
          );
        }
        const dx = engine.tidy(() => (thunks[inputName] as () => Tensor)());
        if (dx.dtype !== "float32") {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`,
          );
        }
        const x = node.inputs[inputName] as Tensor;
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
          );
        }
        const current = gradients.get(x.id);
        if (current === undefined) {
          gradients.set(x.id, dx);
        } else {
          gradients.set(x.id, tf.add(current, dx));
          gradients.release(current);
          added.push(dx);
        }
      }
      if (!release) continue;
      for (const saved of node.saved ?? []) saved.dispose();
      for (const output of node.outputs) gradients.drop(output.id);
      for (const dx of added) gradients.release(dx);
    }
    const grads = xs.map((x) => gradients.get(x.id));
    if (release) {
      // As tfjs does: the saved tensors of nodes off the path from xs to y, then the tape.
      for (const node of tape) for (const saved of node.saved ?? []) saved.dispose();
      engine.state.activeTape = null;
    }
    return { value: y, grads } as unknown as tf.TensorContainer;
  }) as unknown as { value: Tensor; grads: Array<Tensor | undefined> };
}

/**
 * The accumulated gradient of each tensor (by tensor id), with a count of the entries that
 * refer to each gradient tensor, so one is disposed only when nothing in the map holds it.
 */
class GradientMap {
  private readonly byId = new Map<number, Tensor>();
  private readonly references = new Map<Tensor, number>();
  private readonly keptIds: Set<number>;

  constructor(
    private readonly callersDy: Tensor | null,
    xs: Tensor[],
  ) {
    this.keptIds = new Set(xs.map((x) => x.id));
  }

  get(id: number): Tensor | undefined {
    return this.byId.get(id);
  }

  set(id: number, gradient: Tensor): void {
    const previous = this.byId.get(id);
    if (previous !== undefined) this.unreference(previous);
    this.byId.set(id, gradient);
    this.references.set(gradient, (this.references.get(gradient) ?? 0) + 1);
  }

  /** Forgets the gradient of tensor `id` (read for the last time) and disposes it if unheld. */
  drop(id: number): void {
    if (this.keptIds.has(id)) return;
    const gradient = this.byId.get(id);
    if (gradient === undefined) return;
    this.byId.delete(id);
    this.unreference(gradient);
    this.release(gradient);
  }

  /** Disposes `t` unless an entry of the map holds it or it is the caller's `dy`. */
  release(t: Tensor): void {
    if (t === this.callersDy || (this.references.get(t) ?? 0) > 0) return;
    t.dispose();
  }

  private unreference(t: Tensor): void {
    const n = (this.references.get(t) ?? 0) - 1;
    if (n > 0) this.references.set(t, n);
    else this.references.delete(t);
  }
}

/**
 * The tape's nodes that lie on a path from one of `xs` to `y`, in tape order, each with its
 * inputs pruned to those that depend on `xs` (tfjs-core's `getFilteredNodesXToY`, which it
 * does not export; same result).
 */
function nodesFromXsToY(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromXs = new Set<number>(xs.map((x) => x.id));
  const nodesFromXs = new Set<number>();
  for (const node of tape) {
    for (const inputName in node.inputs) {
      if (fromXs.has((node.inputs[inputName] as Tensor).id)) {
        for (const output of node.outputs) fromXs.add(output.id);
        nodesFromXs.add(node.id);
        break;
      }
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((o) => leadToY.has(o.id))) {
      for (const inputName in node.inputs) {
        leadToY.add((node.inputs[inputName] as Tensor).id);
        nodesToY.add(node.id);
      }
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromXs.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, Tensor> = {};
    for (const inputName in node.inputs) {
      const input = node.inputs[inputName] as Tensor;
      if (fromXs.has(input.id)) inputs[inputName] = input;
    }
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}
