import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import type { FoundPackage } from '../types.js';

/**
 * Finds `name` the way Node's loaders do from `fromDir`: the nearest `node_modules/<name>` walking up, with
 * symlinks resolved (pnpm links packages into its store; both loaders key modules by the real path).
 */
export function findPackage(name: string, fromDir: string): FoundPackage | undefined {
  let dir = fromDir;
  const { root } = parse(dir);
  for (;;) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        const real = realpathSync(dirname(manifest));
        const json = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as { version?: unknown };
        return { name, version: typeof json.version === 'string' ? json.version : '0.0.0', dir: real };
      } catch {
        return undefined;
      }
    }
    if (dir === root) return undefined;
    dir = dirname(dir);
  }
}
