#!/usr/bin/env node
// Builds the tooltrail collector from builder.yaml with the OpenTelemetry Collector Builder (ocb).
// Cached: the build dir carries the manifest's SHA-256; a matching stamp and binary skip the build.
// The last line printed is always the binary's absolute path (scripts and tests read it).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILDER_VERSION = 'v0.161.0';
const configDir = dirname(fileURLToPath(import.meta.url));
const buildDir = join(configDir, 'build');
const distDir = join(buildDir, 'otelcol-tooltrail');
const binary = join(distDir, 'otelcol-tooltrail');
const stampFile = join(distDir, '.manifest-sha256');
const builderBinary = join(buildDir, 'bin', 'builder');
const lockFile = join(buildDir, '.build.lock');

function manifestKey() {
  const manifest = readFileSync(join(configDir, 'builder.yaml'));
  return createHash('sha256').update(BUILDER_VERSION).update('\n').update(manifest).digest('hex');
}

function isFresh(key) {
  return existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === key;
}

function run(command, args, options = {}) {
  // nice: the machine is shared and a collector build saturates every core for minutes.
  const result = spawnSync('nice', ['-n', '10', command, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    ...options,
  });
  if (result.status !== 0) {
    console.error(
      `collector:build: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
}

function goVersion() {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const key = manifestKey();
mkdirSync(buildDir, { recursive: true });

if (!isFresh(key)) {
  // Serialise concurrent builds (parallel test files, a second terminal): re-run this script under flock.
  if (process.env.TOOLTRAIL_COLLECTOR_BUILD_LOCKED !== '1') {
    const locked = spawnSync('flock', [lockFile, process.execPath, fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, TOOLTRAIL_COLLECTOR_BUILD_LOCKED: '1' },
    });
    process.exit(locked.status ?? 1);
  }
  const go = goVersion();
  if (!go) {
    console.error(
      'collector:build: the Go toolchain (go) is not on PATH; install Go >= 1.25 to build the collector',
    );
    process.exit(3);
  }
  const startedAt = Date.now();
  console.error(
    `collector:build: building with ${go} and ocb ${BUILDER_VERSION} (cache key ${key.slice(0, 12)})`,
  );
  const builderStamp = `${builderBinary}.version`;
  if (
    !existsSync(builderBinary) ||
    !existsSync(builderStamp) ||
    readFileSync(builderStamp, 'utf8') !== BUILDER_VERSION
  ) {
    run('go', ['install', `go.opentelemetry.io/collector/cmd/builder@${BUILDER_VERSION}`], {
      env: { ...process.env, GOBIN: dirname(builderBinary) },
    });
    writeFileSync(builderStamp, BUILDER_VERSION);
  }
  // ocb resolves output_path against its working directory.
  run(builderBinary, ['--config', 'builder.yaml'], { cwd: configDir });
  writeFileSync(stampFile, `${key}\n`);
  console.error(`collector:build: built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

console.log(binary);
