/**
 * Importing an optional package by a name TypeScript cannot see, so the project compiles
 * whether or not the package is installed (the native and GPU backends' packages).
 */
export async function importOptional(moduleName: string): Promise<Record<string, unknown>> {
  const name: string = moduleName;
  return (await import(name)) as Record<string, unknown>;
}
