#!/usr/bin/env node
// `pnpm bench:peers`: installs the peers from their lockfile (npm ci) the first time, outside the pnpm workspace,
// so `pnpm install` stays lean. Pass --force to reinstall.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
if (existsSync(join(here, 'node_modules')) && !process.argv.includes('--force')) {
  console.log('bench peers: already installed in bench/peers/node_modules');
} else {
  console.log('bench peers: npm ci in bench/peers (pinned in its package-lock.json)');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
