#!/usr/bin/env node
// `pnpm collector:run`: builds the collector if needed (cached), then runs it with collector-config/otelcol.yaml.
// Outside compose there is no /var/lib/otelcol: unless set, the persistent queue and the archive go under
// collector-config/build/run/. Every other setting (endpoints, listen addresses) comes from env as in otelcol.yaml.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const configDir = dirname(fileURLToPath(import.meta.url));
const output = execFileSync(process.execPath, [join(configDir, 'build.mjs')], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const binary = output.trim().split('\n').at(-1);
const runDir = join(configDir, 'build', 'run');
const env = { ...process.env };
env.COLLECTOR_STORAGE_DIR ??= join(runDir, 'queue');
env.AUDIT_ARCHIVE_PATH ??= join(runDir, 'audit', 'audit.jsonl');
mkdirSync(env.COLLECTOR_STORAGE_DIR, { recursive: true });
mkdirSync(dirname(env.AUDIT_ARCHIVE_PATH), { recursive: true });

const child = spawn(binary, ['--config', join(configDir, 'otelcol.yaml'), ...process.argv.slice(2)], {
  env,
  stdio: 'inherit',
});
// Forward Ctrl-C and SIGTERM so the collector drains its queues to disk before exiting.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
