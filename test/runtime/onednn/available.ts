/**
 * Loads the optional mtsl-onednn package for the tests. When its native addon is not
 * built, `onednn` is null and `skipReason` says why (the tests are then skipped).
 */
export interface OnednnModule {
  backendName: string;
  nativeKernels: string[];
  describe(): string;
  setThreads(threads: number): void;
}

async function load(): Promise<{ onednn: OnednnModule | null; skipReason: string }> {
  const name: string = "mtsl-onednn";
  try {
    const module = (await import(name)) as OnednnModule;
    return { onednn: module, skipReason: "" };
  } catch (error) {
    const cause = error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
    const reason = `skipped: the mtsl-onednn addon is not built (${cause})`;
    console.warn(reason);
    return { onednn: null, skipReason: reason };
  }
}

export const { onednn, skipReason } = await load();
