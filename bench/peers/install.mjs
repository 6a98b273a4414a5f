#!/usr/bin/env node
// `pnpm bench:peers`: installs the peers from their lockfile (npm ci), outside the pnpm workspace, so
// `pnpm install` stays lean — the first time, and again whenever package.json pins a peer not installed as pinned.
// Pass --force to reinstall.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { peersState } from './state.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { state, outdated } = peersState(here);
if (state === 'installed' && !process.argv.includes('--force')) {
  console.log('bench peers: already installed in bench/peers/node_modules');
} else {
  const why = state === 'stale' ? ` (not as pinned: ${outdated.join(', ')})` : '';
  console.log(`bench peers: npm ci in bench/peers (pinned in its package-lock.json)${why}`);
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
