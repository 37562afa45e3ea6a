/**
 * Sets up the webgpu backend for the tests, software adapters included (lavapipe on a
 * machine without a GPU). Where no Vulkan device or no package exists, `webgpu` is null
 * and `skipReason` says why (printed; the tests are then skipped).
 */
import { selectBackend, type BackendInfo } from "../../../runtime/backend/select.js";

async function load(): Promise<{ webgpu: BackendInfo | null; skipReason: string }> {
  try {
    const info = await selectBackend("webgpu");
    await selectBackend("cpu");
    return { webgpu: info, skipReason: "" };
  } catch (error) {
    const cause = error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
    const reason = `skipped: no WebGPU device (${cause})`;
    console.warn(reason);
    return { webgpu: null, skipReason: reason };
  }
}

export const { webgpu, skipReason } = await load();
