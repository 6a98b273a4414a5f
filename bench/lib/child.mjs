// The memory and verify scenarios run in child processes (`run.mjs --child <mode>`), so their RSS is their own.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchDir } from './load.mjs';

/** Runs `run.mjs --child mode ...extra` with `--expose-gc`; its last stdout line parsed as JSON. */
export function runChild(mode, extra) {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', join(benchDir, 'run.mjs'), '--child', mode, ...extra],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`bench child ${mode} failed with status ${child.status}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
