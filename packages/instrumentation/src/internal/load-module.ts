import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Loads a CommonJS file by absolute path, as the application's `require` would (same module cache). */
export function requireFile(packageDir: string, file: string): Record<string, unknown> {
  return createRequire(join(packageDir, 'package.json'))(file) as Record<string, unknown>;
}

/** Loads an ES module by absolute path; the ESM loader keys modules by URL, so the application gets this instance. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
