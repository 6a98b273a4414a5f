import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../../..');
const bin = join(repoRoot, 'packages/cli/dist/bin.js');

/**
 * Runs the built CLI (no colour, no inherited TOOLTRAIL_SOURCE/DIR/PUBLIC_KEY_FILE) and returns exit code and
 * output.
 */
export function tooltrail(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.TOOLTRAIL_SOURCE;
  delete base.TOOLTRAIL_DIR;
  delete base.TOOLTRAIL_PUBLIC_KEY_FILE;
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...base, ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
