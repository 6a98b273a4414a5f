import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, waitForHttp } from './ports.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const collectorConfig = join(repoRoot, 'collector-config', 'otelcol.yaml');

/** Builds (or reuses) the collector through `pnpm collector:build`'s script; returns the binary's path. */
export function buildCollector(): string {
  const result = spawnSync(process.execPath, [join(repoRoot, 'collector-config', 'build.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` },
    timeout: 20 * 60_000,
  });
  const lines = result.stdout.trim().split('\n');
  if (result.status !== 0) throw new Error(`collector build failed (${result.status}):\n${result.stderr}`);
  return lines[lines.length - 1]!;
}

export interface RunningCollector {
  name: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
  log(): string;
}

export interface StartOptions {
  binary: string;
  name: string;
  config: string;
  /** Environment for the config's ${env:...} references. */
  env: Record<string, string>;
  /** health_check endpoint (host:port) polled until the collector is ready. */
  health: string;
  logDir: string;
}

/** Starts a collector and waits for its health check; stop() sends SIGTERM and waits for the exit. */
export async function startCollector(options: StartOptions): Promise<RunningCollector> {
  const logFile = join(options.logDir, `${options.name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(options.binary, ['--config', options.config], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  const log = () => readFileSync(logFile, 'utf8');
  try {
    await Promise.race([
      waitForHttp(`http://${options.health}/`),
      exited.then(() => {
        throw new Error(`${options.name} exited early:\n${log()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    logFile,
    process: child,
    log,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killed = await Promise.race([exited.then(() => false), sleep(15_000).then(() => true)]);
          if (killed) child.kill('SIGKILL');
          await exited;
        }
        out.end();
      })();
      return stopping;
    },
  };
}
