import type { FoundPackage } from '../types.js';
import { importFile, requireFile } from './load-module.js';
import { resolveExport } from './resolve-export.js';

/**
 * Applies `patch` to each copy of a dual package's module: the CommonJS copy first and synchronously (the `-r`
 * entry cannot wait), then the ES module copy. Returns how many copies were patched; a copy that fails to load
 * or to patch is logged and skipped.
 */
export async function patchModuleCopies(
  found: FoundPackage,
  subpath: string,
  patch: (moduleExports: Record<string, unknown>) => boolean,
  log: (message: string) => void,
): Promise<number> {
  let patched = 0;
  const cjsFile = resolveExport(found.dir, subpath, 'require');
  if (cjsFile) patched += tryPatch(() => patch(requireFile(found.dir, cjsFile)), found, subpath, log);
  const esmFile = resolveExport(found.dir, subpath, 'import');
  if (esmFile && esmFile !== cjsFile) {
    try {
      const namespace = await importFile(esmFile);
      patched += tryPatch(() => patch(namespace), found, subpath, log);
    } catch (error) {
      log(`tooltrail: could not load ${found.name}@${found.version} ${subpath} (ESM): ${String(error)}`);
    }
  }
  return patched;
}

function tryPatch(
  apply: () => boolean,
  found: FoundPackage,
  subpath: string,
  log: (message: string) => void,
): number {
  try {
    return apply() ? 1 : 0;
  } catch (error) {
    log(`tooltrail: could not patch ${found.name}@${found.version} ${subpath}: ${String(error)}`);
    return 0;
  }
}
