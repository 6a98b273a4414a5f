import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const LOADED = Symbol.for('tooltrail.instrumentation.loaded-files');
type Slots = { [LOADED]?: Set<string> };

/** Files tooltrail has loaded itself (shared by the ESM and CommonJS builds of this package). */
function loadedByTooltrail(): Set<string> {
  const slots = globalThis as Slots;
  slots[LOADED] ??= new Set();
  return slots[LOADED];
}

/**
 * True when the application (or another preload) loaded `file` through `require` before tooltrail did:
 * objects it already built may have escaped the hook.
 */
export function loadedBefore(packageDir: string, file: string): boolean {
  if (loadedByTooltrail().has(file)) return false;
  return createRequire(join(packageDir, 'package.json')).cache[file] !== undefined;
}

/** Loads a CommonJS file by absolute path, as the application's `require` would (same module cache). */
export function requireFile(packageDir: string, file: string): Record<string, unknown> {
  const moduleExports = createRequire(join(packageDir, 'package.json'))(file) as Record<string, unknown>;
  loadedByTooltrail().add(file);
  return moduleExports;
}

/**
 * Loads an ES module synchronously with `require(esm)` (Node >= 20.19 / 22.12). The module lands in the ESM
 * loader's map, so the application's later `import` gets this very instance, already patched — no race with
 * the application's first import. Undefined when this Node cannot (older Node, top-level await in the graph).
 */
export function requireEsm(packageDir: string, file: string): Record<string, unknown> | undefined {
  if (!(process.features as { require_module?: boolean }).require_module) return undefined;
  try {
    return requireFile(packageDir, file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE' || code === 'ERR_REQUIRE_ESM') return undefined;
    throw error;
  }
}

/** Loads an ES module by absolute path; the ESM loader keys modules by URL, so the application gets this instance. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  const namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  loadedByTooltrail().add(file);
  return namespace;
}
