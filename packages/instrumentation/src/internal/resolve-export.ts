import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type ExportsTarget = string | null | ExportsTarget[] | { [key: string]: ExportsTarget };

/**
 * The file a package subpath (`.` or `./client/index.js`) maps to under `exports` for one loader: `import`
 * (the ESM loader) or `require` (the CommonJS loader). Dual packages ship one build per loader; both are loaded
 * when an application mixes them, so both get patched. Returns undefined when the subpath is not exported.
 */
export function resolveExport(
  packageDir: string,
  subpath: string,
  loader: 'import' | 'require',
): string | undefined {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: ExportsTarget;
    main?: string;
  };
  const conditions = new Set(['node', loader, 'default']);
  // Node with require(esm) also matches `module-sync` for both loaders.
  if ((process.features as { require_module?: boolean }).require_module) conditions.add('module-sync');
  const exportsField = manifest.exports;
  if (exportsField === undefined)
    return subpath === '.' ? join(packageDir, manifest.main ?? 'index.js') : join(packageDir, subpath);
  const map = isSubpathMap(exportsField) ? exportsField : { '.': exportsField };
  const exact = map[subpath];
  if (exact !== undefined) return toFile(packageDir, pickTarget(exact, conditions, undefined));
  for (const [key, target] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const match = subpath.slice(prefix.length, subpath.length - suffix.length);
      return toFile(packageDir, pickTarget(target, conditions, match));
    }
  }
  return undefined;
}

function isSubpathMap(value: ExportsTarget): value is { [key: string]: ExportsTarget } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value)[0]?.startsWith('.') === true
  );
}

function pickTarget(
  target: ExportsTarget,
  conditions: Set<string>,
  match: string | undefined,
): string | undefined {
  if (target === null) return undefined;
  if (typeof target === 'string') return match === undefined ? target : target.replaceAll('*', match);
  if (Array.isArray(target)) {
    for (const item of target) {
      const picked = pickTarget(item, conditions, match);
      if (picked) return picked;
    }
    return undefined;
  }
  // Conditions are matched in the object's key order, as Node does.
  for (const [condition, value] of Object.entries(target)) {
    if (!conditions.has(condition)) continue;
    const picked = pickTarget(value, conditions, match);
    if (picked) return picked;
  }
  return undefined;
}

function toFile(packageDir: string, target: string | undefined): string | undefined {
  return target?.startsWith('./') ? join(packageDir, target) : undefined;
}
