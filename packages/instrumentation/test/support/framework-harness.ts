import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSigningKeyPair, setupToolAudit, type ToolAudit, verifyTrail } from '@tooltrail/core';
import { expect } from 'vitest';
import { logOnce } from '../../src/internal/log-once.js';
import type { EnableContext } from '../../src/types.js';

/** This package's directory: the target packages (devDependencies) resolve from here. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** What `registerToolInstrumentations()` hands an instrumentation, resolving from this package. */
export function enableContext(overrides: Partial<EnableContext> = {}): EnableContext {
  return { resolveFrom: PACKAGE_DIR, log: logOnce, ...overrides };
}

/** PII canaries placed in tool arguments: none may reach the trail or the OTLP bytes. */
export const SSN_CANARY = '123-45-6789';
export const CARD_CANARY = '4111 1111 1111 1111';
const CANARY_FORMS = [SSN_CANARY, CARD_CANARY, CARD_CANARY.replaceAll(' ', '')];

export type TrailRecord = Record<string, unknown> & { type: string; tool?: string };

/** A capture server on 127.0.0.1 that stores every OTLP request body it receives. */
export interface OtlpCapture {
  endpoint: string;
  bodies: Buffer[];
  paths: string[];
  close(): Promise<void>;
}

export async function startOtlpCapture(): Promise<OtlpCapture> {
  const bodies: Buffer[] = [];
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bodies,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One audited process: tooltrail set up against a temporary trail and a capture server. */
export interface Harness {
  audit: ToolAudit;
  dir: string;
  capture: OtlpCapture;
  /** Flushes, then returns the tool_call records in order. */
  records(): Promise<TrailRecord[]>;
  /** Shuts tooltrail down (final checkpoint, OTLP flush) and checks chain + canaries; returns the records. */
  finish(): Promise<{ records: TrailRecord[]; trailText: string; otlp: Buffer }>;
  cleanup(): Promise<void>;
}

export async function startHarness(serviceName: string): Promise<Harness> {
  const capture = await startOtlpCapture();
  const dir = mkdtempSync(join(tmpdir(), `tooltrail-${serviceName}-`));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = capture.endpoint;
  process.env.OTEL_SERVICE_NAME = serviceName;
  const keys = generateSigningKeyPair();
  const audit = setupToolAudit({
    trail: { dir, fsync: 'never' },
    signingKey: { privateKey: keys.privateKeyPem },
    exitHooks: false,
    register: true,
  });
  const readRecords = (): TrailRecord[] => readTrail(dir).filter((record) => record.type === 'tool_call');
  return {
    audit,
    dir,
    capture,
    async records() {
      await audit.forceFlush();
      return readRecords();
    },
    async finish() {
      await audit.forceFlush();
      await audit.shutdown();
      // Checkpoint signatures are checked against the pinned public key, not the one the trail carries.
      const report = await verifyTrail(dir, { publicKeys: [keys.publicKeyPem] });
      if (!report.ok || report.checkpoints < 1)
        throw new Error(`trail does not verify: ${JSON.stringify(report.problems)}`);
      const trailText = readTrailText(dir);
      const otlp = Buffer.concat(capture.bodies);
      for (const canary of CANARY_FORMS) {
        if (trailText.includes(canary)) throw new Error(`PII canary ${canary} leaked into the trail`);
        if (otlp.includes(canary)) throw new Error(`PII canary ${canary} leaked into the OTLP bytes`);
      }
      return { records: readRecords(), trailText, otlp };
    },
    async cleanup() {
      await audit.shutdown();
      await capture.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** All records of every trail file in `dir`, in file then line order. */
export function readTrail(dir: string): TrailRecord[] {
  return readTrailText(dir)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TrailRecord);
}

function readTrailText(dir: string): string {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('');
}

/**
 * A directory where `name` resolves to a package.json of `version` (and nothing else): what an application with
 * an unsupported version installed looks like to the instrumentation's version check.
 */
export function installedVersionDir(name: string, version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-range-'));
  const packageDir = join(dir, 'node_modules', ...name.split('/'));
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  writeFileSync(join(packageDir, 'index.js'), 'module.exports = {};\n');
  return dir;
}

/** Collects the `TooltrailWarning`s emitted while `fn` runs (and one tick after). */
export async function collectWarnings(fn: () => unknown): Promise<string[]> {
  const messages: string[] = [];
  const listener = (warning: Error) => {
    if (warning.name === 'TooltrailWarning') messages.push(warning.message);
  };
  process.on('warning', listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return messages;
}

/**
 * An application directory where `name` resolves to the package installed here as `installedAs` (an npm alias
 * such as `openai7`), linked by its real path so the app and the test load the same module files.
 */
export function appDirWithPackage(name: string, installedAs: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tooltrail-app-'));
  // Packages whose `exports` hide package.json: walk up from the entry point to the package root.
  let root = dirname(realpathSync(createRequire(import.meta.url).resolve(installedAs)));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  const link = join(dir, 'node_modules', ...name.split('/'));
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(root, link, 'dir');
  return dir;
}

/**
 * Asserts that enabling `instrumentation` against an installed `name@version` outside `range` patches
 * nothing, twice, and logs exactly one warning.
 */
export async function expectOutOfRangeNoop(
  instrumentation: { enable(context: ReturnType<typeof enableContext>): Promise<unknown> },
  name: string,
  version: string,
  range: string,
): Promise<void> {
  const dir = installedVersionDir(name, version);
  const warnings = await collectWarnings(async () => {
    for (let i = 0; i < 2; i++) {
      expect(await instrumentation.enable(enableContext({ resolveFrom: dir }))).toEqual({
        patched: [],
        skipped: [`${name}@${version}: outside ${range}`],
      });
    }
  });
  expect(warnings).toEqual([
    expect.stringContaining(`${name}@${version} is outside the supported range ${range}`),
  ]);
}
