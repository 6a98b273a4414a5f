// Where the bench lives, and how it loads packages that only @tooltrail/core depends on.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The bench/ directory. */
export const benchDir = fileURLToPath(new URL('..', import.meta.url));

const requireFromCore = createRequire(join(benchDir, '..', 'packages', 'core', 'package.json'));

/** Imports `name` as @tooltrail/core resolves it (the same copy of @opentelemetry/* the audited path uses). */
export const load = (name) => import(pathToFileURL(requireFromCore.resolve(name)).href);
