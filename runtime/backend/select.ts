/**
 * Choosing the TensorFlow.js backend the runtime trains on.
 *
 * Order for "auto": CUDA (`@tensorflow/tfjs-node-gpu`), native TensorFlow
 * (`@tensorflow/tfjs-node`), WebGPU on a hardware adapter (`webgpu` +
 * `@tensorflow/tfjs-backend-webgpu`), oneDNN (`mtsl-onednn`), WebAssembly
 * (`@tensorflow/tfjs-backend-wasm`, XNNPACK with SIMD), the plain JavaScript CPU backend.
 * The native packages are optional dependencies and are loaded only here, by dynamic
 * import, so nothing else needs them to be installed.
 */
import * as tf from "@tensorflow/tfjs";

import { BackendError, BackendErrorCode } from "./backend-error.js";
import { installHostKernels, isHostKernels } from "./host-kernels.js";
import { importOptional } from "./import-optional.js";
import { onednnHint } from "./onednn-hint.js";
import { BACKEND_PREFERENCES, isBackendPreference, type BackendPreference } from "./preferences.js";
import { installReleasingBackprop } from "./releasing-backprop.js";
import { registerReductionGradients } from "./reduction-gradients.js";
import {
  registerCpuKernelFixesOn,
  registerCpuTrainingFixes,
  registerWasmTrainingKernels,
} from "./wasm-training-kernels.js";
import { loadWebgpu, webgpuAdapter, webgpuDescription, WebgpuUnavailable, type AdapterDescription } from "./webgpu.js";

export { BACKEND_PREFERENCES, isBackendPreference, type BackendPreference } from "./preferences.js";

/** The backend in use after {@link selectBackend}. */
export interface BackendInfo {
  /** TensorFlow.js backend name ("tensorflow", "onednn", "wasm", "cpu"). */
  name: string;
  /** Human-readable description, e.g. "WebAssembly (XNNPACK, SIMD, 1 thread)". */
  description: string;
  /** Version of the `@tensorflow/tfjs` umbrella package. */
  tfVersion: string;
  /**
   * Threads it computes with: onednn's configured count (`threads` of
   * {@link BackendOptions}, else MTSL_ONEDNN_THREADS, OMP_NUM_THREADS or every core), 1 for
   * wasm without threads and for cpu; null where the library decides (the TensorFlow C library).
   */
  threads: number | null;
  /** The GPU a webgpu backend runs on (absent on the other backends). */
  adapter?: AdapterDescription;
}

/** How to set a backend up. */
export interface BackendOptions {
  /**
   * Threads to compute with, where the backend can be told (onednn); elsewhere ignored,
   * and {@link BackendInfo.threads} says what it uses. Never derived from the machine's
   * load: the same setting gives the same run.
   */
  threads?: number;
}

/** A backend we know how to load. */
interface Candidate {
  preference: Exclude<BackendPreference, "auto">;
  /** How to install it when it is missing, given why it did not load. */
  installHint: string | ((error: unknown) => string);
  /**
   * Loads the package (if any) and returns the TensorFlow.js backend name to activate;
   * `named` when the user asked for this backend (not "auto").
   */
  load: (named: boolean) => Promise<string>;
  describe: () => Promise<string>;
  /** Sets the thread count when asked and it can; returns the count in use (null: unknown). */
  threads: (requested: number | undefined) => Promise<number | null>;
  /** The GPU it computes on, where it knows (webgpu). */
  adapter?: () => AdapterDescription | null;
}

async function wasmDescription(): Promise<string> {
  const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  const threads = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  return `WebAssembly (XNNPACK, ${simd ? "SIMD" : "no SIMD"}, ${threads ? "multi-threaded" : "1 thread"})`;
}

