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
