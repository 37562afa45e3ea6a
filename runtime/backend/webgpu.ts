/**
 * The WebGPU backend: TensorFlow.js's `@tensorflow/tfjs-backend-webgpu` on Dawn's Node
 * bindings (the `webgpu` package), so any GPU with a Vulkan (Linux), Metal (macOS) or
 * Direct3D 12 (Windows) driver trains, without CUDA.
 *
 * Both packages are optional dependencies, loaded here by dynamic import: the backend
 * registers itself only when `navigator.gpu` exists at its import, so Dawn's globals are
 * installed first. The adapter Dawn picks is described and recorded; a software adapter
 * (Mesa's lavapipe, SwiftShader) is used only when asked for by name (`--backend webgpu`),
 * never by "auto": it is a correctness path, far slower than the CPU backends.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";

import { importOptional } from "./import-optional.js";
import { registerWebgpuTrainingKernels, type WebgpuUtil } from "./webgpu-training-kernels.js";

/** What the runtime records about the GPU it trains on (run.json, the report). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of the API (lavapipe, SwiftShader), not a GPU. */
  software: boolean;
}

/** The part of Dawn's `GPUAdapter` the runtime reads. */
interface DawnAdapter {
  info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

interface DawnGpu {
  requestAdapter(options?: { powerPreference?: "high-performance" | "low-power" }): Promise<DawnAdapter | null>;
}

/** Why the webgpu backend cannot be used, with what to do about it. */
export class WebgpuUnavailable extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "WebgpuUnavailable";
  }
}

let adapter: AdapterDescription | null = null;

const INSTALL_HINT = "install it with `npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0`";

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
}

/** Installs Dawn's `navigator.gpu` and WebGPU globals, once; returns `navigator.gpu`. */
async function dawnGpu(): Promise<DawnGpu> {
  const existing = (globalThis as { navigator?: { gpu?: DawnGpu } }).navigator?.gpu;
  if (existing) return existing;
  let dawn: Record<string, unknown>;
  try {
    dawn = await importOptional("webgpu");
  } catch (error) {
    throw new WebgpuUnavailable(
      `the 'webgpu' package (Dawn for Node) did not load (${firstLine(error)})`,
      INSTALL_HINT,
    );
  }
  const create = dawn.create as (flags: string[]) => DawnGpu;
  Object.assign(globalThis, dawn.globals as object);
  const gpu = create([]);
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

/** The adapter's fields, normalised. */
export function describeAdapter(found: DawnAdapter): AdapterDescription {
  const info = found.info ?? {};
  const architecture = info.architecture ?? "";
  const software = Boolean(info.isFallbackAdapter ?? found.isFallbackAdapter) || architecture === "software";
  return {
    vendor: info.vendor ?? "",
    architecture,
    device: info.device ?? "",
    description: info.description ?? "",
    software,
  };
}

/**
 * The adapter Dawn would pick, asked in a child process: "auto" uses it to decide without
 * loading Dawn here, since Dawn prints warnings to stderr while it sets up a software device
 * (lavapipe's "maxDynamic...BuffersPerPipelineLayout artificially reduced"), which a run that
 * then trains on the CPU should not show. Null when there is no adapter or the probe fails.
 */
export function probeAdapter(): AdapterDescription | null {
  let entry: string;
  try {
    entry = pathToFileURL(createRequire(import.meta.url).resolve("webgpu")).href;
  } catch (error) {
    throw new WebgpuUnavailable(
      `the 'webgpu' package (Dawn for Node) is not installed (${firstLine(error)})`,
      INSTALL_HINT,
    );
  }
  const script =
    `const { create, globals } = await import(${JSON.stringify(entry)});` +
    `Object.assign(globalThis, globals);` +
    `const a = await create([]).requestAdapter({ powerPreference: "high-performance" });` +
    `process.stdout.write(JSON.stringify(a ? { info: { vendor: a.info.vendor, architecture: a.info.architecture,` +
    ` device: a.info.device, description: a.info.description, isFallbackAdapter: a.info.isFallbackAdapter } } : null));` +
    `process.exit(0);`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (child.status !== 0) return null;
  try {
    const found = JSON.parse(child.stdout) as DawnAdapter | null;
    return found === null ? null : describeAdapter(found);
  } catch {
    return null;
  }
}

/**
 * Sets the webgpu backend up and returns its TensorFlow.js name. With `allowSoftware`
 * false ("auto"), a software adapter is refused, found by {@link probeAdapter} before Dawn
 * is loaded into this process.
 */
export async function loadWebgpu(allowSoftware: boolean): Promise<string> {
  if (!allowSoftware && adapter === null) accepted(probeAdapter(), false);
  const gpu = await dawnGpu();
  const found = await gpu.requestAdapter({ powerPreference: "high-performance" });
  const described = accepted(found === null ? null : describeAdapter(found), allowSoftware);
  const backend = await importOptional("@tensorflow/tfjs-backend-webgpu");
  if (tf.findBackendFactory("webgpu") === null) {
    throw new WebgpuUnavailable("@tensorflow/tfjs-backend-webgpu did not register its backend", INSTALL_HINT);
  }
  registerWebgpuTrainingKernels(backend.webgpu_util as WebgpuUtil);
  adapter = described;
  return "webgpu";
}

/** `found`, unless there is none or it is a software one that was not asked for (thrown). */
function accepted(found: AdapterDescription | null, allowSoftware: boolean): AdapterDescription {
  if (found === null) {
    throw new WebgpuUnavailable(
      "no WebGPU adapter: Dawn found no Vulkan, Metal or Direct3D 12 device",
      "install the GPU's Vulkan driver (on Debian without a GPU: mesa-vulkan-drivers 25 from bookworm-backports for lavapipe, a software device)",
    );
  }
  if (found.software && !allowSoftware) {
    throw new WebgpuUnavailable(
      `the only WebGPU adapter is a software one (${found.description || found.device})`,
      "ask for it by name with `--backend webgpu` (a correctness path: slower than the CPU backends)",
    );
  }
  return found;
}

/** The adapter the webgpu backend runs on (null before {@link loadWebgpu} succeeded). */
export function webgpuAdapter(): AdapterDescription | null {
  return adapter;
}

/** One line for logs: "WebGPU (Dawn) on llvmpipe ... [mesa, software; a software device]". */
export function webgpuDescription(): string {
  if (adapter === null) return "WebGPU (Dawn)";
  const name = adapter.description || adapter.device || "an unnamed adapter";
  const detail = [adapter.vendor, adapter.architecture].filter((s) => s.length > 0).join(", ");
  return `WebGPU (Dawn) on ${name}${detail ? ` [${detail}]` : ""}${adapter.software ? " (a software device, not a GPU)" : ""}`;
}
