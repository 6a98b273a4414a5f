import type { EnableContext, EnableResult, FoundPackage } from '../types.js';
import { findPackage } from './find-package.js';
import { importFile, requireFile } from './load-module.js';
import { resolveExport } from './resolve-export.js';
import { inSupportedRange } from './version-check.js';

/** Which loader produced the module being patched. */
export type Loader = 'import' | 'require';

/** Patches one loaded module's exports; returns false when the expected exports are missing. */
export type ModulePatcher = (
  exports: Record<string, unknown>,
  found: FoundPackage,
  loader: Loader,
) => boolean;

/** One package to hook: its supported range and the modules (by exported subpath) that define the classes. */
export interface PatchTarget {
  package: string;
  range: string;
  modules: { subpath: string; patch: ModulePatcher }[];
}

/**
 * Finds each target from the application's directory, checks its version, patches its CommonJS build
 * synchronously, then imports and patches its ES module build. Dual packages load one copy per loader, so
 * both must be patched for `import` and `require` users alike.
 */
export async function enableTargets(targets: PatchTarget[], context: EnableContext): Promise<EnableResult> {
  const result: EnableResult = { patched: [], skipped: [] };
  const esm: { file: string; patch: ModulePatcher; found: FoundPackage }[] = [];
  const failures = new Map<string, string[]>();
  const fail = (found: FoundPackage, what: string) => {
    const key = `${found.name}@${found.version}`;
    failures.set(key, [...(failures.get(key) ?? []), what]);
  };
  const found: FoundPackage[] = [];
  for (const target of targets) {
    const pkg = findPackage(target.package, context.resolveFrom);
    if (!pkg) continue;
    if (!inSupportedRange(pkg, target.range, context.log)) {
      result.skipped.push(`${pkg.name}@${pkg.version}: outside ${target.range}`);
      continue;
    }
    found.push(pkg);
    for (const { subpath, patch } of target.modules) {
      const cjsFile = resolveExport(pkg.dir, subpath, 'require');
      if (cjsFile) {
        try {
          if (!patch(requireFile(pkg.dir, cjsFile), pkg, 'require')) fail(pkg, `${subpath} (require)`);
        } catch (error) {
          fail(pkg, `${subpath} (require): ${String(error)}`);
        }
      }
      const esmFile = resolveExport(pkg.dir, subpath, 'import');
      if (esmFile && esmFile !== cjsFile) esm.push({ file: esmFile, patch, found: pkg });
    }
  }
  await Promise.all(
    esm.map(async ({ file, patch, found: pkg }) => {
      try {
        if (!patch(await importFile(file), pkg, 'import')) fail(pkg, `${file} (import)`);
      } catch (error) {
        fail(pkg, `${file} (import): ${String(error)}`);
      }
    }),
  );
  for (const pkg of found) {
    const key = `${pkg.name}@${pkg.version}`;
    const problems = failures.get(key);
    if (!problems) {
      result.patched.push(key);
      continue;
    }
    result.skipped.push(`${key}: ${problems.join('; ')}`);
    context.log(
      `tooltrail: could not hook ${key} (${problems.join('; ')}); some tool calls are not instrumented`,
    );
  }
  return result;
}