const CANDIDATES: readonly Candidate[] = [
  {
    preference: "gpu",
    installHint:
      "install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (needs CUDA 11.2 and cuDNN 8.1, " +
      "and internet access at install time to download libtensorflow 2.9.1)",
    load: async () => {
      await importOptional("@tensorflow/tfjs-node-gpu");
      return "tensorflow";
    },
    describe: async () => "TensorFlow C library with CUDA (@tensorflow/tfjs-node-gpu)",
    threads: async () => null,
  },
  {
    preference: "native",
    installHint:
      "install it with `npm install @tensorflow/tfjs-node@4.22.0` " +
      "(needs internet access at install time to download libtensorflow 2.9.1)",
    load: async () => {
      await importOptional("@tensorflow/tfjs-node");
      return "tensorflow";
    },
    describe: async () => "TensorFlow C library on the CPU (@tensorflow/tfjs-node)",
    threads: async () => null,
  },
  {
    preference: "webgpu",
    installHint: (error) =>
      error instanceof WebgpuUnavailable
        ? error.hint
        : "install it with `npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0`",
    load: (named) => loadWebgpu(named),
    describe: async () => webgpuDescription(),
    threads: async () => null,
    adapter: webgpuAdapter,
  },
  {
    preference: "onednn",
    installHint: onednnHint,
    load: async () => {
      // Contract: importing the addon registers its backend and exports its name;
      // the import throws when the native addon was not built.
      const addon = await importOptional("mtsl-onednn");
      const name = typeof addon.backendName === "string" ? addon.backendName : "onednn";
      if (isHostKernels(addon.hostKernels)) installHostKernels(name, addon.hostKernels);
      const native = Array.isArray(addon.nativeKernels) ? addon.nativeKernels.map(String) : [];
      registerCpuKernelFixesOn(name, new Set(native));
      return name;
    },
    describe: async () => {
      const addon = await importOptional("mtsl-onednn");
      const detail = typeof addon.describe === "function" ? String((addon.describe as () => unknown)()) : "oneDNN";
      return `${detail}, native addon (mtsl-onednn)`;
    },
    threads: async (requested) => {
      const addon = await importOptional("mtsl-onednn");
      if (requested !== undefined && typeof addon.setThreads === "function") {
        (addon.setThreads as (n: number) => void)(requested);
      }
      const info = typeof addon.onednnInfo === "function" ? (addon.onednnInfo as () => { threads?: unknown })() : {};
      return typeof info.threads === "number" ? info.threads : null;
    },
  },
  {
    preference: "wasm",
    installHint: "install it with `npm install @tensorflow/tfjs-backend-wasm@4.22.0`",
    load: async () => {
      registerWasmTrainingKernels();
      return "wasm";
    },
    describe: wasmDescription,
    threads: async () => ((await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) ? null : 1),
  },
  {
    preference: "cpu",
    installHint: "it ships with `@tensorflow/tfjs`",
    load: async () => {
      registerCpuTrainingFixes();
      return "cpu";
    },
    describe: async () => "plain JavaScript CPU backend (slow; for small models and reference checks)",
    threads: async () => 1,
  },
];

/** Loads and activates one candidate; throws when it cannot be used. */
async function activate(candidate: Candidate, options: BackendOptions, named: boolean): Promise<BackendInfo> {
  const backendName = await candidate.load(named);
  const ok = await tf.setBackend(backendName);
  if (!ok || tf.getBackend() !== backendName) {
    throw new Error(`backend '${backendName}' failed to initialise`);
  }
  await tf.ready();
  installReleasingBackprop();
  registerReductionGradients();
  const threads = await candidate.threads(options.threads);
  const adapter = candidate.adapter?.() ?? null;
  return {
    name: backendName,
    description: await candidate.describe(),
    tfVersion: tf.version.tfjs,
    threads,
    ...(adapter ? { adapter } : {}),
  };
}

function hintFor(candidate: Candidate, error: unknown): string {
  return typeof candidate.installHint === "string" ? candidate.installHint : candidate.installHint(error);
}

function causeText(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
}

let onednnFallbackReported = false;

/**
 * Says once per process that "auto" skipped the oneDNN CPU path (the fast one on a
 * machine without CUDA or libtensorflow), why, and how to get it.
 */
function reportOnednnFallbackOnce(error: unknown, installHint: string): void {
  if (onednnFallbackReported) return;
  onednnFallbackReported = true;
  console.warn(
    `mtsl: the oneDNN CPU backend is unavailable (${causeText(error)}); using the next backend. ` +
      `For the fast CPU path, ${installHint}.`,
  );
}

/**
 * Activates a TensorFlow.js backend and returns what was chosen.
 *
 * "auto" takes the first of gpu, native, webgpu (a hardware adapter only), onednn, wasm,
 * cpu that loads and initialises.
 * An explicit preference that is unavailable throws a {@link BackendError} with code
 * MTSL3101 saying how to install it; an unknown name throws MTSL3102. On wasm the
 * training kernels of wasm-training-kernels.ts are registered first.
 */
export async function selectBackend(preference: BackendPreference, options: BackendOptions = {}): Promise<BackendInfo> {
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
  }
  if (!isBackendPreference(preference)) {
    throw new BackendError(
      `unknown backend '${String(preference)}'; expected one of ${BACKEND_PREFERENCES.join(", ")}`,
      BackendErrorCode.unknownPreference,
    );
  }
  if (preference !== "auto") {
    const candidate = CANDIDATES.find((c) => c.preference === preference) as Candidate;
    try {
      return await activate(candidate, options, true);
    } catch (error) {
      throw new BackendError(
        `backend '${preference}' is not available (${causeText(error)}); ${hintFor(candidate, error)}`,
        BackendErrorCode.unavailable,
      );
    }
  }
  const failures: string[] = [];
  for (const candidate of CANDIDATES) {
    try {
      return await activate(candidate, options, false);
    } catch (error) {
      failures.push(`${candidate.preference}: ${causeText(error)}`);
      if (candidate.preference === "onednn") reportOnednnFallbackOnce(error, hintFor(candidate, error));
    }
  }
  throw new BackendError(`no TensorFlow.js backend could be initialised (${failures.join("; ")})`);
}
