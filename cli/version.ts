import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of the mtsl package this module belongs to (the nearest package.json named mtsl above it), or null. */
export function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string };
      if (pkg.name === "mtsl") return dir;
    }
    dir = dirname(dir);
  }
  return null;
}

/** The package version, read from the package's package.json. */
export function packageVersion(): string {
  const root = packageRoot();
  if (root === null) return "0.0.0";
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
