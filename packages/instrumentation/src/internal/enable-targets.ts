import type { EnableContext, EnableResult, FoundPackage } from '../types.js';
import { findPackage } from './find-package.js';
import { reportLateHook } from './late-hooks.js';
import { importFile, loadedBefore, requireEsm, requireFile } from './load-module.js';
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

interface Copy {
  found: FoundPackage;
  subpath: string;
  file: string;
  loader: Loader;
  patch: ModulePatcher;
}

/**
 * The one way tooltrail hooks a package: find it from the application's directory, check its version, then
 * patch every copy a loader can hand the application — the CommonJS build with `require`, the ES module build
 * with `require(esm)` — synchronously, before this function first awaits. So `-r` (which cannot wait) and
 * `--import` both have every copy patched before the application's first import. Only a Node without
 * `require(esm)` falls back to `import()`; a copy loaded before tooltrail, or patched after the `-r` preload
 * returned, is reported once (warning and metric), never silently.
 */
export async function enableTargets(targets: PatchTarget[], context: EnableContext): Promise<EnableResult> {
  const result: EnableResult = { patched: [], skipped: [] };
  const failures = new Map<FoundPackage, string[]>();
  const fail = (copy: Copy, what: string) =>
    failures.set(copy.found, [
      ...(failures.get(copy.found) ?? []),
      `${copy.subpath} (${copy.loader})${what}`,
    ]);
  const deferred: Copy[] = [];
  const found: FoundPackage[] = [];
  for (const target of targets) {
    const pkg = findPackage(target.package, context.resolveFrom);
    if (!pkg) continue;
    if (!inSupportedRange(pkg, target.range, context.log)) {
      result.skipped.push(`${pkg.name}@${pkg.version}: outside ${target.range}`);
      continue;
    }
    found.push(pkg);
    for (const copy of copiesOf(pkg, target)) {
      try {
        const early = !loadedBefore(pkg.dir, copy.file);
        const moduleExports =
          copy.loader === 'require' ? requireFile(pkg.dir, copy.file) : requireEsm(pkg.dir, copy.file);
        if (!moduleExports) {
          deferred.push(copy);
          continue;
        }
        if (!copy.patch(moduleExports, pkg, copy.loader)) fail(copy, '');
        else if (!early) reportLateHook(idOf(pkg), copy.loader, 'loaded-before', context.log);
      } catch (error) {
        fail(copy, `: ${String(error)}`);
      }
    }
  }
  await Promise.all(
    deferred.map(async (copy) => {
      try {
        if (!copy.patch(await importFile(copy.file), copy.found, 'import')) fail(copy, '');
        else if (context.synchronous)
          reportLateHook(idOf(copy.found), 'import', 'patched-asynchronously', context.log);
      } catch (error) {
        fail(copy, `: ${String(error)}`);
      }
    }),
  );
  for (const pkg of found) {
    const problems = failures.get(pkg);
    if (!problems) {
      result.patched.push(idOf(pkg));
      continue;
    }
    result.skipped.push(`${idOf(pkg)}: ${problems.join('; ')}`);
    context.log(
      `tooltrail: could not hook ${idOf(pkg)} (${problems.join('; ')}); some tool calls are not instrumented`,
    );
  }
  return result;
}

/** Each module file a loader can give the application: the `require` build, and the `import` build if it differs. */
function copiesOf(found: FoundPackage, target: PatchTarget): Copy[] {
  const copies: Copy[] = [];
  for (const { subpath, patch } of target.modules) {
    const cjsFile = resolveExport(found.dir, subpath, 'require');
    if (cjsFile) copies.push({ found, subpath, file: cjsFile, loader: 'require', patch });
    const esmFile = resolveExport(found.dir, subpath, 'import');
    if (esmFile && esmFile !== cjsFile)
      copies.push({ found, subpath, file: esmFile, loader: 'import', patch });
  }
  return copies;
}

function idOf(found: FoundPackage): string {
  return `${found.name}@${found.version}`;
}
