// Whether the peers are installed as bench/peers/package.json pins them: each dependency present in
// node_modules at its pinned version. A checkout whose package.json gained or changed a peer since the last
// `pnpm bench:peers` is out of date, not installed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** `{ state: 'missing' | 'stale' | 'installed', outdated }`: `outdated` names each dependency not as pinned. */
export function peersState(dir = here) {
  if (!existsSync(join(dir, 'node_modules'))) return { state: 'missing', outdated: [] };
  const pinned = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {};
  const outdated = Object.entries(pinned)
    .filter(([name, version]) => installedVersion(dir, name) !== version)
    .map(([name, version]) => `${name}@${version}`);
  return { state: outdated.length === 0 ? 'installed' : 'stale', outdated };
}

function installedVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
