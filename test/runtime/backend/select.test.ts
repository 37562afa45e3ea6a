/** Backend selection: order, explicit choices, and coded errors for unavailable ones. */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";

import { BackendError } from "../../../runtime/backend/backend-error.js";
import { BACKEND_PREFERENCES, isBackendPreference, selectBackend } from "../../../runtime/backend/select.js";
import { describeAdapter } from "../../../runtime/backend/webgpu.js";

/** Whether an optional package can be imported here (the native ones are not installed on CI). */
async function installed(moduleName: string): Promise<boolean> {
  const name: string = moduleName;
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

const optional = {
  gpu: "@tensorflow/tfjs-node-gpu",
  native: "@tensorflow/tfjs-node",
  onednn: "mtsl-onednn",
} as const;

describe("selectBackend", () => {
  it("activates the WebAssembly backend with its training kernels", async () => {
    const info = await selectBackend("wasm");
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(info.tfVersion).toBe("4.22.0");
    expect(info.description).toMatch(/^WebAssembly \(XNNPACK, (SIMD|no SIMD), /);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, "wasm")).toBeDefined();
  });

  it("activates the CPU backend", async () => {
    const info = await selectBackend("cpu");
    expect(info.name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(info.threads).toBe(1);
  });

  it("says how many threads a backend computes with, whatever was asked where it cannot be told", async () => {
    expect((await selectBackend("cpu", { threads: 4 })).threads).toBe(1);
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      await expect(selectBackend("cpu", { threads })).rejects.toThrow(/threads must be a positive integer/);
    }
  });

  for (const [preference, pkg] of Object.entries(optional) as Array<[keyof typeof optional, string]>) {
    it(`explains how to install '${preference}' when it is missing`, async () => {
      if (await installed(pkg)) return; // Present on this machine: nothing to report.
      const error = await selectBackend(preference).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).code).toBe("MTSL3101");
      expect((error as BackendError).message).toContain(`npm install ${pkg}`);
    });
  }

  it("picks the first available backend for 'auto' (wasm when no native package is installed)", async () => {
    const natives = await Promise.all(Object.values(optional).map(installed));
    const info = await selectBackend("auto");
    if (info.name === "webgpu") expect(info.adapter?.software).toBe(false);
    else if (natives.some(Boolean)) expect(["tensorflow", "onednn"]).toContain(info.name);
    else expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe(info.name);
  });

  it("never takes a software WebGPU adapter for 'auto', only when asked by name", async () => {
    const named = await selectBackend("webgpu").catch(() => null);
    if (named === null || !named.adapter?.software) return; // no adapter, or a real GPU: nothing to check
    expect(named.description).toContain("a software device, not a GPU");
    const auto = await selectBackend("auto");
    expect(auto.name).not.toBe("webgpu");
  });

  it("tells a software WebGPU adapter from a GPU", () => {
    const lavapipe = {
      info: {
        vendor: "mesa",
        architecture: "software",
        device: "llvmpipe",
        description: "llvmpipe",
        isFallbackAdapter: true,
      },
    };
    expect(describeAdapter(lavapipe).software).toBe(true);
    expect(
      describeAdapter({ info: { vendor: "google", architecture: "swiftshader" }, isFallbackAdapter: true }).software,
    ).toBe(true);
    const gpu = describeAdapter({
      info: { vendor: "nvidia", architecture: "hopper", device: "H100", description: "NVIDIA H100" },
    });
    expect(gpu).toEqual({
      vendor: "nvidia",
      architecture: "hopper",
      device: "H100",
      description: "NVIDIA H100",
      software: false,
    });
  });

  it("rejects an unknown preference with MTSL3102", async () => {
    expect(isBackendPreference("tpu")).toBe(false);
    expect(BACKEND_PREFERENCES.every(isBackendPreference)).toBe(true);
    const error = await selectBackend("tpu" as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).code).toBe("MTSL3102");
  });
});
