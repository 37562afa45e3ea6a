/** The TensorFlow.js backend name to pass to `tf.setBackend` ("onednn"). */
export declare const backendName: "onednn";
/** The TensorFlow.js kernel names that run natively on this backend. */
export declare const nativeKernels: string[];
/** The oneDNN library in use: its version, threading runtime and thread count. */
export declare function onednnInfo(): { version: string; runtime: string; threads: number };
/** A one-line description, e.g. "oneDNN 2.6.3 (OpenMP, 2 threads)". */
export declare function describe(): string;
/** Registers the backend and its kernels again (idempotent; importing the module already does). */
export declare function registerOnednnBackend(): void;
/** Sets how many threads oneDNN and the addon's loops use (a positive integer). */
export declare function setThreads(threads: number): void;
/**
 * The training step's host loops, native (batch norm forward and backward over the last
 * axis, the Adam update of one weight), with the signatures of the mtsl runtime's
 * JavaScript versions; on one thread their results are bit for bit the JavaScript ones.
 */
export declare const hostKernels: {
  readonly batchNormTrainForward: (
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    movingMean: Float32Array,
    movingVariance: Float32Array,
    channels: number,
    /** relu: y = relu(bn(x) + residual) (residual optional). */
    attrs: { epsilon: number; momentum: number; relu?: boolean },
    residual?: Float32Array,
  ) => {
    y: Float32Array;
    mean: Float32Array;
    variance: Float32Array;
    movingMean: Float32Array;
    movingVariance: Float32Array;
  };
  readonly batchNormTrainBackward: (
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    channels: number,
    epsilon: number,
    /** The output of a fused ReLU: dy is masked by its gradient first. */
    y?: Float32Array,
    /** Return the masked gradient as dz (the residual's gradient); needs y. */
    withDz?: boolean,
  ) => { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array; dz?: Float32Array };
  readonly adamLoop: (
    w: Float32Array,
    g: Float32Array,
    m0: Float32Array,
    v0: Float32Array,
    hasMoments: boolean,
    w1: Float32Array,
    m1: Float32Array,
    v1: Float32Array,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    sqrtC2: number,
    stepSize: number,
  ) => void;
  /** An array for a tensor the caller fills and then makes on this backend; recycled when that tensor is disposed. */
  readonly outputBuffer: (length: number) => Float32Array;
};
/**
 * Kernel-output recycling since start: outputs served from the free lists, freshly
 * allocated, recycled on dispose, escaped, free arrays dropped to make room; bytes free now
 * and the most bytes of owned arrays live at once (the free lists' limit, at least 256 MiB).
 */
export declare function recyclingStats(): {
  reused: number;
  allocated: number;
  recycled: number;
  escaped: number;
  dropped: number;
  freeBytes: number;
  peakOwnedBytes: number;
};
