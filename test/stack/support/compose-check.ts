import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../collector/support/collector.js';

const source = join(repoRoot, 'test', 'stack', 'compose-check');
const binary = join(repoRoot, 'collector-config', 'build', 'bin', 'compose-check');

/** Builds test/stack/compose-check (compose-go's loader) once per source change; returns the binary. */
export function buildComposeCheck(): string {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(join(source, file)));
  const key = hash.digest('hex');
  const stamp = `${binary}.sha256`;
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return binary;
  mkdirSync(join(binary, '..'), { recursive: true });
  const result = spawnSync('nice', ['go', 'build', '-o', binary, '.'], {
    cwd: source,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` },
    timeout: 10 * 60_000,
  });
  if (result.status !== 0) throw new Error(`compose-check build failed:\n${result.stderr}`);
  writeFileSync(stamp, key);
  return binary;
}

/** Loads docker-compose.yml like `docker compose config` does; returns the resolved project or the error. */
export function loadCompose(env: Record<string, string>): { project?: ComposeProject; error?: string } {
  const result = spawnSync(buildComposeCheck(), [join(repoRoot, 'docker-compose.yml')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  if (result.status !== 0) return { error: result.stderr };
  return { project: JSON.parse(result.stdout) as ComposeProject };
}

export interface ComposeService {
  image?: string;
  environment?: Record<string, string | null>;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  ports?: Array<{ target: number; published: string; protocol?: string; host_ip?: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  user?: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}
