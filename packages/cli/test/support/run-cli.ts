import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../../..');
const bin = join(repoRoot, 'packages/cli/dist/bin.js');

/**
 * Runs the built CLI (no colour, no inherited TOOLTRAIL_SOURCE/DIR/PUBLIC_KEY_FILE) and returns exit code and
 * output.
 */
const emptyCwd = mkdtempSync(join(tmpdir(), 'tooltrail-cwd-'));

export function tooltrail(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.TOOLTRAIL_SOURCE;
  delete base.TOOLTRAIL_DIR;
  delete base.TOOLTRAIL_PUBLIC_KEY_FILE;
  // An empty working directory: a `.tooltrail/` the demo left in the repository must not count.
  const run = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...base, ...env },
    cwd: emptyCwd,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
