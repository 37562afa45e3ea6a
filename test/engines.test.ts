import { readFileSync } from "node:fs";
import semver from "semver";
import { describe, expect, it } from "vitest";

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const root = new URL("../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL("package-lock.json", root), "utf8")) as {
  packages: Record<string, LockedPackage>;
};

describe("engines", () => {
  it("every locked dependency runs on the oldest Node the package promises", () => {
    const oldest = semver.minVersion(manifest.engines.node);
    expect(oldest).not.toBeNull();
    const refused: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      const wanted = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      if (wanted === undefined || path === "") continue;
      if (!semver.satisfies(oldest!, wanted, { includePrerelease: true }))
        refused.push(`${path}@${pkg.version} wants node ${wanted}`);
    }
    expect(refused).toEqual([]);
  });
});
